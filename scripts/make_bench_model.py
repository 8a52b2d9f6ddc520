#!/usr/bin/env python3
"""Writes a random bf16 checkpoint of a real model's shape for bench/ (never for tests).

  make_bench_model.py OUT_DIR qwen2.5-0.5b   # Dream layout: 24 layers, d 896, 14/2 heads,
                                             # FFN 4864, vocab 151936, tied head, QKV bias
  make_bench_model.py OUT_DIR llada-1.3b     # LLaDA layout: 16 layers, d 2048, 16 heads,
                                             # FFN 5632, vocab 126464, untied head

  make_bench_model.py OUT_DIR llada-moe-scaled   # LLaDA-MoE layout at half width: 8 layers,
                                                # d 512, 8 heads, 64 experts, top-8, expert
                                                # width 256, vocab 157184, untied head
  make_bench_model.py OUT_DIR llada-dense-same-active   # LLaDA layout with the same active
                                                # parameters: FFN 2048 = 8 x 256, q/k norms

Weights are N(0, 1/fan_in) so activations stay O(1); the timing does not depend on them
(the MoE router is random too, so routing is roughly balanced, as in a trained model).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_fixtures as fx  # noqa: E402  (config layouts and the safetensors writer)

SHAPES = {
    "qwen2.5-0.5b": lambda: fx.qwen2_config("Dream", 896, 14, 2, 24, 4864, 151936, True,
                                            mask_token_id=151666, pad_token_id=151643),
    "llada-1.3b": lambda: fx.llada_config(2048, 16, 16, 16, 5632, 126464, 126464,
                                          mask=126336, eos=126081),
    # LLaDA-MoE-7B-A1B scaled to fit here: expert count, top-k, expert width / d (1/2),
    # head size 64 and the vocabulary kept; d 2048 -> 512, 16 layers -> 8.
    "llada-moe-scaled": lambda: fx.llada_moe_config(512, 8, 8, 8, 64, 8, 256, 157184,
                                                    mask=156895, eos=156892),
    # The dense model with the same active parameters per token (router aside).
    "llada-dense-same-active": lambda: fx.llada_config(512, 8, 8, 8, 2048, 157184, 157184,
                                                       mask=156895, eos=156892,
                                                       attention_layer_norm=True),
}


class FastInit(fx.Init):
    """As Init, drawn in float32 (half the time and memory of float64 draws)."""

    def linear(self, out_dim, in_dim):
        w = self.rng.standard_normal((out_dim, in_dim), dtype=np.float32)
        w *= 1.0 / np.sqrt(in_dim)
        return w

    def embed(self, vocab, dim):
        return self.rng.standard_normal((vocab, dim), dtype=np.float32)


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in SHAPES:
        sys.exit("usage: make_bench_model.py OUT_DIR {%s}" % " | ".join(SHAPES))
    out, shape = sys.argv[1], sys.argv[2]
    config = SHAPES[shape]()
    if shape.startswith("llada-moe"):
        tensors = fx.llada_moe_tensors(config, FastInit(7), uneven=False)
    else:
        tensors = (fx.llada_tensors if shape.startswith("llada") else fx.hf_tensors)(config, FastInit(7))
    fx.save_model(out, config, tensors, "bf16")
    print("wrote %s (%s, %.2f B parameters)" % (out, shape, sum(a.size for _, a in tensors) / 1e9))


if __name__ == "__main__":
    main()
