#!/usr/bin/env bash
# Benchmark sitting: Trilateral and its anchors measured one after the other on the same machine,
# so that the ratios in the table it prints compare figures of one sitting (absolute req/s move
# with whatever else the machine does; ratios within a sitting do not).
#
#   HARNESS=/path/to/run_wrk.sh-folder bench/sitting.sh [sqlite|postgres|both]    (default both)
#
# What it measures, in this order (queries a, b, c, d as in BENCHMARKS.md, d being the anchors'
# `minimum wage` search):
#  1. A fresh SQLite file bench-data/trilateral_sitting.db with 1,080,000 synthetic trade rows
#     (bench/gen_trade_csv.py, dataset bench_trade) next to the bundled data. It is built whatever
#     the argument: it is also the anchors' data.
#  2. For each backend asked for (Postgres: a fresh database trilateral_sitting, dropped at the
#     end): `trilateral serve --workers 2` with the answer memo on (64 MB, the default), then off
#     (TRILATERAL_ANSWER_MEMO_MB=0: every request is a first request), a b c d through the team
#     harness run_wrk.sh. The exact uncompressed bodies of a b d (JSON) and c (CSV) that the
#     SQLite server sends are saved in bench-data/static/.
#  3. nginx (Debian) serving those files with Trilateral's content types: the cost of HTTP alone
#     for the same bytes, what a memo hit is compared with.
#  4. Datasette 0.65 (PyPI, in bench-data/venv) serving the SQLite file Trilateral built,
#     immutable (-i), default settings except max_returned_rows (MAX_RETURNED_ROWS, 2000: the
#     default 1000 would cut b's 1,200 rows). a, b, d are SQL over Trilateral's own tables
#     (/<db>.json?sql=...&_shape=array); c is the filtered table view streamed as CSV
#     (trade_flows.csv?...&_stream=on), because Datasette 0.65 streams only table views: an
#     arbitrary SQL query stops at max_returned_rows.
#  5. The sqlite3 command line writing c's rows as CSV (SQLITE_CLI_RUNS runs, default 3, median).
# Every anchor's row count is checked against Trilateral's answers. bench/sitting_table.py then
# prints one markdown table with the ratios and the goals (also written to bench-data/sitting.md;
# the raw rows are in bench-data/sitting.tsv). Exits 1 if a count differs or a figure is missing.
#
# Needs wrk, GNU time, curl, nginx and sqlite3 from Debian: the ones missing are installed with
# `apt-get install -y wrk time curl nginx sqlite3` (as root); python3 with venv and PyPI for
# Datasette; for postgres, a server reachable through PG_ADMIN_URL.
#
# Environment:
#   BIN                 the trilateral binary; when unset, `cargo build --release --locked` and
#                       target/release/trilateral (e.g. BIN=target/debug/trilateral to try it out)
#   HARNESS             folder of run_wrk.sh (required)
#   PG_ADMIN_URL        default postgres://postgres@127.0.0.1:5432/postgres
#   TRILATERAL_PORT     default 18190;  NGINX_PORT default 18191;  DATASETTE_PORT default 18192
#   MAX_RETURNED_ROWS   Datasette's max_returned_rows, default 2000
#   SQLITE_CLI_RUNS     default 3
#   CONNS THREADS DURATION WARMUP RUNS_C QUIET_WAIT   passed on to run_wrk.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

usage() { echo "usage: HARNESS=... bench/sitting.sh [sqlite|postgres|both]" >&2; exit 2; }
case ${1:-both} in
  sqlite) backends=(sqlite) ;;
  postgres) backends=(postgres) ;;
  both) backends=(sqlite postgres) ;;
  *) usage ;;
esac
harness=${HARNESS:?set HARNESS to the folder of run_wrk.sh}
[ -x "$harness/run_wrk.sh" ] || { echo "no run_wrk.sh in $harness" >&2; exit 2; }
trilateral_port=${TRILATERAL_PORT:-18190}
nginx_port=${NGINX_PORT:-18191}
datasette_port=${DATASETTE_PORT:-18192}
max_rows=${MAX_RETURNED_ROWS:-2000}
cli_runs=${SQLITE_CLI_RUNS:-3}

work=bench-data
db_name=trilateral_sitting
sqlite_db=$work/$db_name.db
static=$work/static
answers=$work/answers
tsv=$work/sitting.tsv
mkdir -p "$work" "$static" "$answers"
: > "$tsv"

