#pragma once
// The tokenizer of a model: its folder's tokenizer.json; for a .gguf file the tokenizer.json
// beside it when there is one, else the file's own vocabulary (`tokenizer.ggml.*`, see
// tokenizer/vocab_tokenizer.h).
//
//   auto tokenizer = load_model_tokenizer("models/dream-q8_0.gguf");

#include <memory>
#include <string>

#include "tokenizer/tokenizer.h"

namespace remask {

// InputError naming the folder, file or key when there is no usable tokenizer.
std::unique_ptr<Tokenizer> load_model_tokenizer(const std::string& model);

// The tokenizer of a GGUF file's vocabulary alone.
std::unique_ptr<Tokenizer> load_gguf_tokenizer(const std::string& path);

}  // namespace remask
