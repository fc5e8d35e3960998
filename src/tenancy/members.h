// Members of a workspace or a project: views over iam role bindings that first check the workspace (and project)
// exist, so nobody binds roles in a scope that is not there. No HTTP here. Thread-safe.
#pragma once

#include <functional>
#include <string_view>

#include <string>
#include <vector>

#include "core/auth.h"
#include "core/error.h"
#include "iam/role_bindings.h"
#include "storage/store.h"

namespace atrium::tenancy {

// NotFound when `scope` names a workspace, or a project, that does not exist; the platform and clusters (not
// tenancy's to know) always pass. What the server injects into iam::Roles as its iam::ScopeCheck.
core::Status check_scope_exists(storage::Store& store, const core::Scope& scope);

class Members {
 public:
  // `cluster_exists` answers for Cluster scopes (clusters are the registry's to know: stored or configured);
  // without it, cluster members are refused.
  Members(storage::Store& store, iam::RoleBindings& bindings,
          std::function<bool(std::string_view cluster)> cluster_exists = {});

  // `scope` is a Platform, Cluster, Workspace or Project scope; NotFound when it does not exist. Other errors as
  // iam::RoleBindings.
  core::Result<std::vector<iam::Member>> list(const core::Scope& scope);
  core::Result<iam::Member> get(const core::Scope& scope, std::string_view id);
  core::Result<iam::Member> add(const core::Scope& scope, const iam::Member& member);
  core::Result<iam::Member> change_role(const core::Scope& scope, std::string_view id, std::string role);
  core::Status remove(const core::Scope& scope, std::string_view id);

 private:
  core::Status check_exists(const core::Scope& scope);

  storage::Store& store_;
  iam::RoleBindings& bindings_;
  std::function<bool(std::string_view)> cluster_exists_;
};

}  // namespace atrium::tenancy
