#!/usr/bin/env bash
# Import benchmark: `trilateral import csv` of the 1,080,000 synthetic trade rows
# (bench/gen_trade_csv.py) against the database's own bulk loader of the same rows, in one sitting:
# the sqlite3 command line's `.import` on SQLite, psql's `\copy` (COPY FROM STDIN) on Postgres.
# Both load into the same `trade_flows` table with all its indexes, beside the bundled data, in
# one transaction.
#
#   bench/import.sh [sqlite|postgres|both]    (default both)
#
# Each run, for each backend:
#  1. a fresh database holding the bundled data and bench/sources.csv, and a copy of it (SQLite:
#     the file; Postgres: a database made from it as template);
#  2. `trilateral import csv` into dataset bench_trade (timed: "import");
#  3. the same import again (timed: "re-import", which first deletes the 1,080,000 rows it replaces);
#  4. the rows as stored (every column, ids included) written as CSV, then loaded into the copy by
#     the database's own tool (timed: "own loader").
# Prints the median of RUNS runs (default 3) of each in seconds and rows per second, and each
# import's ratio to the own loader. The import checks each row (country codes, sources, periods,
# duplicates) and computes id, period start and frequency; the own loader checks nothing but the
# table's constraints (the sqlite3 command line leaves foreign keys off).
#
# Needs sqlite3 from Debian; for postgres, psql and a server reachable through
# PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres). BIN is the trilateral
# binary (default: a release build made first).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

case ${1:-both} in
  sqlite) backends=(sqlite) ;;
  postgres) backends=(postgres) ;;
  both) backends=(sqlite postgres) ;;
  *) echo "usage: bench/import.sh [sqlite|postgres|both]" >&2; exit 2 ;;
esac
runs=${RUNS:-3}
work=bench-data
mkdir -p "$work"
bench_trade_csv "$work"
rows=$(($(wc -l < "$work/trade.csv") - 1))
if [ -z "${BIN:-}" ]; then
  cargo build --release --locked
  BIN=target/release/trilateral
fi
admin=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
stored=$work/import_stored_rows.csv

# seconds COMMAND...: runs COMMAND (a program or a function of this script; its output is
# discarded, and a failure ends the script) and prints its wall time in seconds.
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f\n", e - s }'
}

# own_load BACKEND COPY: loads $stored into trade_flows of COPY (a file or a database URL) in one
# transaction with the database's own tool.
own_load() {
  case $1 in
    sqlite) sqlite3 "$2" "PRAGMA synchronous = NORMAL" ".mode csv" "BEGIN" ".import $stored trade_flows" "COMMIT" ;;
    postgres) psql "$2" -v ON_ERROR_STOP=1 -q -c BEGIN -c "\\copy trade_flows FROM '$stored' CSV" -c COMMIT ;;
  esac
}

# export_stored BACKEND URL: writes the stored rows of bench_trade, in id order, to $stored.
export_stored() {
  local query="SELECT * FROM trade_flows WHERE dataset_id = 'bench_trade' ORDER BY id"
  case $1 in
    sqlite) sqlite3 -csv "$2" "$query" > "$stored" ;;
    postgres) psql "$2" -v ON_ERROR_STOP=1 -qc "\\copy ($query) TO '$stored' CSV" ;;
  esac
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "| backend | import | re-import | own loader (${rows} rows) | import ÷ own loader | re-import ÷ own loader |"
echo "|---|---|---|---|---|---|"
for backend in "${backends[@]}"; do
  : > "$work/import_times.tsv"
  for _ in $(seq "$runs"); do
    fresh_database "$backend" trilateral_import "$work"
    "$BIN" import sources bench/sources.csv > /dev/null 2>&1
    if [[ $backend == sqlite ]]; then
      copy=$work/trilateral_import_copy.db
      cp "$TRILATERAL_DATABASE_URL" "$copy"
    else
      psql "$admin" -qc "DROP DATABASE IF EXISTS trilateral_import_copy" \
        -c "CREATE DATABASE trilateral_import_copy TEMPLATE trilateral_import"
      copy=${admin%/*}/trilateral_import_copy
    fi
    first=$(seconds "$BIN" import csv "$work/trade.csv" --dataset bench_trade)
    again=$(seconds "$BIN" import csv "$work/trade.csv" --dataset bench_trade)
    export_stored "$backend" "$TRILATERAL_DATABASE_URL"
    own=$(seconds own_load "$backend" "$copy")
    loaded=$(case $backend in
      sqlite) sqlite3 "$copy" "SELECT count(*) FROM trade_flows WHERE dataset_id = 'bench_trade'" ;;
      postgres) psql "$copy" -Atc "SELECT count(*) FROM trade_flows WHERE dataset_id = 'bench_trade'" ;;
    esac)
    [ "$loaded" = "$rows" ] || { echo "the own loader stored $loaded rows, not $rows" >&2; exit 1; }
    printf '%s\t%s\t%s\n' "$first" "$again" "$own" >> "$work/import_times.tsv"
  done
  first=$(cut -f1 "$work/import_times.tsv" | median)
  again=$(cut -f2 "$work/import_times.tsv" | median)
  own=$(cut -f3 "$work/import_times.tsv" | median)
  awk -v b="$backend" -v f="$first" -v a="$again" -v o="$own" -v n="$rows" 'BEGIN {
    printf "| %s | %.1f s (%dk rows/s) | %.1f s (%dk rows/s) | %.1f s (%dk rows/s) | %.2f | %.2f |\n",
      b, f, n / f / 1000, a, n / a / 1000, o, n / o / 1000, f / o, a / o }'
  if [[ $backend == postgres ]]; then
    drop_database postgres trilateral_import_copy
    drop_database postgres trilateral_import
  fi
done
rm -f "$stored" "$work/trilateral_import_copy.db"
