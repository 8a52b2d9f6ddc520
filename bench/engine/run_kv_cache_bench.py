#!/usr/bin/env python3
"""Issue #15's benchmark: a DLM proposal at the optimizer's shape — a 1,536-token context
and a 256-token prompt with 64 masked slots in 3 spans, K = 4 candidates, 8 steps —
per step: remask with the dual KV cache (`dual`, kv_refresh 8: one full forward and 7
partial ones), remask without it (`none`: a full forward every step), `dual` with threshold
decoding 0.9, and the generate.py-style PyTorch loop (torch_infill_loop.py: full pass, LM head on every row, one
candidate at a time; K = 4 as 4 x its K = 1 time, its cost being linear in K), on the
Qwen2.5-0.5B shape; remask `dual` and `none` on the LLaDA-1.3B shape. Peak resident memory
of each process beside it.

The K candidates of a fill start as copies of one sequence, and the engine computes identical
sequences once (Model::set_share_identical_sequences): the first full forward of a fill costs
one sequence's. At temperature 0 (as here) the candidates stay identical, where the optimizer's
(temperature 0.7) diverge after the first step, so every later full forward of `none` is timed
with sharing off (`--share-identical 0`, 1 step: K distinct sequences) and `none`'s 8-step
figure is (first step + 7 x a later step) / 8. `dual`'s partial forwards never share.

Run on an otherwise idle machine (take `flock -x
/tmp/remask-cpu.lock`).

  /usr/bin/python3 bench/engine/run_kv_cache_bench.py [--build build/release]
        [--models build/bench-models] [--threads 2] [--skip-torch] [--json]
"""
import argparse
import json
import os
import resource
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY = "/usr/bin/python3"
CONTEXT, PROMPT, SLOTS, K, STEPS = 1536, 256, 64, 4, 8
# A step without the cache is one full forward whatever the step, so `none` and the PyTorch
# loop are timed over fewer steps (per-step figures; the whole 8 would take ~10 minutes).
TORCH_STEPS = 2


def ensure_model(models, shape):
    path = os.path.join(models, shape)
    if not os.path.exists(os.path.join(path, "config.json")):
        subprocess.run([PY, os.path.join(ROOT, "scripts/make_bench_model.py"), path, shape], check=True)
    return path


def remask(build, model, threads, *extra):
    out = subprocess.run([os.path.join(build, "bench/bench_kv_cache"), model, "speed", "--threads", str(threads),
                          "--context", str(CONTEXT), "--prompt", str(PROMPT), "--slots", str(SLOTS),
                          "--candidates", str(K), "--steps", str(STEPS), *extra],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def torch_loop(threads, dtype):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    res = subprocess.run([PY, os.path.join(ROOT, "bench/engine/torch_infill_loop.py"), "--candidates", "1",
                          "--context", str(CONTEXT + PROMPT - SLOTS), "--slots", str(SLOTS), "--steps", str(TORCH_STEPS),
                          "--dtype", dtype, "--threads", str(threads), "--json"],
                         check=True, capture_output=True, text=True, env=env,
                         cwd=os.path.dirname(os.path.abspath(__file__))).stdout
    r = json.loads(res.strip().splitlines()[-1])
    # The largest child so far: this one, as it runs first.
    r["peak_rss_bytes"] = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) * 1024
    r["seconds_per_step"] = K * r["seconds"] / TORCH_STEPS
    return r


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", default=os.path.join(ROOT, "build/release"))
    p.add_argument("--models", default=os.path.join(ROOT, "build/bench-models"))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--skip-torch", action="store_true")
    p.add_argument("--torch-dtype", choices=["fp32", "bf16"], default="bf16")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    qwen = ensure_model(a.models, "qwen2.5-0.5b")
    llada = ensure_model(a.models, "llada-1.3b")
    rows = []
    torch = None
    if not a.skip_torch:  # first, so that the children's peak memory is its own
        torch = torch_loop(a.threads, a.torch_dtype)
        torch["name"] = "torch generate.py-style loop (%s, K=4 as 4 x K=1)" % a.torch_dtype
        print(json.dumps(torch) if a.json else "%-40s %6.2f s/step  peak %5.2f GiB"
              % (torch["name"], torch["seconds_per_step"], torch["peak_rss_bytes"] / 2**30), flush=True)
    for name, model, extra in [("qwen2.5-0.5b dual", qwen, ["--kv-cache", "dual"]),
                               ("qwen2.5-0.5b dual threshold 0.9", qwen, ["--kv-cache", "dual", "--threshold", "0.9"]),
                               ("qwen2.5-0.5b none first step", qwen, ["--kv-cache", "none", "--steps", "1"]),
                               ("qwen2.5-0.5b none later step", qwen,
                                ["--kv-cache", "none", "--steps", "1", "--share-identical", "0"]),
                               ("llada-1.3b dual", llada, ["--kv-cache", "dual"]),
                               ("llada-1.3b none first step", llada, ["--kv-cache", "none", "--steps", "1"]),
                               ("llada-1.3b none later step", llada,
                                ["--kv-cache", "none", "--steps", "1", "--share-identical", "0"])]:
        r = remask(a.build, model, a.threads, *extra)
        r["name"] = "remask " + name
        rows.append(r)
        print(json.dumps(r) if a.json else
              "%-40s %6.2f s/step  (%d steps, full %.2f s x %d, partial %.3f s x %d)  peak %5.2f GiB  cache %.0f MiB  %s"
              % (r["name"], r["seconds_per_step"], r["steps"], r["full_seconds_each"], r["full_forwards"],
                 r["partial_seconds_each"], r["partial_forwards"], r["peak_rss_bytes"] / 2**30,
                 r["kv_cache_bytes"] / 2**20, r["compute"]), flush=True)
    by = {r["name"]: r for r in rows}

    def none_per_step(model):  # over STEPS steps: the shared first one, then distinct candidates
        first, later = by["remask %s none first step" % model], by["remask %s none later step" % model]
        return (first["seconds_per_step"] + (STEPS - 1) * later["seconds_per_step"]) / STEPS

    dual = by["remask qwen2.5-0.5b dual"]
    none = none_per_step("qwen2.5-0.5b")
    line = "qwen2.5-0.5b: none %.2f s/step over %d steps, dual %.1fx none" % (none, STEPS, none / dual["seconds_per_step"])
    if torch:
        line += ", %.1fx the torch loop" % (torch["seconds_per_step"] / dual["seconds_per_step"])
    ld, ln = by["remask llada-1.3b dual"], none_per_step("llada-1.3b")
    line += "; llada-1.3b: none %.2f s/step, dual %.1fx none" % (ln, ln / ld["seconds_per_step"])
    print(line)


if __name__ == "__main__":
    main()
