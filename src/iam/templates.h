// Permission templates: named sets of PolicyRules that roles aggregate. Modules contribute theirs through an
// explicit call from server/serve.cc (iam::register_templates, tenancy::register_templates, ...), never through
// static initialisers.
// Filled at start-up, then read-only: const methods are thread-safe once registration is finished.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "iam/rules.h"
#include "iam/scope_key.h"

namespace atrium::iam {

inline constexpr std::string_view kTenantGroup = "tenant.atrium.io";
inline constexpr std::string_view kIamGroup = "iam.atrium.io";
inline constexpr std::string_view kAuditGroup = "audit.atrium.io";
inline constexpr std::string_view kClusterGroup = "cluster.atrium.io";

struct PermissionTemplate {
  std::string name;  // "projects-manage"
  // The narrowest level where the template makes sense; a role may use templates of its own level or of levels
  // nested inside it (see template_allowed_in).
  Level level = Level::Project;
  std::string description;
  std::vector<PolicyRule> rules;
};

// Whether a role of `role_level` may include a template of `template_level`: platform roles any; cluster roles
// cluster and project templates (namespaces live in clusters); workspace roles workspace and project templates;
// project roles project templates.
bool template_allowed_in(Level template_level, Level role_level);

class TemplateRegistry {
 public:
  // InvalidArgument for an empty name or no rules; AlreadyExists for a name already registered.
  core::Status add(PermissionTemplate t);
  const PermissionTemplate* find(std::string_view name) const;
  const std::map<std::string, PermissionTemplate, std::less<>>& all() const { return templates_; }

 private:
  std::map<std::string, PermissionTemplate, std::less<>> templates_;
};

// The Kubernetes API groups Atrium's built-in roles speak about.
const std::vector<std::string>& kubernetes_groups();

// iam's templates (users, groups, roles, members), the audit log's and the Kubernetes ones (workloads in a
// project, cluster-scoped kinds). Errors only when called twice on one registry.
core::Status register_templates(TemplateRegistry& registry);

}  // namespace atrium::iam
