#include "iam/rules.h"

#include <algorithm>

namespace atrium::iam {
namespace {

bool contains_or_star(const std::vector<std::string>& list, std::string_view value) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& s) { return s == "*" || s == value; });
}

bool resource_matches(const std::vector<std::string>& rules, const core::AccessRequest& r) {
  for (const auto& rule : rules) {
    if (rule == "*") return true;
    if (r.subresource.empty()) {
      if (rule == r.resource) return true;
      continue;
    }
    // rule == resource + "/" + subresource, or "*/" + subresource
    auto slash = rule.find('/');
    if (slash == std::string::npos) continue;
    std::string_view head(rule.data(), slash), tail(rule.data() + slash + 1, rule.size() - slash - 1);
    if ((head == r.resource || head == "*") && tail == r.subresource) return true;
  }
  return false;
}

}  // namespace

const schema::Struct<PolicyRule>& PolicyRule::schema() {
  static const auto s = schema::Struct<PolicyRule>("PolicyRule")
                            .field("apiGroups", &PolicyRule::api_groups, {.required = true, .max_items = 64})
                            .field("resources", &PolicyRule::resources, {.required = true, .max_items = 256})
                            .field("verbs", &PolicyRule::verbs, {.required = true, .max_items = 32})
                            .field("resourceNames", &PolicyRule::resource_names, {.max_items = 256});
  return s;
}

bool rule_allows(const PolicyRule& rule, const core::AccessRequest& request) {
  if (!contains_or_star(rule.verbs, request.verb)) return false;
  if (!contains_or_star(rule.api_groups, request.api_group)) return false;
  if (!resource_matches(rule.resources, request)) return false;
  if (!rule.resource_names.empty()) {
    if (request.name.empty()) return false;
    if (std::find(rule.resource_names.begin(), rule.resource_names.end(), request.name) == rule.resource_names.end())
      return false;
  }
  return true;
}

}  // namespace atrium::iam
