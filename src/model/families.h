#pragma once
// The model families: each reads its own config.json keys into a ModelConfig and names its
// tensors. Adding a family = one file defining these two functions + one registry line in
// model_config.cpp.

#include <string>

#include "model/config_reader.h"
#include "model/model_config.h"

namespace remask {

// Tensor names without the ".weight"/".bias" suffix. Layer roles are relative to
// layer_prefix(i).
struct TensorLayout {
    std::string embed, final_norm, head;
    std::string layer_prefix_head, layer_prefix_tail;  // prefix = head + i + tail
    std::string attn_norm, q, k, v, o, q_norm, k_norm;
    std::string ffn_norm, gate, up, down;
    // Mixture of experts: the router and expert E's gate/up/down under experts + E + ".".
    std::string router = "mlp.gate", experts = "mlp.experts.";
    std::string expert_gate = "gate_proj", expert_up = "up_proj", expert_down = "down_proj";

    std::string layer(int64_t i, const std::string& role) const {
        return layer_prefix_head + std::to_string(i) + layer_prefix_tail + role;
    }
};

// LLaDA: OLMo-style keys (d_model, n_heads, ...), tensors under model.transformer.
ModelConfig parse_llada_config(const ConfigReader& config);
TensorLayout llada_layout();

// Hugging Face Qwen2 / Dream / LLaMA: keys hidden_size, num_attention_heads, ...
ModelConfig parse_hf_config(const ConfigReader& config, Family family);
TensorLayout hf_layout();

// LLaDA-MoE (inclusionAI/LLaDA-MoE-7B-A1B-*): HF keys plus num_experts, num_experts_per_tok,
// expert_intermediate_size, qk_layernorm; HF tensor names (hf_layout) plus the router and
// experts (moe_mlp.h). llada_moe_family.cpp.
ModelConfig parse_llada_moe_config(const ConfigReader& config);

TensorLayout tensor_layout(Family family);

// The special-token keys every family spells the same way: mask_token_id, pad_token_id,
// bos_token_id, eos_token_id (an id or a list).
void read_special_token_ids(const ConfigReader& config, ModelConfig& model);

}  // namespace remask
