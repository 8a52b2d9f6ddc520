#!/usr/bin/python3
"""Independent NumPy forward pass (float64) of LLaDA, LLaDA-MoE (reference_llada_moe.py),
Dream, Qwen2 and LLaMA checkpoints, written from the semantics of the Hugging Face modeling
code, for checking remask's engine.

    reference_forward.py --model DIR --ids 1,2,3 [--rows 0,2] --out FILE.npy

Writes float32 logits [rows, vocab] (all rows when --rows is absent), after Dream's shift.
Reads safetensors files itself (numpy only); it shares no code with the engine.
"""

import argparse
import json
import math
import os
import struct
import sys

import numpy as np


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = data[base + begin:base + end]
        if info["dtype"] == "F32":
            a = np.frombuffer(raw, dtype="<f4")
        elif info["dtype"] == "F16":
            a = np.frombuffer(raw, dtype="<f2")
        elif info["dtype"] == "BF16":
            a = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            raise SystemExit("unsupported dtype " + info["dtype"])
        out[name] = a.astype(np.float64).reshape(info["shape"])
    return out


def read_weights(folder):
    index = os.path.join(folder, "model.safetensors.index.json")
    if not os.path.exists(index):
        return read_safetensors(os.path.join(folder, "model.safetensors"))
    with open(index) as f:
        files = sorted(set(json.load(f)["weight_map"].values()))
    weights = {}
    for name in files:
        weights.update(read_safetensors(os.path.join(folder, name)))
    return weights


# ------------------------------------------------------------------------------- the ops

def rms_norm(x, weight, eps, bias=None):
    # HF: variance = x.pow(2).mean(-1) in fp32; x * rsqrt(variance + eps) * weight.
    y = x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def rotate_half(x):
    half = x.shape[-1] // 2
    return np.concatenate([-x[..., half:], x[..., :half]], axis=-1)


def rope_inv_freq(dim, theta, scaling):
    """HF rope_init_fn: default, linear, llama3 (modeling_rope_utils.py)."""
    inv_freq = 1.0 / (theta ** (np.arange(0, dim, 2, dtype=np.float64) / dim))
    kind = (scaling or {}).get("rope_type", (scaling or {}).get("type", "default"))
    if kind == "linear":
        return inv_freq / scaling["factor"]
    if kind == "llama3":
        factor, old = scaling["factor"], scaling["original_max_position_embeddings"]
        low, high = scaling["low_freq_factor"], scaling["high_freq_factor"]
        wavelen = 2 * math.pi / inv_freq
        scaled = np.where(wavelen > old / low, inv_freq / factor, inv_freq)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wavelen < old / high) & ~(wavelen > old / low)
        return np.where(medium, smoothed, scaled)
    if kind != "default":
        raise SystemExit("unsupported rope_scaling " + kind)
    return inv_freq


def apply_rope(x, inv_freq):
    """x: [heads, T, head_dim]; HF rotate-half RoPE with positions 0..T-1."""
    freqs = np.outer(np.arange(x.shape[1], dtype=np.float64), inv_freq)
    emb = np.concatenate([freqs, freqs], axis=-1)
    return x * np.cos(emb) + rotate_half(x) * np.sin(emb)


def silu(x):
    return x / (1.0 + np.exp(-x))


def attention(q, k, v, n_heads, n_kv, head_dim, inv_freq, causal):
    """q: [T, n_heads*hd], k/v: [T, n_kv*hd] -> [T, n_heads*hd]."""
    T = q.shape[0]
    q = apply_rope(q.reshape(T, n_heads, head_dim).transpose(1, 0, 2), inv_freq)
    k = apply_rope(k.reshape(T, n_kv, head_dim).transpose(1, 0, 2), inv_freq)
    v = v.reshape(T, n_kv, head_dim).transpose(1, 0, 2)
    group = n_heads // n_kv  # repeat_kv: query head h uses kv head h // group
    k = np.repeat(k, group, axis=0)
    v = np.repeat(v, group, axis=0)
    scores = q @ k.transpose(0, 2, 1) / math.sqrt(head_dim)
    if causal:
        scores = scores + np.triu(np.full((T, T), -np.inf), 1)
    scores = scores - scores.max(axis=-1, keepdims=True)
    p = np.exp(scores)
    p = p / p.sum(axis=-1, keepdims=True)
    return (p @ v).transpose(1, 0, 2).reshape(T, n_heads * head_dim)


def linear(x, w, b=None):
    y = x @ w.T
    return y if b is None else y + b


# --------------------------------------------------------------------------- the families

