#!/usr/bin/env python3
"""Issue #21's benchmark: a DLM proposal step with LLaDA-MoE, remask beside llama.cpp on the
same GGUF file, at the optimizer's shape (1,536-token context + 256-token prompt with 64
masked slots, K = 4 candidates, 8 steps).

  /usr/bin/python3 bench/engine/run_moe_llama_bench.py [--build build/release]
        [--models build/bench-models] [--gguf-dir build/bench-gguf] [--threads 2]
        [--llama-modes apart] [--repeat 3] [--json]

The file: `remask convert MODELS/llada-moe-scaled FILE --type bf16` (made once, as
llama.cpp's converter writes it). Per step:
- remask `dual` (bench_kv_cache speed, bf16 compute, kv_refresh 8: one full forward and 7
  partial ones over the 8 steps, LM head on the masked rows only);
- remask `none` (a full forward of the K x 1,792 tokens every step, LM head on the masked
  rows; timed over 2 steps, each costs the same);
- llama.cpp (`tests/model/llama_reference infill-bench`): llama.cpp has no KV cache for a
  non-causal model (llama_decode falls back to its encoder path), so a step is a forward of
  every candidate's 1,792 tokens, as its own diffusion example does. That path outputs every
  row whatever the batch's logits flags say, so the LM head runs over all 1,792 rows; the
  harness also times the forward up to the final norm ("body") apart from the head and the
  logits' copy-out, and the table adds llama.cpp as if it could ask for the masked rows only
  (body + head x 64 / 1,792: an estimate, the head being one product linear in its rows).
  `apart`: one llama_decode per candidate; `together`: one llama_decode of all K (its
  attention then spans all K x 1,792 tokens under a mask: K times the attention work).
Each process's peak resident memory beside it. Each run holds `flock -x /tmp/remask-cpu.lock`.
"""
import argparse
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY = "/usr/bin/python3"
LOCK = "/tmp/remask-cpu.lock"
SHAPE = "llada-moe-scaled"
CONTEXT, PROMPT, SLOTS, K, STEPS = 1536, 256, 64, 4, 8
NONE_STEPS = 2


def cpu_name():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


def ensure_gguf(build, models, gguf_dir):
    folder = os.path.join(models, SHAPE)
    if not os.path.exists(os.path.join(folder, "config.json")):
        subprocess.run([PY, os.path.join(ROOT, "scripts/make_bench_model.py"), folder, SHAPE], check=True)
    os.makedirs(gguf_dir, exist_ok=True)
    path = os.path.join(gguf_dir, SHAPE + "-bf16.gguf")
    if not os.path.exists(path):
        subprocess.run([os.path.join(build, "tools/remask/remask"), "convert", folder, path, "--type", "bf16"],
                       check=True)
    return path


def last_json_line(cmd):
    out = subprocess.run(["flock", "-x", LOCK] + cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def remask_step(build, path, threads, cache, steps):
    r = last_json_line([os.path.join(build, "bench/bench_kv_cache"), path, "speed", "--compute", "bf16",
                        "--kv-cache", cache, "--context", str(CONTEXT), "--prompt", str(PROMPT), "--slots",
                        str(SLOTS), "--candidates", str(K), "--steps", str(steps), "--threads", str(threads),
                        # every candidate computed, as llama.cpp does (the shared first forward of K
                        # identical starts is measured in run_kv_cache_bench.py)
                        "--share-identical", "0"])
    r["name"] = "remask " + cache
    return r


def llama_step(build, path, threads, mode, repeat):
    r = last_json_line([os.path.join(build, "tests/model/llama_reference"), "infill-bench", path, str(K),
                        str(CONTEXT + PROMPT), str(threads), str(repeat), mode])
    r["name"] = "llama.cpp " + mode
    return r


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", default=os.path.join(ROOT, "build/release"))
    p.add_argument("--models", default=os.path.join(ROOT, "build/bench-models"))
    p.add_argument("--gguf-dir", default=os.path.join(ROOT, "build/bench-gguf"))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--llama-modes", default="apart")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    path = ensure_gguf(a.build, a.models, a.gguf_dir)
    print("CPU: %s, %d threads, %s (%.0f MiB), bf16" % (cpu_name(), a.threads, os.path.basename(path),
                                                       os.path.getsize(path) / 2**20), flush=True)
    rows = [remask_step(a.build, path, a.threads, "dual", STEPS),
            remask_step(a.build, path, a.threads, "none", NONE_STEPS)]
    for mode in a.llama_modes.split(","):
        r = llama_step(a.build, path, a.threads, mode, a.repeat)
        r["masked_rows_estimate_s"] = r["body_seconds"] + r["head_seconds"] * SLOTS / (CONTEXT + PROMPT)
        rows.append(r)
    for r in rows:
        if a.json:
            print(json.dumps(r))
        elif r["name"].startswith("remask"):
            print("%-20s %7.3f s/step  (full %.3f s x %d, partial %.3f s x %d)  peak %6.0f MiB" % (
                r["name"], r["seconds_per_step"], r["full_seconds_each"], r["full_forwards"],
                r["partial_seconds_each"], r["partial_forwards"], r["peak_rss_bytes"] / 2**20))
        else:
            print("%-20s %7.3f s/step  (body %.3f s + head and copy-out %.3f s; masked rows only: ~%.3f s)"
                  "  peak %6.0f MiB" % (r["name"], r["seconds_per_step"], r["body_seconds"], r["head_seconds"],
                                        r["masked_rows_estimate_s"], r["peak_rss_bytes"] / 2**20))
    dual, none = rows[0]["seconds_per_step"], rows[1]["seconds_per_step"]
    for r in rows[2:]:
        print("%s / remask: dual %.2fx, none %.2fx; as if masked rows only: dual %.2fx, none %.2fx" % (
            r["name"], r["seconds_per_step"] / dual, r["seconds_per_step"] / none,
            r["masked_rows_estimate_s"] / dual, r["masked_rows_estimate_s"] / none))


if __name__ == "__main__":
    main()
