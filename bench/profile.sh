#!/usr/bin/env bash
# Where a request's time goes: runs `trilateral serve --workers 1` under callgrind, sends one
# request path N times over one keep-alive connection after a warm-up, and prints the
# instructions per request (all threads of the server) with the functions that cost most.
# Instruction counts do not move with whatever else the machine is doing, so a change is
# compared with the one before it by running this on both builds.
#
#   bench/profile.sh PATH [N]              e.g. bench/profile.sh '/v1/wages/mx' 2000
#
# Environment:
#   TRILATERAL_DATABASE_URL   the database to serve (default: the file bench/sitting.sh built)
#   TRILATERAL_ANSWER_MEMO_MB 0 profiles first requests (every request runs its queries)
#   BIN                       default target/release/trilateral (built with symbols: release
#                             builds keep them)
#   ACCEPT_ENCODING           sent with every request, e.g. gzip (default: none, identity)
#   NGINX_ROOT                instead of trilateral, profile nginx serving this folder (one
#                             process, access_log off, sendfile), for the cost of HTTP alone
#   PORT                      default 18195
#   TOP                       functions listed (default 25)
# Needs valgrind (callgrind_control, callgrind_annotate) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

path=${1:?usage: bench/profile.sh PATH [N]}
count=${2:-2000}
port=${PORT:-18195}
top=${TOP:-25}
work=bench-data/profile
mkdir -p "$work"
out=$work/callgrind.out
rm -f "$out"*

if [ -n "${NGINX_ROOT:-}" ]; then
  root=$(cd "$NGINX_ROOT" && pwd)
  ngx=$PWD/$work/nginx
  nginx_config "$ngx" "$root" "$port" 1
  command=(nginx -p "$ngx/" -c "$ngx/nginx.conf" -e "$ngx/error.log")
  ready=$path
else
  export TRILATERAL_DATABASE_URL=${TRILATERAL_DATABASE_URL:-bench-data/trilateral_sitting.db}
  command=("${BIN:-target/release/trilateral}" serve --bind "127.0.0.1:$port" --workers 1)
  ready=/readyz
fi

TRILATERAL_LOG=warn valgrind --tool=callgrind --callgrind-out-file="$out" "${command[@]}" \
  > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
wait_ready "127.0.0.1:$port$ready" $server || { cat "$work/server.log" >&2; exit 1; }

# send N: N requests for `path` on one keep-alive connection; fails on any status but 200.
send() {
  python3 - "$port" "$path" "$1" "${ACCEPT_ENCODING:-}" <<'PY'
import http.client, sys
port, path, n, coding = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
headers = {"Accept-Encoding": coding} if coding else {}
conn = http.client.HTTPConnection("127.0.0.1", port)
for _ in range(n):
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        sys.exit(f"{path}: {response.status}")
PY
}

send 50
callgrind_control -z $server > /dev/null 2>&1
send "$count"
callgrind_control -d $server > /dev/null 2>&1
dump=$out.1   # the first dump asked for; the file without a suffix is written at exit

# per_request INCLUSIVE FILTER: the functions (all, or those matching FILTER) by instructions per
# request, their own (INCLUSIVE=no) or with what they call (yes).
per_request() {
  callgrind_annotate --inclusive="$1" --threshold=100 "$dump" | awk -v n="$count" -v top="$top" -v filter="$2" '
    /^-+$/ { rule++; next }
    rule >= 4 && NF >= 3 && $1 ~ /^[0-9,]+$/ && $0 ~ filter {
      share = $0; sub(/^ *[0-9,]+ *\( */, "", share); sub(/%.*$/, "", share)
      if (share + 0 >= 99) next   # the threads'"'"' entry points, which callgrind charges everything to
      ir = $1; gsub(",", "", ir)
      name = $0; sub(/^ *[0-9,]+ *\( *[0-9.]+%\) */, "", name); sub(/ \[.*$/, "", name); sub(/^\?\?\?:/, "", name)
      printf "%10.0f  %s\n", ir / n, substr(name, 1, 120)
      if (++shown >= top) exit
    }' || true   # awk stops reading after TOP lines, which callgrind_annotate takes as a broken pipe
}

total=$(callgrind_annotate "$dump" | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }')
echo "$path${ACCEPT_ENCODING:+ (Accept-Encoding: $ACCEPT_ENCODING)}: $count requests, $total instructions, $((total / count)) per request"
echo
echo "Instructions per request, by function (its own):"
per_request no ''
if [ -z "${NGINX_ROOT:-}" ]; then
  echo
  echo "Instructions per request, by function of the service or the router (with what it calls):"
  per_request yes 'trilateral::|actix_router::|actix_web::app_service'
fi
