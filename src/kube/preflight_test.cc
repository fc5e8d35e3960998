#include "kube/preflight.h"

#include <gtest/gtest.h>

namespace atrium::kube {
namespace {

TEST(KubeVersionTest, ParsesGitVersions) {
  auto v = parse_kube_version("v1.20.2");
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, (KubeVersion{1, 20, 2}));
  EXPECT_EQ(*parse_kube_version("v1.18.6-gke.4"), (KubeVersion{1, 18, 6}));
  EXPECT_EQ(*parse_kube_version("1.16"), (KubeVersion{1, 16, 0}));
  EXPECT_EQ(*parse_kube_version("v1.21.0+k3s1"), (KubeVersion{1, 21, 0}));
  for (const char* bad : {"", "v", "x1.2.3", "v1", "v1.", "v1.2.x", "v-1.2.3", "v1.2.3junk", "v99999999999.1.1"}) {
    EXPECT_FALSE(parse_kube_version(bad)) << bad;
  }
}

TEST(PreflightTest, OldApiServerRefusesCrdWithIntOrString) {
  auto checks = preflight("v1.15.3", "apply-crd-int-or-string");
  ASSERT_TRUE(checks) << checks.error().message;
  ASSERT_EQ(checks->size(), 1u);
  EXPECT_FALSE((*checks)[0].passed);
  EXPECT_NE((*checks)[0].reason.find("x-kubernetes-int-or-string"), std::string::npos);
  EXPECT_NE((*checks)[0].reason.find("fixed in v1.15.5"), std::string::npos) << (*checks)[0].reason;
  auto refused = require_preflight("old", *checks, "v1.15.3");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::FailedPrecondition);
  EXPECT_EQ(core::http_status(refused.error()), 412);
  EXPECT_NE(refused.error().message.find("x-kubernetes-int-or-string"), std::string::npos);
  EXPECT_NE(refused.error().message.find("old"), std::string::npos);
  ASSERT_EQ(refused.error().causes.size(), 1u);

  // The boundaries: structural schemas came with 1.15; fixed in 1.15.5 and 1.16.2.
  for (auto [version, affected] :
       {std::pair{"v1.14.10", false}, std::pair{"v1.15.0", true}, std::pair{"v1.15.4", true},
        std::pair{"v1.15.5", false}, std::pair{"v1.15.12", false}, std::pair{"v1.16.0", true},
        std::pair{"v1.16.1", true}, std::pair{"v1.16.2", false}}) {
    EXPECT_EQ(!(*preflight(version, "apply-crd-int-or-string"))[0].passed, affected) << version;
  }
}

TEST(PreflightTest, CurrentVersionPasses) {
  for (const char* action :
       {"apply-crd-int-or-string", "exec-terminal", "server-side-apply", "create-ingress-networking-v1"}) {
    auto checks = preflight("v1.20.2", action);
    ASSERT_TRUE(checks) << action;
    ASSERT_FALSE(checks->empty());
    for (const auto& c : *checks) EXPECT_TRUE(c.passed) << action << ": " << c.reason;
    EXPECT_TRUE(require_preflight("local", *checks, "v1.20.2"));
  }
  // 1.20 serves CronJob only as batch/v1beta1.
  EXPECT_FALSE((*preflight("v1.20.2", "create-cronjob-batch-v1"))[0].passed);
  EXPECT_TRUE((*preflight("v1.21.0", "create-cronjob-batch-v1"))[0].passed);
}

TEST(PreflightTest, SecurityFixesPerReleaseLine) {
  auto failed = [](const char* version, const char* check) {
    auto checks = preflight(version, "exec-terminal");
    for (const auto& c : *checks) {
      if (c.check == check) return !c.passed;
    }
    ADD_FAILURE() << "no check " << check;
    return false;
  };
  EXPECT_TRUE(failed("v1.11.4", "cve-2018-1002105"));
  EXPECT_FALSE(failed("v1.11.5", "cve-2018-1002105"));
  EXPECT_TRUE(failed("v1.12.2", "cve-2018-1002105"));
  EXPECT_FALSE(failed("v1.13.0", "cve-2018-1002105"));
  EXPECT_TRUE(failed("v1.17.8", "cve-2020-8559"));
  EXPECT_FALSE(failed("v1.17.9", "cve-2020-8559"));
  EXPECT_TRUE(failed("v1.18.5", "cve-2020-8559"));
  EXPECT_FALSE(failed("v1.19.0", "cve-2020-8559"));
  // Both reasons together in one refusal.
  auto checks = preflight("v1.10.0", "exec-terminal");
  auto refused = require_preflight("c", *checks, "v1.10.0");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().causes.size(), 2u);
}

TEST(PreflightTest, UnknownActionAndBadVersion) {
  auto unknown = preflight("v1.20.2", "rm -rf /");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, core::ErrorCode::InvalidArgument);
  EXPECT_NE(unknown.error().message.find("apply-crd-int-or-string"), std::string::npos);
  auto bad = preflight("not-a-version", "exec-terminal");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, core::ErrorCode::InvalidArgument);
  for (const auto& d : known_defects()) {
    EXPECT_FALSE(d.source.empty()) << d.check;
    EXPECT_FALSE(d.reason.empty()) << d.check;
    EXPECT_LT(d.affected_from, d.fixed_in) << d.check;
  }
}

}  // namespace
}  // namespace atrium::kube
