// LLaDA-MoE (inclusionAI/LLaDA-MoE-7B-A1B-Base / -Instruct): an OLMoE-derived modeling file
// (modeling_lladamoe.py) with bidirectional attention. Its config.json says model_type
// "llada" like dense LLaDA-8B; architectures "LLaDAMoEModelLM" tells them apart. Every key
// that changes the math is read; values the modeling code or llama.cpp would run
// differently from this engine are refused. docs/llada-moe.md lists the facts and sources.

#include "model/families.h"

namespace remask {
namespace {

// The mask token of the released checkpoints: absent from their config.json (the model
// card's generate() and llama.cpp's converter hard-code it).
constexpr int64_t kLladaMoeMaskId = 156895;

void require_every_layer_moe(const ConfigReader& c, int64_t layers) {
    if (!c.has("moe_layer_freq")) return;
    const auto& freq = c.raw("moe_layer_freq");
    bool all_moe = freq.is_number_integer() ? freq.get<int64_t>() == 1 : freq.is_array();
    if (freq.is_array()) {
        if (static_cast<int64_t>(freq.size()) != layers)
            c.fail("moe_layer_freq", "needs one entry per layer (" + std::to_string(layers) + ")");
        for (const auto& f : freq)
            all_moe = all_moe && f.is_number_integer() && f.get<int64_t>() == 1;
    }
    if (!all_moe)
        c.fail("moe_layer_freq",
               "dense (non-MoE) layers are not implemented: every entry must be 1");
}

}  // namespace

ModelConfig parse_llada_moe_config(const ConfigReader& c) {
    ModelConfig m;
    m.family = Family::llada_moe;
    m.causal = false;  // the modeling code sets is_causal = False and drops every mask
    m.shift_logits = false;

    c.require_string("hidden_act", "silu", "only SiLU-gated experts are implemented");
    c.require_null("clip_qkv", "clamping q/k/v is not implemented");
    c.require_null("rope_scaling", "RoPE scaling is not implemented for LLaDA-MoE");
    c.require_null("shared_expert_intermediate_size", "a shared expert is not implemented");
    c.require_flag("moe_router_enable_expert_bias", false,
                   "a router expert bias is not implemented");
    c.require_string("moe_router_score_function", "softmax", "only softmax routing is implemented");
    if (c.has("partial_rotary_factor") && c.number_or("partial_rotary_factor", 1.0) != 1.0)
        c.fail("partial_rotary_factor", "only 1 (RoPE over the whole head) is implemented");

    m.hidden_size = c.integer("hidden_size");
    m.num_layers = c.integer("num_hidden_layers");
    m.num_heads = c.integer("num_attention_heads");
    m.num_kv_heads = c.has("num_key_value_heads") ? c.integer("num_key_value_heads") : m.num_heads;
    if (m.num_heads % m.num_kv_heads != 0)
        c.fail("num_key_value_heads", "must divide num_attention_heads");
    // The modeling code always takes hidden_size / num_attention_heads (no head_dim key).
    if (m.hidden_size % m.num_heads != 0) c.fail("num_attention_heads", "must divide hidden_size");
    m.head_dim = m.hidden_size / m.num_heads;
    if (m.head_dim % 2 != 0)
        c.fail("num_attention_heads", "head size hidden_size / heads must be even for RoPE");
    require_every_layer_moe(c, m.num_layers);

    m.num_experts = c.integer("num_experts");
    m.experts_per_token = c.integer("num_experts_per_tok");
    if (m.experts_per_token > m.num_experts) c.fail("num_experts_per_tok", "exceeds num_experts");
    m.ffn_size = c.integer("expert_intermediate_size");
    // LLaDAMoESparseMoeBlock hard-codes norm_topk_prob = False whatever config.json says,
    // and llama.cpp (build_moe_ffn with norm_w false) agrees: the chosen probabilities are
    // used as they are. routed_scaling_factor is read by neither.
    m.normalize_expert_weights = false;

    m.vocab_size = c.integer("vocab_size");
    m.max_positions = c.integer_or("max_position_embeddings", 0);
    if (!c.has("rope_theta"))
        c.fail("rope_theta", "is required (the released checkpoints say 50000)");
    m.rope_theta = c.number_or("rope_theta", 50000.0);
    m.norm_eps = c.number_or("rms_norm_eps", 1e-5);
    m.qk_norm = c.flag_or("qk_layernorm", false);
    m.qk_norm_per_head = true;
    const bool attention_bias = c.flag_or("attention_bias", false);
    m.qkv_bias = attention_bias;
    m.attn_out_bias = attention_bias;
    m.tied_head = c.flag_or("tie_word_embeddings", false);

    read_special_token_ids(c, m);
    if (m.mask_token_id < 0 && m.vocab_size > kLladaMoeMaskId) m.mask_token_id = kLladaMoeMaskId;
    return m;
}

}  // namespace remask
