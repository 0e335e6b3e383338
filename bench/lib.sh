# shellcheck shell=bash
# Sourced by the bench scripts.

# fresh_database sqlite|postgres NAME DIR: exports TRILATERAL_DATABASE_URL for an empty database,
# the SQLite file DIR/NAME.db or the Postgres database NAME, created through PG_ADMIN_URL
# (default postgres://postgres@127.0.0.1:5432/postgres).
fresh_database() {
  local backend=$1 name=$2 dir=$3
  case "$backend" in
    sqlite)
      rm -f "$dir/$name".db*
      export TRILATERAL_DATABASE_URL="$dir/$name.db"
      ;;
    postgres)
      local admin=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
      psql "$admin" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name"
      export TRILATERAL_DATABASE_URL="${admin%/*}/$name"
      ;;
    *) echo "unknown backend $backend" >&2; exit 2 ;;
  esac
}

# drop_database sqlite|postgres NAME: drops the Postgres database NAME (a SQLite file goes with
# its folder).
drop_database() {
  if [[ $1 == postgres ]]; then
    psql "${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}" -qc \
      "DROP DATABASE IF EXISTS $2 WITH (FORCE)"
  fi
}

# bench_trade_csv DIR: writes DIR/trade.csv (1,080,000 synthetic trade rows) unless it is there.
bench_trade_csv() {
  [ -f "$1/trade.csv" ] || python3 bench/gen_trade_csv.py "$1/trade.csv"
}

# import_bench_data BIN DIR BACKEND: imports bench/sources.csv and DIR/trade.csv (dataset
# bench_trade) into TRILATERAL_DATABASE_URL with the binary BIN, reporting wall time and peak RSS.
import_bench_data() {
  local bin=$1 dir=$2 backend=$3
  "$bin" import sources bench/sources.csv
  echo "importing $(($(wc -l < "$dir/trade.csv") - 1)) rows into $backend"
  /usr/bin/time -f "import: %e s wall, %M KB peak RSS" "$bin" import csv "$dir/trade.csv" --dataset bench_trade
}

# wait_ready URL PID [SECONDS]: returns once URL answers 2xx; 1 if the process PID exits first or
# SECONDS (default 300: a debug or valgrind build starts slowly) pass.
wait_ready() {
  local url=$1 pid=$2 polls=$((${3:-300} * 5))
  until curl -sf -o /dev/null "$url"; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$polls" -le 0 ]; then
      echo "no answer from $url" >&2
      return 1
    fi
    sleep 0.2
    polls=$((polls - 1))
  done
}

# serve_bench BIN PORT [WORKERS]: starts BIN serving TRILATERAL_DATABASE_URL on 127.0.0.1:PORT
# with WORKERS (default 2) in the background, sets SERVER_PID to its process id and returns once
# /readyz answers (see wait_ready). Not in a subshell, so that the server is a child of the calling
# script and SERVER_PID reaches it.
serve_bench() {
  local bin=$1 port=$2
  TRILATERAL_LOG=warn "$bin" serve --bind "127.0.0.1:$port" --workers "${3:-2}" &
  SERVER_PID=$!
  wait_ready "127.0.0.1:$port/readyz" "$SERVER_PID"
}

# nginx_config DIR ROOT PORT WORKERS: writes DIR/nginx.conf (and DIR/tmp) for nginx serving the
# files in ROOT on 127.0.0.1:PORT, the anchor for Trilateral's own bytes: every path inside DIR
# (no root needed), access_log off, sendfile, long keep-alive, Trilateral's content types
# (text/csv with charset=utf-8, JSON without). With one worker nginx runs as a single process, so
# that a profiler started on it sees the requests. Start it with:
#   nginx -p DIR/ -c DIR/nginx.conf -e DIR/error.log
nginx_config() {
  local dir=$1 root=$2 port=$3 workers=$4 single=
  [ "$workers" != 1 ] || single="master_process off;"
  mkdir -p "$dir/tmp"
  cat > "$dir/nginx.conf" <<EOF
daemon off;
$single
worker_processes $workers;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
  types { application/json json; text/csv csv; }
  default_type application/octet-stream;
  charset utf-8;
  charset_types text/csv;
  access_log off;
  sendfile on;
  keepalive_requests 1000000;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  server {
    listen 127.0.0.1:$port;
    root $root;
  }
}
EOF
}
