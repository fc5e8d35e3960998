// KubernetesProjectNamespaces: ProjectNamespaces on real clusters through kube::ClusterConnections (Atrium's own
// credentials). Namespaces are created with a POST (so an existing one is never taken silently), labelled by
// merge patch when adopted; the ResourceQuota and LimitRange are written by server-side apply (field manager
// "atrium"), so a removed quota key disappears. Thread-safe (connections are).
#pragma once

#include <optional>

#include "core/json.h"
#include "kube/cluster_connections.h"
#include "tenancy/project_namespaces.h"

namespace atrium::tenancy {

// The ResourceQuota `atrium-quota` of a project: spec.hard is the project's quota as written.
core::json::object resource_quota_object(const ProjectRef& project, const ProjectQuota& quota);
// The LimitRange `atrium-limits` giving containers default requests and limits for cpu and memory when the
// quota limits them (a ResourceQuota on cpu or memory refuses pods that do not declare them). Defaults: requests
// 100m / 128Mi, limits 500m / 512Mi, each lowered to the quota's hard value when that is smaller. nullopt when
// the quota limits neither cpu nor memory.
std::optional<core::json::object> limit_range_object(const ProjectRef& project, const ProjectQuota& quota);

class KubernetesProjectNamespaces final : public ProjectNamespaces {
 public:
  explicit KubernetesProjectNamespaces(kube::ClusterConnections& connections);

  core::Result<NamespaceOutcome> provision(const ProjectRef& project, const ProjectQuota& quota,
                                           NamespaceAdoption adoption) override;
  core::Status apply_quota(const ProjectRef& project, const ProjectQuota& quota) override;
  core::Status dispose(const ProjectRef& project, NamespaceDisposal disposal) override;

 private:
  kube::ClusterConnections& connections_;
};

}  // namespace atrium::tenancy
