#include "model/model_config.h"

#include <algorithm>

#include "core/error.h"
#include "model/families.h"

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
};

}  // namespace

std::string family_name(Family family) {
    switch (family) {
        case Family::llada: return "llada";
        case Family::dream: return "dream";
        case Family::qwen2: return "qwen2";
        case Family::llama: return "llama";
    }
    return "?";
}

TensorLayout tensor_layout(Family family) {
    return family == Family::llada ? llada_layout() : hf_layout();
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
    if (!found) {
        const std::string key = model_type.empty() ? "architectures" : "model_type";
        const std::string value = model_type.empty() ? architecture : model_type;
        reader.fail(key, "unknown model type '" + value +
                             "' (supported: llada, Dream, qwen2, llama)");
    }

    ModelConfig config = found->family == Family::llada ? parse_llada_config(reader)
                                                        : parse_hf_config(reader, found->family);
    config.model_type = model_type;
    config.architecture = architecture;
    return config;
}

}  // namespace remask
