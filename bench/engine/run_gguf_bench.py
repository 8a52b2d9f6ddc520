#!/usr/bin/env python3
"""Issue #16's benchmark: remask vs llama.cpp's own library on the same GGUF file.

  /usr/bin/python3 bench/engine/run_gguf_bench.py [--build build/release] [--threads 2]
        [--lengths 256,1024] [--shapes qwen2.5-0.5b,llada-1.3b] [--types bf16,q8_0,q4_k_m]
        [--repeat 3] [--out bench-gguf.json] [--models DIR] [--files DIR]

Per shape, type and length: one forward over L random ids with logits on every row
(bidirectional), the median of --repeat timed forwards after a warm-up, for
`remask bench --model FILE.gguf` (compute as the engine chooses it: calibrated) and for
llama.cpp (`tests/model/llama_reference bench`: llama_decode, flash attention off, the
best libggml-cpu-* for this CPU), each with its peak resident memory (/usr/bin/time %M)
beside the file's size. Each pair runs under `flock -x /tmp/remask-cpu.lock` (an otherwise
idle machine). The bf16 safetensors folders are read from --models (build/bench-models,
made by scripts/make_bench_model.py when missing); the GGUF files are made once into
--files (build/gguf-bench): `remask convert --type bf16`, then llama_model_quantize
(Q8_0 = 7, Q4_K_M = 15).
"""
import argparse
import json
import os
import platform
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY = "/usr/bin/python3"
FTYPES = {"q8_0": 7, "q4_k_m": 15}
LOCK = "/tmp/remask-cpu.lock"


def cpu_name():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def ensure_file(build, models, files, shape, kind):
    folder = os.path.join(models, shape)
    if not os.path.isdir(folder):
        subprocess.run([PY, os.path.join(ROOT, "scripts/make_bench_model.py"), folder, shape], check=True)
    bf16 = os.path.join(files, shape + "-bf16.gguf")
    if not os.path.exists(bf16):
        subprocess.run([os.path.join(build, "tools/remask/remask"), "convert", folder, bf16, "--type", "bf16"],
                       check=True)
    if kind == "bf16":
        return bf16
    out = os.path.join(files, "%s-%s.gguf" % (shape, kind))
    if not os.path.exists(out):
        subprocess.run([os.path.join(build, "tests/model/llama_reference"), "quantize", bf16, out,
                        str(FTYPES[kind])], check=True, capture_output=True)
    return out


def timed(cmd):
    """(stdout, peak RSS MiB) of cmd under the exclusive lock."""
    p = subprocess.run(["flock", "-x", LOCK, "/usr/bin/time", "-f", "%M"] + cmd, check=True,
                       capture_output=True, text=True)
    return p.stdout, int(p.stderr.strip().splitlines()[-1]) / 1024


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", default=os.path.join(ROOT, "build/release"))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--lengths", default="256,1024")
    p.add_argument("--shapes", default="qwen2.5-0.5b,llada-1.3b")
    p.add_argument("--types", default="bf16,q8_0,q4_k_m")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--out", default="")
    p.add_argument("--models", default=os.path.join(ROOT, "build/bench-models"))
    p.add_argument("--files", default=os.path.join(ROOT, "build/gguf-bench"))
    a = p.parse_args()
    models = a.models
    os.makedirs(models, exist_ok=True)
    os.makedirs(a.files, exist_ok=True)
    report = {"cpu": cpu_name(), "threads": a.threads, "runs": []}
    print("CPU: %s, %d threads, one run each (median of %d forwards)" % (report["cpu"], a.threads, a.repeat))
    print("%-13s %-7s %5s | %9s %9s %6s | %9s %9s | %8s" % ("shape", "type", "L", "remask s", "llama s",
                                                          "speed", "remask MiB", "llama MiB", "file MiB"))
    for shape in a.shapes.split(","):
        for kind in a.types.split(","):
            path = ensure_file(a.build, models, a.files, shape, kind)
            file_mib = os.path.getsize(path) / 2**20
            for length in [int(x) for x in a.lengths.split(",")]:
                out, ours_rss = timed([os.path.join(a.build, "tools/remask/remask"), "bench", "--model", path,
                                       "--length", str(length), "--threads", str(a.threads), "--repeat",
                                       str(a.repeat), "--json"])
                ours = json.loads(out.strip().splitlines()[-1])
                out, theirs_rss = timed([os.path.join(a.build, "tests/model/llama_reference"), "bench", path,
                                         str(length), str(a.threads), str(a.repeat)])
                theirs_s = float(out.strip().splitlines()[-1])
                ours_s = ours["median_ms"] / 1000
                run = {"shape": shape, "type": kind, "length": length, "remask_s": ours_s, "llama_s": theirs_s,
                       "speedup": theirs_s / ours_s, "remask_rss_mib": ours_rss, "llama_rss_mib": theirs_rss,
                       "file_mib": file_mib}
                report["runs"].append(run)
                print("%-13s %-7s %5d | %9.3f %9.3f %5.2fx | %9.0f %9.0f | %8.0f" % (
                    shape, kind, length, ours_s, theirs_s, run["speedup"], ours_rss, theirs_rss, file_mib))
                sys.stdout.flush()
    if a.out:
        with open(a.out, "w") as f:
            json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
