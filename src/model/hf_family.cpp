// Hugging Face Qwen2 (and Dream, its bidirectional copy) and LLaMA configs and tensor names.

#include "model/families.h"

namespace remask {

namespace {

// rope_scaling {"rope_type" (or "type"): "default" | "linear" | "llama3", "factor", ...}.
void read_rope_scaling(const ConfigReader& c, ModelConfig& m) {
    const auto& scaling = c.raw("rope_scaling");
    std::string type;
    if (scaling.is_object()) {
        const auto& t = scaling.contains("rope_type") ? scaling["rope_type"] : scaling.value("type", nlohmann::json());
        if (t.is_string()) type = t.get<std::string>();
    }
    auto number = [&](const char* key) {
        if (!scaling.contains(key) || !scaling[key].is_number() || scaling[key].get<double>() <= 0)
            c.fail("rope_scaling", std::string("needs a positive \"") + key + "\" for type " + type);
        return scaling[key].get<double>();
    };
    if (type == "default") return;
    if (type == "linear") {
        m.rope_scaling = type;
        m.rope_factor = number("factor");
    } else if (type == "llama3") {
        m.rope_scaling = type;
        m.rope_factor = number("factor");
        m.rope_low_freq_factor = number("low_freq_factor");
        m.rope_high_freq_factor = number("high_freq_factor");
        m.rope_original_max_positions = number("original_max_position_embeddings");
        if (m.rope_high_freq_factor <= m.rope_low_freq_factor)
            c.fail("rope_scaling", "high_freq_factor must exceed low_freq_factor");
    } else {
        c.fail("rope_scaling", "= " + scaling.dump() +
                                   " is not supported (only \"default\", \"linear\" and \"llama3\")");
    }
}

}  // namespace

ModelConfig parse_hf_config(const ConfigReader& c, Family family) {
    ModelConfig m;
    m.family = family;
    m.causal = family != Family::dream;
    m.shift_logits = family == Family::dream;

    c.require_string("hidden_act", "silu", "only SiLU-gated MLPs (SwiGLU) are implemented");
    if (c.has("rope_scaling")) read_rope_scaling(c, m);
    if (family != Family::llama)
        c.require_flag("use_sliding_window", false, "sliding-window attention is not implemented");

    m.hidden_size = c.integer("hidden_size");
    m.num_layers = c.integer("num_hidden_layers");
    m.num_heads = c.integer("num_attention_heads");
    m.num_kv_heads = c.has("num_key_value_heads") ? c.integer("num_key_value_heads") : m.num_heads;
    if (m.num_heads % m.num_kv_heads != 0)
        c.fail("num_key_value_heads", "must divide num_attention_heads");
    if (c.has("head_dim")) {
        m.head_dim = c.integer("head_dim");
    } else {
        if (m.hidden_size % m.num_heads != 0)
            c.fail("num_attention_heads", "must divide hidden_size (or give head_dim)");
        m.head_dim = m.hidden_size / m.num_heads;
    }
    if (m.head_dim % 2 != 0) c.fail("head_dim", "must be even for RoPE");
    m.ffn_size = c.integer("intermediate_size");
    m.vocab_size = c.integer("vocab_size");
    m.max_positions = c.integer_or("max_position_embeddings", 0);
    m.rope_theta = c.number_or("rope_theta", 10000.0);
    m.norm_eps = c.number_or("rms_norm_eps", 1e-6);

    if (family == Family::llama) {
        const bool attention_bias = c.flag_or("attention_bias", false);
        m.qkv_bias = attention_bias;
        m.attn_out_bias = attention_bias;
        m.mlp_bias = c.flag_or("mlp_bias", false);
    } else {  // Qwen2 layout: biases on q/k/v only
        m.qkv_bias = true;
    }
    m.tied_head = c.flag_or("tie_word_embeddings", false);

    read_special_token_ids(c, m);
    return m;
}

TensorLayout hf_layout() {
    return TensorLayout{
        .embed = "model.embed_tokens",
        .final_norm = "model.norm",
        .head = "lm_head",
        .layer_prefix_head = "model.layers.",
        .layer_prefix_tail = ".",
        .attn_norm = "input_layernorm",
        .q = "self_attn.q_proj",
        .k = "self_attn.k_proj",
        .v = "self_attn.v_proj",
        .o = "self_attn.o_proj",
        .q_norm = "self_attn.q_norm",
        .k_norm = "self_attn.k_norm",
        .ffn_norm = "post_attention_layernorm",
        .gate = "mlp.gate_proj",
        .up = "mlp.up_proj",
        .down = "mlp.down_proj",
    };
}

}  // namespace remask
