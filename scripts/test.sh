#!/usr/bin/env bash
# Runs the whole test suite (the release build made by scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build --preset release
ctest --preset release -j "$(nproc)" "$@"
