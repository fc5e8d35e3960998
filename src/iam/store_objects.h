// Small helpers over the Store shared by iam and tenancy services: read every object of a kind in a scope
// page by page (index rebuilds, cascade deletes, quota sums) and turn a canonical document into a new
// StoredObject (uid, creationTimestamp). Thread-safe as the Store is.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/json.h"
#include "storage/store.h"

namespace atrium::iam {

core::Result<std::vector<storage::StoredObject>> list_all(storage::Store& store, const std::string& kind,
                                                          const std::string& scope, storage::Store::ScopeMatch match);

// Sets metadata.uid and metadata.creationTimestamp (dropping resourceVersion) and returns the object to create.
storage::StoredObject new_object(std::string kind, std::string scope, core::json::object& document,
                                 const core::Clock& clock);

// The stored document with `document`'s content, keeping uid and creationTimestamp of `current`.
// Internal when the stored document is corrupt.
core::Result<storage::StoredObject> replaced_object(const storage::StoredObject& current, core::json::object& document);

// A Delete mutation for the key of `object`, conditional on its version.
storage::Mutation delete_mutation(const storage::StoredObject& object);

}  // namespace atrium::iam

namespace atrium::iam {

// Project claims: tenancy writes one per project at scope "cluster/<c>", named after the project (its namespace),
// so a project name is unique per cluster across workspaces; the authorizer reads them to know a project's cluster.
inline constexpr std::string_view kProjectClaimKind = "ProjectClaim";

storage::StoredObject project_claim_object(const std::string& cluster, const std::string& workspace,
                                           const std::string& project, const core::Clock& clock);
// The workspace a claim belongs to; empty when the document is corrupt.
std::string project_claim_workspace(const storage::StoredObject& claim);

}  // namespace atrium::iam
