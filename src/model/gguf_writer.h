#pragma once
// Writing GGUF v3 files: a builder for metadata and tensors (streamed: one tensor's bytes in
// memory at a time), and the conversion of a Hugging Face folder into the file llama.cpp's
// own converter (convert_hf_to_gguf.py) would write: the same tensor names, metadata keys,
// F32 norms and biases, q/k rows permuted for LLaDA/LLaMA, and `tokenizer.ggml.*` with
// exactly as many tokens as the embedding has rows.
//
//   write_gguf_from_folder("models/Dream-v0-Instruct-7B", "dream.gguf", "bf16");

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "model/gguf_file.h"

namespace remask {

class GgufBuilder {
public:
    void add_string(const std::string& key, const std::string& value);
    void add_u32(const std::string& key, uint32_t value);
    void add_i32(const std::string& key, int32_t value);
    void add_f32(const std::string& key, float value);
    void add_bool(const std::string& key, bool value);
    void add_strings(const std::string& key, const std::vector<std::string>& values);
    void add_i32s(const std::string& key, const std::vector<int32_t>& values);
    // A raw entry (the value bytes as the file holds them after the type), for tests that
    // write damaged files.
    void add_raw(const std::string& key, uint32_t type, const std::string& value_bytes);

    // dims in ggml order (dims[0] = columns); `produce` returns exactly the tensor's bytes
    // when the file is written.
    void add_tensor(const std::string& name, std::vector<int64_t> dims, const GgmlType& type,
                    std::function<std::vector<uint8_t>()> produce);

    // Writes path + ".tmp", then renames it over path, so a failure never leaves half a
    // file under the final name. ExternalError naming the path on I/O failure.
    void write(const std::string& path) const;
    // The whole file in memory (tests).
    std::vector<uint8_t> bytes() const;

private:
    struct Tensor {
        std::string name;
        std::vector<int64_t> dims;
        const GgmlType* type;
        uint64_t bytes;
        std::function<std::vector<uint8_t>()> produce;
    };
    template <typename Sink>
    void emit(Sink& sink) const;
    std::vector<std::pair<std::string, std::string>> entries_;  // key, type + value bytes
    std::vector<Tensor> tensors_;
};

// Converts a model folder (config.json, safetensors, optional tokenizer.json) to GGUF.
// type: "f32", "f16" or "bf16" for matrices (1-D tensors stay F32, as the converter does).
// A folder without tokenizer.json gets the 256 byte tokens then "[PADi]" up to the
// vocabulary size, no merges (enough for llama.cpp to load it).
void write_gguf_from_folder(const std::string& model_dir, const std::string& out_path, const std::string& type);

}  // namespace remask
