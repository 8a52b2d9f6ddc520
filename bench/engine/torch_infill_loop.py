#!/usr/bin/env python3
"""The infill loop written the way LLaDA's reference generate.py works, in PyTorch eager:
every step runs the full sequence through the model with the LM head on every row, one
candidate at a time, and reveals the schedule's count of most confident masked positions
(greedy, low_confidence remasking).

  torch_infill_loop.py --shape qwen2.5-0.5b [--context 512 --slots 64 --steps 32]
                       [--candidates K] [--dtype bf16] [--threads 2] [--json]
"""
import argparse
import json
import time

import torch

import torch_forward as tf


def transfer_counts(masked, steps):
    base, extra = divmod(masked, steps)
    return [base + (1 if i < extra else 0) for i in range(steps)]


def infill(ids, mask_id, weights, shape, steps):
    x = ids.clone()
    forward_seconds = 0.0
    for count in transfer_counts(int((x == mask_id).sum()), steps):
        start = time.perf_counter()
        logits = tf.forward(x, weights, shape)  # [length, vocab], every row
        forward_seconds += time.perf_counter() - start
        masked = x == mask_id
        x0 = logits.argmax(-1)
        p = torch.softmax(logits, dim=-1).gather(-1, x0[:, None])[:, 0]
        confidence = torch.where(masked, p, torch.tensor(-float("inf")))
        chosen = torch.topk(confidence, count).indices
        x[chosen] = x0[chosen]
    return x, forward_seconds


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--shape", choices=tf.SHAPES, default="qwen2.5-0.5b")
    p.add_argument("--context", type=int, default=512)
    p.add_argument("--slots", type=int, default=64)
    p.add_argument("--steps", type=int, default=32)
    p.add_argument("--candidates", type=int, default=1)
    p.add_argument("--dtype", choices=["fp32", "bf16"], default="bf16")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    weights = tf.make_weights(a.shape, torch.float32 if a.dtype == "fp32" else torch.bfloat16)
    vocab = tf.SHAPES[a.shape][5]
    mask_id = vocab - 1
    context = torch.randint(0, vocab - 1, (a.context,), generator=torch.Generator().manual_seed(42))
    ids = torch.cat([context, torch.full((a.slots,), mask_id)])
    with torch.inference_mode():
        tf.forward(ids[:16], weights, a.shape)  # warm-up
        start = time.perf_counter()
        forward_seconds = 0.0
        for _ in range(a.candidates):  # one candidate at a time, as generate.py is called
            _, f = infill(ids, mask_id, weights, a.shape, a.steps)
            forward_seconds += f
        total = time.perf_counter() - start
    result = {"candidates": a.candidates, "steps": a.steps, "dtype": a.dtype, "seconds": total,
              "forward_seconds": forward_seconds}
    print(json.dumps(result) if a.json else
          "torch loop K=%d: %.1f s (%.0f%% forward)" % (a.candidates, total, 100 * forward_seconds / total))


if __name__ == "__main__":
    main()
