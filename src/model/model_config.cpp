#include "model/model_config.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "kernels/cpu/rope.h"
#include "model/checkpoint.h"
#include "model/families.h"
#include "model/gguf_checkpoint.h"
#include "model/gguf_file.h"

#include <filesystem>

namespace remask {
namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return std::tolower(ch); });
    return s;
}

struct FamilyEntry {
    Family family;
    const char* model_type;    // compared case-insensitively ("Dream" is capitalised)
    const char* architecture;  // architectures[0] when model_type is absent
};

// The registry: one line per family.
const FamilyEntry kFamilies[] = {
    {Family::llada, "llada", "LLaDAModelLM"},
    {Family::dream, "dream", "DreamModel"},
    {Family::qwen2, "qwen2", "Qwen2ForCausalLM"},
    {Family::llama, "llama", "LlamaForCausalLM"},
    // Shares model_type "llada" with the dense model: told apart by architectures below.
    {Family::llada_moe, "llada-moe", "LLaDAMoEModelLM"},
};

bool is_llada_moe_architecture(const std::string& architecture) {
    return architecture == "LLaDAMoEModelLM" || architecture == "LLaDAMoEModel";
}

}  // namespace

std::string family_name(Family family) {
    switch (family) {
        case Family::llada: return "llada";
        case Family::dream: return "dream";
        case Family::qwen2: return "qwen2";
        case Family::llama: return "llama";
        case Family::llada_moe: return "llada-moe";
    }
    return "?";
}

std::vector<double> rope_frequencies(const ModelConfig& c) {
    std::vector<double> inv_freq = rope_inverse_frequencies(c.head_dim, c.rope_theta);
    if (c.rope_scaling == "linear") {
        for (double& f : inv_freq) f /= c.rope_factor;
    } else if (c.rope_scaling == "llama3") {
        // Wavelengths longer than the original context / low_freq_factor are stretched by
        // `factor`; shorter than context / high_freq_factor kept; in between interpolated.
        const double low_wavelen = c.rope_original_max_positions / c.rope_low_freq_factor;
        const double high_wavelen = c.rope_original_max_positions / c.rope_high_freq_factor;
        for (double& f : inv_freq) {
            const double wavelen = 2 * M_PI / f;
            if (wavelen > low_wavelen) {
                f /= c.rope_factor;
            } else if (wavelen >= high_wavelen) {
                const double smooth = (c.rope_original_max_positions / wavelen - c.rope_low_freq_factor) /
                                      (c.rope_high_freq_factor - c.rope_low_freq_factor);
                f = (1 - smooth) * f / c.rope_factor + smooth * f;
            }
        }
    }
    return inv_freq;
}

TensorLayout tensor_layout(Family family) {
    return family == Family::llada ? llada_layout() : hf_layout();  // LLaDA-MoE: HF names
}

ModelConfig parse_model_config(const nlohmann::json& json, const std::string& path) {
    ConfigReader reader(json, path);
    const std::string model_type = reader.string_or("model_type", "");
    std::string architecture;
    if (reader.has("architectures")) {
        const auto& list = reader.raw("architectures");
        if (!list.is_array() || (!list.empty() && !list[0].is_string()))
            reader.fail("architectures", "must be a list of class names");
        if (!list.empty()) architecture = list[0].get<std::string>();
    }

    const FamilyEntry* found = nullptr;
    for (const auto& entry : kFamilies) {
        if (!model_type.empty() ? lower(model_type) == entry.model_type
                                : architecture == entry.architecture)
            found = &entry;
    }
    if (is_llada_moe_architecture(architecture) && (model_type.empty() || lower(model_type) == "llada"))
        for (const auto& entry : kFamilies)
            if (entry.family == Family::llada_moe) found = &entry;
    if (!found) {
        const std::string key = model_type.empty() ? "architectures" : "model_type";
        const std::string value = model_type.empty() ? architecture : model_type;
        reader.fail(key, "unknown model type '" + value +
                             "' (supported: llada, Dream, qwen2, llama)");
    }

    ModelConfig config = found->family == Family::llada       ? parse_llada_config(reader)
                         : found->family == Family::llada_moe ? parse_llada_moe_config(reader)
                                                              : parse_hf_config(reader, found->family);
    config.model_type = model_type;
    config.architecture = architecture;
    return config;
}

void read_special_token_ids(const ConfigReader& c, ModelConfig& m) {
    m.mask_token_id = c.integer_or("mask_token_id", -1);
    m.pad_token_id = c.integer_or("pad_token_id", -1);
    m.bos_token_id = c.integer_or("bos_token_id", -1);
    m.eos_token_ids = c.id_list("eos_token_id");
}

ModelConfig read_model_config(const std::string& dir) {
    if (is_gguf_path(dir)) return read_gguf_model_config(dir);
    const std::string path = (std::filesystem::path(dir) / "config.json").string();
    if (!std::filesystem::exists(path)) throw InputError(path, "missing: a model folder needs config.json");
    return parse_model_config(read_json_file(path), path);
}

}  // namespace remask
