#include "kube/cluster.h"

namespace atrium::kube {

const schema::Struct<ClusterSpec>& ClusterSpec::schema() {
  static const auto s =
      schema::Struct<ClusterSpec>("ClusterSpec")
          .field("displayName", &ClusterSpec::display_name,
                 {.description = "Human-readable name shown in the console.", .max_length = 128})
          .field("description", &ClusterSpec::description, {.max_length = 1024})
          .field("kubeconfig", &ClusterSpec::kubeconfig,
                 {.write_only = true,
                  .description = "Kubeconfig (YAML or JSON) Atrium uses to reach the cluster; required on create, "
                                 "optional on update (absent: kept). Sealed at rest, never returned. File fields "
                                 "(certificate-authority, token-file, ...) are refused: give the data inline.",
                  .max_length = 512 * 1024})
          .field("context", &ClusterSpec::context,
                 {.description = "Kubeconfig context to use; empty: its current-context.", .max_length = 253});
  return s;
}

const schema::Struct<NodeCounts>& NodeCounts::schema() {
  static const auto s = schema::Struct<NodeCounts>("ClusterNodeCounts")
                            .field("total", &NodeCounts::total, {.read_only = true})
                            .field("ready", &NodeCounts::ready, {.read_only = true});
  return s;
}

const schema::Struct<ControlPlaneHealth>& ControlPlaneHealth::schema() {
  static const auto s = schema::Struct<ControlPlaneHealth>("ClusterControlPlaneHealth")
                            .field("healthy", &ControlPlaneHealth::healthy, {.read_only = true})
                            .field("endpoint", &ControlPlaneHealth::endpoint, {.read_only = true})
                            .field("failed", &ControlPlaneHealth::failed, {.read_only = true, .max_items = 256});
  return s;
}

const schema::Struct<PreflightCheck>& PreflightCheck::schema() {
  static const auto s = schema::Struct<PreflightCheck>("PreflightCheck")
                            .field("action", &PreflightCheck::action, {.read_only = true})
                            .field("check", &PreflightCheck::check, {.read_only = true})
                            .field("passed", &PreflightCheck::passed, {.read_only = true})
                            .field("reason", &PreflightCheck::reason, {.read_only = true});
  return s;
}

const schema::Struct<ClusterStatus>& ClusterStatus::schema() {
  static const auto s =
      schema::Struct<ClusterStatus>("ClusterStatus")
          .field("phase", &ClusterStatus::phase,
                 {.read_only = true,
                  .description = "Ready, Unreachable (requests fail at once with 503) or Unknown (not probed yet)."})
          .field("kubernetesVersion", &ClusterStatus::kubernetes_version, {.read_only = true})
          .field("nodes", &ClusterStatus::nodes, {.read_only = true})
          .field("controlPlane", &ClusterStatus::control_plane, {.read_only = true})
          .field("lastProbeTime", &ClusterStatus::last_probe_time, {.read_only = true})
          .field("message", &ClusterStatus::message, {.read_only = true})
          .field("source", &ClusterStatus::source, {.read_only = true})
          .field("preflight", &ClusterStatus::preflight,
                 {.read_only = true,
                  .description = "Preflight checks of every known risky action on this version.",
                  .max_items = 256});
  return s;
}

const schema::ResourceType& cluster_type() {
  static const schema::ResourceType t(
      schema::ResourceInfo{.group = std::string(kClusterGroup),
                           .version = "v1",
                           .kind = std::string(kClusterKind),
                           .plural = "clusters",
                           .scope = schema::ResourceScope::Platform,
                           .description = "A Kubernetes cluster Atrium acts on, registered by kubeconfig."},
      ClusterSpec::schema(), &ClusterStatus::schema());
  return t;
}

}  // namespace atrium::kube
