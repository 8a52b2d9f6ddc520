#pragma once
// Everything about a checkpoint's architecture that changes the math, read from its
// config.json. Family quirks (bidirectional attention, Dream's logit shift, tied heads,
// biases) are fields here, set from the config, so no caller ever special-cases a family.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace remask {

enum class Family { llada, dream, qwen2, llama, llada_moe };

std::string family_name(Family family);  // "llada", "dream", "qwen2", "llama", "llada-moe"

struct ModelConfig {
    Family family = Family::llama;
    std::string model_type;    // exactly as in config.json
    std::string architecture;  // architectures[0], or "" when absent

    // Attention and output conventions.
    bool causal = true;         // false: full bidirectional attention (LLaDA, Dream)
    bool shift_logits = false;  // Dream: row i's logits come from hidden state i-1 (row 0: its own)

    // Shapes.
    int64_t hidden_size = 0;
    int64_t num_layers = 0;
    int64_t num_heads = 0;
    int64_t num_kv_heads = 0;
    int64_t head_dim = 0;
    int64_t ffn_size = 0;
    int64_t vocab_size = 0;  // rows of the embedding and LM head = logits width
    int64_t max_positions = 0;  // from config (informational; RoPE works past it)

    // Mixture of experts (LLaDA-MoE): num_experts > 0 replaces every layer's dense MLP by a
    // router and num_experts SiLU-gated experts of width ffn_size; each row goes through the
    // experts_per_token with the highest softmax probability, weighted by that probability
    // (renormalised over the chosen ones only when normalize_expert_weights).
    int64_t num_experts = 0;
    int64_t experts_per_token = 0;
    bool normalize_expert_weights = false;

    // Math switches.
    double rope_theta = 10000.0;
    // rope_scaling: "" (none), "linear" (all frequencies / factor) or "llama3" (Llama 3.1+:
    // low frequencies / factor, high ones kept, the band between interpolated).
    std::string rope_scaling;
    double rope_factor = 1.0;
    double rope_low_freq_factor = 1.0;
    double rope_high_freq_factor = 4.0;
    double rope_original_max_positions = 8192;
    double norm_eps = 1e-6;
    bool qkv_bias = false;
    bool attn_out_bias = false;
    bool mlp_bias = false;
    bool norm_weight = true;     // RMSNorm has a learned scale (LLaDA layer_norm_with_affine)
    bool norm_bias = false;      // RMSNorm has a learned shift (LLaDA bias_for_layer_norm)
    bool qk_norm = false;        // RMSNorm on q and k after projection (LLaDA attention_layer_norm)
    bool qk_norm_weight = true;  // ... with a learned scale
    bool qk_norm_bias = false;   // ... and a learned shift
    bool qk_norm_per_head = false;  // ... over each head separately (weights [head_dim]; LLaDA-MoE)
    bool tied_head = false;      // LM head = embedding matrix
    bool head_bias = false;
    double embed_scale = 1.0;    // embeddings multiplied by this (LLaDA input_emb_norm: sqrt(d))
    double logit_scale = 1.0;    // logits multiplied by this (LLaDA scale_logits: 1/sqrt(d))

    // Special tokens (-1 when the config does not say).
    int64_t mask_token_id = -1;
    int64_t bos_token_id = -1;
    int64_t pad_token_id = -1;
    std::vector<int64_t> eos_token_ids;

    bool bidirectional() const { return !causal; }
};

// RoPE inverse frequencies [head_dim / 2] after the config's scaling rule.
std::vector<double> rope_frequencies(const ModelConfig& config);

// Recognises the family from model_type (else architectures) and reads its keys.
// Throws InputError("<config_path>: <key>", ...) for an unknown family, a missing or
// malformed key, or a value the engine cannot run.
ModelConfig parse_model_config(const nlohmann::json& config, const std::string& config_path);

// dir/config.json alone, without opening the weights: for callers that must know the family
// (causal or diffusion) before choosing how to load the folder.
ModelConfig read_model_config(const std::string& dir);

}  // namespace remask
