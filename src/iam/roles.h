// Roles: the built-in roles (code, never stored) and custom roles (stored `Role` objects built from the same
// permission templates). Platform and cluster custom roles live at scope "", workspace ones at
// "workspace/<ws>", project ones at "project/<ws>/<p>". Roles is thread-safe; it holds no state of its own.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "iam/templates.h"
#include "schema/resource.h"
#include "storage/store.h"

namespace atrium::iam {

inline constexpr std::string_view kRoleKind = "Role";

struct RoleSpec {
  std::string level;  // platform | cluster | workspace | project
  std::string display_name;
  std::string description;
  std::vector<std::string> templates;
  bool builtin = false;  // read-only: true for the built-in roles the server serves

  static const schema::Struct<RoleSpec>& schema();
};

// The Role kind: iam.atrium.io/v1, served at /api/v1/roles, /api/v1/workspaces/{ws}/roles and
// /api/v1/workspaces/{ws}/projects/{p}/roles.
const schema::ResourceType& role_type();

struct BuiltinRole {
  std::string name;
  Level level;
  std::string description;
  std::vector<std::string> templates;
};

const std::vector<BuiltinRole>& builtin_roles();
const BuiltinRole* find_builtin_role(Level level, std::string_view name);

inline constexpr std::string_view kPlatformAdmin = "platform-admin";

// What a role resolves to when bound at a scope.
struct ResolvedRole {
  std::string name;
  Level level;
  std::vector<std::string> templates;
};

// Answers whether a scope exists (NotFound when it does not). Workspaces and projects belong to tenancy, a layer
// above iam, so the server injects tenancy's check (tenancy::check_scope_exists).
using ScopeCheck = std::function<core::Status(const core::Scope& scope)>;

class Roles {
 public:
  // `changed` is called after every successful write (the authorizer refreshes its index). `scope_exists` is
  // asked before a custom role is created; without one every scope is taken to exist.
  Roles(storage::Store& store, const TemplateRegistry& templates, const core::Clock& clock,
        std::function<void()> changed = {}, ScopeCheck scope_exists = {});

  // The role `name` as bound at `scope` (platform roles on the platform, cluster roles in a cluster, ...).
  // InvalidArgument with a cause on "role" when the name is unknown or names a role of another level.
  core::Result<ResolvedRole> resolve(const core::Scope& scope, std::string_view name) const;

  // The roles offered at a scope: on the platform platform and cluster roles, in a workspace workspace roles,
  // in a project project roles; built-ins first (resource version 0), then custom roles by name.
  core::Result<std::vector<storage::StoredObject>> list(const core::Scope& scope) const;
  core::Result<storage::StoredObject> get(const core::Scope& scope, std::string_view name) const;
  // Creates a custom role from a Role document. NotFound (whatever scope_exists answers) when the workspace or
  // project does not exist; InvalidArgument (422 causes) for an unknown template, a template of a level the role
  // cannot hold, a level other than the scope's, a built-in name; AlreadyExists.
  core::Result<storage::StoredObject> create(const core::Scope& scope, const core::json::value& body);
  // Replaces a custom role's description and templates (its members' permissions change at once). The same
  // checks as create; the level cannot change; a metadata.resourceVersion, when sent, must be the stored one
  // (Conflict). FailedPrecondition for built-in roles; NotFound.
  core::Result<storage::StoredObject> replace(const core::Scope& scope, std::string_view name,
                                              const core::json::value& body);
  // FailedPrecondition for built-in roles and for roles still bound; NotFound.
  core::Status remove(const core::Scope& scope, std::string_view name);

  const TemplateRegistry& templates() const { return templates_; }

 private:
  struct Checked {
    core::json::object document;
    RoleSpec spec;
    std::string name;
  };
  // Decodes and validates a Role document for `scope` (what create and replace share).
  core::Result<Checked> check(const core::Scope& scope, const core::json::value& body) const;

 public:
 private:
  storage::Store& store_;
  const TemplateRegistry& templates_;
  const core::Clock& clock_;
  std::function<void()> changed_;
  ScopeCheck scope_exists_;
};

// The store scope where custom roles usable at `scope` live ("" for platform and cluster).
std::string role_scope_key(const core::Scope& scope);

}  // namespace atrium::iam
