#!/usr/bin/env python3
"""Issue #4's engine benchmark, every figure from one run on this machine:

  /usr/bin/python3 bench/engine/run_engine_bench.py [--build build/release] [--threads 2]
        [--lengths 256,1024] [--shapes qwen2.5-0.5b,llada-1.3b] [--out bench-engine.json]

1. peak matrix-product GFLOP/s (bf16, f32, int8; OpenBLAS sgemm) and the engine's products
   at model shapes (bench_matmul_peak);
2. per shape and length: `remask bench` full forward (LM head on every row) in bf16 and
   int8, with peak resident memory, next to the same forward in PyTorch eager fp32 and bf16
   (torch_forward.py, same thread count).

Random-weight checkpoints are made once into build/bench-models by
scripts/make_bench_model.py. Needs python3-torch and libopenblas0-pthread (not installed
by setup.sh: only the benchmark uses them).
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY = "/usr/bin/python3"


def run_json(cmd, env=None):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def remask_bench(build, model, length, threads, quant):
    cmd = ["/usr/bin/time", "-f", "%M", os.path.join(build, "tools/remask/remask"), "bench", "--model", model,
           "--length", str(length), "--threads", str(threads), "--repeat", "5" if length <= 256 else "3",
           "--json"] + (["--quant", quant] if quant != "none" else [])
    p = subprocess.run(cmd, check=True, capture_output=True, text=True)
    result = json.loads(p.stdout.strip().splitlines()[-1])
    result["max_rss_mib"] = int(p.stderr.strip().splitlines()[-1]) / 1024
    return result


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", default=os.path.join(ROOT, "build/release"))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--lengths", default="256,1024")
    p.add_argument("--shapes", default="qwen2.5-0.5b,llada-1.3b")
    p.add_argument("--out", default="")
    a = p.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS=str(a.threads))
    report = {"peak": run_json([os.path.join(a.build, "bench/bench_matmul_peak"), "--json"], env), "runs": []}
    peak = report["peak"]
    print("peak GFLOP/s (2048³, %d threads): oneDNN bf16 %.0f, f32 %.0f, int8 %.0f; OpenBLAS sgemm %.0f"
          % (peak["threads"], peak["peak_bf16"], peak["peak_f32"], peak["peak_int8"], peak["openblas_sgemm"]))
    for s in peak["shapes"]:
        print("  %-18s 256x%dx%d  bf16 %4.0f (%3.0f%% of peak)  int8 %4.0f (%3.0f%%)"
              % (s["name"], s["n"], s["k"], s["bf16"], 100 * s["bf16"] / max(peak["peak_bf16"], 1e-9),
                 s["int8"], 100 * s["int8"] / peak["peak_int8"]))
    sys.stdout.flush()

    for shape in a.shapes.split(","):
        model = os.path.join(ROOT, "build/bench-models", shape)
        if not os.path.exists(os.path.join(model, "config.json")):
            subprocess.run([PY, os.path.join(ROOT, "scripts/make_bench_model.py"), model, shape], check=True)
        info = run_json([os.path.join(a.build, "tools/remask/remask"), "info", "--json", "--model", model])
        for length in [int(x) for x in a.lengths.split(",")]:
            row = {"shape": shape, "length": length}
            for quant in ("none", "int8"):
                row["remask_" + quant] = remask_bench(a.build, model, length, a.threads, quant)
            for dtype in ("fp32", "bf16"):
                row["torch_" + dtype] = run_json([PY, os.path.join(ROOT, "bench/engine/torch_forward.py"), "--shape",
                                                  shape, "--length", str(length), "--dtype", dtype, "--threads",
                                                  str(a.threads), "--repeat", "3", "--json"], env)
            ours, int8 = row["remask_none"]["median_ms"], row["remask_int8"]["median_ms"]
            t32, t16 = row["torch_fp32"]["median_ms"], row["torch_bf16"]["median_ms"]
            row["packed_mib"] = info["packed_bytes"] / 2**20
            print("%s L=%d: remask bf16 %.0f ms (%.0f GFLOP/s), int8 %.0f ms | torch fp32 %.0f ms, bf16 %.0f ms | "
                  "bf16 vs torch bf16 %.2fx, vs torch fp32 %.2fx; int8 vs torch bf16 %.2fx | peak RSS %.0f MiB "
                  "(packed weights %.0f MiB)"
                  % (shape, length, ours, row["remask_none"]["gflops"], int8, t32, t16, t16 / ours, t32 / ours,
                     t16 / int8, row["remask_none"]["max_rss_mib"], row["packed_mib"]))
            sys.stdout.flush()
            report["runs"].append(row)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
