"""LLaDA-MoE for reference_forward.py, in float64, written from modeling_lladamoe.py
(inclusionAI/LLaDA-MoE-7B-A1B-*) and llama.cpp's llada-moe graph (docs/llada-moe.md):

  per layer: x += o_proj(attention(rope(q_norm(q)), rope(k_norm(k)), v))  with q/k normed
             per head over head_dim (qk_layernorm), rotate-half RoPE, no causal mask;
             x += Σ over the row's top-k experts of p_e · down_e(silu(gate_e h) · up_e h),
             p = softmax(router · h) over all experts, not renormalised (norm_topk_prob is
             hard-coded False), ties to the lower expert index.
  logits = lm_head(norm(x)), not shifted.

Shares nothing with the engine; the ops (rms_norm, attention, ...) are reference_forward's.
"""

import numpy as np


def top_k_experts(p, k):
    """Indices of the k largest probabilities, highest first; ties: lower index first."""
    return np.argsort(-p, kind="stable")[:k]


def moe_mlp(h, w, prefix, n_experts, k, ops):
    out = np.zeros_like(h)
    router = w[prefix + "mlp.gate.weight"]
    for t in range(h.shape[0]):
        logits = router @ h[t]
        p = np.exp(logits - logits.max())
        p = p / p.sum()
        for e in top_k_experts(p, k):
            e_prefix = prefix + "mlp.experts.%d." % e
            gate = w[e_prefix + "gate_proj.weight"] @ h[t]
            up = w[e_prefix + "up_proj.weight"] @ h[t]
            out[t] += p[e] * (w[e_prefix + "down_proj.weight"] @ (ops.silu(gate) * up))
    return out


def llada_moe_forward(c, w, ids, ops):
    d, heads = c["hidden_size"], c["num_attention_heads"]
    kv = c.get("num_key_value_heads") or heads
    hd = d // heads  # the modeling code has no head_dim key
    eps = c.get("rms_norm_eps", 1e-5)
    inv_freq = ops.rope_inv_freq(hd, c["rope_theta"], None)
    g = w.get
    x = w["model.embed_tokens.weight"][ids]
    T = len(ids)
    for i in range(c["num_hidden_layers"]):
        b = "model.layers.%d." % i
        h = ops.rms_norm(x, w[b + "input_layernorm.weight"], eps)
        q = ops.linear(h, w[b + "self_attn.q_proj.weight"], g(b + "self_attn.q_proj.bias"))
        k = ops.linear(h, w[b + "self_attn.k_proj.weight"], g(b + "self_attn.k_proj.bias"))
        v = ops.linear(h, w[b + "self_attn.v_proj.weight"], g(b + "self_attn.v_proj.bias"))
        if c.get("qk_layernorm"):
            q = ops.rms_norm(q.reshape(T, heads, hd), w[b + "self_attn.q_norm.weight"], eps).reshape(T, -1)
            k = ops.rms_norm(k.reshape(T, kv, hd), w[b + "self_attn.k_norm.weight"], eps).reshape(T, -1)
        att = ops.attention(q, k, v, heads, kv, hd, inv_freq, causal=False)
        x = x + ops.linear(att, w[b + "self_attn.o_proj.weight"], g(b + "self_attn.o_proj.bias"))
        h = ops.rms_norm(x, w[b + "post_attention_layernorm.weight"], eps)
        x = x + moe_mlp(h, w, b, c["num_experts"], c["num_experts_per_tok"], ops)
    x = ops.rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if c.get("tie_word_embeddings") else w["lm_head.weight"]
    return x @ head.T
