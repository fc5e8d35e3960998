#!/usr/bin/env bash
# Builds and tests the web console (web/console) with nothing but node and npm.
#   scripts/console.sh build   install dependencies when needed, build dist/, check translations and size
#   scripts/console.sh test    build, then lint (ESLint: jsx-a11y, react-hooks) and run the component tests (vitest)
#   scripts/console.sh dev     vite dev server proxying /api to $ATRIUM_URL (default http://127.0.0.1:8080)
#   scripts/console.sh e2e ATRIUM_BINARY
#                              build, start that atrium on a free loopback port with a fresh data directory and the
#                              cluster of $ATRIUM_E2E_KUBECONFIG, run the end-to-end suite (web/console/e2e) in
#                              headless Chromium ($ATRIUM_E2E_CHROMIUM, default /usr/bin/chromium), stop atrium.
#                              Atrium signs LDAP users in against a throwaway OpenLDAP slapd started for the run
#                              (loopback only; slapd and ldap-utils, from scripts/setup.sh, are required).
#                              Screenshots, results.json and the logs of atrium and slapd go to build/e2e/.
#                              Exit status: the suite's.
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

random_hex() {
  head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'
}

# The directory of the suite's LDAP sign-in test: one user (ldap_user, mail ldap_user@example.com, in
# ldap_group) below ou=people, one group below ou=groups. The LDAP user's password is random per run.
ldap_suffix="dc=atrium,dc=test"
ldap_bind_dn="cn=atrium-search,$ldap_suffix"
ldap_user="ldap-dev"
ldap_group="cn=e2e-developers,ou=groups,$ldap_suffix"
ldap_dir="" ldap_pid="" ldap_url="" ldap_password=""

# Starts a throwaway OpenLDAP slapd: its own slapd.conf (back_mdb; never the package's cn=config) and database in
# a temporary directory, loaded by slapadd, serving plain ldap:// on a free 127.0.0.1 port (loopback only; StartTLS
# is covered by tests/integration/serve_test.cc). Ready when the service account's bind and a search succeed.
# Passwords travel in files of that 0700 directory, never on a command line. stop_ldap removes it all.
start_ldap() {
  local log="$1" bin started bind_hash user_hash attempt
  for bin in /usr/sbin/slapd /usr/sbin/slapadd /usr/sbin/slappasswd /usr/bin/ldapsearch; do
    [[ -x "$bin" ]] || die "$bin is not installed: the e2e suite signs in through a real OpenLDAP directory" \
      "(scripts/setup.sh installs slapd and ldap-utils)"
  done
  started="${EPOCHREALTIME/./}"
  ldap_dir="$(mktemp -d "${TMPDIR:-/tmp}/atrium-e2e-ldap.XXXXXX")"
  mkdir "$ldap_dir/data"
  ldap_password="ldap-$(random_hex 12)-Aa1"
  (
    umask 077
    printf '%s' "$(random_hex 16)" >"$ldap_dir/bind.password"
    printf '%s' "$ldap_password" >"$ldap_dir/user.password"
  )
  bind_hash="$(/usr/sbin/slappasswd -h '{SSHA}' -T "$ldap_dir/bind.password")"
  user_hash="$(/usr/sbin/slappasswd -h '{SSHA}' -T "$ldap_dir/user.password")"
  rm -f "$ldap_dir/user.password"
  printf '%s\n' \
    "include /etc/ldap/schema/core.schema" \
    "include /etc/ldap/schema/cosine.schema" \
    "include /etc/ldap/schema/inetorgperson.schema" \
    "modulepath /usr/lib/ldap" \
    "moduleload back_mdb" \
    "pidfile $ldap_dir/slapd.pid" \
    "argsfile $ldap_dir/slapd.args" \
    "database mdb" \
    "maxsize 16777216" \
    "suffix \"$ldap_suffix\"" \
    "rootdn \"$ldap_bind_dn\"" \
    "rootpw $bind_hash" \
    "directory $ldap_dir/data" \
    "index objectClass eq" \
    "index uid,member eq" \
    "access to attrs=userPassword by anonymous auth by self write by * none" \
    "access to * by * read" >"$ldap_dir/slapd.conf"
  printf '%s\n' \
    "dn: $ldap_suffix" "objectClass: dcObject" "objectClass: organization" "o: Atrium e2e" "dc: atrium" "" \
    "dn: ou=people,$ldap_suffix" "objectClass: organizationalUnit" "ou: people" "" \
    "dn: ou=groups,$ldap_suffix" "objectClass: organizationalUnit" "ou: groups" "" \
    "dn: uid=$ldap_user,ou=people,$ldap_suffix" "objectClass: inetOrgPerson" "uid: $ldap_user" "cn: LDAP Developer" \
    "sn: Developer" "mail: $ldap_user@example.com" "userPassword: $user_hash" "" \
    "dn: $ldap_group" "objectClass: groupOfNames" "cn: e2e-developers" "member: uid=$ldap_user,ou=people,$ldap_suffix" \
    >"$ldap_dir/base.ldif"
  /usr/sbin/slapadd -f "$ldap_dir/slapd.conf" -l "$ldap_dir/base.ldif" >"$log" 2>&1 || {
    cat "$log" >&2
    die "slapadd failed"
  }
  # The port is free when chosen, not necessarily when slapd binds it: a few tries, each with another one.
  for attempt in 1 2 3 4 5; do
    ldap_url="ldap://127.0.0.1:$(free_port)"
    # -d 0: in the foreground ($! is slapd itself), logging nothing but errors
    /usr/sbin/slapd -d 0 -f "$ldap_dir/slapd.conf" -h "$ldap_url/" >>"$log" 2>&1 &
    ldap_pid=$!
    for _ in $(seq 1 200); do
      kill -0 "$ldap_pid" 2>/dev/null || break
      if /usr/bin/ldapsearch -x -o nettimeout=2 -H "$ldap_url" -D "$ldap_bind_dn" -y "$ldap_dir/bind.password" \
        -b "$ldap_suffix" -s base -LLL dn >/dev/null 2>&1; then
        echo "console.sh: slapd ready on $ldap_url in $(((${EPOCHREALTIME/./} - started) / 1000)) ms (try $attempt; log $log)"
        return 0
      fi
      sleep 0.05
    done
    stop_slapd
  done
  tail -20 "$log" >&2
  die "slapd did not answer on 127.0.0.1 (5 ports tried)"
}

