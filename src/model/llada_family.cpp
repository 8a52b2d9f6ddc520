// LLaDA (GSAI-ML/LLaDA-8B-*): an OLMo-derived config and modeling file with the causal mask
// removed. Every OLMo flag that changes the math is read; unsupported values are refused.

#include <cmath>

#include "model/families.h"

namespace remask {

ModelConfig parse_llada_config(const ConfigReader& c) {
    ModelConfig m;
    m.family = Family::llada;
    m.causal = false;
    m.shift_logits = false;

    c.require_flag("rope", true, "LLaDA without rotary embeddings (learned positions) is not implemented");
    c.require_flag("alibi", false, "ALiBi attention bias is not implemented");
    c.require_string("block_type", "llama", "only LLaDA's llama block (separate q/k/v, SwiGLU) is implemented");
    c.require_string("layer_norm_type", "rms", "only RMSNorm is implemented");
    c.require_string("activation_type", "silu", "only SiLU-gated MLPs (SwiGLU) are implemented");
    c.require_null("clip_qkv", "clamping q/k/v is not implemented");
    c.require_null("rope_scaling", "RoPE scaling is not implemented");

    m.hidden_size = c.integer("d_model");
    m.num_heads = c.integer("n_heads");
    m.num_layers = c.integer("n_layers");
    if (m.hidden_size % m.num_heads != 0) c.fail("n_heads", "must divide d_model");
    m.head_dim = m.hidden_size / m.num_heads;
    if (m.head_dim % 2 != 0) c.fail("n_heads", "head size d_model / n_heads must be even for RoPE");

    // OLMo's effective_n_kv_heads: n_kv_heads wins; multi_query_attention means one KV head.
    const bool multi_query = c.flag_or("multi_query_attention", false);
    m.num_kv_heads = c.integer_or("n_kv_heads", multi_query ? 1 : m.num_heads);
    if (multi_query && m.num_kv_heads != 1)
        c.fail("multi_query_attention", "is true but n_kv_heads is not 1");
    if (m.num_kv_heads <= 0 || m.num_heads % m.num_kv_heads != 0)
        c.fail("n_kv_heads", "must be positive and divide n_heads");

    m.ffn_size = c.has("mlp_hidden_size")
                     ? c.integer("mlp_hidden_size")
                     : static_cast<int64_t>(c.number_or("mlp_ratio", 4) * m.hidden_size);
    m.vocab_size = c.has("embedding_size") && c.integer_or("embedding_size", 0) > 0
                       ? c.integer("embedding_size")
                       : c.integer("vocab_size");
    m.max_positions = c.integer_or("max_sequence_length", 0);
    m.rope_theta = c.number_or("rope_theta", 10000.0);
    m.norm_eps = c.number_or("rms_norm_eps", 1e-5);

    const bool include_bias = c.flag_or("include_bias", false);
    m.qkv_bias = include_bias || c.flag_or("include_qkv_bias", false);
    m.attn_out_bias = include_bias;
    m.mlp_bias = include_bias;
    m.norm_weight = c.flag_or("layer_norm_with_affine", true);
    // OLMo's LayerNormBase: a norm with a scale also has a shift when bias_for_layer_norm
    // (null: include_bias) says so.
    const bool norm_shift = c.flag_or("bias_for_layer_norm", include_bias);
    m.norm_bias = m.norm_weight && norm_shift;
    m.qk_norm = c.flag_or("attention_layer_norm", false);
    m.qk_norm_weight = c.flag_or("attention_layer_norm_with_affine", true);
    m.qk_norm_bias = m.qk_norm_weight && norm_shift;
    m.tied_head = c.flag_or("weight_tying", false);
    m.head_bias = include_bias && !m.tied_head;  // the tied head is F.linear(x, wte) without bias
    if (c.flag_or("input_emb_norm", false)) m.embed_scale = std::sqrt(double(m.hidden_size));
    if (c.flag_or("scale_logits", false)) m.logit_scale = 1.0 / std::sqrt(double(m.hidden_size));

    read_special_token_ids(c, m);
    return m;
}

TensorLayout llada_layout() {
    return TensorLayout{
        .embed = "model.transformer.wte",
        .final_norm = "model.transformer.ln_f",
        .head = "model.transformer.ff_out",
        .layer_prefix_head = "model.transformer.blocks.",
        .layer_prefix_tail = ".",
        .attn_norm = "attn_norm",
        .q = "q_proj",
        .k = "k_proj",
        .v = "v_proj",
        .o = "attn_out",
        .q_norm = "q_norm",
        .k_norm = "k_norm",
        .ffn_norm = "ff_norm",
        .gate = "ff_proj",
        .up = "up_proj",
        .down = "ff_out",
    };
}

}  // namespace remask
