#include "iam/authorizer.h"

#include <deque>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "core/log.h"
#include "iam/role_bindings.h"
#include "iam/roles.h"
#include "iam/scope_key.h"
#include "iam/store_objects.h"

namespace atrium::iam {
namespace {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <class V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;
using StringSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;

struct CompiledRole {
  std::vector<PolicyRule> rules;
};
using RoleList = std::vector<const CompiledRole*>;

// What one user or group holds, by scope.
struct Grants {
  RoleList platform;
  StringMap<RoleList> clusters;
  StringMap<RoleList> workspaces;
  StringMap<StringMap<RoleList>> projects;  // workspace → project → roles
  StringSet visible_workspaces;             // any binding in the workspace or one of its projects
};

template <class M>
const typename M::mapped_type* find_in(const M& map, std::string_view key) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

bool any_rule_allows(const RoleList* roles, const core::AccessRequest& request) {
  if (!roles) return false;
  for (const CompiledRole* r : *roles) {
    for (const auto& rule : r->rules) {
      if (rule_allows(rule, request)) return true;
    }
  }
  return false;
}

}  // namespace

struct RbacAuthorizer::Index {
  std::int64_t version = -1;
  std::deque<CompiledRole> roles;  // stable addresses
  StringMap<Grants> users;
  StringMap<Grants> groups;
  StringMap<StringMap<std::string>> project_cluster;  // workspace → project → cluster

