#!/usr/bin/env bash
# Runs the whole test suite: the release build made by scripts/setup.sh, then the same unit
# and integration tests under the asan preset (clang, AddressSanitizer + UBSan; the same tree
# builds the fuzz targets), then every fuzz target for a few seconds over its seed corpus
# (docs/fuzzing.md). Arguments go to both ctest runs (e.g. -R Optimize).
# REMASK_SKIP_ASAN=1 runs the release tests only.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build --preset release
ctest --preset release -j "$(nproc)" "$@"

if [ -n "${REMASK_SKIP_ASAN:-}" ]; then exit 0; fi
[ -f build/asan/build.ninja ] || cmake --preset asan >/dev/null
cmake --build --preset asan
# Excluded under ASan (docs/fuzzing.md): a test that caps virtual memory with `ulimit -v`,
# which ASan's shadow memory cannot live with, and the two slowest instrumented tests, the
# whole-split replays of τ-bench retail (the release run checks them byte for byte; the
# same tools run under ASan in the other τ tests and in fuzz_tau_tool_arguments).
asan_exclude='^(InfillCommand\.HugeSlackIsAContextErrorBeforeAnyAllocation|TauGoldenReplay\.RetailTrain|TauOracle\.RetailTrain)$'
ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}" \
  ctest --preset asan -j "$(nproc)" -E "${REMASK_ASAN_EXCLUDE:-$asan_exclude}" "$@"
scripts/fuzz.sh "${REMASK_CI_FUZZ_SECONDS:-5}"
