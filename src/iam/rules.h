// One permission in Kubernetes RBAC form (apiGroups, resources, verbs, optional resourceNames) and how it matches
// an AccessRequest, exactly as Kubernetes matches PolicyRules, so the same rules can later decide Kubernetes
// passthrough. Value types; pure functions; thread-safe.
//
// Matching: "*" in apiGroups/verbs matches any; in resources "*" matches any resource and subresource,
// "pods/log" matches resource pods with subresource log, "*/scale" matches any resource's scale subresource.
// resourceNames, when set, limit the rule to requests naming one of them.
//
// Secret values: reading a Secret with its values is verb get/list/watch on "secrets"; reading only names and
// data keys is the same verb on the subresource "secrets/keys". Read-only roles grant only the latter, and the
// Kubernetes passthrough checks "secrets" first and falls back to "secrets/keys", stripping values.
#pragma once

#include <string>
#include <vector>

#include "core/auth.h"
#include "schema/schema.h"

namespace atrium::iam {

struct PolicyRule {
  std::vector<std::string> api_groups;
  std::vector<std::string> resources;
  std::vector<std::string> verbs;
  std::vector<std::string> resource_names;

  static const schema::Struct<PolicyRule>& schema();
};

bool rule_allows(const PolicyRule& rule, const core::AccessRequest& request);

}  // namespace atrium::iam
