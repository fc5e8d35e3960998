#!/usr/bin/env bash
# Runs ctest in a build directory and prints one summary line over every GoogleTest binary:
# "Tests: N passed, N failed, N skipped". A skipped test is a failure when CI is set.
# Unless only unit tests run (-L unit), the project's real Kubernetes clusters are started first
# (tests/support/kube/local-cluster.sh: built once, cached under ~/.cache/atrium) and stopped afterwards when
# this run started them; a cluster that was already healthy is reused and left running.
# Usage: scripts/run_tests.sh BUILD_DIR [ctest args...]
set -uo pipefail
build=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
results="$build/test-results"
rm -rf "$results"
mkdir -p "$results"

cluster=$here/../tests/support/kube/local-cluster.sh
need_cluster=1
for a in "$@"; do [ "$a" = unit ] && need_cluster=0; done
started_cluster=0
if [ $need_cluster = 1 ]; then
  # Builds Kubernetes from Debian's source package on the first run of a machine (progress on stderr).
  "$here/../tests/support/kube/build-kubernetes.sh" >/dev/null || exit 1
  if ! "$cluster" status >/dev/null 2>&1; then started_cluster=1; fi
  echo "run_tests: starting (or reusing) the local Kubernetes clusters"
  if ! "$cluster" up all >/dev/null; then
    echo "run_tests: the local Kubernetes clusters did not start (logs under ~/.cache/atrium/clusters/logs)" >&2
    [ $started_cluster = 1 ] && "$cluster" down
    exit 1
  fi
  if [ $started_cluster = 1 ]; then trap '"$cluster" down' EXIT; fi
fi

ctest --test-dir "$build" --output-on-failure --timeout 900 "$@"
ctest_rc=$?
/usr/bin/python3 "$here/test_summary.py" "$results"
summary_rc=$?

# The web console: component tests (vitest) always; its end-to-end suite (Chromium against this build's atrium
# and the local cluster) when the clusters run.
console_rc=0
echo "run_tests: web console component tests"
"$here/console.sh" test || console_rc=$?
if [ $console_rc -eq 0 ] && [ $need_cluster = 1 ]; then
  echo "run_tests: web console end-to-end tests"
  # shellcheck disable=SC1090
  (. <("$cluster" env) && ATRIUM_E2E_KUBECONFIG="$ATRIUM_KUBE_LOCAL_KUBECONFIG" "$here/console.sh" e2e "$build/atrium") ||
    console_rc=$?
fi
if [ $console_rc -ne 0 ]; then echo "run_tests: web console tests FAILED" >&2; fi

if [ $ctest_rc -ne 0 ]; then exit $ctest_rc; fi
if [ $summary_rc -ne 0 ]; then exit $summary_rc; fi
exit $console_rc