# The queries, as in BENCHMARKS.md; the file each answer is kept in; run_wrk.sh's name for it.
path_a='/v1/wages/us/series/us.minimum_wage.federal?from=1981'
path_b='/v1/trade/flows?reporter=us&partner=mx&flow=import&from=2016-01&to=2016-12&source=bench_trade&limit=2000'
path_c='/v1/trade/flows?reporter=us&flow=export&from=2011-01&source=bench_trade&format=csv'
path_d='/v1/provisions/search?q=minimum+wage&limit=20'
queries=(a b c d)
declare -A file=([a]=a.json [b]=b.json [c]=c.csv [d]=d.json)
declare -A harness_name=([a]=a_series [b]=b_page [c]=c_csv100k [d]=d_fts)

# The same questions in SQL over Trilateral's tables. Trilateral resolves `us`/`mx` to the stored
# codes USA/MEX, `from=1981` to the observations in force on or after 1981-01-01 (a minimum wage is
# stored per effective date), months to their first day, and `source=` to the dataset.
sql_a="SELECT * FROM observations WHERE series_id = 'us.minimum_wage.federal'
  AND period_end >= '1981-01-01' ORDER BY period_start"
sql_b="SELECT * FROM trade_flows WHERE reporter = 'USA' AND partner = 'MEX' AND flow = 'import'
  AND period_start BETWEEN '2016-01-01' AND '2016-12-31' AND dataset_id = 'bench_trade'
  ORDER BY id LIMIT 2000"
# c with the columns of Trilateral's CSV, in its order.
csv_columns=(id reporter partner flow period frequency classification product_code value_usd
  source_id dataset_id note)
sql_c="SELECT $(IFS=,; echo "${csv_columns[*]}") FROM trade_flows WHERE reporter = 'USA'
  AND flow = 'export' AND period_start >= '2011-01-01' AND dataset_id = 'bench_trade' ORDER BY id"
# d: the anchors' search, FTS5 rank (bm25), without snippets.
sql_d="SELECT p.id, p.treaty_id, p.lang, p.article, p.chapter, p.heading, p.topics, p.text
  FROM provisions_fts f JOIN provisions p ON p.id = f.rowid
  WHERE provisions_fts MATCH 'minimum wage' ORDER BY f.rank LIMIT 20"

# --- tools -------------------------------------------------------------------------------------

# need COMMAND PACKAGE: installs the Debian package when the command is missing.
need() {
  command -v "$1" > /dev/null && return
  if [ "$(id -u)" != 0 ]; then echo "$1 is missing: apt-get install -y $2" >&2; exit 2; fi
  echo "installing $2 (Debian)" >&2
  apt-get install -y "$2" > /dev/null || { apt-get update > /dev/null && apt-get install -y "$2" > /dev/null; }
}
need wrk wrk
need curl curl
need nginx nginx
need sqlite3 sqlite3
need /usr/bin/time time   # run_wrk.sh and the import use GNU time, not the shell keyword

venv=$work/venv
if ! "$venv/bin/datasette" --version 2>/dev/null | grep -q 'version 0\.65\.'; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'datasette==0.65.*'
fi

if [ -n "${BIN:-}" ]; then
  bin=$BIN
else
  cargo build --release --locked
  bin=target/release/trilateral
fi
bench_trade_csv "$work"

# --- processes ---------------------------------------------------------------------------------

pids=()       # every server this script started and has not stopped yet
pg_created=
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -z "$pg_created" ] || drop_database postgres "$db_name" || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

started() { pids+=("$1"); }
stop() {  # stop PID: ends one server started here and waits for it
  local pid=$1 kept=() p
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${pids[@]}"; do [ "$p" = "$pid" ] || kept+=("$p"); done
  pids=("${kept[@]}")
}

# harness LABEL PID BASE A B C D: the four queries through run_wrk.sh, rows appended to the TSV.
harness() {
  LABEL=$1 SERVER_PIDS=$2 OUT="$tsv" "$harness/run_wrk.sh" "$3" "$4" "$5" "$6" "$7" ||
    echo "run_wrk.sh for $1 exited with $?" >&2
}

# count_rows FILE: rows in a saved answer: CSV records less the header; a JSON array's items;
# the items of `data`, or of `data.observations` (a series).
count_rows() {
  python3 - "$1" <<'PY'
import csv, json, sys
name = sys.argv[1]
if name.endswith(".csv"):
    with open(name, newline="", encoding="utf-8") as f:
        print(sum(1 for _ in csv.reader(f)) - 1)
else:
    with open(name, encoding="utf-8") as f:
        doc = json.load(f)
    if isinstance(doc, dict):
        doc = doc["data"]
        if isinstance(doc, dict):
            doc = doc["observations"]
    print(len(doc))
PY
}

