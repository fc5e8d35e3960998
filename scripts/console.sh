#!/usr/bin/env bash
# Builds and tests the web console (web/console) with nothing but node and npm.
#   scripts/console.sh build   install dependencies when needed, build dist/, check translations and size
#   scripts/console.sh test    build, then lint (ESLint: jsx-a11y, react-hooks) and run the component tests (vitest)
#   scripts/console.sh dev     vite dev server proxying /api to $ATRIUM_URL (default http://127.0.0.1:8080)
#   scripts/console.sh e2e ATRIUM_BINARY
#                              build, start that atrium on a free loopback port with a fresh data directory and the
#                              cluster of $ATRIUM_E2E_KUBECONFIG, run the end-to-end suite (web/console/e2e) in
#                              headless Chromium ($ATRIUM_E2E_CHROMIUM, default /usr/bin/chromium), stop atrium.
#                              Screenshots, results.json and atrium's log go to build/e2e/. Exit status: the suite's.
# Dependencies are installed with `npm ci` only when node_modules is missing or package-lock.json changed
# (a stamp in node_modules records the lock file's hash); downloads are cached in ~/.cache/atrium/npm.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
console="$root/web/console"
cache="${ATRIUM_NPM_CACHE:-$HOME/.cache/atrium/npm}"
stamp="$console/node_modules/.atrium-lock-stamp"

die() {
  echo "console.sh: $*" >&2
  exit 1
}

check_tools() {
  command -v node >/dev/null || die "node is not installed (Node.js 20.19 or newer is needed)"
  command -v npm >/dev/null || die "npm is not installed"
  local v
  v="$(node -p 'process.versions.node')"
  node -e '
    const [a, b] = process.versions.node.split(".").map(Number);
    process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1);
  ' || die "node $v is too old: Vite 8 needs 20.19 or newer"
}

lock_hash() {
  { cat "$console/package-lock.json"; node -p 'process.versions.node.split(".")[0]'; } | sha256sum | cut -d' ' -f1
}

install_deps() {
  local want
  want="$(lock_hash)"
  if [[ -d "$console/node_modules" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  echo "console.sh: installing dependencies (npm ci, cache $cache)"
  mkdir -p "$cache"
  (cd "$console" && npm ci --cache "$cache" --prefer-offline --no-audit --no-fund)
  echo "$want" >"$stamp"
}

build() {
  install_deps
  (cd "$console" && npm run --silent build && npm run --silent check:i18n && npm run --silent check:size)
}

run_tests() {
  (cd "$console" && npm run --silent lint && npm test --silent)
}

with_lock() {
  # make test and make run may call this at the same time: one npm ci / build at a time.
  if command -v flock >/dev/null; then
    exec 9>"$console/.console.lock"
    flock 9
  fi
  "$@"
}

# A TCP port nothing listens on (the kernel's choice, released before atrium takes it).
free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

e2e() {
  local binary="${1:-}"
  [[ -n "$binary" ]] || die "usage: console.sh e2e PATH_TO_ATRIUM_BINARY"
  [[ -x "$binary" ]] || die "no atrium binary at $binary"
  binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"
  local chromium="${ATRIUM_E2E_CHROMIUM:-/usr/bin/chromium}"
  [[ -x "$chromium" ]] || die "Chromium is not installed at $chromium (apt-get install chromium, or set ATRIUM_E2E_CHROMIUM)"
  local kubeconfig="${ATRIUM_E2E_KUBECONFIG:-}"
  if [[ -z "$kubeconfig" && -x "$root/tests/support/kube/local-cluster.sh" ]]; then
    # for a developer's run: the local cluster's admin kubeconfig, when it is up
    kubeconfig="$( (. <("$root/tests/support/kube/local-cluster.sh" env 2>/dev/null) && echo "${ATRIUM_KUBE_LOCAL_KUBECONFIG:-}") || true)"
  fi
  [[ -n "$kubeconfig" && -f "$kubeconfig" ]] || die "set ATRIUM_E2E_KUBECONFIG to the kubeconfig of the local cluster (tests/support/kube/local-cluster.sh up)"
  local registry="${ATRIUM_E2E_REGISTRY:-${ATRIUM_REGISTRY:-127.0.0.1:25000}}"

  with_lock build
  exec 9>&- # the build lock is not held while the suite runs
  local out="$root/build/e2e"
  mkdir -p "$out/screenshots"
  rm -f "$out"/screenshots/*.png "$out/results.json"
  local data port password pid rc=0
  data="$(mktemp -d "${TMPDIR:-/tmp}/atrium-e2e.XXXXXX")"
  port="$(free_port)"
  password="e2e-$(node -e 'console.log(require("crypto").randomBytes(12).toString("hex"))')-Aa1"
  echo "console.sh: starting $binary on 127.0.0.1:$port (data $data, log $out/atrium.log)"
  ATRIUM_ADMIN_PASSWORD="$password" "$binary" serve --data-dir "$data" --listen "127.0.0.1:$port" \
    --console-dir "$console/dist" --kubeconfig "$kubeconfig" >"$out/atrium.log" 2>&1 &
  pid=$!
  stop_atrium() {
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    rm -rf "$data"
  }
  trap stop_atrium EXIT
  local ready=0
  for _ in $(seq 1 120); do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -20 "$out/atrium.log" >&2
      die "atrium exited before it was ready"
    fi
    if node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
      "http://127.0.0.1:$port/readyz"; then
      ready=1
      break
    fi
    sleep 0.5
  done
  [[ $ready = 1 ]] || { tail -20 "$out/atrium.log" >&2; die "atrium was not ready after 60 s"; }
  (cd "$console" && ATRIUM_E2E_URL="http://127.0.0.1:$port" ATRIUM_E2E_ADMIN_PASSWORD="$password" \
    ATRIUM_E2E_REGISTRY="$registry" ATRIUM_E2E_OUT="$out" ATRIUM_E2E_CHROMIUM="$chromium" node e2e/run.mjs) || rc=$?
  stop_atrium
  trap - EXIT
  return $rc
}

cmd="${1:-build}"
check_tools
case "$cmd" in
  build) with_lock build ;;
  test)
    with_lock build
    run_tests
    ;;
  dev)
    with_lock install_deps
    cd "$console" && exec npx vite
    ;;
  e2e)
    shift
    e2e "$@"
    ;;
  *) die "unknown command \"$cmd\" (build, test, dev or e2e)" ;;
esac
