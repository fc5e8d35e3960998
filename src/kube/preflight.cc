#include "kube/preflight.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace atrium::kube {
namespace {

bool read_number(std::string_view& s, int& out) {
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, out);
  if (ec != std::errc() || p == s.data() || out < 0 || out > 100000) return false;
  s.remove_prefix(static_cast<std::size_t>(p - s.data()));
  return true;
}

std::string format_version(const KubeVersion& v) { return fmt::format("v{}.{}.{}", v.major, v.minor, v.patch); }

}  // namespace

core::Result<KubeVersion> parse_kube_version(std::string_view text) {
  std::string_view s = text;
  if (!s.empty() && s.front() == 'v') s.remove_prefix(1);
  KubeVersion v;
  bool ok = read_number(s, v.major) && !s.empty() && s.front() == '.';
  if (ok) {
    s.remove_prefix(1);
    ok = read_number(s, v.minor);
  }
  if (ok && !s.empty() && s.front() == '.') {
    s.remove_prefix(1);
    ok = read_number(s, v.patch);
  }
  // Build metadata and pre-release suffixes ("-gke.4", "+k3s1") do not change the release line.
  if (ok && !s.empty() && s.front() != '-' && s.front() != '+') ok = false;
  if (!ok) {
    return core::fail(core::ErrorCode::InvalidArgument,
                      fmt::format("\"{}\" is not a Kubernetes version (vMAJOR.MINOR.PATCH)", text.substr(0, 64)));
  }
  return v;
}

const std::vector<KnownDefect>& known_defects() {
  static const std::vector<KnownDefect> table = [] {
    std::vector<KnownDefect> t;
    const KubeVersion any{0, 0, 0};
    // kubernetes/kubernetes#83778: structural schemas (1.15+) unfolded x-kubernetes-int-or-string into a nil
    // pointer, and serving the CRD's custom resources panicked. Fixed by #83787, backported in #83790 (v1.15.5)
    // and #83789 (v1.16.2). Before 1.15 the apiserver had no structural schemas and is not affected.
    const std::string crd_why =
        "kube-apiserver can panic while serving the custom resources of a CustomResourceDefinition whose OpenAPI "
        "schema uses x-kubernetes-int-or-string";
    const std::string crd_source =
        "kubernetes/kubernetes#83778, fixed in v1.15.5 (#83790) and v1.16.2 (#83789); CHANGELOG-1.15 and "
        "CHANGELOG-1.16";
    t.push_back({"apply-crd-int-or-string", "crd-int-or-string-panic", {1, 15, 0}, {1, 15, 5}, crd_why, crd_source});
    t.push_back({"apply-crd-int-or-string", "crd-int-or-string-panic", {1, 16, 0}, {1, 16, 2}, crd_why, crd_source});
    // CVE-2018-1002105: an upgraded (exec/attach/port-forward) connection proxied by the apiserver could be
    // reused to send arbitrary requests to the kubelet with the apiserver's credentials (kubernetes#71411, fixed
    // in v1.10.11, v1.11.5, v1.12.3 and v1.13.0).
    const std::string cve_2018 = "CVE-2018-1002105 (kubernetes/kubernetes#71411): fixed in v1.10.11, v1.11.5, v1.12.3";
    const std::string why_2018 =
        "this kube-apiserver lets an exec/attach connection escalate to arbitrary kubelet requests (CVE-2018-1002105)";
    t.push_back({"exec-terminal", "cve-2018-1002105", any, {1, 10, 11}, why_2018, cve_2018});
    t.push_back({"exec-terminal", "cve-2018-1002105", {1, 11, 0}, {1, 11, 5}, why_2018, cve_2018});
    t.push_back({"exec-terminal", "cve-2018-1002105", {1, 12, 0}, {1, 12, 3}, why_2018, cve_2018});
    // CVE-2020-8559: a compromised node could redirect upgraded requests (exec) to other nodes (kubernetes#92914:
    // v1.6 to v1.15 and versions before v1.16.13, v1.17.9 and v1.18.6).
    const std::string cve_2020 = "CVE-2020-8559 (kubernetes/kubernetes#92914): fixed in v1.16.13, v1.17.9, v1.18.6";
    const std::string why_2020 =
        "this kube-apiserver follows redirects of upgraded exec requests, so a compromised node can reach other "
        "nodes (CVE-2020-8559)";
    t.push_back({"exec-terminal", "cve-2020-8559", any, {1, 16, 13}, why_2020, cve_2020});
    t.push_back({"exec-terminal", "cve-2020-8559", {1, 17, 0}, {1, 17, 9}, why_2020, cve_2020});
    t.push_back({"exec-terminal", "cve-2020-8559", {1, 18, 0}, {1, 18, 6}, why_2020, cve_2020});
    t.push_back({"server-side-apply",
                 "server-side-apply-enabled",
                 any,
                 {1, 16, 0},
                 "server-side apply is alpha and disabled by default before v1.16",
                 "Kubernetes 1.16 release notes: ServerSideApply promoted to beta and enabled by default"});
    t.push_back({"create-cronjob-batch-v1",
                 "cronjob-batch-v1-served",
                 any,
                 {1, 21, 0},
                 "CronJob is served as batch/v1 only from v1.21 (batch/v1beta1 before): use the version discovery "
                 "reports",
                 "Kubernetes 1.21 release notes: CronJob graduated to batch/v1"});
    t.push_back({"create-ingress-networking-v1",
                 "ingress-networking-v1-served",
                 any,
                 {1, 19, 0},
                 "Ingress is served as networking.k8s.io/v1 only from v1.19",
                 "Kubernetes 1.19 release notes: Ingress graduated to networking.k8s.io/v1"});
    return t;
  }();
  return table;
}

