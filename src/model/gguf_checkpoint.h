#pragma once
// A llama.cpp GGUF file read as a Checkpoint (Checkpoint::open_gguf, defined in
// gguf_checkpoint.cpp): metadata → the family's config.json keys, tensors → Hugging Face
// names. The engine then loads it exactly as a safetensors folder.

#include <nlohmann/json.hpp>
#include <string>

#include "model/gguf_file.h"
#include "model/model_config.h"

namespace remask {

// The config.json a Hugging Face folder of the same model would have, from the GGUF
// metadata (`<arch>.embedding_length`, `.block_count`, `.attention.head_count`, ...,
// `tokenizer.ggml.*_token_id`) and the tensors present (tied head, biases). InputError
// names the file and the key for a missing key, an unknown architecture or a setting the
// engine cannot run (partial rotary, RoPE scaling other than linear, causal flag that
// contradicts the family).
nlohmann::json gguf_config_json(const GgufFile& file);

// The ModelConfig of a .gguf file without building tensor views.
ModelConfig read_gguf_model_config(const std::string& path);

}  // namespace remask

namespace remask {

// Where a model's tokenizer.json lies: inside a folder, or beside a .gguf file (the same
// folder). The path is returned whether or not the file exists.
std::string tokenizer_json_for_model(const std::string& model);

}  // namespace remask
