#!/usr/bin/env bash
# Benchmark: the hot-loop query a under wrk while slow clients download the whole bench_trade
# dataset as CSV (1.08M rows, about 94 MB: more than the socket buffers hold), each at a limited
# rate (curl --limit-rate), on the database that bench/run.sh loaded. Shows whether the exports
# leave connections for other requests: wrk's figures with its count of non-2xx answers, and how
# far each export got (they are cut off when wrk is done).
#
#   bench/slow_exports.sh sqlite|postgres [binary]
#
# Environment: SLOW (default 8 clients, the default pool on two cores), RATE (default 1M bytes
# a second per client), DURATION (default 10 seconds), PORT (default 8091), PG_ADMIN_URL as for
# run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

backend=${1:?usage: bench/slow_exports.sh sqlite|postgres [binary]}
bin=${2:-target/release/trilateral}
port=${PORT:-8091}
slow=${SLOW:-8}
rate=${RATE:-1M}
base="http://127.0.0.1:$port"
query_a='/v1/wages/us/series/us.minimum_wage.federal?from=1981'
query_export='/v1/trade/flows?source=bench_trade&format=csv'
duration=${DURATION:-10}

case "$backend" in
  sqlite) export TRILATERAL_DATABASE_URL=bench-data/bench.db ;;
  postgres)
    admin=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
    export TRILATERAL_DATABASE_URL="${admin%/*}/trilateral_bench"
    ;;
  *) echo "unknown backend $backend" >&2; exit 2 ;;
esac

trap 'kill "${SERVER_PID:-}" 2>/dev/null || true' EXIT
serve_bench "$bin" "$port"

exports=()
for i in $(seq 1 "$slow"); do
  curl -s -o /dev/null --max-time $((duration + 3)) --limit-rate "$rate" \
    -w "export $i: HTTP %{http_code}, %{size_download} bytes in %{time_total} s\n" \
    "$base$query_export" &
  exports+=($!)
done
sleep 1
wrk -t1 -c32 -d"${duration}s" --latency "$base$query_a"
wait "${exports[@]}" || true  # curl ends with "timed out" on a cut-off export
