#pragma once
// A Hugging Face model folder: config.json plus model.safetensors, or shards listed in
// model.safetensors.index.json. Every file is memory-mapped and validated on open.
//
//   Checkpoint ckpt = Checkpoint::open("models/LLaDA-8B-Instruct");
//   Weight wq = ckpt.matrix("model.transformer.blocks.0.q_proj.weight", 4096, 4096);

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kernels/cpu/dtype.h"
#include "model/safetensors.h"

namespace remask {

// A JSON file parsed; InputError naming the file when it cannot be read or parsed.
nlohmann::json read_json_file(const std::string& path);

class Checkpoint {
public:
    // Throws InputError naming the folder, config.json, the index, or the shard at fault.
    // A path ending in .gguf is opened with open_gguf.
    static Checkpoint open(const std::string& dir);
    // A llama.cpp GGUF file (gguf_checkpoint.cpp): its metadata turned into the family's
    // config.json, its tensors under Hugging Face names (q/k rows un-permuted where llama.cpp's
    // converter permuted them). dir() and config_path() are the file's path.
    static Checkpoint open_gguf(const std::string& path);
    bool is_gguf() const { return gguf_ != nullptr; }

    const std::string& dir() const { return dir_; }
    const nlohmann::json& config() const { return config_; }
    const std::string& config_path() const { return config_path_; }

    bool has(const std::string& name) const { return find(name) != nullptr; }
    const TensorInfo* find(const std::string& name) const;
    // All tensors, sorted by name.
    std::vector<const TensorInfo*> tensors() const;

    // A float tensor of exactly shape [rows, cols]; InputError names the tensor and its file
    // when it is missing, has another shape or a non-float dtype.
    Weight matrix(const std::string& name, int64_t rows, int64_t cols) const;
    // A float tensor of shape [n], widened to float32.
    std::vector<float> vector(const std::string& name, int64_t n) const;
    // As vector(), or empty when the tensor is absent.
    std::vector<float> optional_vector(const std::string& name, int64_t n) const;

private:
    const TensorInfo& require(const std::string& name, const std::vector<int64_t>& shape) const;

    std::string dir_;
    std::string config_path_;
    nlohmann::json config_;
    std::vector<std::unique_ptr<SafetensorsFile>> files_;
    std::map<std::string, const TensorInfo*> index_;  // name -> tensor in one of files_
    std::shared_ptr<const void> gguf_;  // open_gguf: the mapped file and its tensor views
};

}  // namespace remask
