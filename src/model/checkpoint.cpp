#include "model/checkpoint.h"

#include <filesystem>
#include <fstream>
#include <set>

#include "core/error.h"
#include "model/gguf_file.h"

namespace remask {
namespace fs = std::filesystem;
nlohmann::json read_json_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw InputError(path, "cannot open");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw InputError(path, std::string("not valid JSON: ") + e.what());
    }
}

Checkpoint Checkpoint::open(const std::string& dir) {
    if (is_gguf_path(dir)) return open_gguf(dir);
    Checkpoint ckpt;
    ckpt.dir_ = dir;
    if (!fs::is_directory(dir)) throw InputError(dir, "not a model folder (no such directory)");
    ckpt.config_path_ = (fs::path(dir) / "config.json").string();
    if (!fs::exists(ckpt.config_path_))
        throw InputError(ckpt.config_path_, "missing: a model folder needs config.json");
    ckpt.config_ = read_json_file(ckpt.config_path_);
    if (!ckpt.config_.is_object()) throw InputError(ckpt.config_path_, "not a JSON object");

    const std::string index_path = (fs::path(dir) / "model.safetensors.index.json").string();
    const std::string single_path = (fs::path(dir) / "model.safetensors").string();
    if (fs::exists(index_path)) {
        const nlohmann::json index = read_json_file(index_path);
        if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object())
            throw InputError(index_path, "no \"weight_map\" object");
        std::map<std::string, size_t> shard_of_file;
        for (const auto& [name, file] : index["weight_map"].items()) {
            if (!file.is_string())
                throw InputError(index_path, "weight_map entry '" + name + "' is not a file name");
            const std::string shard = file.get<std::string>();
            if (shard.find('/') != std::string::npos || shard == ".." )
                throw InputError(index_path, "shard name '" + shard + "' must be a plain file name");
            auto it = shard_of_file.find(shard);
            if (it == shard_of_file.end()) {
                const std::string shard_path = (fs::path(dir) / shard).string();
                if (!fs::exists(shard_path))
                    throw InputError(shard_path, "missing shard (listed in " + index_path + ")");
                ckpt.files_.push_back(std::make_unique<SafetensorsFile>(shard_path));
                it = shard_of_file.emplace(shard, ckpt.files_.size() - 1).first;
            }
            const TensorInfo* info = ckpt.files_[it->second]->find(name);
            if (!info)
                throw InputError(ckpt.files_[it->second]->path(),
                                 "tensor '" + name + "' is listed in " + index_path +
                                     " but not in this shard");
            ckpt.index_[name] = info;
        }
    } else if (fs::exists(single_path)) {
        ckpt.files_.push_back(std::make_unique<SafetensorsFile>(single_path));
        for (const auto& [name, info] : ckpt.files_.back()->tensors()) ckpt.index_[name] = &info;
    } else {
        throw InputError(dir, "no model.safetensors or model.safetensors.index.json in the folder");
    }
    return ckpt;
}

const TensorInfo* Checkpoint::find(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : it->second;
}

std::vector<const TensorInfo*> Checkpoint::tensors() const {
    std::vector<const TensorInfo*> out;
    for (const auto& [name, info] : index_) out.push_back(info);
    return out;
}

const TensorInfo& Checkpoint::require(const std::string& name,
                                      const std::vector<int64_t>& shape) const {
    const TensorInfo* info = find(name);
    if (!info) throw InputError(dir_ + ": tensor '" + name + "'", "missing from the checkpoint");
    const std::string where = info->file + ": tensor '" + name + "'";
    if (info->shape != shape)
        throw InputError(where, "has shape " + shape_string(info->shape) + ", config.json implies " +
                                    shape_string(shape));
    if (!info->is_float() && !info->blocks)
        throw InputError(where, "has dtype " + info->dtype +
                                    "; weights must be F32, BF16 or F16 (GGUF: also Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, "
                                    "Q4_K, Q5_K, Q6_K)");
    return *info;
}

Weight Checkpoint::matrix(const std::string& name, int64_t rows, int64_t cols) const {
    const TensorInfo& info = require(name, {rows, cols});
    return Weight{info.float_dtype(), info.data, rows, cols, info.blocks};
}

std::vector<float> Checkpoint::vector(const std::string& name, int64_t n) const {
    const TensorInfo& info = require(name, {n});
    std::vector<float> out(n);
    weight_row_to_f32(Weight{info.float_dtype(), info.data, 1, n, info.blocks}, 0, out.data());
    return out;
}

std::vector<float> Checkpoint::optional_vector(const std::string& name, int64_t n) const {
    if (!has(name)) return {};
    return vector(name, n);
}

}  // namespace remask
