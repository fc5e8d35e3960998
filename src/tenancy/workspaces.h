// Workspaces service: create (the manager, or else the creator, becomes its admin in the same commit), read,
// replace, delete (refused while projects remain unless cascading, which removes projects, claims, bindings and
// roles in one commit) and lists filtered to what the caller may see. No HTTP here: api/tenancy_routes.cc adapts.
// Thread-safe; concurrent writers are serialised by the store's versions.
#pragma once

#include <string>

#include "core/auth.h"
#include "core/clock.h"
#include "iam/role_bindings.h"
#include "storage/store.h"
#include "tenancy/project_namespaces.h"

namespace atrium::tenancy {

struct WorkspaceDeleteOptions {
  bool cascade = false;  // also delete the workspace's projects, their claims, bindings and roles; their
                         // namespaces are released (kept, without Atrium's labels, quota and limits)
};

class Workspaces {
 public:
  // `namespaces` may be null (no cluster side); it must outlive this object.
  Workspaces(storage::Store& store, const core::Clock& clock, iam::RoleBindings& bindings, core::Authorizer& authorizer,
             ProjectNamespaces* namespaces = nullptr);

  // InvalidArgument (422 causes) for a bad document, a quota for a cluster the workspace does not name or a bad
  // quantity; AlreadyExists.
  core::Result<storage::StoredObject> create(const core::Principal& caller, const core::json::value& body);
  core::Result<storage::StoredObject> get(const std::string& name);
  // PermissionDenied when clusters or quotas change and the caller may not `update workspaces/quotas`;
  // InvalidArgument when a cluster still used by a project is dropped or a quota falls below what projects hold;
  // Conflict for a stale metadata.resourceVersion.
  core::Result<storage::StoredObject> update(const core::Principal& caller, const std::string& name,
                                             const core::json::value& body);
  // FailedPrecondition while projects remain and !cascade; NotFound; Unavailable (nothing deleted) when a
  // project's cluster cannot be reached to release its namespace.
  core::Status remove(const std::string& name, WorkspaceDeleteOptions options);
  // The workspaces the caller may get.
  core::Result<storage::ListResult> list(const core::Principal& caller, const core::ListOptions& options);
  // The same as a shared snapshot; callers who may read every workspace get the store's cached list.
  core::Result<std::shared_ptr<const storage::ListResult>> list_shared(const core::Principal& caller,
                                                                       const core::ListOptions& options);

 private:
  storage::Store& store_;
  const core::Clock& clock_;
  iam::RoleBindings& bindings_;
  core::Authorizer& authorizer_;
  ProjectNamespaces* namespaces_;
};

}  // namespace atrium::tenancy
