// The Cluster kind (cluster.atrium.io/v1, platform scope, served at /api/v1/clusters): a Kubernetes cluster
// Atrium acts on, registered by kubeconfig. spec.kubeconfig is write-only (sealed at rest, never encoded back);
// status is observed by ClusterRegistry's prober and never stored. Schemas are immutable; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "schema/resource.h"

namespace atrium::kube {

inline constexpr std::string_view kClusterKind = "Cluster";
inline constexpr std::string_view kClusterGroup = "cluster.atrium.io";

struct ClusterSpec {
  std::string display_name;
  std::string description;
  std::string kubeconfig;  // write-only: the uploaded kubeconfig (plaintext only while a request is handled)
  std::string context;     // empty: the kubeconfig's current-context

  static const schema::Struct<ClusterSpec>& schema();
};

struct NodeCounts {
  std::int64_t total = 0;
  std::int64_t ready = 0;

  static const schema::Struct<NodeCounts>& schema();
};

struct ControlPlaneHealth {
  bool healthy = false;
  std::string endpoint;             // "/readyz" or "/healthz"
  std::vector<std::string> failed;  // names of failed checks ("etcd", "poststarthook/...")

  static const schema::Struct<ControlPlaneHealth>& schema();
};

// One preflight check: of `action`, named `check`, with the reason it failed (or what it verified).
struct PreflightCheck {
  std::string action;
  std::string check;
  bool passed = false;
  std::string reason;

  static const schema::Struct<PreflightCheck>& schema();
};

inline constexpr std::string_view kPhaseReady = "Ready";
inline constexpr std::string_view kPhaseUnreachable = "Unreachable";
inline constexpr std::string_view kPhaseUnknown = "Unknown";

struct ClusterStatus {
  std::string phase = std::string(kPhaseUnknown);  // Ready | Unreachable | Unknown (not probed yet)
  std::string kubernetes_version;                  // "v1.20.2"
  NodeCounts nodes;
  ControlPlaneHealth control_plane;
  std::string last_probe_time;  // RFC 3339
  std::string message;          // why Unreachable, or what the last probe could not read
  std::string source;           // "api" (stored) or "configuration" (the server's kubeconfig setting)
  std::vector<PreflightCheck> preflight;

  static const schema::Struct<ClusterStatus>& schema();
};

const schema::ResourceType& cluster_type();

}  // namespace atrium::kube