# save_answers BASE DIR LABEL PATH_A..PATH_D: saves the four answers (identity encoding, with their
# headers) into DIR and appends their row counts to the TSV under LABEL.
save_answers() {
  local base=$1 dir=$2 label=$3 q n
  shift 3
  mkdir -p "$dir"
  for q in "${queries[@]}"; do
    curl -sSf --max-time 300 -H 'Accept-Encoding: identity' -D "$dir/${file[$q]}.headers" \
      -o "$dir/${file[$q]}" "$base$1"
    n=$(count_rows "$dir/${file[$q]}")
    printf '%s\t%s\trows\t%s\n' "$label" "${harness_name[$q]}" "$n" >> "$tsv"
    echo "$label $q: $n rows, $(wc -c < "$dir/${file[$q]}") bytes"
    shift
  done
}

note() { printf '#note\t%s\n' "$*" >> "$tsv"; }

content_type() {  # content_type HEADERS-FILE
  tr -d '\r' < "$1" | awk 'tolower($1) == "content-type:" { sub(/^[^:]*: */, ""); print }'
}

# --- Trilateral --------------------------------------------------------------------------------

# trilateral BACKEND BENCHMARK(yes|no): fresh database, import, memo on then off. The SQLite
# answers become nginx's files; with BENCHMARK=no only the answers are saved (the anchors need
# the SQLite file and those bytes even when only Postgres is measured).
trilateral() {
  local backend=$1 benchmark=$2 base="http://127.0.0.1:$trilateral_port" memo q
  fresh_database "$backend" "$db_name" "$work"
  [ "$backend" = sqlite ] || pg_created=yes
  import_bench_data "$bin" "$work" "$backend"
  for memo in on off; do
    if [ "$memo" = on ]; then
      export TRILATERAL_ANSWER_MEMO_MB=64   # the default: set so that the caller's value cannot leak in
    else
      export TRILATERAL_ANSWER_MEMO_MB=0
    fi
    serve_bench "$bin" "$trilateral_port" || { started "$SERVER_PID"; exit 1; }
    started "$SERVER_PID"
    if [ "$memo" = on ]; then
      save_answers "$base" "$answers/trilateral-$backend" "trilateral-$backend" \
        "$path_a" "$path_b" "$path_c" "$path_d"
      if [ "$backend" = sqlite ]; then
        for q in "${queries[@]}"; do cp "$answers/trilateral-sqlite/${file[$q]}" "$static/"; done
      fi
    fi
    if [ "$benchmark" = yes ]; then
      harness "trilateral-$backend-memo-$memo" "$SERVER_PID" "$base" "$path_a" "$path_b" "$path_c" "$path_d"
    fi
    stop "$SERVER_PID"
    [ "$benchmark" = yes ] || break
  done
  unset TRILATERAL_ANSWER_MEMO_MB
}

measured() { [[ " ${backends[*]} " == *" $1 "* ]] && echo yes || echo no; }
trilateral sqlite "$(measured sqlite)"
[ "$(measured postgres)" = no ] || trilateral postgres yes
note "Trilateral: $bin, --workers 2; memo on = TRILATERAL_ANSWER_MEMO_MB=64 (default), off = 0"

# --- nginx: the same bytes, HTTP alone ---------------------------------------------------------

ngx=$PWD/$work/nginx
nginx_config "$ngx" "$PWD/$static" "$nginx_port" 2
nginx -p "$ngx/" -c "$ngx/nginx.conf" -e "$ngx/error.log" &
nginx_pid=$!
started "$nginx_pid"
base="http://127.0.0.1:$nginx_port"
wait_ready "$base/a.json" "$nginx_pid" 60
# The same bytes and content type as Trilateral's, or the comparison means nothing.
for q in "${queries[@]}"; do
  f=${file[$q]}
  curl -sS -D "$ngx/check.headers" -o "$ngx/check.body" "$base/$f"
  cmp -s "$ngx/check.body" "$static/$f" || { echo "nginx $f: not Trilateral's bytes" >&2; exit 1; }
  ours=$(content_type "$answers/trilateral-sqlite/$f.headers"); theirs=$(content_type "$ngx/check.headers")
  [ "$ours" = "$theirs" ] || { echo "nginx $f: Content-Type '$theirs', Trilateral '$ours'" >&2; exit 1; }
  echo "nginx /$f: Trilateral's $(wc -c < "$static/$f") bytes, Content-Type $theirs"
