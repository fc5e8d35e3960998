// Projects service: create (claiming the name on its cluster and, for a caller who could not manage it
// otherwise, making them its admin, all in one commit), read, replace, delete (with its claim, bindings and roles)
// and lists filtered to what the caller may see. Quotas: per cluster, the sum of a workspace's project quotas may
// not exceed the workspace's quota there. With ProjectNamespaces, a project is also its namespace on the cluster:
// made (or adopted) before the commit and undone when the commit fails; quota changes are applied before the
// commit. No HTTP here. Thread-safe; writes of one workspace's projects are serialised through the workspace
// object's version (a racing writer gets Conflict).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/auth.h"
#include "core/clock.h"
#include "iam/role_bindings.h"
#include "storage/store.h"
#include "tenancy/project.h"
#include "tenancy/project_namespaces.h"
#include "tenancy/workspace.h"

namespace atrium::tenancy {

inline constexpr std::string_view kProjectKind = "Project";

struct ProjectCreateOptions {
  NamespaceAdoption adoption = NamespaceAdoption::Refuse;  // whether an existing namespace may become the project's
};

struct ProjectDeleteOptions {
  NamespaceDisposal namespace_disposal = NamespaceDisposal::Release;  // Delete only after the user confirmed
};

class Projects {
 public:
  // `namespaces` may be null (no cluster side: unit tests); it must outlive this object.
  Projects(storage::Store& store, const core::Clock& clock, iam::RoleBindings& bindings, core::Authorizer& authorizer,
           ProjectNamespaces* namespaces = nullptr);

  // NotFound for a missing workspace; InvalidArgument (422 causes) for a bad document, a cluster the workspace
  // does not name, a bad quantity or a quota over the workspace's; AlreadyExists when the name is taken in the
  // workspace or on the cluster, or its namespace exists and is not adopted (or belongs to another workspace);
  // Unavailable (nothing stored) when the cluster cannot be reached.
  core::Result<storage::StoredObject> create(const core::Principal& caller, const std::string& workspace,
                                             const core::json::value& body, ProjectCreateOptions options = {});
  core::Result<storage::StoredObject> get(const std::string& workspace, const std::string& name);
  // As create; the cluster cannot change; a quota change needs `update projects/quota` and is applied to the
  // namespace's ResourceQuota and LimitRange first (Unavailable, nothing stored, when the cluster is down).
  core::Result<storage::StoredObject> update(const core::Principal& caller, const std::string& workspace,
                                             const std::string& name, const core::json::value& body);
  // Deletes the project, its claim, bindings and roles; its namespace is released (labels, quota and limits
  // removed) or, with NamespaceDisposal::Delete, deleted — before the commit, so a cluster that cannot be reached
  // (Unavailable) leaves the project in place.
  core::Status remove(const std::string& workspace, const std::string& name, ProjectDeleteOptions options = {});
  // The project whose namespace `ns` is on `cluster` (Project scope with workspace, project and cluster), or
  // nullopt when no project claims it. For the front door: a namespace's requests are decided in its project.
  std::optional<core::Scope> find_namespace_scope(std::string_view cluster, std::string_view ns);
  // The projects of the workspace the caller may get.
  core::Result<storage::ListResult> list(const core::Principal& caller, const std::string& workspace,
                                         const core::ListOptions& options);
  // The same as a shared snapshot; callers who may read every project of the workspace get the store's cached list.
  core::Result<std::shared_ptr<const storage::ListResult>> list_shared(const core::Principal& caller,
                                                                       const std::string& workspace,
                                                                       const core::ListOptions& options);

 private:
  core::Result<storage::StoredObject> write(const core::Principal& caller, const std::string& workspace,
                                            const core::json::value& body, const storage::StoredObject* current,
                                            ProjectCreateOptions options);

  storage::Store& store_;
  const core::Clock& clock_;
  iam::RoleBindings& bindings_;
  core::Authorizer& authorizer_;
  ProjectNamespaces* namespaces_;
};

// Checks the quotas of `projects` (name → spec, all of one workspace) against the workspace's quotas.
// InvalidArgument with a cause per problem.
core::Status check_quotas(const std::string& workspace, const WorkspaceSpec& ws,
                          const std::vector<std::pair<std::string, ProjectSpec>>& projects);

// The guard before a cluster's removal: Conflict while any project lives on `cluster`, its message naming up to
// five of them and one cause per project (field "projects", message "workspace/project"); errors from the store.
core::Status require_no_projects(storage::Store& store, std::string_view cluster);

// The mutations deleting everything stored under a project scope key: bindings and custom roles.
core::Result<std::vector<storage::Mutation>> scope_cleanup(storage::Store& store, const std::string& scope_key);

}  // namespace atrium::tenancy
