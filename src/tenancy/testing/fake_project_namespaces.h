// A ProjectNamespaces in memory for tests without a cluster: records every call as a line ("provision ws/p on c
// adopt", "quota ws/p cpu=2", "release ws/p", "delete ws/p"), keeps which namespaces exist, and fails the calls a
// test asks to fail. Not thread-safe (tests call it from one thread).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tenancy/project_namespaces.h"

namespace atrium::tenancy::testing {

class FakeProjectNamespaces final : public ProjectNamespaces {
 public:
  core::Result<NamespaceOutcome> provision(const ProjectRef& p, const ProjectQuota& quota,
                                           NamespaceAdoption adoption) override {
    calls.push_back(fmt::format("provision {}/{} on {}{}", p.workspace, p.name, p.cluster,
                                adoption == NamespaceAdoption::Adopt ? " adopt" : ""));
    if (fail_next) return core::fail(*std::exchange(fail_next, std::nullopt));
    if (before_provision) before_provision(p);
    NamespaceOutcome outcome = NamespaceOutcome::Created;
    if (existing.contains(p.name)) {
      if (adoption == NamespaceAdoption::Refuse) {
        return core::fail(core::ErrorCode::AlreadyExists, "namespace " + p.name + " already exists");
      }
      outcome = NamespaceOutcome::Adopted;
    }
    existing.insert(p.name);
    labelled[p.name] = p.workspace;
    quotas[p.name] = quota.hard;
    return outcome;
  }
  core::Status apply_quota(const ProjectRef& p, const ProjectQuota& quota) override {
    std::string hard;
    for (const auto& [k, v] : quota.hard) hard += fmt::format(" {}={}", k, v);
    calls.push_back(fmt::format("quota {}/{}{}", p.workspace, p.name, hard));
    if (fail_next) return core::fail(*std::exchange(fail_next, std::nullopt));
    quotas[p.name] = quota.hard;
    return {};
  }
  core::Status dispose(const ProjectRef& p, NamespaceDisposal disposal) override {
    calls.push_back(
        fmt::format("{} {}/{}", disposal == NamespaceDisposal::Delete ? "delete" : "release", p.workspace, p.name));
    if (fail_on_dispose && fail_on_dispose(p)) {
      return core::fail(core::ErrorCode::Unavailable, "cluster " + p.cluster + " is unreachable");
    }
    labelled.erase(p.name);
    quotas.erase(p.name);
    if (disposal == NamespaceDisposal::Delete) existing.erase(p.name);
    return {};
  }

  std::vector<std::string> calls;
  std::set<std::string> existing;                           // namespaces on the (one) cluster
  std::map<std::string, std::string> labelled;              // namespace → workspace label
  std::map<std::string, schema::StringMap> quotas;          // namespace → ResourceQuota hard
  std::optional<core::Error> fail_next;                     // the next provision or apply_quota fails so
  std::function<void(const ProjectRef&)> before_provision;  // runs inside provision (to stage races)
  std::function<bool(const ProjectRef&)> fail_on_dispose;   // dispose fails (Unavailable) when true
};

}  // namespace atrium::tenancy::testing
