#!/usr/bin/env bash
# Load test: the release build serving the bundled data on a fresh SQLite file or a fresh Postgres
# database, under wrk with 64 connections for 60 s, each connection cycling through a mix of the
# read endpoints (bench/mix.lua). Fails unless every answer was 2xx/3xx and no socket failed;
# prints the latency percentiles kept in BENCHMARKS.md.
#
#   bench/load.sh sqlite|postgres
#
# Environment: DURATION (default 60s), CONNECTIONS (default 64), THREADS (default 2), PORT
# (default 8091), PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres), used to
# create and drop the database trilateral_load; WORKERS (default 2) for the server.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

backend=${1:?usage: bench/load.sh sqlite|postgres}
port=${PORT:-8091}
command -v wrk > /dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
cargo build --release --locked
bin=target/release/trilateral

work=$(mktemp -d)
cleanup() {
  if [[ -n ${SERVER_PID:-} ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  drop_database "$backend" trilateral_load
  rm -rf "$work"
}
trap cleanup EXIT
fresh_database "$backend" trilateral_load "$work"

serve_bench "$bin" "$port" "${WORKERS:-2}"

report="$work/wrk.txt"
wrk -t"${THREADS:-2}" -c"${CONNECTIONS:-64}" -d"${DURATION:-60s}" --latency \
  -s bench/mix.lua "http://127.0.0.1:$port" | tee "$report"
grep -q '^non-2xx/3xx: 0$' "$report" && grep -q '^socket errors: 0$' "$report" || {
  echo "load test failed on $backend: answers that were not 2xx/3xx, or socket errors" >&2
  exit 1
}
echo "load test passed on $backend"
