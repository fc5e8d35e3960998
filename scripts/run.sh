#!/usr/bin/env bash
# `make run`: starts Atrium on its embedded defaults (SQLite in DATA_DIR) and prints how to log in.
# Usage: scripts/run.sh BINARY DATA_DIR LISTEN
set -euo pipefail
bin=$1 data=$2 listen=$3
mkdir -p "$data"
if [ -d web/console/dist ]; then export ATRIUM_CONSOLE_DIR="$PWD/web/console/dist"; fi
"$bin" serve --data-dir "$data" --listen "$listen" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid' INT TERM
for _ in $(seq 1 100); do
  if curl -fsS "http://$listen/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 $pid 2>/dev/null; then wait $pid; exit $?; fi
  sleep 0.1
done
cat <<MSG

  Atrium is running at http://$listen   (stop with Ctrl-C)

  Log in with the bootstrap administrator token (until users arrive with [iam]):
    token file:  $data/admin.token
    curl:        curl -H "Authorization: Bearer \$(cat $data/admin.token)" http://$listen/api/v1/workspaces
    CLI:         build/atrium config set-server http://$listen
                 ATRIUM_TOKEN=\$(cat $data/admin.token) build/atrium workspaces list
  API reference: http://$listen/api/v1/openapi.json

MSG
wait $pid
