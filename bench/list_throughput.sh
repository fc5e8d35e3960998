#!/usr/bin/env bash
# GET of a 100-item list from the store (SQLite), authenticated, keep-alive, 64 connections, with wrk;
# then nginx serving the same bytes as a static file with the same wrk settings: the ceiling.
# Prints both wrk reports and Atrium's ratio to nginx. Usage: bench/list_throughput.sh BINARY [SECONDS]
set -euo pipefail
bin=$(readlink -f "$1")
secs=${2:-10}
work=$(mktemp -d /tmp/atrium-bench-XXXXXX)
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
nport=$(free_port)
cleanup() {
  [ -n "${apid:-}" ] && kill -TERM "$apid" 2>/dev/null && wait "$apid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ATRIUM_LOG_LEVEL=warn "$bin" serve --data-dir "$work/data" --listen "127.0.0.1:$port" --console-dir "" \
  --threads "${ATRIUM_BENCH_THREADS:-2}" 2>"$work/atrium.log" &
apid=$!
for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.05; done
token=$(cat "$work/data/admin.token")
for i in $(seq -w 1 100); do
  curl -fs -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"apiVersion\":\"tenant.atrium.io/v1\",\"kind\":\"Workspace\",\"metadata\":{\"name\":\"team-$i\",\"labels\":{\"tier\":\"gold\",\"region\":\"eu\"}},\"spec\":{\"displayName\":\"Team $i\",\"description\":\"Payments team number $i\",\"manager\":\"lead-$i\",\"clusters\":[\"sandbox\",\"production\"]}}" \
    "http://127.0.0.1:$port/api/v1/workspaces"
done
url="http://127.0.0.1:$port/api/v1/workspaces?limit=100&sortBy=name&ascending=true"
curl -fs -H "Authorization: Bearer $token" "$url" >"$work/list.json"
items=$(/usr/bin/python3 -c "import json,sys; d=json.load(open('$work/list.json')); print(len(d['items']), d['total'])")
bytes=$(stat -c %s "$work/list.json")

mkdir -p "$work/www"
cp "$work/list.json" "$work/www/list.json"
chmod 755 "$work" "$work/www" && chmod 644 "$work/www/list.json"  # nginx workers run as www-data
cat >"$work/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nport;
    root $work/www;
    location / { default_type application/json; }
  }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work"
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$nport/list.json" >/dev/null && break; sleep 0.05; done

echo "== list response: $items items/total, $bytes bytes; wrk -t2 -c64 -d${secs}s --latency"
echo "== atrium $(git -C "$(dirname "$0")/.." rev-parse --short HEAD 2>/dev/null) (${ATRIUM_BENCH_THREADS:-2} threads, SQLite)"
wrk -t2 -c64 -d"${secs}s" --latency -H "Authorization: Bearer $token" "$url" | tee "$work/atrium.wrk"
echo "== nginx $(nginx -v 2>&1 | cut -d/ -f2) static file of the same bytes (2 workers)"
wrk -t2 -c64 -d"${secs}s" --latency "http://127.0.0.1:$nport/list.json" | tee "$work/nginx.wrk"
rss=$(awk '/VmRSS/{print $2}' /proc/$apid/status)
/usr/bin/python3 - "$work/atrium.wrk" "$work/nginx.wrk" "$rss" <<'PY'
import re, sys
def parse(path):
    t = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)", t)
    p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
    return rps, p99, int(non2xx.group(1)) if non2xx else 0
a, n = parse(sys.argv[1]), parse(sys.argv[2])
print(f"atrium: {a[0]:.0f} req/s, p99 {a[1]:.2f} ms, non-2xx {a[2]} (goal >= 20000 req/s, p99 <= 10 ms)")
print(f"nginx:  {n[0]:.0f} req/s, p99 {n[1]:.2f} ms")
print(f"ratio atrium/nginx: {a[0] / n[0]:.2f} (goal >= 0.5); atrium RSS after load {int(sys.argv[3]) / 1024:.1f} MiB")
if a[2] or n[2]:
    sys.exit("non-2xx responses during the run: the comparison is void")
PY
