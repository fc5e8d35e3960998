#include "tenancy/projects.h"

#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "iam/scope_key.h"
#include "iam/store_objects.h"
#include "iam/templates.h"
#include "tenancy/quantity.h"
#include "tenancy/tenancy_lists.h"

namespace atrium::tenancy {
namespace json = core::json;
namespace {

core::Error invalid(std::string field, std::string message) {
  std::string m = message;
  return core::Error(core::ErrorCode::InvalidArgument, std::move(m),
                     {core::Cause{std::move(field), std::move(message)}});
}

core::Result<ProjectSpec> project_spec_of(const std::string& data) {
  auto doc = core::parse_json(data);
  if (!doc || !doc->is_object() || !doc->as_object().contains("spec")) {
    return core::fail(core::ErrorCode::Internal, "stored project is corrupt");
  }
  auto s = ProjectSpec::schema().decode_value(doc->at("spec"), "project");
  if (!s) return core::fail(core::ErrorCode::Internal, "stored project is corrupt");
  return s;
}

core::Status check_quantities(const schema::StringMap& hard, std::string_view path) {
  std::vector<core::Cause> causes;
  for (const auto& [k, v] : hard) {
    std::string field = fmt::format("{}[\"{}\"]", path, k);
    if (k.empty() || k.size() > 253 || k.find_first_of(" /\"") != std::string::npos) {
      causes.push_back({field, "not a resource name"});
    } else if (auto q = parse_quantity_milli(v); !q) {
      causes.push_back({field, q.error().message});
    }
  }
  if (causes.empty()) return {};
  std::string msg = "invalid quota: " + causes.front().message;
  return core::fail(core::Error(core::ErrorCode::InvalidArgument, std::move(msg), std::move(causes)));
}

}  // namespace

core::Status check_quotas(const std::string& workspace, const WorkspaceSpec& ws,
                          const std::vector<std::pair<std::string, ProjectSpec>>& projects) {
  std::vector<core::Cause> causes;
  for (const auto& quota : ws.quotas) {
    for (const auto& [resource, limit_text] : quota.hard) {
      auto limit = parse_quantity_milli(limit_text);
      if (!limit) continue;  // validated when the workspace was written
      std::int64_t sum = 0;
      std::string field = fmt::format("spec.quota.hard[\"{}\"]", resource);
      for (const auto& [name, spec] : projects) {
        if (spec.cluster != quota.cluster) continue;
        auto it = spec.quota.hard.find(resource);
        if (it == spec.quota.hard.end()) {
          causes.push_back({field, fmt::format("workspace {} limits {} on cluster {}, so project {} must set it",
                                               workspace, resource, quota.cluster, name)});
          continue;
        }
        auto q = parse_quantity_milli(it->second);
        if (!q) continue;
        sum =
            (*q > std::numeric_limits<std::int64_t>::max() - sum) ? std::numeric_limits<std::int64_t>::max() : sum + *q;
      }
      if (sum > *limit) {
        causes.push_back(
            {field, fmt::format("the projects of workspace {} on cluster {} would reserve {} of {} "
                                "together, over the workspace's quota of {}",
                                workspace, quota.cluster, format_quantity_milli(sum), resource, limit_text)});
      }
    }
  }
  if (causes.empty()) return {};
  std::string msg = "quota exceeds the workspace's: " + causes.front().message;
  return core::fail(core::Error(core::ErrorCode::InvalidArgument, std::move(msg), std::move(causes)));
}

core::Result<std::vector<storage::Mutation>> scope_cleanup(storage::Store& store, const std::string& scope_key) {
  std::vector<storage::Mutation> out;
  for (std::string_view kind : {iam::kRoleBindingKind, iam::kRoleKind}) {
    auto objs = iam::list_all(store, std::string(kind), scope_key, storage::Store::ScopeMatch::Exact);
    if (!objs) return core::fail(objs.error());
    for (const auto& o : *objs) out.push_back(iam::delete_mutation(o));
  }
  return out;
}

Projects::Projects(storage::Store& store, const core::Clock& clock, iam::RoleBindings& bindings,
                   core::Authorizer& authorizer, ProjectNamespaces* namespaces)
    : store_(store), clock_(clock), bindings_(bindings), authorizer_(authorizer), namespaces_(namespaces) {}

core::Status require_no_projects(storage::Store& store, std::string_view cluster) {
  auto claims = iam::list_all(store, std::string(iam::kProjectClaimKind), "cluster/" + std::string(cluster),
                              storage::Store::ScopeMatch::Exact);
  if (!claims) return core::fail(claims.error());
  if (claims->empty()) return {};
  // The message names up to five; each project is a cause ("workspace/project"), so a client can list them all.
  std::vector<std::string> names;
  std::vector<core::Cause> causes;
  for (const auto& c : *claims) {
    std::string project = iam::project_claim_workspace(c) + "/" + c.name;
    if (names.size() < 5) names.push_back(project);
    causes.push_back(core::Cause{"projects", std::move(project)});
  }
  return core::fail(
      core::Error(core::ErrorCode::Conflict,
                  fmt::format("cluster \"{}\" still holds {} project(s) ({}{}); delete them before removing it",
                              cluster, claims->size(), fmt::join(names, ", "), claims->size() > 5 ? ", ..." : ""),
                  std::move(causes)));
}

std::optional<core::Scope> Projects::find_namespace_scope(std::string_view cluster, std::string_view ns) {
  auto claim = store_.get(std::string(iam::kProjectClaimKind), "cluster/" + std::string(cluster), std::string(ns));
  if (!claim) return std::nullopt;
  core::Scope s = iam::project_scope(iam::project_claim_workspace(*claim), std::string(ns));
  s.cluster = std::string(cluster);
  return s;
}

core::Result<storage::StoredObject> Projects::get(const std::string& workspace, const std::string& name) {
  auto obj = store_.get(std::string(kProjectKind), "workspace/" + workspace, name);
  if (!obj && obj.error().code == core::ErrorCode::NotFound) {
    return core::fail(core::ErrorCode::NotFound,
                      fmt::format("project \"{}\" not found in workspace {}", name, workspace));
  }
  return obj;
}

core::Result<storage::StoredObject> Projects::create(const core::Principal& caller, const std::string& workspace,
                                                     const json::value& body, ProjectCreateOptions options) {
  return write(caller, workspace, body, nullptr, options);
}

core::Result<storage::StoredObject> Projects::update(const core::Principal& caller, const std::string& workspace,
                                                     const std::string& name, const json::value& body) {
  auto current = get(workspace, name);
  if (!current) return core::fail(current.error());
  return write(caller, workspace, body, &*current, ProjectCreateOptions{});
}

core::Result<storage::StoredObject> Projects::write(const core::Principal& caller, const std::string& workspace,
                                                    const json::value& body, const storage::StoredObject* current,
                                                    ProjectCreateOptions options) {
  auto doc = project_type().decode(body);
  if (!doc) return core::fail(doc.error());
  auto spec = ProjectSpec::schema().decode_value(doc->at("spec"), "project");
  if (!spec) return core::fail(spec.error());
  const std::string name(doc->at("metadata").at("name").as_string());
  if (name.size() > 63)
    return core::fail(invalid("metadata.name", "a project name is a namespace: at most 63 characters"));
  if (auto s = check_quantities(spec->quota.hard, "spec.quota.hard"); !s) return core::fail(s.error());

  auto ws_obj = store_.get(std::string(kWorkspaceKind), "", workspace);
  if (!ws_obj) {
    if (ws_obj.error().code == core::ErrorCode::NotFound) {
      return core::fail(core::ErrorCode::NotFound, fmt::format("workspace \"{}\" not found", workspace));
    }
    return core::fail(ws_obj.error());
  }
  auto ws = workspace_spec_of(ws_obj->data);
  if (!ws) return core::fail(ws.error());
  if (std::find(ws->clusters.begin(), ws->clusters.end(), spec->cluster) == ws->clusters.end()) {
    return core::fail(invalid("spec.cluster", fmt::format("workspace {} may not use cluster \"{}\"; its clusters: {}",
                                                          workspace, spec->cluster, fmt::join(ws->clusters, ", "))));
  }
  std::optional<ProjectSpec> old;
  if (current) {
    if (name != current->name) {
      return core::fail(invalid("metadata.name", "metadata.name in the body does not match the name in the path"));
    }
    auto o = project_spec_of(current->data);
    if (!o) return core::fail(o.error());
    old = std::move(*o);
    if (old->cluster != spec->cluster) {
      return core::fail(invalid("spec.cluster", "a project cannot move to another cluster"));
    }
    if (old->quota.hard != spec->quota.hard) {
      core::AccessRequest req{.verb = "update",
                              .api_group = std::string(iam::kTenantGroup),
                              .resource = "projects",
                              .subresource = "quota",
                              .name = name,
                              .scope = iam::project_scope(workspace, name)};
      if (auto d = authorizer_.authorize(caller, req); !d.allowed) {
        return core::fail(core::ErrorCode::PermissionDenied,
                          fmt::format("user \"{}\" may not {}", caller.user, d.reason));
      }
    }
  }

  // Quotas: every project of the workspace, with this one as it would be.
  auto all =
      iam::list_all(store_, std::string(kProjectKind), "workspace/" + workspace, storage::Store::ScopeMatch::Exact);
  if (!all) return core::fail(all.error());
  std::vector<std::pair<std::string, ProjectSpec>> specs;
  for (const auto& p : *all) {
    if (p.name == name) continue;
    auto s = project_spec_of(p.data);
    if (!s) return core::fail(s.error());
    specs.emplace_back(p.name, std::move(*s));
  }
  specs.emplace_back(name, *spec);
  if (auto s = check_quotas(workspace, *ws, specs); !s) return core::fail(s.error());

  std::vector<storage::Mutation> muts;
  // Rewriting the workspace unchanged, conditional on its version, serialises quota checks of its projects.
  muts.push_back(storage::Mutation{storage::Mutation::Op::Update, *ws_obj, ws_obj->resource_version});
  bool made_admin = false;
  if (current) {
    auto next = iam::replaced_object(*current, *doc);
    if (!next) return core::fail(next.error());
    std::int64_t expected = current->resource_version;
    if (auto* m = body.is_object() ? body.as_object().if_contains("metadata") : nullptr; m && m->is_object()) {
      if (auto* rv = m->as_object().if_contains("resourceVersion"); rv && rv->is_string() && !rv->as_string().empty()) {
        if (std::string(rv->as_string()) != std::to_string(current->resource_version)) {
          return core::fail(core::ErrorCode::Conflict,
                            fmt::format("Operation cannot be fulfilled on projects \"{}\": the object has been "
                                        "modified; please apply your changes to the latest version and try again",
                                        name));
        }
      }
    }
    muts.push_back(storage::Mutation{storage::Mutation::Op::Update, *next, expected});
  } else {
    auto claim = store_.get(std::string(iam::kProjectClaimKind), "cluster/" + spec->cluster, name);
    if (claim) {
      return core::fail(core::ErrorCode::AlreadyExists,
                        fmt::format("project name \"{}\" is already used on cluster {}; project names are namespace "
                                    "names and must be unique per cluster",
                                    name, spec->cluster));
    }
    muts.push_back(storage::Mutation{storage::Mutation::Op::Create,
                                     iam::new_object(std::string(kProjectKind), "workspace/" + workspace, *doc, clock_),
                                     0});
    muts.push_back(storage::Mutation{storage::Mutation::Op::Create,
                                     iam::project_claim_object(spec->cluster, workspace, name, clock_), 0});
    // A caller who could not manage the project through another binding (a workspace self-provisioner) becomes
    // its admin.
    core::AccessRequest manage{.verb = "update",
                               .api_group = std::string(iam::kTenantGroup),
                               .resource = "projects",
                               .name = name,
                               .scope = iam::project_scope(workspace, name)};
    if (!caller.user.empty() && !authorizer_.authorize(caller, manage).allowed) {
      auto b = bindings_.member_mutation(iam::project_scope(workspace, name),
                                         iam::Member{.user = caller.user, .role = "admin"});
      if (!b) return core::fail(b.error());
      muts.push_back(std::move(*b));
      made_admin = true;
    }
  }
  // The cluster side first, so an unreachable cluster or a refused namespace stores nothing; undone below when
  // the commit fails.
  const ProjectRef ref{.workspace = workspace, .name = name, .cluster = spec->cluster};
  std::optional<NamespaceOutcome> provisioned;
  bool quota_applied = false;
  if (namespaces_ && !current) {
    auto p = namespaces_->provision(ref, spec->quota, options.adoption);
    if (!p) return core::fail(p.error());
    provisioned = *p;
  } else if (namespaces_ && old->quota.hard != spec->quota.hard) {
    if (auto s = namespaces_->apply_quota(ref, spec->quota); !s) return core::fail(s.error());
    quota_applied = true;
  }
  auto written = store_.commit(muts);
  if (!written) {
    if (provisioned == NamespaceOutcome::Created) {
      (void)namespaces_->dispose(ref, NamespaceDisposal::Delete);
    } else if (provisioned == NamespaceOutcome::Adopted &&
               !store_.get(std::string(iam::kProjectClaimKind), "cluster/" + spec->cluster, name)) {
      // Released only when no racing create of the same project won the claim (its labels are the same).
      (void)namespaces_->dispose(ref, NamespaceDisposal::Release);
    } else if (quota_applied) {
      (void)namespaces_->apply_quota(ref, old->quota);
    }
    auto code = written.error().code;
    if (code == core::ErrorCode::AlreadyExists) {
      return core::fail(core::ErrorCode::AlreadyExists,
                        fmt::format("project \"{}\" already exists in workspace {} or on cluster {}", name, workspace,
                                    spec->cluster));
    }
    if (code == core::ErrorCode::Conflict) {
      return core::fail(
          core::ErrorCode::Conflict,
          fmt::format("workspace {} changed while project \"{}\" was written; try again", workspace, name));
    }
    return core::fail(written.error());
  }
  if (made_admin || !current) bindings_.notify_changed();
  return (*written)[1];
}

core::Status Projects::remove(const std::string& workspace, const std::string& name, ProjectDeleteOptions options) {
  auto current = get(workspace, name);
  if (!current) return core::fail(current.error());
  auto spec = project_spec_of(current->data);
  if (!spec) return core::fail(spec.error());
  std::vector<storage::Mutation> muts = {iam::delete_mutation(*current)};
  auto claim = store_.get(std::string(iam::kProjectClaimKind), "cluster/" + spec->cluster, name);
  if (claim) muts.push_back(iam::delete_mutation(*claim));
  auto cleanup = scope_cleanup(store_, iam::scope_key(iam::project_scope(workspace, name)));
  if (!cleanup) return core::fail(cleanup.error());
  muts.insert(muts.end(), cleanup->begin(), cleanup->end());
  // The namespace first: a cluster that cannot be reached keeps the project (retry later). A released namespace
  // is taken back when the commit fails; a deleted one cannot be, and a retry finds it gone.
  const ProjectRef ref{.workspace = workspace, .name = name, .cluster = spec->cluster};
  if (namespaces_) {
    if (auto s = namespaces_->dispose(ref, options.namespace_disposal); !s) return core::fail(s.error());
  }
  if (auto c = store_.commit(muts); !c) {
    if (namespaces_ && options.namespace_disposal == NamespaceDisposal::Release) {
      (void)namespaces_->provision(ref, spec->quota, NamespaceAdoption::Adopt);
    }
    return core::fail(c.error());
  }
  bindings_.notify_changed();
  return {};
}

core::Result<storage::ListResult> Projects::list(const core::Principal& caller, const std::string& workspace,
                                                 const core::ListOptions& options) {
  auto shared = list_shared(caller, workspace, options);
  if (!shared) return core::fail(shared.error());
  return **shared;
}

core::Result<std::shared_ptr<const storage::ListResult>> Projects::list_shared(const core::Principal& caller,
                                                                               const std::string& workspace,
                                                                               const core::ListOptions& options) {
  // Reading projects at the workspace level is a real rule (workspace admins and viewers), not membership.
  bool sees_all = authorizer_
                      .authorize(caller, core::AccessRequest{.verb = "get",
                                                             .api_group = std::string(iam::kTenantGroup),
                                                             .resource = "projects",
                                                             .scope = iam::workspace_scope(workspace)})
                      .allowed;
  return list_visible_shared(store_, std::string(kProjectKind), "workspace/" + workspace, options, sees_all,
                             [&](const storage::StoredObject& o) {
                               core::AccessRequest r{.verb = "get",
                                                     .api_group = std::string(iam::kTenantGroup),
                                                     .resource = "projects",
                                                     .name = o.name,
                                                     .scope = iam::project_scope(workspace, o.name)};
                               return authorizer_.authorize(caller, r).allowed;
                             });
}

}  // namespace atrium::tenancy
