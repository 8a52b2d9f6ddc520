#!/usr/bin/env python3
"""NumPy reference of the LLaDA, Dream and Fast-dLLM threshold sampling loops.

Written from the reference code (ML-GSAI/LLaDA generate.py, Dream-org/Dream-v0-Instruct-7B
generation_utils.py, Fast-dLLM's threshold rule), with noise disabled: temperature 0 and
alg_temp 0, so every choice is an argmax or a top-k. The C++ samplers (src/diffusion/) must
pick the same positions and tokens when fed the same logits.

The "model" is a small table model both sides compute the same way, in float32:
    logits[b, p] = (A[p] + B[x[b, p - 1] % R]) + C[(number of unmasked tokens in x[b]) % R]
with x[b, -1] meaning the last position (wrap-around). Tables come from .npy files.

Usage: reference_sampling.py SPEC.json OUT.json
SPEC: {"algorithm": "llada" | "dream" | "threshold", "mask_id": int, "tokens": [[...]],
       "tables": {"A": path, "B": path, "C": path}, "options": {...}}
OUT:  {"tokens": [[...]], "steps": [{"step": i, "rows": [[[position, token], ...], ...]}]}
      (steps that revealed nothing are left out)

Tie rule: top-k picks the lowest position among equal confidences and argmax the lowest
token id (numpy's stable argsort / argmax), the rule the C++ samplers document.
"""

import json
import math
import sys

import numpy as np


class TableModel:
    def __init__(self, tables, mask_id):
        self.A = np.load(tables["A"]).astype(np.float32)
        self.B = np.load(tables["B"]).astype(np.float32)
        self.C = np.load(tables["C"]).astype(np.float32)
        self.R = self.B.shape[0]
        self.mask_id = mask_id
        self.forwards = 0

    def __call__(self, x):
        """x: [batch, length] int64 -> logits [batch, length, vocab] float32."""
        self.forwards += 1
        batch, length = x.shape
        left = np.roll(x, 1, axis=1) % self.R
        unmasked = (x != self.mask_id).sum(axis=1) % self.R
        out = np.empty((batch, length, self.A.shape[1]), dtype=np.float32)
        for b in range(batch):
            out[b] = (self.A[:length] + self.B[left[b]]) + self.C[unmasked[b]]
        return out


def softmax64(logits):
    """Softmax over the last axis in float64, summed left to right with the C library's
    exp, the same operations as the C++ code, so equal inputs give bit-equal outputs."""
    z = np.asarray(logits, dtype=np.float64)
    flat = z.reshape(-1, z.shape[-1])
    out = np.empty_like(flat)
    for r, row in enumerate(flat):
        top = max(row)
        e = [math.exp(v - top) for v in row]
        total = 0.0
        for v in e:
            total += v
        out[r] = [v / total for v in e]
    return out.reshape(z.shape)


def topk_stable(confidence, k):
    """Indices of the k largest values, lowest index first among ties."""
    return np.argsort(-confidence, kind="stable")[:k]


