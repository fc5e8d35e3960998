#include "tenancy/members.h"

#include <fmt/format.h>

#include "tenancy/projects.h"
#include "tenancy/workspaces.h"

namespace atrium::tenancy {

Members::Members(storage::Store& store, iam::RoleBindings& bindings,
                 std::function<bool(std::string_view)> cluster_exists)
    : store_(store), bindings_(bindings), cluster_exists_(std::move(cluster_exists)) {}

core::Status check_scope_exists(storage::Store& store, const core::Scope& scope) {
  if (scope.level != iam::Level::Workspace && scope.level != iam::Level::Project) return {};
  auto ws = store.get(std::string(kWorkspaceKind), "", scope.workspace);
  if (!ws) {
    if (ws.error().code != core::ErrorCode::NotFound) return core::fail(ws.error());
    return core::fail(core::ErrorCode::NotFound, fmt::format("workspace \"{}\" not found", scope.workspace));
  }
  if (scope.level == iam::Level::Project) {
    auto p = store.get(std::string(kProjectKind), "workspace/" + scope.workspace, scope.project);
    if (!p) {
      if (p.error().code != core::ErrorCode::NotFound) return core::fail(p.error());
      return core::fail(core::ErrorCode::NotFound,
                        fmt::format("project \"{}\" not found in workspace {}", scope.project, scope.workspace));
    }
  }
  return {};
}

core::Status Members::check_exists(const core::Scope& scope) {
  if (scope.level == iam::Level::Platform) return {};  // the platform always exists
  if (scope.level == iam::Level::Cluster) {
    if (cluster_exists_ && cluster_exists_(scope.cluster)) return {};
    return core::fail(core::ErrorCode::NotFound, fmt::format("cluster \"{}\" not found", scope.cluster));
  }
  if (scope.level != iam::Level::Workspace && scope.level != iam::Level::Project) {
    return core::fail(core::ErrorCode::InvalidArgument,
                      "members here are of the platform, a cluster, a workspace or a project");
  }
  return check_scope_exists(store_, scope);
}

core::Result<std::vector<iam::Member>> Members::list(const core::Scope& scope) {
  if (auto s = check_exists(scope); !s) return core::fail(s.error());
  return bindings_.list_members(scope);
}

core::Result<iam::Member> Members::get(const core::Scope& scope, std::string_view id) {
  if (auto s = check_exists(scope); !s) return core::fail(s.error());
  return bindings_.get_member(scope, id);
}

core::Result<iam::Member> Members::add(const core::Scope& scope, const iam::Member& member) {
  if (auto s = check_exists(scope); !s) return core::fail(s.error());
  return bindings_.add_member(scope, member);
}

core::Result<iam::Member> Members::change_role(const core::Scope& scope, std::string_view id, std::string role) {
  if (auto s = check_exists(scope); !s) return core::fail(s.error());
  return bindings_.change_member_role(scope, id, std::move(role));
}

core::Status Members::remove(const core::Scope& scope, std::string_view id) {
  if (auto s = check_exists(scope); !s) return core::fail(s.error());
  return bindings_.remove_member(scope, id);
}

}  // namespace atrium::tenancy
