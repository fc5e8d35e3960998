#include "tenancy/workspaces.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "iam/scope_key.h"
#include "iam/store_objects.h"
#include "iam/templates.h"
#include "tenancy/projects.h"
#include "tenancy/quantity.h"
#include "tenancy/tenancy_lists.h"
#include "tenancy/workspace.h"

namespace atrium::tenancy {
namespace json = core::json;
namespace {

core::Status check_workspace_quotas(const WorkspaceSpec& spec) {
  std::vector<core::Cause> causes;
  for (std::size_t i = 0; i < spec.quotas.size(); ++i) {
    const auto& q = spec.quotas[i];
    if (std::find(spec.clusters.begin(), spec.clusters.end(), q.cluster) == spec.clusters.end()) {
      causes.push_back({fmt::format("spec.quotas[{}].cluster", i),
                        fmt::format("cluster \"{}\" is not one of the workspace's clusters", q.cluster)});
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (spec.quotas[j].cluster == q.cluster) {
        causes.push_back({fmt::format("spec.quotas[{}].cluster", i), "one quota per cluster"});
      }
    }
    for (const auto& [k, v] : q.hard) {
      if (auto m = parse_quantity_milli(v); !m) {
        causes.push_back({fmt::format("spec.quotas[{}].hard[\"{}\"]", i, k), m.error().message});
      }
    }
  }
  if (causes.empty()) return {};
  std::string msg = "invalid workspace quota: " + causes.front().message;
  return core::fail(core::Error(core::ErrorCode::InvalidArgument, std::move(msg), std::move(causes)));
}

core::Result<std::vector<storage::StoredObject>> projects_of(storage::Store& store, const std::string& ws) {
  return iam::list_all(store, std::string(kProjectKind), "workspace/" + ws, storage::Store::ScopeMatch::Exact);
}

}  // namespace

Workspaces::Workspaces(storage::Store& store, const core::Clock& clock, iam::RoleBindings& bindings,
                       core::Authorizer& authorizer, ProjectNamespaces* namespaces)
    : store_(store), clock_(clock), bindings_(bindings), authorizer_(authorizer), namespaces_(namespaces) {}

core::Result<storage::StoredObject> Workspaces::create(const core::Principal& caller, const json::value& body) {
  auto doc = workspace_type().decode(body);
  if (!doc) return core::fail(doc.error());
  auto spec = WorkspaceSpec::schema().decode_value(doc->at("spec"), "workspace");
  if (!spec) return core::fail(spec.error());
  if (auto s = check_workspace_quotas(*spec); !s) return core::fail(s.error());
  const std::string name(doc->at("metadata").at("name").as_string());
  std::vector<storage::Mutation> muts;
  muts.push_back({storage::Mutation::Op::Create, iam::new_object(std::string(kWorkspaceKind), "", *doc, clock_), 0});
  const std::string& admin = spec->manager.empty() ? caller.user : spec->manager;
  if (!admin.empty()) {
    auto b = bindings_.member_mutation(iam::workspace_scope(name), iam::Member{.user = admin, .role = "admin"});
    if (!b) return core::fail(b.error());
    muts.push_back(std::move(*b));
  }
  auto written = store_.commit(muts);
  if (!written) {
    if (written.error().code == core::ErrorCode::AlreadyExists) {
      return core::fail(core::ErrorCode::AlreadyExists, fmt::format("workspace \"{}\" already exists", name));
    }
    return core::fail(written.error());
  }
  bindings_.notify_changed();
  return written->front();
}

core::Result<storage::StoredObject> Workspaces::get(const std::string& name) {
  auto obj = store_.get(std::string(kWorkspaceKind), "", name);
  if (!obj && obj.error().code == core::ErrorCode::NotFound) {
    return core::fail(core::ErrorCode::NotFound, fmt::format("workspace \"{}\" not found", name));
  }
  return obj;
}

core::Result<storage::StoredObject> Workspaces::update(const core::Principal& caller, const std::string& name,
                                                       const json::value& body) {
  auto current = get(name);
  if (!current) return core::fail(current.error());
  auto doc = workspace_type().decode(body);
  if (!doc) return core::fail(doc.error());
  if (doc->at("metadata").at("name").as_string() != name) {
    return core::fail(core::Error(core::ErrorCode::InvalidArgument,
                                  "metadata.name in the body does not match the name in the path",
                                  {core::Cause{"metadata.name", "must match the path"}}));
  }
  auto spec = WorkspaceSpec::schema().decode_value(doc->at("spec"), "workspace");
  if (!spec) return core::fail(spec.error());
  if (auto s = check_workspace_quotas(*spec); !s) return core::fail(s.error());
  auto old = workspace_spec_of(current->data);
  if (!old) return core::fail(old.error());
  auto encode_quotas = [](const WorkspaceSpec& s) {
    return json::serialize(
        WorkspaceSpec::schema().encode_value(WorkspaceSpec{.clusters = s.clusters, .quotas = s.quotas}));
  };
  if (encode_quotas(*old) != encode_quotas(*spec)) {
    core::AccessRequest req{.verb = "update",
                            .api_group = std::string(iam::kTenantGroup),
                            .resource = "workspaces",
                            .subresource = "quotas",
                            .name = name,
                            .scope = iam::workspace_scope(name)};
    if (auto d = authorizer_.authorize(caller, req); !d.allowed) {
      return core::fail(core::ErrorCode::PermissionDenied,
                        fmt::format("user \"{}\" may not {} (clusters and quotas are set by platform admins)",
                                    caller.user, d.reason));
    }
    auto projects = projects_of(store_, name);
    if (!projects) return core::fail(projects.error());
    std::vector<std::pair<std::string, ProjectSpec>> specs;
    for (const auto& p : *projects) {
      auto pd = core::parse_json(p.data);
      if (!pd) return core::fail(core::ErrorCode::Internal, "stored project is corrupt");
      auto ps = ProjectSpec::schema().decode_value(pd->at("spec"), "project");
      if (!ps) return core::fail(core::ErrorCode::Internal, "stored project is corrupt");
      if (std::find(spec->clusters.begin(), spec->clusters.end(), ps->cluster) == spec->clusters.end()) {
        return core::fail(core::Error(
            core::ErrorCode::InvalidArgument,
            fmt::format("cluster {} is still used by project {}; delete the project first", ps->cluster, p.name),
            {core::Cause{"spec.clusters", "a cluster used by a project cannot be removed"}}));
      }
      specs.emplace_back(p.name, std::move(*ps));
    }
    if (auto s = check_quotas(name, *spec, specs); !s) return core::fail(s.error());
  }
  std::int64_t expected = current->resource_version;
  if (const auto* rv = body.as_object().at("metadata").as_object().if_contains("resourceVersion");
      rv && rv->is_string() && !rv->as_string().empty() && std::string(rv->as_string()) != std::to_string(expected)) {
    return core::fail(core::ErrorCode::Conflict,
                      fmt::format("Operation cannot be fulfilled on workspaces \"{}\": the object has been modified; "
                                  "please apply your changes to the latest version and try again",
                                  name));
  }
  auto next = iam::replaced_object(*current, *doc);
  if (!next) return core::fail(next.error());
  auto written = store_.update(*next, expected);
  if (!written && written.error().code == core::ErrorCode::Conflict) {
    return core::fail(core::ErrorCode::Conflict,
                      fmt::format("workspace \"{}\" changed meanwhile; read it again and retry", name));
  }
  return written;
}

core::Status Workspaces::remove(const std::string& name, WorkspaceDeleteOptions options) {
  auto current = get(name);
  if (!current) return core::fail(current.error());
  auto projects = projects_of(store_, name);
  if (!projects) return core::fail(projects.error());
  if (!projects->empty() && !options.cascade) {
    std::vector<std::string> names;
    for (const auto& p : *projects) names.push_back(p.name);
    return core::fail(core::ErrorCode::FailedPrecondition,
                      fmt::format("workspace \"{}\" still has {} project(s) ({}); delete them first or delete with "
                                  "?cascade=true",
                                  name, projects->size(), fmt::join(names, ", ")));
  }
  std::vector<storage::Mutation> muts = {iam::delete_mutation(*current)};
  std::vector<std::pair<ProjectRef, ProjectQuota>> namespaces;  // the projects' namespaces, released below
  for (const auto& p : *projects) {
    muts.push_back(iam::delete_mutation(p));
    auto pd = core::parse_json(p.data);
    if (pd) {
      if (auto ps = ProjectSpec::schema().decode_value(pd->at("spec"), "project"); ps) {
        auto claim = store_.get(std::string(iam::kProjectClaimKind), "cluster/" + ps->cluster, p.name);
        if (claim) muts.push_back(iam::delete_mutation(*claim));
        namespaces.emplace_back(ProjectRef{.workspace = name, .name = p.name, .cluster = ps->cluster}, ps->quota);
      }
    }
    auto cleanup = scope_cleanup(store_, iam::scope_key(iam::project_scope(name, p.name)));
    if (!cleanup) return core::fail(cleanup.error());
    muts.insert(muts.end(), cleanup->begin(), cleanup->end());
  }
  auto cleanup = scope_cleanup(store_, iam::scope_key(iam::workspace_scope(name)));
  if (!cleanup) return core::fail(cleanup.error());
  muts.insert(muts.end(), cleanup->begin(), cleanup->end());
  // Cascading never deletes namespaces (that takes a confirmation per project): they are released first, and
  // taken back when a later release or the commit fails.
  std::size_t released = 0;
  auto take_back = [&] {
    for (std::size_t i = 0; i < released; ++i) {
      (void)namespaces_->provision(namespaces[i].first, namespaces[i].second, NamespaceAdoption::Adopt);
    }
  };
  if (namespaces_) {
    for (; released < namespaces.size(); ++released) {
      if (auto s = namespaces_->dispose(namespaces[released].first, NamespaceDisposal::Release); !s) {
        take_back();
        return core::fail(s.error());
      }
    }
  }
  if (auto c = store_.commit(muts); !c) {
    if (namespaces_) take_back();
    if (c.error().code == core::ErrorCode::Conflict || c.error().code == core::ErrorCode::NotFound) {
      return core::fail(core::ErrorCode::Conflict,
                        fmt::format("workspace \"{}\" changed while it was being deleted; try again", name));
    }
    return core::fail(c.error());
  }
  bindings_.notify_changed();
  return {};
}

core::Result<storage::ListResult> Workspaces::list(const core::Principal& caller, const core::ListOptions& options) {
  auto shared = list_shared(caller, options);
  if (!shared) return core::fail(shared.error());
  return **shared;
}

core::Result<std::shared_ptr<const storage::ListResult>> Workspaces::list_shared(const core::Principal& caller,
                                                                                 const core::ListOptions& options) {
  // Reading workspaces at the platform level is a real rule (platform admins, auditors), not membership.
  bool sees_all = authorizer_
                      .authorize(caller, core::AccessRequest{.verb = "get",
                                                             .api_group = std::string(iam::kTenantGroup),
                                                             .resource = "workspaces",
                                                             .scope = iam::platform_scope()})
                      .allowed;
  return list_visible_shared(store_, std::string(kWorkspaceKind), "", options, sees_all,
                             [&](const storage::StoredObject& o) {
                               core::AccessRequest r{.verb = "get",
                                                     .api_group = std::string(iam::kTenantGroup),
                                                     .resource = "workspaces",
                                                     .name = o.name,
                                                     .scope = iam::workspace_scope(o.name)};
                               return authorizer_.authorize(caller, r).allowed;
                             });
}

}  // namespace atrium::tenancy
