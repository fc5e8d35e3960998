#!/usr/bin/env bash
# Runs every benchmark against a release build and keeps the raw output in bench/results/ with the
# preset, commit and machine. Usage: bench/run_all.sh BUILD_DIR
set -euo pipefail
build=$1
here=$(cd "$(dirname "$0")" && pwd)
commit=$(git -C "$here" rev-parse --short HEAD)
out="$here/results/$(date -u +%Y%m%d-%H%M%S)-$commit.txt"
{
  echo "# preset: $(basename "$build"), commit: $commit$(git -C "$here" diff --quiet || echo ' (dirty)'), $(nproc) cores, $(date -u)"
  echo "## startup and idle memory"
  /usr/bin/python3 "$here/startup_memory.py" "$build/atrium" 5
  echo "## 100-item list throughput vs nginx"
  "$here/list_throughput.sh" "$build/atrium" 10
  echo "## GETs during a login flood"
  "$here/login_flood.sh" "$build/atrium" 10
  if [ -x "$build/authz_bench" ]; then
    echo "## authorisation at scale"
    "$build/authz_bench" --benchmark_min_time=0.2
  fi
  if [ -x "$build/login_timing" ]; then
    echo "## login timing: unknown user vs wrong password"
    "$build/login_timing"
  fi
  if [ -x "$build/kube_cache_bench" ]; then
    echo "## [kube] informer cache: 10,000 Pending pods on the real local cluster"
    env_file=$("$here/../tests/support/kube/local-cluster.sh" up local | tail -1)
    # shellcheck disable=SC1090
    . "$env_file"
    "$build/kube_cache_bench" "$ATRIUM_KUBE_LOCAL_KUBECONFIG" "$ATRIUM_KUBECTL" 10000
  fi
  if [ -x "$build/micro_bench" ]; then
    echo "## micro benchmarks"
    "$build/micro_bench" --benchmark_min_time=0.2
  fi
} 2>&1 | tee "$out"
echo "raw output: $out"
