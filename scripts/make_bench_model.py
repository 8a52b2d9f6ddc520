#!/usr/bin/env python3
"""Writes a random bf16 checkpoint of a real model's shape for bench/ (never for tests).

  make_bench_model.py OUT_DIR qwen2.5-0.5b   # Dream layout: 24 layers, d 896, 14/2 heads,
                                             # FFN 4864, vocab 151936, tied head, QKV bias
  make_bench_model.py OUT_DIR llada-1.3b     # LLaDA layout: 16 layers, d 2048, 16 heads,
                                             # FFN 5632, vocab 126464, untied head

Weights are N(0, 1/fan_in) so activations stay O(1); the timing does not depend on them.
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
    tensors = (fx.llada_tensors if shape.startswith("llada") else fx.hf_tensors)(config, FastInit(7))
    fx.save_model(out, config, tensors, "bf16")
    print("wrote %s (%s, %.2f B parameters)" % (out, shape, sum(a.size for _, a in tensors) / 1e9))


if __name__ == "__main__":
    main()
