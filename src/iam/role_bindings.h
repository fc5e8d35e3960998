// Role bindings: which users and groups hold which role at which scope, stored as `RoleBinding` objects at the
// scope's key ("" platform, "cluster/<c>", "workspace/<ws>", "project/<ws>/<p>"). The members endpoints are views
// over them: one binding per (scope, subject), named "user-<name>" or "group-<name>".
// RoleBindings is thread-safe; concurrent writers are serialised by the store's versions (409 on a race).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "iam/roles.h"
#include "schema/resource.h"
#include "storage/store.h"

namespace atrium::iam {

inline constexpr std::string_view kRoleBindingKind = "RoleBinding";

struct Subject {
  std::string kind;  // "User" | "Group"
  std::string name;

  static const schema::Struct<Subject>& schema();
};

struct RoleBindingSpec {
  std::string role;
  std::vector<Subject> subjects;

  static const schema::Struct<RoleBindingSpec>& schema();
};

const schema::ResourceType& role_binding_type();

// Decodes the spec of a stored binding; Internal when corrupt.
core::Result<RoleBindingSpec> binding_spec_of(const storage::StoredObject& object);

// One member of a scope, as the members endpoints show and accept it: {"user": "alice", "role": "operator"} or
// {"group": "developers", "role": "viewer"}.
struct Member {
  std::string user;
  std::string group;
  std::string role;

  static const schema::Struct<Member>& schema();
  // The path id of a member: the user name, or "group:<name>".
  std::string id() const;
};

class RoleBindings {
 public:
  // `changed` is called after every successful write (the authorizer refreshes its index).
  RoleBindings(storage::Store& store, const Roles& roles, const core::Clock& clock, std::function<void()> changed = {});

  core::Result<std::vector<Member>> list_members(const core::Scope& scope) const;
  // NotFound when `id` (see Member::id) is not a member of the scope.
  core::Result<Member> get_member(const core::Scope& scope, std::string_view id) const;
  // InvalidArgument (with causes) for a bad member or a role that does not exist at the scope's level;
  // AlreadyExists when the subject is a member already.
  core::Result<Member> add_member(const core::Scope& scope, const Member& member);
  // FailedPrecondition when this would demote the last platform-admin; NotFound; InvalidArgument as for add.
  core::Result<Member> change_member_role(const core::Scope& scope, std::string_view id, std::string role);
  // FailedPrecondition when this removes the last platform-admin; NotFound.
  core::Status remove_member(const core::Scope& scope, std::string_view id);

  // The validated Create mutation that makes `member` a member of `scope`, for callers that write it in their own
  // Store::commit (self-provisioning); they must call notify_changed() after committing.
  core::Result<storage::Mutation> member_mutation(const core::Scope& scope, const Member& member) const;

  // FailedPrecondition when `user` is bound platform-admin directly and no other user is: deleting or disabling
  // them would lock everyone out. Used by the identity module before deleting a user.
  core::Status check_not_last_platform_admin(std::string_view user) const;

  // Deletions of every binding of `user` in every scope, for the identity module to commit together with the
  // user's own deletion: a later user of the same name must not inherit them.
  core::Result<std::vector<storage::Mutation>> removals_for_user(const std::string& user) const;

  void notify_changed() const;
  const Roles& roles() const { return roles_; }

 private:
  core::Status validate(const core::Scope& scope, const Member& member) const;
  // Guard mutations that make two concurrent demotions of different admins conflict (see .cc).
  core::Result<std::vector<storage::Mutation>> last_admin_guard(std::string_view user) const;

  storage::Store& store_;
  const Roles& roles_;
  const core::Clock& clock_;
  std::function<void()> changed_;
};

}  // namespace atrium::iam
