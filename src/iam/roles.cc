#include "iam/roles.h"

#include <algorithm>

#include <fmt/format.h>

#include "iam/role_bindings.h"
#include "iam/store_objects.h"

namespace atrium::iam {
namespace json = core::json;
namespace {

core::Error invalid_role(std::string message) {
  std::string cause = message;
  return core::Error(core::ErrorCode::InvalidArgument, std::move(message), {core::Cause{"role", std::move(cause)}});
}

// The levels of roles offered at a scope.
std::vector<Level> levels_at(const core::Scope& scope) {
  if (scope.level == Level::Platform) return {Level::Platform, Level::Cluster};
  return {scope.level};
}

storage::StoredObject builtin_object(const BuiltinRole& r) {
  RoleSpec spec{.level = std::string(level_name(r.level)),
                .display_name = r.name,
                .description = r.description,
                .templates = r.templates,
                .builtin = true};
  json::object doc{{"apiVersion", role_type().info().api_version()},
                   {"kind", "Role"},
                   {"metadata", json::object{{"name", r.name}}},
                   {"spec", RoleSpec::schema().encode_value(spec)}};
  storage::StoredObject o;
  o.kind = std::string(kRoleKind);
  o.name = r.name;
  o.labels = "{}";
  o.data = json::serialize(doc);
  return o;
}

}  // namespace

const schema::Struct<RoleSpec>& RoleSpec::schema() {
  static const auto s = schema::Struct<RoleSpec>("RoleSpec")
                            .field("level", &RoleSpec::level,
                                   {.required = true, .one_of = {"platform", "cluster", "workspace", "project"}})
                            .field("displayName", &RoleSpec::display_name, {.max_length = 128})
                            .field("description", &RoleSpec::description, {.max_length = 1024})
                            .field("templates", &RoleSpec::templates,
                                   {.required = true,
                                    .description = "Names of the permission templates this role aggregates.",
                                    .max_length = 128,
                                    .max_items = 128})
                            .field("builtin", &RoleSpec::builtin, {.read_only = true});
  return s;
}

const schema::ResourceType& role_type() {
  static const schema::ResourceType t(
      schema::ResourceInfo{.group = std::string(kIamGroup),
                           .version = "v1",
                           .kind = std::string(kRoleKind),
                           .plural = "roles",
                           .scope = schema::ResourceScope::Platform,
                           .description = "A named set of permission templates, bound to users and groups."},
      RoleSpec::schema(), nullptr);
  return t;
}

const std::vector<BuiltinRole>& builtin_roles() {
  static const std::vector<BuiltinRole> roles = {
      {"platform-admin", Level::Platform, "Manages everything.", {"platform-all"}},
      {"platform-regular", Level::Platform, "Nothing until given a workspace or a project.", {}},
      {"platform-self-provisioner",
       Level::Platform,
       "Creates workspaces and becomes their admin.",
       {"workspaces-create"}},
      {"platform-auditor",
       Level::Platform,
       "Reads everything, including the audit log; changes nothing.",
       {"tenancy-read-all", "iam-read-all", "audit-read", "kube-read", "kube-cluster-read"}},
      {"cluster-admin",
       Level::Cluster,
       "Manages a cluster: nodes, namespaces, cluster-scoped kinds.",
       {"kube-cluster-manage"}},
      {"cluster-viewer", Level::Cluster, "Reads a cluster.", {"kube-cluster-read", "kube-read"}},
      {"admin",
       Level::Workspace,
       "Manages everything in the workspace: settings, projects, members, roles, quotas.",
       {"workspace-manage", "projects-manage", "workspace-members-manage", "workspace-roles-manage", "members-manage",
        "roles-manage", "kube-manage", "workspace-audit-read"}},
      {"self-provisioner",
       Level::Workspace,
       "Reads the workspace and creates projects, becoming their admin.",
       {"workspace-read", "workspace-members-read", "workspace-roles-read", "projects-create"}},
      {"regular",
       Level::Workspace,
       "Reads the workspace's settings, members and roles.",
       {"workspace-read", "workspace-members-read", "workspace-roles-read"}},
      {"viewer",
       Level::Workspace,
       "Reads everything in the workspace and its projects.",
       {"workspace-read", "projects-read", "workspace-members-read", "workspace-roles-read", "members-read",
        "roles-read", "kube-read"}},
      {"admin",
       Level::Project,
       "Manages everything in the project, including members and roles.",
       {"project-manage", "members-manage", "roles-manage", "kube-manage"}},
      {"operator",
       Level::Project,
       "Manages everything in the project but members and roles.",
       {"projects-read", "kube-manage"}},
      {"viewer",
       Level::Project,
       "Reads everything in the project (secret names and keys, never values).",
       {"projects-read", "members-read", "roles-read", "kube-read"}},
  };
  return roles;
}

const BuiltinRole* find_builtin_role(Level level, std::string_view name) {
  for (const auto& r : builtin_roles()) {
    if (r.level == level && r.name == name) return &r;
  }
  return nullptr;
}

std::string role_scope_key(const core::Scope& scope) {
  if (scope.level == Level::Platform || scope.level == Level::Cluster) return "";
  return scope_key(scope);
}

Roles::Roles(storage::Store& store, const TemplateRegistry& templates, const core::Clock& clock,
             std::function<void()> changed, ScopeCheck scope_exists)
    : store_(store),
      templates_(templates),
      clock_(clock),
      changed_(std::move(changed)),
      scope_exists_(std::move(scope_exists)) {}

core::Result<ResolvedRole> Roles::resolve(const core::Scope& scope, std::string_view name) const {
  if (name.empty()) return core::fail(invalid_role("a role is required"));
  if (const auto* b = find_builtin_role(scope.level, name)) return ResolvedRole{b->name, b->level, b->templates};
  auto obj = store_.get(std::string(kRoleKind), role_scope_key(scope), std::string(name));
  if (obj) {
    auto doc = core::parse_json(obj->data);
    if (!doc) return core::fail(core::ErrorCode::Internal, "stored role is corrupt");
    auto spec = RoleSpec::schema().decode_value(doc->at("spec"), "role");
    if (!spec) return core::fail(core::ErrorCode::Internal, "stored role is corrupt");
    auto level = parse_level(spec->level);
    if (level && *level == scope.level) return ResolvedRole{std::string(name), *level, spec->templates};
  } else if (obj.error().code != core::ErrorCode::NotFound) {
    return core::fail(obj.error());
  }
  for (Level other : {Level::Platform, Level::Cluster, Level::Workspace, Level::Project}) {
    if (other != scope.level && find_builtin_role(other, name)) {
      return core::fail(invalid_role(fmt::format("role \"{}\" is a {} role; it cannot be bound {}", name,
                                                 level_name(other), describe_scope(scope))));
    }
  }
  return core::fail(
      invalid_role(fmt::format("role \"{}\" does not exist among the {} roles", name, level_name(scope.level))));
}

core::Result<std::vector<storage::StoredObject>> Roles::list(const core::Scope& scope) const {
  std::vector<storage::StoredObject> out;
  auto levels = levels_at(scope);
  for (const auto& r : builtin_roles()) {
    if (std::find(levels.begin(), levels.end(), r.level) != levels.end()) out.push_back(builtin_object(r));
  }
  auto custom = list_all(store_, std::string(kRoleKind), role_scope_key(scope), storage::Store::ScopeMatch::Exact);
  if (!custom) return core::fail(custom.error());
  for (auto& c : *custom) out.push_back(std::move(c));
  return out;
}

core::Result<storage::StoredObject> Roles::get(const core::Scope& scope, std::string_view name) const {
  for (Level l : levels_at(scope)) {
    if (const auto* b = find_builtin_role(l, name)) return builtin_object(*b);
  }
  auto obj = store_.get(std::string(kRoleKind), role_scope_key(scope), std::string(name));
  if (!obj && obj.error().code == core::ErrorCode::NotFound) {
    return core::fail(core::ErrorCode::NotFound, fmt::format("role \"{}\" not found {}", name, describe_scope(scope)));
  }
  return obj;
}

core::Result<Roles::Checked> Roles::check(const core::Scope& scope, const json::value& body) const {
  auto doc = role_type().decode(body);
  if (!doc) return core::fail(doc.error());
  auto spec = RoleSpec::schema().decode_value(doc->at("spec"), "role");
  if (!spec) return core::fail(spec.error());
  std::vector<core::Cause> causes;
  auto level = parse_level(spec->level);
  const std::string name(doc->at("metadata").at("name").as_string());
  auto levels = levels_at(scope);
  if (level && std::find(levels.begin(), levels.end(), *level) == levels.end()) {
    causes.push_back({"spec.level", fmt::format("a {} role cannot be created {}", spec->level, describe_scope(scope))});
  }
  if (level && find_builtin_role(*level, name)) {
    causes.push_back({"metadata.name", fmt::format("\"{}\" is a built-in {} role", name, spec->level)});
  }
  if (spec->builtin) causes.push_back({"spec.builtin", "custom roles cannot be built-in"});
  if (spec->templates.empty()) causes.push_back({"spec.templates", "name at least one permission template"});
  for (std::size_t i = 0; i < spec->templates.size(); ++i) {
    const auto* t = templates_.find(spec->templates[i]);
    std::string field = fmt::format("spec.templates[{}]", i);
    if (!t) {
      causes.push_back({field, fmt::format("permission template \"{}\" does not exist", spec->templates[i])});
    } else if (level && !template_allowed_in(t->level, *level)) {
      causes.push_back({field, fmt::format("template \"{}\" is a {} template; a {} role cannot hold it", t->name,
                                           level_name(t->level), spec->level)});
    }
  }
  if (!causes.empty()) {
    return core::fail(core::Error(core::ErrorCode::InvalidArgument,
                                  fmt::format("Role \"{}\" is invalid: {}", name, causes.front().message), causes));
  }
  return Checked{std::move(*doc), std::move(*spec), name};
}

core::Result<storage::StoredObject> Roles::create(const core::Scope& scope, const json::value& body) {
  if (scope_exists_) {
    if (auto s = scope_exists_(scope); !s) return core::fail(s.error());
  }
  auto checked = check(scope, body);
  if (!checked) return core::fail(checked.error());
  auto obj = new_object(std::string(kRoleKind), role_scope_key(scope), checked->document, clock_);
  auto created = store_.create(obj);
  if (!created && created.error().code == core::ErrorCode::AlreadyExists) {
    return core::fail(core::ErrorCode::AlreadyExists, fmt::format("role \"{}\" already exists", checked->name));
  }
  if (created && changed_) changed_();
  return created;
}

core::Result<storage::StoredObject> Roles::replace(const core::Scope& scope, std::string_view name,
                                                   const json::value& body) {
  for (Level l : levels_at(scope)) {
    if (find_builtin_role(l, name)) {
      return core::fail(core::ErrorCode::FailedPrecondition,
                        fmt::format("role \"{}\" is built in and cannot be changed", name));
    }
  }
  auto current = get(scope, name);
  if (!current) return core::fail(current.error());
  auto checked = check(scope, body);
  if (!checked) return core::fail(checked.error());
  if (checked->name != name) {
    return core::fail(core::Error(core::ErrorCode::InvalidArgument, "metadata.name does not match the name in the path",
                                  {{"metadata.name", fmt::format("must be {}", name)}}));
  }
  auto old_doc = core::parse_json(current->data);
  if (!old_doc) return core::fail(core::ErrorCode::Internal, "stored role is corrupt");
  auto old_spec = RoleSpec::schema().decode_value(old_doc->at("spec"), "role");
  if (!old_spec) return core::fail(core::ErrorCode::Internal, "stored role is corrupt");
  if (old_spec->level != checked->spec.level) {
    return core::fail(core::Error(core::ErrorCode::InvalidArgument, "a role's level cannot change",
                                  {{"spec.level", fmt::format("is {} and cannot change", old_spec->level)}}));
  }
  std::int64_t expected = current->resource_version;
  if (const auto* rv = checked->document.at("metadata").as_object().if_contains("resourceVersion");
      rv && rv->is_string() && !rv->as_string().empty() && std::string(rv->as_string()) != std::to_string(expected)) {
    return core::fail(core::ErrorCode::Conflict,
                      fmt::format("role \"{}\" has been modified; read it again and retry", name));
  }
  auto next = replaced_object(*current, checked->document);
  if (!next) return core::fail(next.error());
  auto written = store_.update(*next, expected);
  if (!written && written.error().code == core::ErrorCode::Conflict) {
    return core::fail(core::ErrorCode::Conflict,
                      fmt::format("role \"{}\" changed meanwhile; read it again and retry", name));
  }
  if (written && changed_) changed_();
  return written;
}

core::Status Roles::remove(const core::Scope& scope, std::string_view name) {
  for (Level l : levels_at(scope)) {
    if (find_builtin_role(l, name)) {
      return core::fail(core::ErrorCode::FailedPrecondition,
                        fmt::format("role \"{}\" is built in and cannot be deleted", name));
    }
  }
  auto obj = get(scope, name);
  if (!obj) return core::fail(obj.error());
  // Bindings that may use this role: at the role's own scope, and for platform/cluster roles every cluster.
  auto bindings = list_all(store_, std::string(kRoleBindingKind), "", storage::Store::ScopeMatch::All);
  if (!bindings) return core::fail(bindings.error());
  const std::string rscope = role_scope_key(scope);
  for (const auto& b : *bindings) {
    bool same_scope = b.scope == rscope || (rscope.empty() && b.scope.starts_with("cluster/"));
    if (!same_scope) continue;
    auto spec = binding_spec_of(b);
    if (spec && spec->role == name) {
      return core::fail(
          core::ErrorCode::FailedPrecondition,
          fmt::format("role \"{}\" is still bound (binding \"{}\"); remove its members first", name, b.name));
    }
  }
  auto s = store_.remove(std::string(kRoleKind), rscope, std::string(name), obj->resource_version);
  if (s && changed_) changed_();
  return s;
}

}  // namespace atrium::iam
