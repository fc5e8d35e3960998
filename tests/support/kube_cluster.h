// The project's real Kubernetes clusters for tests (tests/support/kube/local-cluster.sh): `local`, a full single
// node, and `second`, a control plane without nodes. Started on first use and reused while healthy (there can be
// one kubelet per machine); scripts/run_tests.sh stops them after the run when it was the one to start them.
// Tests isolate themselves by namespace (unique_namespace). Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"

namespace atrium::testing {

struct KubeClusters {
  std::string kubectl;                // the kubectl built with the clusters
  std::string local_kubeconfig;       // admin (token) of the full cluster
  std::string local_cert_kubeconfig;  // admin (client certificate) of the full cluster
  std::string second_kubeconfig;      // admin of the control-plane-only cluster
  std::string node;                   // the local cluster's node name
  std::string registry;               // 127.0.0.1:PORT, holds atrium/busybox:1, :2 and atrium/pause:3.4
  std::string pki;                    // the clusters' CA and keys
  std::string bin;                    // kube-apiserver, kubelet, ... (for restart tests)
  std::string root;                   // where the clusters keep state, logs and pid files
};

// Starts (or reuses) both clusters and returns where they are. Unavailable with the launcher's output when they
// cannot be started; never a skip.
core::Result<KubeClusters> kube_clusters();

// A namespace name unique to this process and call: "<prefix>-<pid>-<n>".
std::string unique_namespace(const std::string& prefix);

// Runs kubectl against a kubeconfig: exit status and combined output. `manifest`, when given, is written to a
// temporary file passed as `-f FILE` after `args`.
struct KubectlResult {
  int status = -1;
  std::string output;
};
core::Result<KubectlResult> kubectl(const KubeClusters& clusters, const std::string& kubeconfig,
                                    const std::vector<std::string>& args, const std::string& manifest = {});

}  // namespace atrium::testing