std::vector<std::string> preflight_actions() {
  std::vector<std::string> actions;
  for (const auto& d : known_defects()) actions.push_back(d.action);
  std::sort(actions.begin(), actions.end());
  actions.erase(std::unique(actions.begin(), actions.end()), actions.end());
  return actions;
}

core::Result<std::vector<PreflightCheck>> preflight(std::string_view git_version, std::string_view action) {
  const auto actions = preflight_actions();
  if (std::find(actions.begin(), actions.end(), action) == actions.end()) {
    return core::fail(
        core::Error(core::ErrorCode::InvalidArgument,
                    fmt::format("unknown preflight action \"{}\"; known actions: {}", action.substr(0, 64),
                                fmt::join(actions, ", ")),
                    {core::Cause{"action", "must be one of: " + fmt::format("{}", fmt::join(actions, ", "))}}));
  }
  auto version = parse_kube_version(git_version);
  if (!version) return core::fail(version.error());
  // One result per check name: failed if any of its rows covers the version.
  std::vector<PreflightCheck> checks;
  for (const auto& d : known_defects()) {
    if (d.action != action) continue;
    auto it = std::find_if(checks.begin(), checks.end(), [&](const PreflightCheck& c) { return c.check == d.check; });
    if (it == checks.end()) {
      checks.push_back(PreflightCheck{.action = d.action,
                                      .check = d.check,
                                      .passed = true,
                                      .reason = fmt::format("{} is not affected ({})", git_version, d.source)});
      it = checks.end() - 1;
    }
    if (*version >= d.affected_from && *version < d.fixed_in && it->passed) {
      it->passed = false;
      it->reason = fmt::format("{} (cluster runs {}, fixed in {}; source: {})", d.reason, git_version,
                               format_version(d.fixed_in), d.source);
    }
  }
  return checks;
}

core::Status require_preflight(std::string_view cluster, const std::vector<PreflightCheck>& checks,
                               std::string_view git_version) {
  std::vector<core::Cause> causes;
  std::vector<std::string> reasons;
  for (const auto& c : checks) {
    if (c.passed) continue;
    causes.push_back(core::Cause{"preflight." + c.check, c.reason});
    reasons.push_back(c.reason);
  }
  if (causes.empty()) return {};
  const std::string action = checks.empty() ? std::string() : checks.front().action;
  return core::fail(core::Error(core::ErrorCode::FailedPrecondition,
                                fmt::format("preflight refused {} on cluster {} ({}): {}", action, cluster, git_version,
                                            fmt::join(reasons, "; ")),
                                std::move(causes)));
}

}  // namespace atrium::kube
