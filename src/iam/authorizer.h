// RbacAuthorizer: the one Authorizer of Atrium. It decides (principal, verb/apiGroup/resource/subresource/name,
// scope) from role bindings: platform bindings apply everywhere, cluster bindings within the cluster (including
// project namespaces on it), workspace bindings within the workspace and its projects, project bindings within
// the project. Denials name the missing permission ("create projects in workspace merchant-platform").
//
// Membership visibility (so lists can be filtered by the handler rather than refused): every user may list
// workspaces and clusters; a user with any binding in a workspace or one of its projects may get that workspace and
// list its projects. Handlers then show only the items the caller may `get`.
//
// Decisions read an immutable in-memory index (user → grants, group → grants, expanded rules, project → cluster),
// rebuilt when the store's current_version() changes, checked at most once per refresh_interval of the injected
// Clock; services that write bindings or roles call refresh() so their own writes apply at once.
// Thread-safe: authorize() takes no lock beyond a pointer copy in the common case.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>

#include "core/auth.h"
#include "core/clock.h"
#include "iam/templates.h"
#include "storage/store.h"

namespace atrium::iam {

struct AuthorizerOptions {
  std::chrono::milliseconds refresh_interval{200};
};

class RbacAuthorizer final : public core::Authorizer {
 public:
  RbacAuthorizer(storage::Store& store, const TemplateRegistry& templates, const core::Clock& clock,
                 AuthorizerOptions options = {});
  ~RbacAuthorizer() override;

  core::Decision authorize(const core::Principal& principal, const core::AccessRequest& request) override;

  // Rebuilds the index now from the store. Errors from the store; the previous index stays in use then.
  core::Status refresh();

  struct Index;

 private:
  std::shared_ptr<const Index> snapshot();
  core::Status rebuild(std::int64_t version);

  storage::Store& store_;
  const TemplateRegistry& templates_;
  const core::Clock& clock_;
  AuthorizerOptions options_;
  std::mutex mu_;  // guards index_ and last_check_
  std::shared_ptr<const Index> index_;
  core::TimePoint last_check_{};
  std::mutex rebuild_mu_;  // one rebuild at a time
};

// The missing permission in words: `create projects in workspace merchant-platform`.
std::string describe_request(const core::AccessRequest& request);

}  // namespace atrium::iam