stop_slapd() {
  [[ -n "$ldap_pid" ]] || return 0
  if kill -0 "$ldap_pid" 2>/dev/null; then
    kill -TERM "$ldap_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$ldap_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$ldap_pid" 2>/dev/null || true
  fi
  wait "$ldap_pid" 2>/dev/null || true
  ldap_pid=""
}

stop_ldap() {
  stop_slapd
  [[ -z "$ldap_dir" ]] || rm -rf "$ldap_dir"
  ldap_dir=""
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
  rm -f "$out"/screenshots/*.png "$out/results.json" "$out/slapd.log"
  local data="" port password pid="" rc=0
  # Whatever happens from here on (a failure, exit, Ctrl-C), atrium and slapd are stopped and their data removed.
  stop_e2e() {
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    [[ -z "$pid" ]] || wait "$pid" 2>/dev/null || true
    [[ -z "$data" ]] || rm -rf "$data"
    stop_ldap
  }
  trap stop_e2e EXIT
  start_ldap "$out/slapd.log"
  data="$(mktemp -d "${TMPDIR:-/tmp}/atrium-e2e.XXXXXX")"
  port="$(free_port)"
  password="e2e-$(random_hex 12)-Aa1"
  echo "console.sh: starting $binary on 127.0.0.1:$port (data $data, log $out/atrium.log)"
  ATRIUM_ADMIN_PASSWORD="$password" "$binary" serve --data-dir "$data" --listen "127.0.0.1:$port" \
    --console-dir "$console/dist" --kubeconfig "$kubeconfig" \
    --ldap-url "$ldap_url" --ldap-bind-dn "$ldap_bind_dn" --ldap-bind-password-file "$ldap_dir/bind.password" \
    --ldap-user-base "ou=people,$ldap_suffix" --ldap-user-filter "(&(objectClass=inetOrgPerson)(uid=%s))" \
    --ldap-group-base "ou=groups,$ldap_suffix" --ldap-group-filter "(&(objectClass=groupOfNames)(member=%s))" \
    >"$out/atrium.log" 2>&1 &
  pid=$!
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
    ATRIUM_E2E_REGISTRY="$registry" ATRIUM_E2E_OUT="$out" ATRIUM_E2E_CHROMIUM="$chromium" \
    ATRIUM_E2E_LDAP_USER="$ldap_user" ATRIUM_E2E_LDAP_PASSWORD="$ldap_password" ATRIUM_E2E_LDAP_GROUP="$ldap_group" \
    node e2e/run.mjs) || rc=$?
  stop_e2e
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
