#!/bin/sh
# Issue 21: a DLM proposal's step time with LLaDA-MoE beside a dense LLaDA of the same active
# parameters, at the optimizer's shape (1,536 context + 256-token prompt with 64 slots,
# K candidates, 8 steps, bf16 compute), with the dual KV cache and without.
#   bench/run_moe_bench.sh [BUILD_DIR] [THREADS] [CANDIDATES] [CACHES ("dual none")]
# Models (random weights, scripts/make_bench_model.py) are made once into
# BUILD_DIR/bench-models/. Each run holds the CPU lock exclusively; one JSON line per run.
set -eu
build=${1:-build/release}
threads=${2:-2}
candidates=${3:-4}
caches=${4:-dual none}
models=$build/bench-models
mkdir -p "$models"
for shape in llada-moe-scaled llada-dense-same-active; do
    [ -f "$models/$shape/config.json" ] || /usr/bin/python3 scripts/make_bench_model.py "$models/$shape" "$shape" >&2
done
lscpu | grep -E '^Model name|^CPU\(s\)' >&2
for cache in $caches; do
    for shape in llada-moe-scaled llada-dense-same-active; do
        flock -x /tmp/remask-cpu.lock "$build/bench/bench_kv_cache" "$models/$shape" speed --compute bf16 \
            --kv-cache "$cache" --context 1536 --prompt 256 --slots 64 --candidates "$candidates" --steps 8 \
            --threads "$threads" --share-identical 0  # every candidate computed, as measured in docs/llada-moe.md
    done
done
