// ProjectNamespaces: what a project is on its cluster — a namespace labelled with its workspace and project, with
// Atrium's ResourceQuota and LimitRange. Projects and Workspaces call it around their store commits so a failure
// leaves nothing half-done; the server wires the Kubernetes implementation (kubernetes_namespaces.h), unit tests a
// fake or nothing. Implementations are thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"
#include "tenancy/project.h"

namespace atrium::tenancy {

inline constexpr std::string_view kWorkspaceLabel = "atrium.io/workspace";
inline constexpr std::string_view kProjectLabel = "atrium.io/project";
inline constexpr std::string_view kQuotaName = "atrium-quota";
inline constexpr std::string_view kLimitRangeName = "atrium-limits";

// A project on its cluster; its namespace is named after the project.
struct ProjectRef {
  std::string workspace;
  std::string name;
  std::string cluster;
};

enum class NamespaceAdoption {
  Refuse,  // an existing namespace is AlreadyExists
  Adopt,   // an existing namespace becomes the project's unless another workspace's project holds it
};

enum class NamespaceOutcome {
  Created,  // the namespace did not exist and was made
  Adopted,  // the namespace existed and was labelled
};

enum class NamespaceDisposal {
  Release,  // keep the namespace; remove Atrium's labels, ResourceQuota and LimitRange
  Delete,   // delete the namespace and everything in it
};

class ProjectNamespaces {
 public:
  virtual ~ProjectNamespaces() = default;

  // Makes (or, when asked, adopts) the project's namespace, labels it and applies `quota`. Errors: AlreadyExists
  // for an existing namespace not adopted or held by another workspace's project (the message names it);
  // InvalidArgument naming spec.cluster for a cluster Atrium has not registered; Unavailable for an unreachable
  // cluster; the cluster's own message for anything it refuses. On error nothing
  // is left behind by this call.
  virtual core::Result<NamespaceOutcome> provision(const ProjectRef& project, const ProjectQuota& quota,
                                                   NamespaceAdoption adoption) = 0;
  // Makes the namespace's ResourceQuota and LimitRange match `quota` (both deleted when it is empty).
  virtual core::Status apply_quota(const ProjectRef& project, const ProjectQuota& quota) = 0;
  // Releases or deletes the namespace. A namespace already gone and an unregistered cluster are success.
  virtual core::Status dispose(const ProjectRef& project, NamespaceDisposal disposal) = 0;
};

}  // namespace atrium::tenancy
