#!/usr/bin/env python3
"""The same transformer forward in PyTorch eager, for side-by-side timing with `remask bench`.

  torch_forward.py --shape qwen2.5-0.5b|llada-1.3b --length L --dtype fp32|bf16 \
                   [--threads T] [--repeat N] [--json]

Random weights made here; projections through torch.nn.functional.linear; RMSNorm and the
softmax in float32 as Hugging Face does; the LM head on every row. Prints the median ms of
N forwards after one warm-up. Needs Debian's python3-torch with libopenblas0-pthread.
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn.functional as F

SHAPES = {  # layers, d, heads, kv heads, ffn, vocab, qkv bias
    "qwen2.5-0.5b": (24, 896, 14, 2, 4864, 151936, True),
    "llada-1.3b": (16, 2048, 16, 16, 5632, 126464, False),
}


def make_weights(shape, dtype):
    layers, d, heads, kv, ffn, vocab, bias = SHAPES[shape]
    hd = d // heads
    g = torch.Generator().manual_seed(0)

    def lin(o, i):
        return (torch.randn(o, i, generator=g) / math.sqrt(i)).to(dtype)

    def vec(n):
        return torch.randn(n, generator=g).to(dtype) * 0.1 if bias else None

    blocks = []
    for _ in range(layers):
        blocks.append(dict(
            norm1=torch.ones(d, dtype=dtype), norm2=torch.ones(d, dtype=dtype),
            q=lin(heads * hd, d), k=lin(kv * hd, d), v=lin(kv * hd, d),
            qb=vec(heads * hd), kb=vec(kv * hd), vb=vec(kv * hd), o=lin(d, heads * hd),
            gate=lin(ffn, d), up=lin(ffn, d), down=lin(d, ffn)))
    embed = torch.randn(vocab, d, generator=g).to(dtype)
    head = embed if shape.startswith("qwen") else lin(vocab, d)
    return blocks, embed, torch.ones(d, dtype=dtype), head


def rms_norm(x, w, eps=1e-6):
    xf = x.float()
    xf = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)
    return w * xf.to(x.dtype)


def rope(x, cos, sin):
    half = x.shape[-1] // 2
    rotated = torch.cat((-x[..., half:], x[..., :half]), dim=-1)
    return x * cos + rotated * sin


def forward(ids, weights, shape):
    layers, d, heads, kv, ffn, vocab, _ = SHAPES[shape]
    hd = d // heads
    blocks, embed, final_norm, head = weights
    x = embed[ids]
    length = ids.shape[0]
    inv = 1.0 / (10000.0 ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
    angles = torch.outer(torch.arange(length, dtype=torch.float32), inv)
    cos = torch.cat((angles.cos(), angles.cos()), -1).to(x.dtype)[None]
    sin = torch.cat((angles.sin(), angles.sin()), -1).to(x.dtype)[None]
    for b in blocks:
        h = rms_norm(x, b["norm1"])
        q = F.linear(h, b["q"], b["qb"]).view(length, heads, hd).transpose(0, 1)
        k = F.linear(h, b["k"], b["kb"]).view(length, kv, hd).transpose(0, 1)
        v = F.linear(h, b["v"], b["vb"]).view(length, kv, hd).transpose(0, 1)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        k = k.repeat_interleave(heads // kv, dim=0)
        v = v.repeat_interleave(heads // kv, dim=0)
        scores = torch.matmul(q, k.transpose(1, 2)) / math.sqrt(hd)  # bidirectional
        probs = torch.softmax(scores.float(), dim=-1).to(q.dtype)
        att = torch.matmul(probs, v).transpose(0, 1).reshape(length, heads * hd)
        x = x + F.linear(att, b["o"])
        h = rms_norm(x, b["norm2"])
        x = x + F.linear(F.silu(F.linear(h, b["gate"])) * F.linear(h, b["up"]), b["down"])
    return F.linear(rms_norm(x, final_norm), head).float()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--shape", choices=SHAPES, required=True)
    p.add_argument("--length", type=int, required=True)
    p.add_argument("--dtype", choices=["fp32", "bf16"], required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    dtype = torch.float32 if a.dtype == "fp32" else torch.bfloat16
    weights = make_weights(a.shape, dtype)
    ids = torch.randint(0, SHAPES[a.shape][5], (a.length,), generator=torch.Generator().manual_seed(1))
    times = []
    with torch.inference_mode():
        forward(ids, weights, a.shape)  # warm-up
        for _ in range(a.repeat):
            start = time.perf_counter()
            forward(ids, weights, a.shape)
            times.append((time.perf_counter() - start) * 1000)
    result = {"shape": a.shape, "length": a.length, "dtype": a.dtype, "threads": a.threads,
              "median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times),
              "torch": torch.__version__}
    print(json.dumps(result) if a.json else
          "torch %s %s L=%d: median %.1f ms" % (a.dtype, a.shape, a.length, result["median_ms"]))


if __name__ == "__main__":
    main()
