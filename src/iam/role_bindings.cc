#include "iam/role_bindings.h"

#include <fmt/format.h>

#include "iam/store_objects.h"

namespace atrium::iam {
namespace json = core::json;
namespace {

constexpr std::string_view kGroupPrefix = "group:";

std::string binding_name(const Subject& s) { return (s.kind == "Group" ? "group-" : "user-") + s.name; }

Subject subject_of(const Member& m) { return m.user.empty() ? Subject{"Group", m.group} : Subject{"User", m.user}; }

Subject subject_of_id(std::string_view id) {
  if (id.starts_with(kGroupPrefix)) return Subject{"Group", std::string(id.substr(kGroupPrefix.size()))};
  return Subject{"User", std::string(id)};
}

Member member_of(const Subject& s, const std::string& role) {
  Member m;
  (s.kind == "Group" ? m.group : m.user) = s.name;
  m.role = role;
  return m;
}

json::object binding_document(const Subject& s, const std::string& role) {
  RoleBindingSpec spec{role, {s}};
  return json::object{{"apiVersion", role_binding_type().info().api_version()},
                      {"kind", std::string(kRoleBindingKind)},
                      {"metadata", json::object{{"name", binding_name(s)}}},
                      {"spec", RoleBindingSpec::schema().encode_value(spec)}};
}

core::Error not_member(const core::Scope& scope, std::string_view id) {
  return core::Error(core::ErrorCode::NotFound, fmt::format("\"{}\" is not a member {}", id, describe_scope(scope)));
}

}  // namespace

const schema::Struct<Subject>& Subject::schema() {
  static const auto s = schema::Struct<Subject>("Subject")
                            .field("kind", &Subject::kind, {.required = true, .one_of = {"User", "Group"}})
                            .field("name", &Subject::name, {.required = true, .min_length = 1, .max_length = 253});
  return s;
}

const schema::Struct<RoleBindingSpec>& RoleBindingSpec::schema() {
  static const auto s = schema::Struct<RoleBindingSpec>("RoleBindingSpec")
                            .field("role", &RoleBindingSpec::role, {.required = true, .max_length = 253})
                            .field("subjects", &RoleBindingSpec::subjects, {.required = true, .max_items = 1024});
  return s;
}

const schema::ResourceType& role_binding_type() {
  static const schema::ResourceType t(schema::ResourceInfo{.group = std::string(kIamGroup),
                                                           .version = "v1",
                                                           .kind = std::string(kRoleBindingKind),
                                                           .plural = "rolebindings",
                                                           .scope = schema::ResourceScope::Platform,
                                                           .name_format = schema::Format::None,
                                                           .description = "Gives users and groups a role at a scope."},
                                      RoleBindingSpec::schema(), nullptr);
  return t;
}

core::Result<RoleBindingSpec> binding_spec_of(const storage::StoredObject& object) {
  auto doc = core::parse_json(object.data);
  if (!doc || !doc->is_object() || !doc->as_object().contains("spec")) {
    return core::fail(core::ErrorCode::Internal, "stored role binding is corrupt");
  }
  auto spec = RoleBindingSpec::schema().decode_value(doc->at("spec"), "role binding");
  if (!spec) return core::fail(core::ErrorCode::Internal, "stored role binding is corrupt");
  return spec;
}

const schema::Struct<Member>& Member::schema() {
  static const auto s =
      schema::Struct<Member>("Member")
          .field("user", &Member::user, {.description = "A user name (or give group).", .max_length = 253})
          .field("group", &Member::group, {.description = "A group name (or give user).", .max_length = 253})
          .field("role", &Member::role, {.required = true, .max_length = 253});
  return s;
}

std::string Member::id() const { return user.empty() ? std::string(kGroupPrefix) + group : user; }

RoleBindings::RoleBindings(storage::Store& store, const Roles& roles, const core::Clock& clock,
                           std::function<void()> changed)
    : store_(store), roles_(roles), clock_(clock), changed_(std::move(changed)) {}

void RoleBindings::notify_changed() const {
  if (changed_) changed_();
}

core::Status RoleBindings::validate(const core::Scope& scope, const Member& m) const {
  if (m.user.empty() == m.group.empty()) {
    return core::fail(core::Error(core::ErrorCode::InvalidArgument, "a member names exactly one of user or group",
                                  {core::Cause{"user", "give either user or group"}}));
  }
  const std::string& name = m.user.empty() ? m.group : m.user;
  if (name.find_first_of("/\n\r\t ") != std::string::npos || name.starts_with(kGroupPrefix)) {
    return core::fail(core::Error(core::ErrorCode::InvalidArgument,
                                  fmt::format("\"{}\" is not a valid user or group name", name.substr(0, 80)),
                                  {core::Cause{m.user.empty() ? "group" : "user", "invalid name"}}));
  }
  auto role = roles_.resolve(scope, m.role);
  if (!role) return core::fail(role.error());
  return {};
}

core::Result<storage::Mutation> RoleBindings::member_mutation(const core::Scope& scope, const Member& member) const {
  if (auto s = validate(scope, member); !s) return core::fail(s.error());
  auto doc = binding_document(subject_of(member), member.role);
  storage::Mutation m;
  m.op = storage::Mutation::Op::Create;
  m.object = new_object(std::string(kRoleBindingKind), scope_key(scope), doc, clock_);
  return m;
}

core::Result<std::vector<Member>> RoleBindings::list_members(const core::Scope& scope) const {
  auto all = list_all(store_, std::string(kRoleBindingKind), scope_key(scope), storage::Store::ScopeMatch::Exact);
  if (!all) return core::fail(all.error());
  std::vector<Member> out;
  for (const auto& b : *all) {
    auto spec = binding_spec_of(b);
    if (!spec) return core::fail(spec.error());
    for (const auto& s : spec->subjects) out.push_back(member_of(s, spec->role));
  }
  return out;
}

core::Result<Member> RoleBindings::get_member(const core::Scope& scope, std::string_view id) const {
  Subject s = subject_of_id(id);
  auto obj = store_.get(std::string(kRoleBindingKind), scope_key(scope), binding_name(s));
  if (!obj) return core::fail(obj.error().code == core::ErrorCode::NotFound ? not_member(scope, id) : obj.error());
  auto spec = binding_spec_of(*obj);
  if (!spec) return core::fail(spec.error());
  return member_of(s, spec->role);
}

core::Result<Member> RoleBindings::add_member(const core::Scope& scope, const Member& member) {
  auto m = member_mutation(scope, member);
  if (!m) return core::fail(m.error());
  auto created = store_.create(m->object);
  if (!created) {
    if (created.error().code == core::ErrorCode::AlreadyExists) {
      return core::fail(
          core::ErrorCode::AlreadyExists,
          fmt::format("\"{}\" is already a member {}; change their role instead", member.id(), describe_scope(scope)));
    }
    return core::fail(created.error());
  }
  notify_changed();
  return member;
}

core::Result<std::vector<storage::Mutation>> RoleBindings::last_admin_guard(std::string_view user) const {
  // Every other platform-admin binding is rewritten unchanged, conditional on its version: two concurrent
  // demotions of two different admins then touch each other's bindings, and the store lets only one commit.
  auto all = list_all(store_, std::string(kRoleBindingKind), "", storage::Store::ScopeMatch::Exact);
  if (!all) return core::fail(all.error());
  bool is_admin = false;
  std::vector<storage::Mutation> guard;
  for (const auto& b : *all) {
    auto spec = binding_spec_of(b);
    if (!spec || spec->role != kPlatformAdmin) continue;
    bool other_user = false;
    for (const auto& s : spec->subjects) {
      if (s.kind != "User") continue;
      if (s.name == user) {
        is_admin = true;
      } else {
        other_user = true;
      }
    }
    if (other_user) {
      storage::Mutation m;
      m.op = storage::Mutation::Op::Update;
      m.object = b;
      m.expected_version = b.resource_version;
      guard.push_back(std::move(m));
    }
  }
  if (is_admin && guard.empty()) {
    return core::fail(core::ErrorCode::FailedPrecondition,
                      fmt::format("\"{}\" is the last platform-admin; make another user platform-admin first", user));
  }
  return guard;
}

core::Result<std::vector<storage::Mutation>> RoleBindings::removals_for_user(const std::string& user) const {
  auto all = list_all(store_, std::string(kRoleBindingKind), "", storage::Store::ScopeMatch::All);
  if (!all) return core::fail(all.error());
  const std::string name = binding_name(Subject{"User", user});
  std::vector<storage::Mutation> out;
  for (const auto& b : *all) {
    if (b.name == name) out.push_back(delete_mutation(b));
  }
  return out;
}

core::Status RoleBindings::check_not_last_platform_admin(std::string_view user) const {
  auto g = last_admin_guard(user);
  if (!g) return core::fail(g.error());
  return {};
}

core::Result<Member> RoleBindings::change_member_role(const core::Scope& scope, std::string_view id, std::string role) {
  Subject s = subject_of_id(id);
  Member updated = member_of(s, role);
  if (auto v = validate(scope, updated); !v) return core::fail(v.error());
  auto obj = store_.get(std::string(kRoleBindingKind), scope_key(scope), binding_name(s));
  if (!obj) return core::fail(obj.error().code == core::ErrorCode::NotFound ? not_member(scope, id) : obj.error());
  auto spec = binding_spec_of(*obj);
  if (!spec) return core::fail(spec.error());
  std::vector<storage::Mutation> muts;
  if (scope.level == Level::Platform && s.kind == "User" && spec->role == kPlatformAdmin && role != kPlatformAdmin) {
    auto guard = last_admin_guard(s.name);
    if (!guard) return core::fail(guard.error());
    muts = std::move(*guard);
  }
  auto doc = binding_document(s, role);
  auto next = replaced_object(*obj, doc);
  if (!next) return core::fail(next.error());
  muts.push_back(storage::Mutation{storage::Mutation::Op::Update, *next, obj->resource_version});
  if (auto c = store_.commit(muts); !c) return core::fail(c.error());
  notify_changed();
  return updated;
}

core::Status RoleBindings::remove_member(const core::Scope& scope, std::string_view id) {
  Subject s = subject_of_id(id);
  auto obj = store_.get(std::string(kRoleBindingKind), scope_key(scope), binding_name(s));
  if (!obj) return core::fail(obj.error().code == core::ErrorCode::NotFound ? not_member(scope, id) : obj.error());
  auto spec = binding_spec_of(*obj);
  if (!spec) return core::fail(spec.error());
  std::vector<storage::Mutation> muts;
  if (scope.level == Level::Platform && s.kind == "User" && spec->role == kPlatformAdmin) {
    auto guard = last_admin_guard(s.name);
    if (!guard) return core::fail(guard.error());
    muts = std::move(*guard);
  }
  muts.push_back(delete_mutation(*obj));
  if (auto c = store_.commit(muts); !c) return core::fail(c.error());
  notify_changed();
  return {};
}

}  // namespace atrium::iam
