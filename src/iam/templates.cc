#include "iam/templates.h"

#include <fmt/format.h>

namespace atrium::iam {
namespace {

using Strings = std::vector<std::string>;

const Strings kRead = {"get", "list", "watch"};
const Strings kAll = {"*"};

PolicyRule rule(Strings groups, Strings resources, Strings verbs) {
  return PolicyRule{std::move(groups), std::move(resources), std::move(verbs), {}};
}

// Namespaced workload kinds a project's members work with, per API group. Secrets appear only in the manage
// set; readers get "secrets/keys" (names and data keys, never values).
std::vector<PolicyRule> namespaced_rules(const Strings& verbs, bool with_secret_values) {
  Strings core = {"pods",         "pods/log",       "services",        "endpoints",
                  "configmaps",   "events",         "serviceaccounts", "persistentvolumeclaims",
                  "secrets/keys", "resourcequotas", "limitranges"};
  if (with_secret_values) {
    // Managers change workloads but never their own quota: resourcequotas and limitranges stay read-only.
    core = {"pods",        "pods/log",   "pods/exec", "pods/attach",     "pods/portforward",       "services",
            "endpoints",   "configmaps", "events",    "serviceaccounts", "persistentvolumeclaims", "secrets",
            "secrets/keys"};
  }
  std::vector<PolicyRule> rules = {
      rule({""}, core, verbs),
      rule({"apps"},
           {"deployments", "deployments/scale", "deployments/rollback", "statefulsets", "statefulsets/scale",
            "statefulsets/rollback", "daemonsets", "daemonsets/rollback", "replicasets", "replicasets/scale",
            "controllerrevisions"},
           verbs),
      rule({"batch"}, {"jobs", "cronjobs"}, verbs),
      rule({"networking.k8s.io"}, {"ingresses", "networkpolicies"}, verbs),
      rule({"autoscaling"}, {"horizontalpodautoscalers"}, verbs),
  };
  if (with_secret_values) rules.push_back(rule({""}, {"resourcequotas", "limitranges"}, kRead));
  return rules;
}

}  // namespace

bool template_allowed_in(Level template_level, Level role_level) {
  switch (role_level) {
    case Level::Platform:
      return true;
    case Level::Cluster:
      return template_level == Level::Cluster || template_level == Level::Project;
    case Level::Workspace:
      return template_level == Level::Workspace || template_level == Level::Project;
    case Level::Project:
      return template_level == Level::Project;
  }
  return false;
}

core::Status TemplateRegistry::add(PermissionTemplate t) {
  if (t.name.empty() || t.rules.empty()) {
    return core::fail(core::ErrorCode::InvalidArgument, "a permission template needs a name and at least one rule");
  }
  if (templates_.contains(t.name)) {
    return core::fail(core::ErrorCode::AlreadyExists,
                      fmt::format("permission template \"{}\" is already registered", t.name));
  }
  std::string name = t.name;
  templates_.emplace(std::move(name), std::move(t));
  return {};
}

const PermissionTemplate* TemplateRegistry::find(std::string_view name) const {
  auto it = templates_.find(name);
  return it == templates_.end() ? nullptr : &it->second;
}

const std::vector<std::string>& kubernetes_groups() {
  static const Strings groups = {"",
                                 "apps",
                                 "batch",
                                 "autoscaling",
                                 "policy",
                                 "networking.k8s.io",
                                 "rbac.authorization.k8s.io",
                                 "storage.k8s.io",
                                 "apiextensions.k8s.io",
                                 "admissionregistration.k8s.io",
                                 "coordination.k8s.io",
                                 "discovery.k8s.io",
                                 "events.k8s.io",
                                 "scheduling.k8s.io",
                                 "node.k8s.io",
                                 "metrics.k8s.io"};
  return groups;
}

core::Status register_templates(TemplateRegistry& r) {
  const std::string iam(kIamGroup), audit(kAuditGroup), cluster(kClusterGroup);
  std::vector<PermissionTemplate> ts = {
      {"platform-all", Level::Platform, "Everything, everywhere.", {rule(kAll, kAll, kAll)}},
      {"iam-read-all", Level::Platform, "Read users, groups, roles and members.", {rule({iam}, kAll, kRead)}},
      {"users-manage",
       Level::Platform,
       "Create, change and delete users and groups.",
       {rule({iam}, {"users", "groups"}, kAll)}},
      {"audit-read", Level::Platform, "Read the audit log.", {rule({audit}, kAll, kRead)}},
      {"workspace-audit-read",
       Level::Workspace,
       "Read the audit log of the workspace and its projects.",
       {rule({audit}, kAll, kRead)}},
      {"workspace-roles-read",
       Level::Workspace,
       "Read the workspace's roles.",
       {rule({iam}, {"workspaceroles"}, kRead)}},
      {"workspace-roles-manage",
       Level::Workspace,
       "Create and delete custom workspace roles.",
       {rule({iam}, {"workspaceroles"}, kAll)}},
      {"workspace-members-read",
       Level::Workspace,
       "Read the workspace's members.",
       {rule({iam}, {"workspacemembers"}, kRead)}},
      {"workspace-members-manage",
       Level::Workspace,
       "Add workspace members, change their roles, remove them.",
       {rule({iam}, {"workspacemembers"}, kAll)}},
      {"roles-read",
       Level::Project,
       "Read the roles of a project (of the platform, when bound there).",
       {rule({iam}, {"roles"}, kRead)}},
      {"roles-manage", Level::Project, "Create and delete custom roles of a project.", {rule({iam}, {"roles"}, kAll)}},
      {"members-read", Level::Project, "Read the members of a project.", {rule({iam}, {"members"}, kRead)}},
      {"members-manage",
       Level::Project,
       "Add project members, change their roles, remove them.",
       {rule({iam}, {"members"}, kAll)}},
      {"kube-read", Level::Project, "Read workloads, services and configuration (secret names and keys only).",
       namespaced_rules(kRead, false)},
      {"kube-manage", Level::Project, "Manage workloads, services, configuration and secrets.",
       namespaced_rules(kAll, true)},
      {"kube-cluster-read",
       Level::Cluster,
       "Read nodes, namespaces and cluster-scoped kinds.",
       {rule({"", "storage.k8s.io", "apiextensions.k8s.io", "rbac.authorization.k8s.io", "scheduling.k8s.io",
              "node.k8s.io", "metrics.k8s.io"},
             {"nodes", "namespaces", "persistentvolumes", "storageclasses", "customresourcedefinitions", "clusterroles",
              "clusterrolebindings", "priorityclasses", "runtimeclasses", "componentstatuses"},
             kRead),
        // The cluster's registration in Atrium (its status; never its kubeconfig).
        rule({cluster}, {"clusters"}, kRead)}},
      {"kube-cluster-manage",
       Level::Cluster,
       "Manage a cluster: nodes, namespaces, every Kubernetes kind; read its registration, run its preflight checks.",
       {rule(kubernetes_groups(), kAll, kAll), rule({cluster}, {"clusters"}, kRead),
        rule({cluster}, {"clusters/preflight"}, {"create"})}},
      {"clusters-manage",
       Level::Platform,
       "Register, change and remove clusters (kubeconfigs).",
       {rule({cluster}, {"clusters", "clusters/preflight"}, kAll)}},
  };
  for (auto& t : ts) {
    if (auto s = r.add(std::move(t)); !s) return s;
  }
  return {};
}

}  // namespace atrium::iam
