#!/usr/bin/env bash
# Runs bench_cache against SQLite and a temporary PostgreSQL cluster (Debian's postgresql,
# default durability settings: fsync and synchronous_commit on) on a Unix socket.
# Usage: bench/run_cache_bench.sh [BUILD_DIR] [REQUESTS]
set -euo pipefail
build=${1:-build/release}
requests=${2:-4000}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
dir=$(mktemp -d /tmp/remask-pg-bench-XXXXXX)
as_server() { if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown nobody "$dir"
cleanup() { (cd "$dir" && as_server "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1) || true; rm -rf "$dir"; }
trap cleanup EXIT
(cd "$dir" && as_server "$bin/initdb" -D "$dir/data" -U remask --auth=trust -E UTF8 >/dev/null)
(cd "$dir" && as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-k $dir -h '' -p 5432 -N 200" start >/dev/null)
url="postgresql:///postgres?host=$dir&port=5432&user=remask"
"$build/bench/bench_cache" "$requests" "$url" "$url&options=-csynchronous_commit%3Doff"
