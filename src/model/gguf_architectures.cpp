#include "model/gguf_architectures.h"

#include <cstring>

#include "core/error.h"

namespace remask {
namespace {

const GgufArchitecture kArchitectures[] = {
    {"llada", Family::llada, "llada", true},
    {"dream", Family::dream, "Dream", false},
    {"qwen2", Family::qwen2, "qwen2", false},
    {"llama", Family::llama, "llama", true},
    {"llada-moe", Family::llada_moe, "llada", false},  // NEOX RoPE: q/k rows as in the folder
};

// Splits "blk.12.attn_q.weight" into layer 12, role "attn_q", suffix ".weight".
bool split_gguf_name(const std::string& name, int64_t& layer, std::string& role, std::string& suffix) {
    std::string rest = name;
    layer = -1;
    if (rest.rfind("blk.", 0) == 0) {
        size_t dot = rest.find('.', 4);
        if (dot == std::string::npos || dot == 4 || dot - 4 > 6) return false;
        for (size_t i = 4; i < dot; ++i)
            if (rest[i] < '0' || rest[i] > '9') return false;
        layer = std::stoll(rest.substr(4, dot - 4));
        rest = rest.substr(dot + 1);
    }
    const size_t dot = rest.rfind('.');
    if (dot == std::string::npos) return false;
    role = rest.substr(0, dot);
    suffix = rest.substr(dot);
    return suffix == ".weight" || suffix == ".bias";
}

}  // namespace

const GgufArchitecture* gguf_architecture(const std::string& name) {
    for (const auto& a : kArchitectures)
        if (name == a.name) return &a;
    return nullptr;
}

const GgufArchitecture& gguf_architecture(Family family) {
    for (const auto& a : kArchitectures)
        if (a.family == family) return a;
    throw InputError("model family", family_name(family) + " has no GGUF architecture");
}

std::string gguf_architecture_names() {
    std::string out;
    for (const auto& a : kArchitectures) out += std::string(out.empty() ? "" : ", ") + a.name;
    return out;
}

const std::vector<GgufTensorRole>& gguf_tensor_roles() {
    static const std::vector<GgufTensorRole> roles = {
        {"token_embd", &TensorLayout::embed, false},   {"output_norm", &TensorLayout::final_norm, false},
        {"output", &TensorLayout::head, false},        {"attn_norm", &TensorLayout::attn_norm, true},
        {"attn_q", &TensorLayout::q, true},            {"attn_k", &TensorLayout::k, true},
        {"attn_v", &TensorLayout::v, true},            {"attn_output", &TensorLayout::o, true},
        {"attn_q_norm", &TensorLayout::q_norm, true},  {"attn_k_norm", &TensorLayout::k_norm, true},
        {"ffn_norm", &TensorLayout::ffn_norm, true},   {"ffn_gate", &TensorLayout::gate, true},
        {"ffn_up", &TensorLayout::up, true},           {"ffn_down", &TensorLayout::down, true},
        {"ffn_gate_inp", &TensorLayout::router, true},
    };
    return roles;
}

const std::vector<GgufTensorRole>& gguf_expert_roles() {
    static const std::vector<GgufTensorRole> roles = {
        {"ffn_gate_exps", &TensorLayout::expert_gate, true},
        {"ffn_up_exps", &TensorLayout::expert_up, true},
        {"ffn_down_exps", &TensorLayout::expert_down, true},
    };
    return roles;
}

std::string hf_expert_name(const std::string& gguf_name, int64_t expert, const TensorLayout& layout) {
    int64_t layer;
    std::string role, suffix;
    if (!split_gguf_name(gguf_name, layer, role, suffix) || layer < 0 || suffix != ".weight") return "";
    for (const auto& r : gguf_expert_roles())
        if (role == r.gguf)
            return layout.layer(layer, layout.experts + std::to_string(expert) + "." + layout.*(r.field)) + suffix;
    return "";
}

std::string gguf_expert_stack_name(const std::string& hf_name, const TensorLayout& layout, int64_t& expert) {
    // model.layers.N.mlp.experts.E.gate_proj.weight → blk.N.ffn_gate_exps.weight, E
    const std::string& head = layout.layer_prefix_head;
    const std::string middle = layout.layer_prefix_tail + layout.experts;
    if (hf_name.rfind(head, 0) != 0) return "";
    const size_t layer_end = hf_name.find(middle, head.size());
    if (layer_end == std::string::npos || layer_end == head.size()) return "";
    const std::string layer = hf_name.substr(head.size(), layer_end - head.size());
    const size_t expert_begin = layer_end + middle.size();
    const size_t expert_end = hf_name.find('.', expert_begin);
    if (expert_end == std::string::npos || expert_end == expert_begin || expert_end - expert_begin > 6) return "";
    const std::string number = hf_name.substr(expert_begin, expert_end - expert_begin);
    if (layer.find_first_not_of("0123456789") != std::string::npos ||
        number.find_first_not_of("0123456789") != std::string::npos)
        return "";
    const std::string rest = hf_name.substr(expert_end + 1);
    for (const auto& r : gguf_expert_roles()) {
        if (rest != layout.*(r.field) + ".weight") continue;
        expert = std::stoll(number);
        return "blk." + layer + "." + r.gguf + ".weight";
    }
    return "";
}

std::string hf_tensor_name(const std::string& gguf_name, const TensorLayout& layout) {
    int64_t layer;
    std::string role, suffix;
    if (!split_gguf_name(gguf_name, layer, role, suffix)) return "";
    for (const auto& r : gguf_tensor_roles()) {
        if (role != r.gguf || r.per_layer != (layer >= 0)) continue;
        const std::string& field = layout.*(r.field);
        return (r.per_layer ? layout.layer(layer, field) : field) + suffix;
    }
    return "";
}

std::string gguf_tensor_name(const std::string& hf_name, const TensorLayout& layout) {
    const size_t dot = hf_name.rfind('.');
    if (dot == std::string::npos) return "";
    const std::string base = hf_name.substr(0, dot), suffix = hf_name.substr(dot);
    for (const auto& r : gguf_tensor_roles()) {
        const std::string& field = layout.*(r.field);
        if (!r.per_layer) {
            if (base == field) return r.gguf + suffix;
            continue;
        }
        const std::string& head = layout.layer_prefix_head;
        const std::string tail = layout.layer_prefix_tail + field;
        if (base.size() <= head.size() + tail.size() || base.rfind(head, 0) != 0 ||
            base.compare(base.size() - tail.size(), tail.size(), tail) != 0)
            continue;
        const std::string number = base.substr(head.size(), base.size() - head.size() - tail.size());
        if (number.empty() || number.find_first_not_of("0123456789") != std::string::npos) continue;
        return "blk." + number + "." + r.gguf + suffix;
    }
    return "";
}

void unpermute_qk_rows(const void* from, void* to, int64_t heads, int64_t head_dim, int64_t row_bytes) {
    const uint8_t* src = static_cast<const uint8_t*>(from);
    uint8_t* dst = static_cast<uint8_t*>(to);
    const int64_t half = head_dim / 2;
    for (int64_t h = 0; h < heads; ++h)
        for (int64_t a = 0; a < 2; ++a)
            for (int64_t i = 0; i < half; ++i)
                std::memcpy(dst + (h * head_dim + a * half + i) * row_bytes,
                            src + (h * head_dim + 2 * i + a) * row_bytes, row_bytes);
}

void permute_qk_rows(const void* from, void* to, int64_t heads, int64_t head_dim, int64_t row_bytes) {
    const uint8_t* src = static_cast<const uint8_t*>(from);
    uint8_t* dst = static_cast<uint8_t*>(to);
    const int64_t half = head_dim / 2;
    for (int64_t h = 0; h < heads; ++h)
        for (int64_t a = 0; a < 2; ++a)
            for (int64_t i = 0; i < half; ++i)
                std::memcpy(dst + (h * head_dim + 2 * i + a) * row_bytes,
                            src + (h * head_dim + a * half + i) * row_bytes, row_bytes);
}

}  // namespace remask