  bool allows(const Grants& g, const core::AccessRequest& r, std::string_view cluster) const {
    if (any_rule_allows(&g.platform, r)) return true;
    const auto& s = r.scope;
    switch (s.level) {
      case Level::Platform:
        return false;
      case Level::Cluster:
        return any_rule_allows(find_in(g.clusters, s.cluster), r);
      case Level::Workspace:
        return any_rule_allows(find_in(g.workspaces, s.workspace), r);
      case Level::Project: {
        if (!cluster.empty() && any_rule_allows(find_in(g.clusters, cluster), r)) return true;
        if (any_rule_allows(find_in(g.workspaces, s.workspace), r)) return true;
        const auto* ps = find_in(g.projects, s.workspace);
        return ps && any_rule_allows(find_in(*ps, s.project), r);
      }
    }
    return false;
  }
};

std::string describe_request(const core::AccessRequest& r) {
  std::string what = r.resource;
  if (!r.subresource.empty()) what += "/" + r.subresource;
  if (!r.name.empty()) what += fmt::format(" \"{}\"", r.name);
  return fmt::format("{} {} {}", r.verb, what, describe_scope(r.scope));
}

RbacAuthorizer::RbacAuthorizer(storage::Store& store, const TemplateRegistry& templates, const core::Clock& clock,
                               AuthorizerOptions options)
    : store_(store), templates_(templates), clock_(clock), options_(options) {}

RbacAuthorizer::~RbacAuthorizer() = default;

core::Status RbacAuthorizer::refresh() {
  std::lock_guard rl(rebuild_mu_);
  auto v = store_.current_version();
  if (!v) return core::fail(v.error());
  {
    std::lock_guard l(mu_);
    last_check_ = clock_.now();
  }
  return rebuild(*v);
}

std::shared_ptr<const RbacAuthorizer::Index> RbacAuthorizer::snapshot() {
  auto now = clock_.now();
  std::shared_ptr<const Index> cur;
  {
    std::lock_guard l(mu_);
    cur = index_;
    if (cur && now - last_check_ < options_.refresh_interval) return cur;
  }
  std::unique_lock rl(rebuild_mu_, std::try_to_lock);
  if (!rl.owns_lock()) {
    if (cur) return cur;  // another thread is checking; the current index is at most one interval old
    rl.lock();
  }
  {
    std::lock_guard l(mu_);
    if (index_ && now - last_check_ < options_.refresh_interval) return index_;  // refreshed while we waited
    last_check_ = now;
    cur = index_;
  }
  auto v = store_.current_version();
  if (!v) {
    core::log_warn("authorizer: cannot read the store version: " + v.error().message);
  } else if (!cur || cur->version != *v) {
    if (auto s = rebuild(*v); !s) core::log_warn("authorizer: index rebuild failed: " + s.error().message);
  }
  std::lock_guard l(mu_);
  return index_ ? index_ : std::make_shared<const Index>();
}

core::Status RbacAuthorizer::rebuild(std::int64_t version) {
  auto idx = std::make_shared<Index>();
  idx->version = version;
  auto compile = [&](const std::vector<std::string>& names) {
    CompiledRole role;
    for (const auto& n : names) {
      if (const auto* t = templates_.find(n)) {
        role.rules.insert(role.rules.end(), t->rules.begin(), t->rules.end());
      }
    }
    idx->roles.push_back(std::move(role));
    return &idx->roles.back();
  };
  std::map<std::pair<Level, std::string>, const CompiledRole*, std::less<>> builtin;
  for (const auto& r : builtin_roles()) builtin[{r.level, r.name}] = compile(r.templates);

  // Custom roles by (role scope key, name), with their level.
  std::map<std::pair<std::string, std::string>, std::pair<Level, const CompiledRole*>> custom;
  auto roles = list_all(store_, std::string(kRoleKind), "", storage::Store::ScopeMatch::All);
  if (!roles) return core::fail(roles.error());
  for (const auto& o : *roles) {
    auto doc = core::parse_json(o.data);
    if (!doc || !doc->is_object()) continue;
    auto spec = RoleSpec::schema().decode_value(doc->at("spec"), "role");
    if (!spec) continue;
    auto level = parse_level(spec->level);
    if (!level) continue;
    custom[{o.scope, o.name}] = {*level, compile(spec->templates)};
  }

  auto claims = list_all(store_, std::string(kProjectClaimKind), "", storage::Store::ScopeMatch::All);
  if (!claims) return core::fail(claims.error());
  for (const auto& c : *claims) {
    if (!c.scope.starts_with("cluster/")) continue;
    idx->project_cluster[project_claim_workspace(c)][c.name] = c.scope.substr(8);
  }

  auto bindings = list_all(store_, std::string(kRoleBindingKind), "", storage::Store::ScopeMatch::All);
  if (!bindings) return core::fail(bindings.error());
  for (const auto& b : *bindings) {
    auto scope = parse_scope_key(b.scope);
    auto spec = binding_spec_of(b);
    if (!scope || !spec) continue;
    const CompiledRole* role = nullptr;
    if (auto it = builtin.find(std::pair<Level, std::string>{scope->level, spec->role}); it != builtin.end()) {
      role = it->second;
    } else if (auto c = custom.find({role_scope_key(*scope), spec->role});
               c != custom.end() && c->second.first == scope->level) {
      role = c->second.second;
    }
    if (!role) continue;  // a binding to a deleted role grants nothing
    for (const auto& subject : spec->subjects) {
      Grants& g = (subject.kind == "Group" ? idx->groups : idx->users)[subject.name];
      switch (scope->level) {
        case Level::Platform:
          g.platform.push_back(role);
          break;
        case Level::Cluster:
          g.clusters[scope->cluster].push_back(role);
          break;
        case Level::Workspace:
          g.workspaces[scope->workspace].push_back(role);
          g.visible_workspaces.insert(scope->workspace);
          break;
        case Level::Project:
          g.projects[scope->workspace][scope->project].push_back(role);
          g.visible_workspaces.insert(scope->workspace);
          break;
      }
    }
  }
  std::lock_guard l(mu_);
  if (!index_ || index_->version <= version) index_ = std::move(idx);
  return {};
}

core::Decision RbacAuthorizer::authorize(const core::Principal& principal, const core::AccessRequest& request) {
  auto idx = snapshot();
  if (principal.user.empty()) return core::Decision{false, describe_request(request)};
  std::string_view cluster = request.scope.cluster;
  if (request.scope.level == Level::Project && cluster.empty()) {
    if (const auto* ps = find_in(idx->project_cluster, request.scope.workspace)) {
      if (const auto* c = find_in(*ps, request.scope.project)) cluster = *c;
    }
  }
  const Grants* user = find_in(idx->users, principal.user);
  std::vector<const Grants*> grants;
  grants.reserve(1 + principal.groups.size());
  if (user) grants.push_back(user);
  for (const auto& g : principal.groups) {
    if (const Grants* gg = find_in(idx->groups, g)) grants.push_back(gg);
  }
  for (const Grants* g : grants) {
    if (idx->allows(*g, request, cluster)) return core::Decision{true, {}};
  }
  // Membership visibility: lists are filtered by the handler, so they need only membership, not a rule.
  // Clusters likewise: everyone may ask for the list; the handler shows only the clusters the caller may get.
  if (request.api_group == kClusterGroup && request.resource == "clusters" && request.subresource.empty() &&
      request.verb == "list" && request.scope.level == Level::Platform) {
    return core::Decision{true, {}};
  }
  if (request.api_group == kTenantGroup && request.subresource.empty()) {
    if (request.resource == "workspaces" && request.verb == "list" && request.scope.level == Level::Platform) {
      return core::Decision{true, {}};
    }
    bool visible_ask =
        request.scope.level == Level::Workspace && ((request.resource == "workspaces" && request.verb == "get") ||
                                                    (request.resource == "projects" && request.verb == "list"));
    if (visible_ask) {
      for (const Grants* g : grants) {
        if (g->visible_workspaces.contains(request.scope.workspace)) return core::Decision{true, {}};
      }
    }
  }
  return core::Decision{false, describe_request(request)};
}

}  // namespace atrium::iam