def num_transfer_tokens(masked, steps):
    counts = np.full(steps, masked // steps, dtype=np.int64)
    counts[: masked % steps] += 1
    return counts


def record(steps, step, before, after, mask_id):
    rows = []
    for b in range(before.shape[0]):
        changed = np.nonzero((before[b] == mask_id) & (after[b] != mask_id))[0]
        rows.append([[int(p), int(after[b, p])] for p in changed])
    if any(rows):
        steps.append({"step": step, "rows": rows})


def block_region(x, mask_id, block_length, steps):
    cols = np.nonzero((x == mask_id).any(axis=0))[0]
    start, end = int(cols[0]), int(cols[-1]) + 1
    length = block_length if 0 < block_length <= end - start else end - start
    num_blocks = -(-(end - start) // length)
    assert steps % num_blocks == 0
    return start, end, length, num_blocks, steps // num_blocks


def llada_logits(model, x, prompt_index, opts, mask_id):
    cfg = opts.get("cfg_scale", 0.0)
    if cfg > 0:
        un_x = x.copy()
        un_x[:, prompt_index] = mask_id
        both = model(np.concatenate([x, un_x], axis=0))
        logits, un_logits = both[: x.shape[0]], both[x.shape[0]:]
        logits = un_logits + np.float32(cfg + 1) * (logits - un_logits)
    else:
        logits = model(x)
    for token in opts.get("forbidden_tokens", []):
        logits[:, :, token] = -np.inf
    return logits


def llada(model, x, opts, mask_id, threshold=None):
    """generate() of LLaDA (low_confidence, temperature 0), over the masked region."""
    steps_out = []
    prompt_index = x[0] != mask_id
    start, end, block_length, num_blocks, steps = block_region(
        x, mask_id, opts.get("block_length", 0), opts["steps"])
    step_index = 0
    for nb in range(num_blocks):
        lo, hi = start + nb * block_length, min(start + (nb + 1) * block_length, end)
        counts = [num_transfer_tokens(int((x[b, lo:hi] == mask_id).sum()), steps)
                  for b in range(x.shape[0])]
        i = 0
        while True:
            mask_index = x == mask_id
            if threshold is None and i == steps:
                break
            if threshold is not None and not mask_index[:, lo:hi].any():
                break
            logits = llada_logits(model, x, prompt_index, opts, mask_id)
            x0 = np.argmax(logits, axis=-1)
            p = softmax64(logits)
            x0_p = np.take_along_axis(p, x0[..., None], axis=-1)[..., 0]
            x0_p[:, :lo] = -np.inf
            x0_p[:, hi:] = -np.inf
            x0 = np.where(mask_index, x0, x)
            confidence = np.where(mask_index, x0_p, -np.inf)
            before = x.copy()
            for b in range(x.shape[0]):
                if threshold is None:
                    k = int(counts[b][i])
                else:
                    remaining = int(mask_index[b, lo:hi].sum())
                    steps_left = steps - i
                    minimum = -(-remaining // steps_left)
                    passing = int((confidence[b] >= threshold).sum())
                    k = min(max(passing, 1, minimum), remaining)
                select = topk_stable(confidence[b], k)
                x[b, select] = x0[b, select]
            # The C++ loop numbers LLaDA steps by schedule and threshold steps by forward.
            record(steps_out, nb * steps + i if threshold is None else step_index, before, x, mask_id)
            step_index += 1
            i += 1
    return x, steps_out


def dream_timesteps(steps, eps):
    """torch.linspace(1, eps, steps + 1) in float32, with PyTorch's halfway formula."""
    n = steps + 1
    start, end = np.float32(1.0), np.float32(eps)
    step = (end - start) / np.float32(steps)
    out = np.empty(n, dtype=np.float32)
    for i in range(n):
        out[i] = start + step * np.float32(i) if i < n // 2 else end - step * np.float32(n - i - 1)
    return out


def dream_sample_tokens(logits, top_p, top_k, kind):
    """sample_tokens at temperature 0 for rows of logits [n, vocab] (float64 arithmetic)."""
    z = logits.astype(np.float64)
    if top_p is not None and top_p < 1:
        for r in range(z.shape[0]):
            order = np.argsort(-z[r], kind="stable")
            probs = softmax64(z[r][order])
            remove = np.cumsum(probs) > top_p
            remove[1:] = remove[:-1].copy()
            remove[0] = False
            z[r, order[remove]] = -np.inf
    if top_k is not None and top_k > 0:
        kth = np.sort(z, axis=-1)[:, -min(top_k, z.shape[1])][:, None]
        z = np.where(z < kth, -np.inf, z)
    probs = softmax64(z)
    x0 = np.argmax(probs, axis=-1)
    confidence = probs[np.arange(len(x0)), x0]
    if kind == "topk_margin":
        s = -np.sort(-probs, axis=-1)
        confidence = s[:, 0] - s[:, 1]
    elif kind == "entropy":
        confidence = np.empty(len(x0))
        for r, row in enumerate(probs):
            total = 0.0
            for v in row:
                total += v * math.log(v + 1e-10)
            confidence[r] = total
    return confidence, x0


def dream(model, x, opts, mask_id):
    """DreamGenerationMixin._sample for maskgit_plus / topk_margin / entropy, alg_temp 0."""
    steps_out = []
    steps = opts["steps"]
    timesteps = dream_timesteps(steps, opts.get("eps", 1e-3))
    for i in range(steps):
        mask_index = x == mask_id
        logits = model(x)
        confidence, x0 = dream_sample_tokens(logits[mask_index], opts.get("top_p"),
                                             opts.get("top_k"), opts["alg"])
        t, s = timesteps[i], timesteps[i + 1]
        num_mask_token = np.float32(mask_index.sum() / mask_index.shape[0])
        k = int(num_mask_token * (np.float32(1) - s / t)) if i < steps - 1 else int(num_mask_token)
        full_confidence = np.full(x.shape, -np.inf)
        full_confidence[mask_index] = confidence
        before = x.copy()
        if k > 0:
            x_ = np.full(x.shape, mask_id, dtype=x.dtype)
            x_[mask_index] = x0
            for b in range(x.shape[0]):
                select = topk_stable(full_confidence[b], k)
                x[b, select] = x_[b, select]
        record(steps_out, i, before, x, mask_id)
    return x, steps_out


def main():
    spec = json.load(open(sys.argv[1]))
    mask_id = spec["mask_id"]
    model = TableModel(spec["tables"], mask_id)
    x = np.array(spec["tokens"], dtype=np.int64)
    opts = spec["options"]
    if spec["algorithm"] == "llada":
        x, steps = llada(model, x, opts, mask_id)
    elif spec["algorithm"] == "threshold":
        x, steps = llada(model, x, opts, mask_id, threshold=opts["threshold"])
    elif spec["algorithm"] == "dream":
        x, steps = dream(model, x, opts, mask_id)
    else:
        raise SystemExit("unknown algorithm " + spec["algorithm"])
    json.dump({"tokens": x.tolist(), "steps": steps, "forwards": model.forwards},
              open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()