done
harness nginx "$nginx_pid" "$base" /a.json /b.json /c.csv /d.json
stop "$nginx_pid"
note "nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'): 2 workers, sendfile, access_log off, keepalive_requests 100000; the files /a.json /b.json /c.csv /d.json are Trilateral SQLite's answers (memo on), byte for byte"

# --- Datasette on the same SQLite file ----------------------------------------------------------

# Immutable mode reads the main file only: fold Trilateral's write-ahead log into it first.
sqlite3 "$sqlite_db" 'PRAGMA wal_checkpoint(TRUNCATE);' > /dev/null
"$venv/bin/datasette" serve -i "$sqlite_db" -h 127.0.0.1 -p "$datasette_port" \
  --setting max_returned_rows "$max_rows" > "$work/datasette.log" 2>&1 &
datasette_pid=$!
started "$datasette_pid"
base="http://127.0.0.1:$datasette_port"
wait_ready "$base/-/versions.json" "$datasette_pid" 60

urlq() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote_plus(" ".join(sys.argv[1].split())))' "$1"; }
ds_a="/$db_name.json?sql=$(urlq "$sql_a")&_shape=array"
ds_b="/$db_name.json?sql=$(urlq "$sql_b")&_shape=array"
ds_c="/$db_name/trade_flows.csv?reporter=USA&flow=export&period_start__gte=2011-01-01&dataset_id=bench_trade"
for col in "${csv_columns[@]:1}"; do ds_c+="&_col=$col"; done   # id, the key, always comes first
ds_c+="&_stream=on&_size=max"
ds_d="/$db_name.json?sql=$(urlq "$sql_d")&_shape=array"
save_answers "$base" "$answers/datasette" datasette "$ds_a" "$ds_b" "$ds_c" "$ds_d"
harness datasette "$datasette_pid" "$base" "$ds_a" "$ds_b" "$ds_c" "$ds_d"
stop "$datasette_pid"
note "Datasette $("$venv/bin/datasette" --version | sed 's/.*version //') on the SQLite file Trilateral built (immutable), default settings except max_returned_rows=$max_rows (the default 1000 cuts b); a b d as SQL with _shape=array (d without snippets), c as the filtered table view streamed (_stream=on: Datasette streams no SQL query past max_returned_rows)"

# --- sqlite3 command line: the floor for c --------------------------------------------------------

cli_out=$answers/sqlite3-cli/c.csv
mkdir -p "$(dirname "$cli_out")"
sqlite3 -csv -header "$sqlite_db" "$sql_c" > "$cli_out"   # also warms the page cache
printf 'sqlite3-cli\tc_csv100k\trows\t%s\n' "$(count_rows "$cli_out")" >> "$tsv"
times=()
for _ in $(seq 1 "$cli_runs"); do
  t0=$(date +%s.%N)
  sqlite3 -csv -header "$sqlite_db" "$sql_c" > /dev/null
  t1=$(date +%s.%N)
  times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')")
done
sorted=$(printf '%s\n' "${times[@]}" | sort -g)
median=$(awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }' <<< "$sorted")
best=$(head -1 <<< "$sorted")
size=$(wc -c < "$cli_out")
# The same columns as run_wrk.sh's rows for c.
printf 'sqlite3-cli\tc_csv100k\t%s\tbulk\t%s\t%s\t%s\tn/a\trss n/a\n' "$size" "$median" "$best" \
  "$(awk -v s="$size" -v t="$median" 'BEGIN { printf "%.1f", s / 1e6 / t }')" >> "$tsv"
echo "sqlite3 -csv -header (c): median $median s of $cli_runs runs, $size bytes"
note "sqlite3 $(sqlite3 -version | cut -d' ' -f1): \`sqlite3 -csv -header\` on the same file, output to /dev/null, median of $cli_runs runs"
note "harness: wrk -t${THREADS:-1} -c${CONNS:-32} -d${DURATION:-10s} after ${WARMUP:-2s} warm-up; c: ${RUNS_C:-3} curl downloads, median"

# --- the table -----------------------------------------------------------------------------------

status=0
python3 bench/sitting_table.py "$tsv" > "$work/sitting.md" || status=$?
echo
cat "$work/sitting.md"
exit "$status"
