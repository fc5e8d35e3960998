#!/usr/bin/env bash
# Builds the Kubernetes binaries (v1.20.2) from Debian bookworm's own `kubernetes` source package, offline
# (the package ships vendor/), and caches them under ~/.cache/atrium/k8s/<source version>/bin. A second call
# with the cache present does nothing. Needs root for apt. About 16 minutes and 2.5 GiB on 2 cores, once.
# Usage: tests/support/kube/build-kubernetes.sh        (prints the bin directory on its last line)
set -euo pipefail
CACHE=${ATRIUM_CACHE:-$HOME/.cache/atrium}
SRC_LIST=/etc/apt/sources.list.d/atrium-deb-src.sources
BINS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl)

log() { echo "[build-kubernetes $(date +%H:%M:%S)] $*" >&2; }

ensure_packages() {
  local want=(golang-go golang-github-modern-go-reflect2-dev dpkg-dev rsync build-essential) missing=()
  for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-upgrade --no-install-recommends "${missing[@]}" ||
    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-upgrade --no-install-recommends "${missing[@]}"; }
}

# The source package's version keys the cache: a Debian security update means a rebuild.
source_version() {
  apt-cache showsrc kubernetes 2>/dev/null | awk '/^Version:/{print $2; exit}'
}

ensure_deb_src() {
  if [ -z "$(source_version)" ]; then
    if [ ! -f "$SRC_LIST" ]; then
      log "adding a deb-src entry for bookworm ($SRC_LIST)"
      printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' >"$SRC_LIST"
    fi
    apt-get update >&2
  fi
  [ -n "$(source_version)" ] || { log "no kubernetes source package found"; exit 1; }
}

ensure_deb_src
VERSION=$(source_version)
BIN=$CACHE/k8s/$VERSION/bin
if [ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/kubectl" ] && [ -x "$BIN/kubelet" ]; then
  echo "$BIN"
  exit 0
fi
ensure_packages
WORK=$CACHE/k8s/$VERSION/src
mkdir -p "$WORK"
cd "$WORK"
TREE=$(find . -maxdepth 1 -type d -name 'kubernetes-*' | head -1)
if [ -z "$TREE" ]; then
  log "fetching the source package kubernetes $VERSION"
  apt-get source --download-only kubernetes >&2 || apt-get source kubernetes >&2
  dpkg-source --no-check -x ./*.dsc >&2 2>/dev/null || true
  TREE=$(find . -maxdepth 1 -type d -name 'kubernetes-*' | head -1)
fi
[ -n "$TREE" ] || { log "source tree not unpacked"; exit 1; }
cd "$TREE"
# k8s 1.20 vendors modern-go/reflect2 1.0.1, whose linkname to reflect.mapiterinit is wrong under Go >= 1.18:
# any map encoded by json-iterator (YAML output, ?pretty=true) crashes the process. Debian packages 1.0.2, which
# is API-compatible: use its files.
R=vendor/github.com/modern-go/reflect2
if [ ! -f "$R/go_above_118.go" ]; then
  log "replacing vendored reflect2 1.0.1 with Debian's 1.0.2"
  rm -f "$R"/*.go "$R"/*.s
  cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.go /usr/share/gocode/src/github.com/modern-go/reflect2/*.s "$R/"
fi
log "building ${BINS[*]} (offline, vendor/)"
export GOPROXY=off GOFLAGS=-mod=vendor CGO_ENABLED=0 GOCACHE=$CACHE/k8s/gocache
WHAT=""
for b in "${BINS[@]}"; do WHAT="$WHAT cmd/$b"; done
make WHAT="${WHAT# }" >&2
mkdir -p "$BIN.tmp"
for b in "${BINS[@]}"; do install -m 0755 "_output/bin/$b" "$BIN.tmp/$b"; done
# pause, the pod sandbox image's only binary, from the same tree.
gcc -Os -static -DVERSION=v3.4-atrium -o "$BIN.tmp/pause" build/pause/linux/pause.c
strip "$BIN.tmp/pause"
rm -rf "$BIN" && mv "$BIN.tmp" "$BIN"
# The Go build cache and the unpacked tree are large; the binaries are what is kept.
rm -rf "$CACHE/k8s/gocache" "$WORK"
log "done: $("$BIN/kube-apiserver" --version)"
echo "$BIN"
