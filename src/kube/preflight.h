// Preflight checks: before Atrium changes a cluster in a risky way it asks whether that cluster's Kubernetes
// version is known to mishandle the change (a table of real defects and missing APIs, each with its source).
// A failed check refuses the action with its reason (FailedPrecondition, HTTP 412). Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "kube/cluster.h"

namespace atrium::kube {

// major.minor.patch of a gitVersion ("v1.20.2", "v1.18.6-gke.4", "1.16"); InvalidArgument for anything else.
struct KubeVersion {
  int major = 0, minor = 0, patch = 0;

  auto operator<=>(const KubeVersion&) const = default;
};
core::Result<KubeVersion> parse_kube_version(std::string_view git_version);

// One row of the table: `action` is refused on every version in [affected_from, fixed_in). A defect fixed in
// several release lines has one row per line.
struct KnownDefect {
  std::string action;  // "apply-crd-int-or-string"
  std::string check;   // short name shown in status
  KubeVersion affected_from;
  KubeVersion fixed_in;
  std::string reason;  // what goes wrong, for the refusal
  std::string source;  // where it is documented
};

const std::vector<KnownDefect>& known_defects();
// The actions the table knows (sorted, unique).
std::vector<std::string> preflight_actions();

// Every check of `action` against `git_version` (passed or not). InvalidArgument for an unknown action (the
// message lists the known ones) or a version that cannot be parsed.
core::Result<std::vector<PreflightCheck>> preflight(std::string_view git_version, std::string_view action);

// FailedPrecondition naming the cluster, the version and every failed check's reason; ok when all pass.
core::Status require_preflight(std::string_view cluster, const std::vector<PreflightCheck>& checks,
                               std::string_view git_version);

}  // namespace atrium::kube
