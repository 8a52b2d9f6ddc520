#!/usr/bin/env python3
"""Issue #5's benchmark in one run: remask's infill loop (bench_infill_loop: only masked
rows through the LM head, K candidates batched in one forward per step, threshold mode)
beside the PyTorch loop of torch_infill_loop.py (full pass, LM head on every row, one
candidate at a time), 32 steps, 64 masked slots after a 512-token context, on the
Qwen2.5-0.5B-shaped bidirectional model.

  /usr/bin/python3 bench/engine/run_infill_bench.py [--build build/release] [--threads 2]
        [--torch-k4 measured|scaled]

--torch-k4 scaled (the default) times PyTorch's K = 4 as 4 × its measured K = 1 loop: the
reference loop handles candidates one after another, so its cost is exactly linear in K
(--torch-k4 measured runs all four, about five more minutes on 2 cores).
"""
import argparse
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY = "/usr/bin/python3"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", default=os.path.join(ROOT, "build/release"))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--torch-k4", choices=["measured", "scaled"], default="scaled")
    a = p.parse_args()
    model = os.path.join(ROOT, "build/bench-models/qwen2.5-0.5b")
    if not os.path.exists(os.path.join(model, "config.json")):
        subprocess.run([PY, os.path.join(ROOT, "scripts/make_bench_model.py"), model, "qwen2.5-0.5b"], check=True)
    out = subprocess.run([os.path.join(a.build, "bench/bench_infill_loop"), model, "--threads", str(a.threads),
                          "--json"], check=True, capture_output=True, text=True).stdout
    ours = {r["case"]: r for r in map(json.loads, out.strip().splitlines())}

    def torch_loop(k):
        env = dict(os.environ, OMP_NUM_THREADS=str(a.threads))
        res = subprocess.run([PY, os.path.join(ROOT, "bench/engine/torch_infill_loop.py"), "--candidates", str(k),
                              "--threads", str(a.threads), "--json"], check=True, capture_output=True, text=True,
                             env=env, cwd=os.path.dirname(os.path.abspath(__file__))).stdout
        return json.loads(res.strip().splitlines()[-1])

    t1 = torch_loop(1)
    t4 = torch_loop(4) if a.torch_k4 == "measured" else dict(t1, candidates=4, seconds=4 * t1["seconds"],
                                                             forward_seconds=4 * t1["forward_seconds"], scaled=True)
    for name, r in ours.items():
        print("remask %-16s %2d steps  %6.1f s  forward %4.0f%%  rows of logits %d"
              % (name, r["steps"], r["seconds"], 100 * r["forward_seconds"] / r["seconds"], r["rows_requested"]))
    for k, r in ((1, t1), (4, t4)):
        print("torch  K%d %s %2d steps  %6.1f s  forward %4.0f%%"
              % (k, "(4 x K1)       " if r.get("scaled") else "               ", r["steps"], r["seconds"],
                 100 * r["forward_seconds"] / r["seconds"]))
    print("speed-up K=1: %.2fx   K=4: %.2fx   K=4 threshold 0.9: %.2fx"
          % (t1["seconds"] / ours["K1"]["seconds"], t4["seconds"] / ours["K4"]["seconds"],
             t4["seconds"] / ours["K4_threshold0.9"]["seconds"]))


if __name__ == "__main__":
    main()
