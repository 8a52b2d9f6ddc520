#!/usr/bin/env bash
# Builds the libFuzzer targets (the asan preset: clang, ASan + UBSan) and runs each for
# SECONDS (default 120) over a scratch copy of its committed seed corpus, as many at once
# as there are cores (FUZZ_JOBS to change that; each target is one single-threaded process).
# Crashes land in build/asan/fuzz-findings/<target>/; a table of executions, coverage and
# crashes is printed and written to build/asan/fuzz-summary.md. Exit 1 when any crashed.
#   scripts/fuzz.sh                          # 2 minutes each
#   scripts/fuzz.sh 5                        # CI: a few seconds each
#   FUZZ_TARGETS="npy span_markup" scripts/fuzz.sh 60
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-120}"
jobs="${FUZZ_JOBS:-$(nproc)}"
build=build/asan

[ -f "$build/build.ninja" ] || cmake --preset asan >/dev/null
targets="${FUZZ_TARGETS:-$(cat "$build/fuzz/targets.txt")}"
cmake --build --preset asan --target $(printf 'fuzz_%s ' $targets)

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

# Runs one target and writes its table row to $build/fuzz-rows/<target>; exit 1 on a crash.
fuzz_one() {
  local target=$1
  local work="$build/fuzz-corpus/$target" findings="$build/fuzz-findings/$target"
  local log="$build/fuzz-logs/$target.log" row="$build/fuzz-rows/$target"
  mkdir -p "$work" "$findings" "$(dirname "$log")" "$(dirname "$row")"
  local dict=()
  [ -f "fuzz/dict/$target.dict" ] && dict=("-dict=fuzz/dict/$target.dict")
  local status=0
  "$build/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$findings/" "${dict[@]}" "$work" "fuzz/corpus/$target" \
    >"$log" 2>&1 || status=$?
  local runs rate last cov ft corp crashes=0
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  if [ "$status" -ne 0 ]; then
    crashes=1
    echo "fuzz: $target failed (exit $status); log: $log" >&2
    grep -m3 -E 'ERROR|SUMMARY|runtime error|uncaught|Test unit written' "$log" >&2 || true
  fi
  echo "| $target | $seconds | ${runs:-?} | ${rate:-?} | ${cov:-?} | ${ft:-?} | ${corp:-?} | $crashes |" > "$row"
  return "$crashes"
}

failed=0
running=0
for target in $targets; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || failed=1
    running=$((running - 1))
  fi
  fuzz_one "$target" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || failed=1
  running=$((running - 1))
done

summary="$build/fuzz-summary.md"
{
  echo "| target | seconds | executions | exec/s | coverage (edges) | features | corpus | crashes |"
  echo "|---|---|---|---|---|---|---|---|"
  for target in $targets; do cat "$build/fuzz-rows/$target"; done
} > "$summary"
cat "$summary"
exit "$failed"
