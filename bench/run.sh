#!/usr/bin/env bash
# Benchmark: loads about a million synthetic trade rows through `trilateral import csv` into a
# fresh SQLite file or a fresh Postgres database, serves it with the release build, and measures
# the benchmark queries with the team's harness (run_wrk.sh; wrk from Debian's packages).
#
#   HARNESS=/path/to/run_wrk.sh-folder bench/run.sh sqlite|postgres
#
# Environment: PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres) is used to
# create the database trilateral_bench; PORT (default 8090); extra variables go to run_wrk.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

backend=${1:?usage: bench/run.sh sqlite|postgres}
harness=${HARNESS:?set HARNESS to the folder of run_wrk.sh}
port=${PORT:-8090}
work=bench-data
mkdir -p "$work"

bench_trade_csv "$work"
cargo build --release --locked
bin=target/release/trilateral

fresh_database "$backend" trilateral_bench "$work"
import_bench_data "$bin" "$work" "$backend"

trap 'kill "${SERVER_PID:-}" 2>/dev/null || true' EXIT
serve_bench "$bin" "$port"
server=$SERVER_PID

LABEL="trilateral-$backend" SERVER_PIDS=$server "$harness/run_wrk.sh" "http://127.0.0.1:$port" \
  '/v1/wages/us/series/us.minimum_wage.federal?from=1981' \
  '/v1/trade/flows?reporter=us&partner=mx&flow=import&from=2016-01&to=2016-12&source=bench_trade&limit=2000' \
  '/v1/trade/flows?reporter=us&flow=export&from=2011-01&source=bench_trade&format=csv' \
  "${QUERY_D:--}"
LABEL="trilateral-$backend /v1/wages/mx" SERVER_PIDS=$server "$harness/run_wrk.sh" "http://127.0.0.1:$port" \
  '/v1/wages/mx' - - -
