#!/usr/bin/env bash
# Real Kubernetes clusters on loopback for Atrium's tests, `make run` and benchmarks. Two clusters:
#   local   full single node: etcd, kube-apiserver, controller-manager, scheduler, containerd + kubelet, and a
#           local image registry holding the only images pods may use (pause, busybox);
#   second  control plane only (its own etcd, kube-apiserver, controller-manager), for multi-cluster tests.
# Binaries come from build-kubernetes.sh (Debian's source package, cached). Everything lives under $ROOT; the
# few host paths kubelet/containerd insist on are cleaned by `down`. Nothing listens beyond 127.0.0.1.
# There can be one kubelet per machine, so `up` reuses a healthy running cluster; `up` and `down` are idempotent.
#
# Usage: local-cluster.sh up [local|second|all]   start (or reuse) and wait until ready; prints the env file
#        local-cluster.sh down                    stop everything started from $ROOT, clean host side effects
#        local-cluster.sh status                  exit 0 when both clusters are healthy
#        local-cluster.sh env                     the env file: kubeconfig paths, kubectl, registry
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${ATRIUM_CACHE:-$HOME/.cache/atrium}
ROOT=${ATRIUM_CLUSTERS:-$CACHE/clusters}
REG=127.0.0.1:25000
LOCAL_API=26443
SECOND_API=26444
CNI_BRIDGE=atrium0
CNI_SUBNET=10.244.0.0/24

log() { echo "[local-cluster $(date +%H:%M:%S)] $*" >&2; }

node_name() {
  local h; h=$(hostname)
  if [ "$(getent ahostsv4 "$h" 2>/dev/null | awk '{print $1; exit}')" = 127.0.0.1 ]; then echo "$h"; else echo localhost; fi
}

# daemon NAME CMD... : start in its own session, log to $ROOT/logs/NAME.log, PID in $ROOT/run/NAME.pid. The
# daemon must not inherit fd 9 (the lock of `up`), or the lock would be held for as long as it runs.
daemon() {
  local name=$1; shift
  if running "$name"; then return 0; fi
  setsid "$@" >"$ROOT/logs/$name.log" 2>&1 </dev/null 9>&- &
  echo $! >"$ROOT/run/$name.pid"
  log "started $name (pid $!)"
}
# A killed daemon may linger as a zombie until init reaps it: that is not running.
running() {
  local p
  [ -f "$ROOT/run/$1.pid" ] || return 1
  p=$(cat "$ROOT/run/$1.pid")
  kill -0 "$p" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ]
}
stop_daemon() {
  local f=$ROOT/run/$1.pid p
  [ -f "$f" ] || return 0
  p=$(cat "$f")
  if kill -0 "$p" 2>/dev/null; then
    kill "$p" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null || true
    log "stopped $1"
  fi
  rm -f "$f"
}
# wait_for SECONDS WHAT CMD... : poll CMD until it succeeds or the deadline passes.
wait_for() {
  local t=$1 what=$2; shift 2
  local end=$(($(date +%s) + t))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge $end ]; then
      log "timed out after ${t}s waiting for $what; last log lines:"
      tail -n 20 "$ROOT/logs/"*"${what%% *}"*.log >&2 2>/dev/null || true
      return 1
    fi
    sleep 0.2
  done
}

ensure_packages() {
  local want=(etcd-server containerd runc containernetworking-plugins buildah docker-registry busybox-static openssl iproute2 curl) missing=()
  for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-upgrade --no-install-recommends "${missing[@]}" >&2 ||
    { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-upgrade --no-install-recommends "${missing[@]}" >&2; }
}

