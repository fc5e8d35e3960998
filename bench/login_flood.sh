#!/usr/bin/env bash
# [iam] number: while 50 clients hammer POST /api/v1/login with wrong passwords (random user names), authenticated
# GETs of /api/v1/workspaces keep p99 <= 50 ms. Runs the GET load alone, then the same GET load during the flood,
# in one run, and prints both p99s. Usage: bench/login_flood.sh BINARY [SECONDS]
set -euo pipefail
bin=$(readlink -f "$1")
secs=${2:-10}
work=$(mktemp -d /tmp/atrium-flood-XXXXXX)
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() { [ -n "${apid:-}" ] && kill -TERM "$apid" 2>/dev/null && wait "$apid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
ATRIUM_ADMIN_PASSWORD='Flood-Bench-Password-1' ATRIUM_LOG_LEVEL=warn "$bin" serve --data-dir "$work/data" \
  --listen "127.0.0.1:$port" --console-dir "" 2>"$work/atrium.log" &
apid=$!
for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.05; done
token=$(curl -fs -H 'Content-Type: application/json' -d '{"username":"admin","password":"Flood-Bench-Password-1"}' \
  "http://127.0.0.1:$port/api/v1/login" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
for i in $(seq 1 20); do
  curl -fs -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"apiVersion\":\"tenant.atrium.io/v1\",\"kind\":\"Workspace\",\"metadata\":{\"name\":\"team-$i\"},\"spec\":{\"clusters\":[\"sandbox\"]}}" \
    "http://127.0.0.1:$port/api/v1/workspaces"
done
cat >"$work/flood.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  return wrk.format(nil, "/api/v1/login", nil,
    string.format('{"username":"user%d","password":"wrong-password-%d"}', math.random(1, 100000), math.random(1, 1e9)))
end
LUA
get="http://127.0.0.1:$port/api/v1/workspaces"
echo "== GETs alone (wrk -t1 -c8 -d${secs}s)"
wrk -t1 -c8 -d"${secs}s" --latency -H "Authorization: Bearer $token" "$get" | tee "$work/alone.wrk"
echo "== GETs during a login flood (50 connections of wrong passwords)"
wrk -t1 -c50 -d"$((secs + 2))s" -s "$work/flood.lua" "http://127.0.0.1:$port" >"$work/flood.wrk" 2>&1 &
fpid=$!
sleep 1
wrk -t1 -c8 -d"${secs}s" --latency -H "Authorization: Bearer $token" "$get" | tee "$work/during.wrk"
wait $fpid || true
echo "== the flood itself"; cat "$work/flood.wrk"
/usr/bin/python3 - "$work/alone.wrk" "$work/during.wrk" <<'PY'
import re, sys
def p99(path):
    t = open(path).read()
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)", t)
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)], float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
a, d = p99(sys.argv[1]), p99(sys.argv[2])
print(f"GET /api/v1/workspaces p99 alone {a[0]:.2f} ms ({a[1]:.0f} req/s); during the flood {d[0]:.2f} ms ({d[1]:.0f} req/s) (goal <= 50 ms)")
PY
