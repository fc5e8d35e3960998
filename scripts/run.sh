#!/usr/bin/env bash
# `make run`: starts Atrium on its embedded defaults (SQLite in DATA_DIR) and prints how to log in. Without a
# kubeconfig (ATRIUM_KUBECONFIG unset), the project's local Kubernetes cluster is started (built once, cached under
# ~/.cache/atrium; tests/support/kube/local-cluster.sh) and registered as cluster `local`; it keeps running after
# Atrium stops (`tests/support/kube/local-cluster.sh down` stops it).
# Usage: scripts/run.sh BINARY DATA_DIR LISTEN
set -euo pipefail
bin=$1 data=$2 listen=$3
mkdir -p "$data"
echo "run: building the web console (web/console)"
scripts/console.sh build >/dev/null
export ATRIUM_CONSOLE_DIR="$PWD/web/console/dist"
if [ -z "${ATRIUM_KUBECONFIG:-}" ]; then
  echo "run: starting the local Kubernetes cluster (the first time builds Kubernetes: about 20 minutes)"
  env_file=$(tests/support/kube/local-cluster.sh up local | tail -1)
  ATRIUM_KUBECONFIG=$(awk -F= '$1=="ATRIUM_KUBE_LOCAL_KUBECONFIG"{print $2}' "$env_file")
  export ATRIUM_KUBECONFIG
fi
"$bin" serve --data-dir "$data" --listen "$listen" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid' INT TERM
for _ in $(seq 1 100); do
  if curl -fsS "http://$listen/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 $pid 2>/dev/null; then wait $pid; exit $?; fi
  sleep 0.1
done
cat <<MSG

  Atrium is running at http://$listen   (stop with Ctrl-C): the web console is there too

  Log in as "admin": the password is \$ATRIUM_ADMIN_PASSWORD if you set it before the first start, otherwise
  the one printed above on the first start (only the hash is kept).
    CLI:   build/atrium --server http://$listen login -u admin
           build/atrium workspaces list
    curl:  curl -d '{"username":"admin","password":"..."}' -H 'Content-Type: application/json' http://$listen/api/v1/login
  Break-glass token (platform admin, keep it secret): $data/admin.token
  API reference: http://$listen/api/v1/openapi.json
  Cluster "local": kubeconfig $ATRIUM_KUBECONFIG   (GET http://$listen/api/v1/clusters)
  kubectl through Atrium (needs HTTPS: set tls.certFile/tls.keyFile): server https://<host>/clusters/local with
  an Atrium API token (docs/adr/006-kubernetes-passthrough-decided-by-atrium.md)

MSG
wait $pid