# ---- certificates and credentials (made once per $ROOT) -------------------------------------------------------
make_pki() {
  local d=$ROOT/pki
  [ -f "$d/done" ] && return 0
  mkdir -p "$d" && cd "$d"
  openssl genrsa -out ca.key 2048 2>/dev/null
  openssl req -x509 -new -nodes -key ca.key -sha256 -days 3650 -subj "/CN=atrium-test-ca" -out ca.crt
  sign() { # name subject ext
    openssl genrsa -out "$1.key" 2048 2>/dev/null
    openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
    printf '%b' "$3" >"$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 -sha256 -extfile "$1.ext" -out "$1.crt" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
  }
  local server='basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n'
  local client='basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n'
  local node; node=$(node_name)
  sign apiserver "/CN=kube-apiserver" "${server}subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\n"
  sign kubelet-serving "/CN=system:node:$node/O=system:nodes" "${server}subjectAltName=DNS:$node,DNS:localhost,IP:127.0.0.1\n"
  sign kubelet-client "/CN=system:node:$node/O=system:nodes" "$client"
  sign apiserver-kubelet-client "/CN=kube-apiserver-kubelet-client/O=system:masters" "$client"
  # A client certificate for the admin too, so kubeconfigs with certificate credentials are tested for real.
  sign admin-client "/CN=cert-admin/O=system:masters" "$client"
  openssl genrsa -out sa.key 2048 2>/dev/null && openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  printf '%s,admin,admin-uid,"system:masters"\n%s,system:kube-controller-manager,kcm-uid\n%s,system:kube-scheduler,sched-uid\n' \
    "$(openssl rand -hex 24)" "$(openssl rand -hex 24)" "$(openssl rand -hex 24)" >tokens.csv
  chmod 600 ./*.key tokens.csv
  touch done
}
token_of() { awk -F, -v u="$1" '$2==u{print $1}' "$ROOT/pki/tokens.csv"; }

# kubeconfig FILE PORT USER (token credentials; CA embedded)
kubeconfig() {
  local ca; ca=$(base64 -w0 <"$ROOT/pki/ca.crt")
  cat >"$1" <<KC
apiVersion: v1
kind: Config
clusters:
- name: cluster
  cluster: {server: "https://127.0.0.1:$2", certificate-authority-data: "$ca"}
users:
- name: user
  user: {token: "$(token_of "$3")"}
contexts:
- name: default
  context: {cluster: cluster, user: user}
current-context: default
KC
  chmod 600 "$1"
}
kubeconfig_cert() { # FILE PORT CERT_NAME
  cat >"$1" <<KC
apiVersion: v1
kind: Config
clusters:
- name: cluster
  cluster: {server: "https://127.0.0.1:$2", certificate-authority-data: "$(base64 -w0 <"$ROOT/pki/ca.crt")"}
users:
- name: user
  user: {client-certificate-data: "$(base64 -w0 <"$ROOT/pki/$3.crt")", client-key-data: "$(base64 -w0 <"$ROOT/pki/$3.key")"}
contexts:
- name: default
  context: {cluster: cluster, user: user}
current-context: default
KC
  chmod 600 "$1"
}

# ---- control plane (both clusters) ----------------------------------------------------------------------------
# control_plane NAME API_PORT ETCD_PORT KCM_PORT [scheduler]
control_plane() {
  local name=$1 api=$2 etcd=$3 kcm=$4 sched=${5:-}
  local d=$ROOT/$name p=$ROOT/pki
  mkdir -p "$d/etcd" "$d/kubeconfigs"
  kubeconfig "$d/kubeconfigs/admin.kubeconfig" "$api" admin
  kubeconfig "$d/kubeconfigs/controller-manager.kubeconfig" "$api" system:kube-controller-manager
  kubeconfig "$d/kubeconfigs/scheduler.kubeconfig" "$api" system:kube-scheduler
  kubeconfig_cert "$d/kubeconfigs/admin-cert.kubeconfig" "$api" admin-client
  daemon "$name-etcd" /usr/bin/etcd --name "$name" --data-dir "$d/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd" --advertise-client-urls "http://127.0.0.1:$etcd" \
    --listen-peer-urls "http://127.0.0.1:$((etcd + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((etcd + 1))" \
    --initial-cluster "$name=http://127.0.0.1:$((etcd + 1))" --listen-metrics-urls "http://127.0.0.1:$((etcd + 2))"
  wait_for 60 "$name-etcd" curl -sf "http://127.0.0.1:$etcd/health"
  daemon "$name-apiserver" "$BIN/kube-apiserver" \
    --bind-address=127.0.0.1 --secure-port="$api" --advertise-address=127.0.0.1 \
    --etcd-servers="http://127.0.0.1:$etcd" \
    --tls-cert-file="$p/apiserver.crt" --tls-private-key-file="$p/apiserver.key" \
    --client-ca-file="$p/ca.crt" --token-auth-file="$p/tokens.csv" \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
    --service-cluster-ip-range=10.96.0.0/16 \
    --service-account-key-file="$p/sa.pub" --service-account-signing-key-file="$p/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --kubelet-client-certificate="$p/apiserver-kubelet-client.crt" --kubelet-client-key="$p/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$p/ca.crt" --kubelet-preferred-address-types=Hostname \
    --allow-privileged=true --profiling=false --v=0
  wait_for 120 "$name-apiserver" api_ready "$api"
  local kc=$d/kubeconfigs/controller-manager.kubeconfig
  daemon "$name-controller-manager" "$BIN/kube-controller-manager" \
    --kubeconfig="$kc" --authentication-kubeconfig="$kc" --authorization-kubeconfig="$kc" \
    --bind-address=127.0.0.1 --secure-port="$kcm" --port=0 --leader-elect=false \
    --use-service-account-credentials=true \
    --service-account-private-key-file="$p/sa.key" --root-ca-file="$p/ca.crt" \
    --cluster-signing-cert-file="$p/ca.crt" --cluster-signing-key-file="$p/ca.key" \
    --service-cluster-ip-range=10.96.0.0/16 --flex-volume-plugin-dir="$d/volume-plugins" --v=0
  if [ -n "$sched" ]; then
    kc=$d/kubeconfigs/scheduler.kubeconfig
    daemon "$name-scheduler" "$BIN/kube-scheduler" \
      --kubeconfig="$kc" --authentication-kubeconfig="$kc" --authorization-kubeconfig="$kc" \
      --bind-address=127.0.0.1 --secure-port="$sched" --port=0 --leader-elect=false --v=0
    wait_for 60 "$name-scheduler" curl -skf "https://127.0.0.1:$sched/healthz"
  fi
  wait_for 60 "$name-controller-manager" curl -skf "https://127.0.0.1:$kcm/healthz"
}
api_ready() {
  [ "$(curl -sf --cacert "$ROOT/pki/ca.crt" -H "Authorization: Bearer $(token_of admin)" "https://127.0.0.1:$1/readyz")" = ok ]
}

# ---- images: built once with buildah (vfs, chroot isolation), kept in the registry's storage ---------------------
BUILDAH() { buildah --root "$ROOT/buildah/root" --runroot "$ROOT/buildah/runroot" --storage-driver vfs "$@"; }
make_images() {
  [ -f "$ROOT/images/done" ] && return 0
  mkdir -p "$ROOT/images/busybox/bin" "$ROOT/images/busybox/tmp" "$ROOT/images/busybox/www"
  export BUILDAH_ISOLATION=chroot
  cp /bin/busybox "$ROOT/images/busybox/bin/"
  for a in sh ls cat echo sleep httpd wget hostname id ps date env head tail seq yes true false grep; do
    ln -sf busybox "$ROOT/images/busybox/bin/$a"
  done
  echo "hello from atrium busybox" >"$ROOT/images/busybox/www/index.html"
  local c
  c=$(BUILDAH from scratch)
  BUILDAH copy "$c" "$BIN/pause" /pause >/dev/null
  BUILDAH config --entrypoint '["/pause"]' --user 65535:65535 --os linux --arch amd64 "$c"
  BUILDAH commit --quiet --format docker "$c" "$REG/atrium/pause:3.4" >/dev/null
  BUILDAH rm "$c" >/dev/null
  c=$(BUILDAH from scratch)
  BUILDAH copy "$c" "$ROOT/images/busybox/" / >/dev/null
  BUILDAH config --cmd '["/bin/sh"]' --env PATH=/bin --os linux --arch amd64 "$c"
  BUILDAH commit --quiet --format docker "$c" "$REG/atrium/busybox:1" >/dev/null
  BUILDAH tag "$REG/atrium/busybox:1" "$REG/atrium/busybox:2"
  BUILDAH rm "$c" >/dev/null
  for i in pause:3.4 busybox:1 busybox:2; do
    BUILDAH push --quiet --tls-verify=false "$REG/atrium/$i" "docker://$REG/atrium/$i"
  done
  touch "$ROOT/images/done"
  log "images pushed to $REG: pause:3.4 busybox:1 busybox:2"
}

# ---- node (local cluster only) ----------------------------------------------------------------------------------
node_configs() {
  local d=$ROOT/local
  mkdir -p "$d/containerd/certs.d/_default" "$d/containerd/certs.d/$REG" "$d/cni/net.d" "$d/cni/ipam" \
    "$d/kubelet/root" "$d/kubelet/pki" "$d/manifests" "$d/volume-plugins"
  # containerd: its paths under $ROOT; restrict_oom_score_adj because this sandbox lacks CAP_SYS_RESOURCE; every
  # registry (docker.io included) resolves to the local one, so a stray image fails with NotFound, offline.
  containerd config default | sed \
    -e "s#^root = .*#root = \"$d/containerd/root\"#" \
    -e "s#^state = .*#state = \"$d/containerd/state\"#" \
    -e "/^\[grpc\]/,/^\[/ s#^  address = .*#  address = \"$d/containerd/containerd.sock\"#" \
    -e "/^\[ttrpc\]/,/^\[/ s#^  address = .*#  address = \"$d/containerd/ttrpc.sock\"#" \
    -e "/^\[debug\]/,/^\[/ s#^  address = .*#  address = \"\"#" \
    -e "s#sandbox_image = .*#sandbox_image = \"$REG/atrium/pause:3.4\"#" \
    -e "s#bin_dir = \"/opt/cni/bin\"#bin_dir = \"/usr/lib/cni\"#" \
    -e "s#conf_dir = \"/etc/cni/net.d\"#conf_dir = \"$d/cni/net.d\"#" \
    -e "s#restrict_oom_score_adj = false#restrict_oom_score_adj = true#" \
    -e "s#netns_mounts_under_state_dir = false#netns_mounts_under_state_dir = true#" \
    -e "/registry\]/,/registry.auths/ s#config_path = \"\"#config_path = \"$d/containerd/certs.d\"#" \
    >"$d/containerd/config.toml"
  for h in "$REG" _default; do
    printf 'server = "http://%s"\n[host."http://%s"]\n  capabilities = ["pull", "resolve"]\n  skip_verify = true\n' "$REG" "$REG" \
      >"$d/containerd/certs.d/$h/hosts.toml"
  done
  # Pods on an isolated bridge: no gateway, no masquerade; reached through the API (logs, exec) only.
  cat >"$d/cni/net.d/10-atrium.conflist" <<CNI
{"cniVersion": "0.4.0", "name": "atrium", "plugins": [{"type": "bridge", "bridge": "$CNI_BRIDGE", "isGateway": false,
 "ipMasq": false, "hairpinMode": false, "ipam": {"type": "host-local", "dataDir": "$d/cni/ipam",
 "ranges": [[{"subnet": "$CNI_SUBNET"}]]}}]}
CNI
  cat >"$d/kubelet/config.yaml" <<KCFG
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: 20250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 20248
cgroupDriver: cgroupfs
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $ROOT/pki/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $ROOT/pki/kubelet-serving.crt
tlsPrivateKeyFile: $ROOT/pki/kubelet-serving.key
clusterDomain: cluster.local
failSwapOn: false
staticPodPath: $d/manifests
volumePluginDir: $d/volume-plugins
serializeImagePulls: false
makeIPTablesUtilChains: false
maxPods: 250
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
KCFG
  kubeconfig_cert "$d/kubeconfigs/kubelet.kubeconfig" "$LOCAL_API" kubelet-client
}
node_ready() {
  "$BIN/kubectl" --kubeconfig "$ROOT/local/kubeconfigs/admin.kubeconfig" get node "$(node_name)" \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null | grep -qx True
}
start_node() {
  local d=$ROOT/local
  mkdir -p "$ROOT/registry"
  printf 'version: 0.1\nlog: {level: warn}\nstorage:\n  filesystem: {rootdirectory: %s}\n  delete: {enabled: true}\nhttp:\n  addr: %s\n' \
    "$ROOT/registry/data" "$REG" >"$ROOT/registry/config.yml"
  daemon registry /usr/bin/docker-registry serve "$ROOT/registry/config.yml"
  wait_for 20 registry curl -sf "http://$REG/v2/"
  make_images
  node_configs
  daemon containerd /usr/bin/containerd --config "$d/containerd/config.toml"
  wait_for 30 containerd ctr -a "$d/containerd/containerd.sock" version
  # The in-tree AWS credential provider probes a cloud metadata address at start-up unless this is set.
  daemon kubelet env AWS_EC2_METADATA_DISABLED=true "$BIN/kubelet" \
    --config="$d/kubelet/config.yaml" --kubeconfig="$d/kubeconfigs/kubelet.kubeconfig" \
    --root-dir="$d/kubelet/root" --cert-dir="$d/kubelet/pki" \
    --container-runtime=remote --container-runtime-endpoint="unix://$d/containerd/containerd.sock" \
    --pod-infra-container-image="$REG/atrium/pause:3.4" --hostname-override="$(node_name)" --v=0
  wait_for 120 "kubelet (node Ready)" node_ready
}

write_env() {
  cat >"$ROOT/env" <<ENV
ATRIUM_KUBECTL=$BIN/kubectl
ATRIUM_KUBE_LOCAL_KUBECONFIG=$ROOT/local/kubeconfigs/admin.kubeconfig
ATRIUM_KUBE_LOCAL_CERT_KUBECONFIG=$ROOT/local/kubeconfigs/admin-cert.kubeconfig
ATRIUM_KUBE_SECOND_KUBECONFIG=$ROOT/second/kubeconfigs/admin.kubeconfig
ATRIUM_KUBE_NODE=$(node_name)
ATRIUM_KUBE_LOCAL_ETCD=http://127.0.0.1:22379
ATRIUM_REGISTRY=$REG
ATRIUM_KUBE_PKI=$ROOT/pki
ATRIUM_KUBE_BIN=$BIN
ENV
}

healthy_local() { api_ready "$LOCAL_API" && running kubelet && node_ready; }
healthy_second() { api_ready "$SECOND_API"; }

up() {
  local which=${1:-all}
  BIN=$("$HERE/build-kubernetes.sh")
  ensure_packages
  mkdir -p "$ROOT/run" "$ROOT/logs"
  exec 9>"$ROOT/lock"
  flock 9
  make_pki
  if [[ $which == all || $which == local ]]; then
    if healthy_local 2>/dev/null; then log "local cluster already healthy, reused"; else
      control_plane local "$LOCAL_API" 22379 26257 26259
      start_node
      log "local cluster ready (https://127.0.0.1:$LOCAL_API, node $(node_name))"
    fi
  fi
  if [[ $which == all || $which == second ]]; then
    if healthy_second 2>/dev/null; then log "second cluster already healthy, reused"; else
      control_plane second "$SECOND_API" 22479 26258
      log "second cluster ready (https://127.0.0.1:$SECOND_API, no nodes)"
    fi
  fi
  write_env
  echo "$ROOT/env"
}

down() {
  [ -d "$ROOT/run" ] || return 0
  BIN=$("$HERE/build-kubernetes.sh" 2>/dev/null || true)
  local d=$ROOT/local ctr_="ctr -a $ROOT/local/containerd/containerd.sock"
  # Let the kubelet tear pods down first, then kill whatever containerd still runs.
  if running kubelet && [ -n "$BIN" ]; then
    "$BIN/kubectl" --kubeconfig "$d/kubeconfigs/admin.kubeconfig" delete pods --all -A --grace-period=0 --force --wait=false >/dev/null 2>&1 || true
    wait_for 60 "pods gone" bash -c "[ -z \"\$($ctr_ -n k8s.io tasks ls -q 2>/dev/null)\" ]" || true
  fi
  stop_daemon kubelet
  if running containerd; then
    for t in $($ctr_ -n k8s.io tasks ls -q 2>/dev/null); do
      $ctr_ -n k8s.io tasks kill -s SIGKILL "$t" >/dev/null 2>&1 || true
      sleep 0.3
      $ctr_ -n k8s.io tasks delete "$t" >/dev/null 2>&1 || true
    done
  fi
  stop_daemon containerd
  pkill -f "containerd-shim.*$ROOT" 2>/dev/null || true
  for c in second local; do
    stop_daemon "$c-scheduler"; stop_daemon "$c-controller-manager"; stop_daemon "$c-apiserver"; stop_daemon "$c-etcd"
  done
  stop_daemon registry
  # Host side effects of kubelet 1.20 and containerd 1.6.
  grep -o " $d/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  ip link del "$CNI_BRIDGE" 2>/dev/null || true
  rm -rf /var/log/pods /var/log/containers /var/lib/kubelet/device-plugins
  rmdir /var/lib/kubelet 2>/dev/null || true
  rm -rf /run/containerd/s /run/containerd/fifo /run/containerd/runc /run/containerd/io.containerd.* 2>/dev/null || true
  rmdir /run/containerd 2>/dev/null || true
  for h in /sys/fs/cgroup/*/kubepods; do [ -d "$h" ] && find "$h" -depth -type d -exec rmdir {} \; 2>/dev/null || true; done
  log "stopped"
}

case ${1:-} in
  up) up "${2:-all}" ;;
  down) down ;;
  status) BIN=$("$HERE/build-kubernetes.sh"); healthy_local && healthy_second ;;
  env) cat "$ROOT/env" ;;
  *) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac
