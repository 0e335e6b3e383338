#!/usr/bin/env bash
# Pool size sweep: first requests (answer memo off, so every request runs its queries) of the
# queries a, b and d of BENCHMARKS.md under wrk with 32 connections, once per pool size, on a fresh
# database with the 1,080,000 benchmark rows. Prints one markdown row per size and query:
# requests per second, p50 and p99 latency, and wrk's errors (timeouts, non-2xx answers). What
# the default pool size (`TRILATERAL_DB_POOL_SIZE`) is chosen by.
#
#   bench/pool_sizes.sh sqlite|postgres
#
# Environment: POOLS (default "2 4 8 16"), DURATION (default 10s), CONNECTIONS (default 32),
# WORKERS (default 2), PORT (default 18193), PG_ADMIN_URL (default
# postgres://postgres@127.0.0.1:5432/postgres; the database trilateral_pools is dropped at the
# end), BIN (default: a release build made first).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

backend=${1:?usage: bench/pool_sizes.sh sqlite|postgres}
port=${PORT:-18193}
command -v wrk > /dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
if [ -z "${BIN:-}" ]; then
  cargo build --release --locked
  BIN=target/release/trilateral
fi
work=bench-data
mkdir -p "$work"
bench_trade_csv "$work"

cleanup() {
  if [[ -n ${SERVER_PID:-} ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  drop_database "$backend" trilateral_pools
}
trap cleanup EXIT
fresh_database "$backend" trilateral_pools "$work"
import_bench_data "$BIN" "$work" "$backend" > /dev/null

declare -A paths=(
  [a]='/v1/wages/us/series/us.minimum_wage.federal?from=1981'
  [b]='/v1/trade/flows?reporter=us&partner=mx&flow=import&from=2016-01&to=2016-12&source=bench_trade&limit=2000'
  [d]='/v1/provisions/search?q=minimum+wage&limit=20'
)
export TRILATERAL_ANSWER_MEMO_MB=0
echo "| backend | pool | query | req/s | p50 ms | p99 ms | errors |"
echo "|---|---|---|---|---|---|---|"
for size in ${POOLS:-2 4 8 16}; do
  TRILATERAL_DB_POOL_SIZE=$size serve_bench "$BIN" "$port" "${WORKERS:-2}"
  for q in a b d; do
    url="http://127.0.0.1:$port${paths[$q]}"
    wrk -t1 -c32 -d2s "$url" > /dev/null # warm-up: every pooled connection opened and prepared
    wrk -t1 -c"${CONNECTIONS:-32}" -d"${DURATION:-10s}" --latency "$url" | awk \
      -v backend="$backend" -v size="$size" -v q="$q" '
      function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; return v * 1000 }
      $1 == "50%" { p50 = ms($2) }
      $1 == "99%" { p99 = ms($2) }
      /Requests\/sec/ { rps = $2 }
      /Socket errors/ { errors = errors $0 }
      /Non-2xx/ { errors = errors " non-2xx " $NF }
      END { printf "| %s | %s | %s | %.0f | %.2f | %.2f | %s |\n", backend, size, q, rps, p50, p99, (errors == "" ? "0" : errors) }'
  done
  kill "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
done