def llada_forward(c, w, ids):
    """modeling_llada.py: LLaDAModel.forward with LLaDALlamaBlock, bidirectional."""
    p = "model.transformer."
    d, heads = c["d_model"], c["n_heads"]
    kv = c.get("n_kv_heads") or heads
    hd = d // heads
    eps = c.get("rms_norm_eps", 1e-5)
    g = w.get
    x = w[p + "wte.weight"][ids]
    if c.get("input_emb_norm"):
        x = x * math.sqrt(d)
    for i in range(c["n_layers"]):
        b = p + "blocks.%d." % i
        h = rms_norm(x, g(b + "attn_norm.weight"), eps, g(b + "attn_norm.bias"))
        q = linear(h, w[b + "q_proj.weight"], g(b + "q_proj.bias"))
        k = linear(h, w[b + "k_proj.weight"], g(b + "k_proj.bias"))
        v = linear(h, w[b + "v_proj.weight"], g(b + "v_proj.bias"))
        if c.get("attention_layer_norm"):
            q = rms_norm(q, g(b + "q_norm.weight"), eps, g(b + "q_norm.bias"))
            k = rms_norm(k, g(b + "k_norm.weight"), eps, g(b + "k_norm.bias"))
        att = attention(q, k, v, heads, kv, hd, rope_inv_freq(hd, c["rope_theta"], None),
                        causal=False)
        x = x + linear(att, w[b + "attn_out.weight"], g(b + "attn_out.bias"))
        h = rms_norm(x, g(b + "ff_norm.weight"), eps, g(b + "ff_norm.bias"))
        gate = linear(h, w[b + "ff_proj.weight"], g(b + "ff_proj.bias"))
        up = linear(h, w[b + "up_proj.weight"], g(b + "up_proj.bias"))
        x = x + linear(silu(gate) * up, w[b + "ff_out.weight"], g(b + "ff_out.bias"))
    x = rms_norm(x, g(p + "ln_f.weight"), eps, g(p + "ln_f.bias"))
    if c.get("weight_tying"):
        logits = x @ w[p + "wte.weight"].T
    else:
        logits = linear(x, w[p + "ff_out.weight"], g(p + "ff_out.bias"))
    if c.get("scale_logits"):
        logits = logits / math.sqrt(d)
    return logits


def hf_forward(c, w, ids, causal):
    """modeling_qwen2.py / modeling_llama.py (and Dream's Qwen2 copy with is_causal=False)."""
    d, heads = c["hidden_size"], c["num_attention_heads"]
    kv = c.get("num_key_value_heads") or heads
    hd = c.get("head_dim") or d // heads
    eps = c["rms_norm_eps"]
    g = w.get
    x = w["model.embed_tokens.weight"][ids]
    for i in range(c["num_hidden_layers"]):
        b = "model.layers.%d." % i
        h = rms_norm(x, w[b + "input_layernorm.weight"], eps)
        q = linear(h, w[b + "self_attn.q_proj.weight"], g(b + "self_attn.q_proj.bias"))
        k = linear(h, w[b + "self_attn.k_proj.weight"], g(b + "self_attn.k_proj.bias"))
        v = linear(h, w[b + "self_attn.v_proj.weight"], g(b + "self_attn.v_proj.bias"))
        inv_freq = rope_inv_freq(hd, c.get("rope_theta", 10000.0), c.get("rope_scaling"))
        att = attention(q, k, v, heads, kv, hd, inv_freq, causal)
        x = x + linear(att, w[b + "self_attn.o_proj.weight"], g(b + "self_attn.o_proj.bias"))
        h = rms_norm(x, w[b + "post_attention_layernorm.weight"], eps)
        gate = linear(h, w[b + "mlp.gate_proj.weight"], g(b + "mlp.gate_proj.bias"))
        up = linear(h, w[b + "mlp.up_proj.weight"], g(b + "mlp.up_proj.bias"))
        x = x + linear(silu(gate) * up, w[b + "mlp.down_proj.weight"], g(b + "mlp.down_proj.bias"))
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if c.get("tie_word_embeddings") else w["lm_head.weight"]
    return x @ head.T


def forward(folder, ids):
    with open(os.path.join(folder, "config.json")) as f:
        c = json.load(f)
    w = read_weights(folder)
    ids = np.asarray(ids, dtype=np.int64)
    kind = c["model_type"].lower()
    if (c.get("architectures") or [""])[0] in ("LLaDAMoEModelLM", "LLaDAMoEModel"):
        import reference_llada_moe  # model_type is "llada" there too
        return reference_llada_moe.llada_moe_forward(c, w, ids, sys.modules[__name__])
    if kind == "llada":
        return llada_forward(c, w, ids)
    if kind == "dream":
        logits = hf_forward(c, w, ids, causal=False)
        # Dream's generation: logits = cat([logits[:, :1], logits[:, :-1]], dim=1)
        return np.concatenate([logits[:1], logits[:-1]], axis=0)
    if kind in ("qwen2", "llama"):
        return hf_forward(c, w, ids, causal=True)
    raise SystemExit("unknown model_type " + c["model_type"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--ids", required=True)
    parser.add_argument("--rows", default=None)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    ids = [int(t) for t in args.ids.split(",")]
    logits = forward(args.model, ids)
    if args.rows:
        logits = logits[[int(r) for r in args.rows.split(",")]]
    np.save(args.out, logits.astype(np.float32))


if __name__ == "__main__":
    main()
