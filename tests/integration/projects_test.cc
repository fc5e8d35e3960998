// Projects are namespaces, through the real `atrium` binary against the real local cluster ([kube] item 5): a
// project's namespace is made with its workspace and project labels, an existing namespace is adopted only when
// asked and never from another workspace, the name is unique per cluster, the quota becomes a ResourceQuota and
// LimitRange kept in step, a delete keeps the namespace unless confirmed, and an unreachable cluster stores nothing.
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/json.h"
#include "net/http_client.h"
#include "support/atrium_server.h"
#include "support/kube_cluster.h"
#include "support/process.h"

namespace atrium {
namespace {

using namespace std::chrono_literals;
using testing::json_string;

constexpr const char* kAdminPassword = "Correct-Horse-Battery-9";

std::string read_file(const std::string& path) { return testing::read_text_file(path); }

class ProjectsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = testing::kube_clusters();
    ASSERT_TRUE(c) << c.error().message;
    clusters_ = *c;
    auto s = testing::AtriumServer::start({.name = "projects-test", .admin_password = kAdminPassword});
    ASSERT_TRUE(s) << s.error().message;
    atrium_ = std::move(*s);
    port_ = atrium_->port();
    admin_ = atrium_->admin_token();
  }
  void TearDown() override {
    for (const auto& ns : namespaces_) {
      (void)testing::kubectl(clusters_, clusters_.local_kubeconfig, {"delete", "namespace", ns, "--wait=false"});
    }
    atrium_.reset();
  }

  net::ClientResponse call(const std::string& token, const std::string& method, const std::string& path,
                           const std::string& body = {}, const std::string& type = "application/json") {
    auto r = atrium_->call(token, method, path, body, type);
    EXPECT_NE(r.status, 0) << r.body;
    return r;
  }
  // A namespace name for this test, deleted (with kubectl) after it.
  std::string namespace_name(const std::string& prefix) {
    namespaces_.push_back(testing::unique_namespace(prefix));
    return namespaces_.back();
  }
  testing::KubectlResult kubectl(const std::vector<std::string>& args) {
    auto r = testing::kubectl(clusters_, clusters_.local_kubeconfig, args);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : testing::KubectlResult{};
  }
  // `kubectl get ARGS -o json` as JSON; null when kubectl fails (NotFound included).
  core::json::value get_json(std::vector<std::string> args) {
    args.insert(args.begin(), "get");
    args.insert(args.end(), {"-o", "json"});
    auto r = kubectl(args);
    if (r.status != 0) return nullptr;
    auto v = core::parse_json(r.output);
    EXPECT_TRUE(v) << r.output;
    return v ? *v : core::json::value(nullptr);
  }
  static std::string label(const core::json::value& obj, const std::string& key) {
    const auto* labels = obj.at("metadata").as_object().if_contains("labels");
    if (!labels || !labels->is_object()) return {};
    const auto* v = labels->as_object().if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  }
  net::ClientResponse create_project(const std::string& workspace, const std::string& name, const std::string& cluster,
                                     const std::string& hard = "{}", const std::string& query = "") {
    return call(admin_, "POST", "/api/v1/workspaces/" + workspace + "/projects" + query,
                fmt::format(R"({{"metadata":{{"name":"{}"}},"spec":{{"cluster":"{}","quota":{{"hard":{}}}}}}})", name,
                            cluster, hard));
  }

  testing::KubeClusters clusters_;
  std::unique_ptr<testing::AtriumServer> atrium_;
  int port_ = 0;
  std::string admin_;
  std::vector<std::string> namespaces_;
};

TEST_F(ProjectsTest, ProjectsAreNamespaces) {
  auto registered = atrium_->register_cluster("local", clusters_.local_kubeconfig);
  ASSERT_EQ(registered.status, 201) << registered.body;
  for (const std::string ws : {"merchant-platform", "other-team"}) {
    auto r = atrium_->create_workspace(ws, {"local"});
    ASSERT_EQ(r.status, 201) << r.body;
  }
  const std::string kWs = "/api/v1/workspaces/merchant-platform/projects/";

  // Creating a project makes its namespace, labelled, with the quota as ResourceQuota and LimitRange.
  const std::string sandbox = namespace_name("merchant-sandbox");
  auto created =
      create_project("merchant-platform", sandbox, "local", R"({"limits.cpu":"2","limits.memory":"1Gi","pods":"10"})");
  ASSERT_EQ(created.status, 201) << created.body;
  auto ns = get_json({"namespace", sandbox});
  ASSERT_TRUE(ns.is_object()) << "namespace " << sandbox << " was not created";
  EXPECT_EQ(label(ns, "atrium.io/workspace"), "merchant-platform");
  EXPECT_EQ(label(ns, "atrium.io/project"), sandbox);
  auto quota = get_json({"resourcequota", "atrium-quota", "-n", sandbox});
  ASSERT_TRUE(quota.is_object());
  EXPECT_EQ(core::json::serialize(quota.at("spec").at("hard")),
            R"({"limits.cpu":"2","limits.memory":"1Gi","pods":"10"})");
  auto limits = get_json({"limitrange", "atrium-limits", "-n", sandbox});
  ASSERT_TRUE(limits.is_object());
  EXPECT_EQ(core::json::serialize(limits.at("spec").at("limits").at(0).at("default")),
            R"({"cpu":"500m","memory":"512Mi"})");

  // The name is unique per cluster, whichever workspace asks; the other workspace's attempt leaves the
  // namespace as it was.
  auto twice = create_project("other-team", sandbox, "local");
  EXPECT_EQ(twice.status, 409) << twice.body;
  EXPECT_EQ(label(get_json({"namespace", sandbox}), "atrium.io/workspace"), "merchant-platform");

  // A namespace made outside Atrium is adopted only when asked.
  const std::string legacy = namespace_name("legacy-billing");
  ASSERT_EQ(kubectl({"create", "namespace", legacy}).status, 0);
  auto refused = create_project("merchant-platform", legacy, "local");
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_NE(refused.body.find("adopt=true"), std::string::npos) << refused.body;
  EXPECT_EQ(call(admin_, "GET", kWs + legacy).status, 404);
  EXPECT_EQ(label(get_json({"namespace", legacy}), "atrium.io/project"), "");
  auto adopted = create_project("merchant-platform", legacy, "local", "{}", "?adopt=true");
  ASSERT_EQ(adopted.status, 201) << adopted.body;
  EXPECT_EQ(label(get_json({"namespace", legacy}), "atrium.io/workspace"), "merchant-platform");
  EXPECT_FALSE(get_json({"resourcequota", "atrium-quota", "-n", legacy}).is_object()) << "no quota, no ResourceQuota";

  // Never adopted from another workspace's project (another Atrium sharing the cluster, say).
  const std::string foreign = namespace_name("foreign");
  ASSERT_EQ(kubectl({"create", "namespace", foreign}).status, 0);
  ASSERT_EQ(
      kubectl({"label", "namespace", foreign, "atrium.io/workspace=finance", "atrium.io/project=" + foreign}).status,
      0);
  auto taken = create_project("merchant-platform", foreign, "local", "{}", "?adopt=true");
  EXPECT_EQ(taken.status, 409) << taken.body;
  EXPECT_NE(taken.body.find("workspace finance"), std::string::npos) << taken.body;
  EXPECT_EQ(label(get_json({"namespace", foreign}), "atrium.io/workspace"), "finance");

  // Changing the quota changes the ResourceQuota (a dropped key disappears) and the LimitRange.
  auto patched = call(admin_, "PATCH", kWs + sandbox,
                      R"({"spec":{"quota":{"hard":{"limits.cpu":"3","limits.memory":null,"pods":"5"}}}})",
                      "application/merge-patch+json");
  ASSERT_EQ(patched.status, 200) << patched.body;
  quota = get_json({"resourcequota", "atrium-quota", "-n", sandbox});
  ASSERT_TRUE(quota.is_object());
  EXPECT_EQ(core::json::serialize(quota.at("spec").at("hard")), R"({"limits.cpu":"3","pods":"5"})");
  limits = get_json({"limitrange", "atrium-limits", "-n", sandbox});
  ASSERT_TRUE(limits.is_object());
  EXPECT_EQ(core::json::serialize(limits.at("spec").at("limits").at(0).at("default")), R"({"cpu":"500m"})");
  // An invalid resource name is refused by the cluster with its own message, and nothing is stored.
  auto invalid = call(admin_, "PATCH", kWs + sandbox, R"({"spec":{"quota":{"hard":{"bogus":"1"}}}})",
                      "application/merge-patch+json");
  EXPECT_GE(invalid.status, 400) << invalid.body;
  EXPECT_NE(call(admin_, "GET", kWs + sandbox).body.find(R"("pods":"5")"), std::string::npos);

  // Deleting without confirmation keeps the namespace and releases it (labels, quota and limits removed).
  auto kept = call(admin_, "DELETE", kWs + legacy);
  ASSERT_EQ(kept.status, 200) << kept.body;
  ns = get_json({"namespace", legacy});
  ASSERT_TRUE(ns.is_object()) << "the namespace must survive a delete without confirm";
  EXPECT_EQ(label(ns, "atrium.io/workspace"), "");
  EXPECT_EQ(label(ns, "atrium.io/project"), "");
  EXPECT_EQ(call(admin_, "GET", kWs + legacy).status, 404);

  // A confirmation naming another project is refused; the project's name deletes the namespace.
  auto wrong = call(admin_, "DELETE", kWs + sandbox + "?confirm=" + legacy);
  EXPECT_EQ(wrong.status, 422) << wrong.body;
  ASSERT_TRUE(get_json({"namespace", sandbox}).is_object());
  auto deleted = call(admin_, "DELETE", kWs + sandbox + "?confirm=" + sandbox);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  ns = get_json({"namespace", sandbox});
  if (ns.is_object()) {
    EXPECT_EQ(ns.at("status").at("phase").as_string(), "Terminating");
  }
  EXPECT_EQ(call(admin_, "GET", kWs + sandbox).status, 404);
}

TEST_F(ProjectsTest, AnUnreachableClusterIs503AndStoresNothing) {
  // The local cluster's credentials pointed at a closed port, registered without verification.
  auto closed = testing::free_loopback_port();
  ASSERT_TRUE(closed);
  std::string dead = read_file(clusters_.local_kubeconfig);
  auto at = dead.find("https://127.0.0.1:");
  ASSERT_NE(at, std::string::npos);
  dead.replace(at, dead.find_first_of("\" \n,}", at) - at, "https://127.0.0.1:" + std::to_string(*closed));
  auto registered = call(admin_, "POST", "/api/v1/clusters?verify=false",
                         R"({"apiVersion":"cluster.atrium.io/v1","kind":"Cluster","metadata":{"name":"gone"},)"
                         R"("spec":{"kubeconfig":)" +
                             json_string(dead) + "}}");
  ASSERT_EQ(registered.status, 201) << registered.body;
  ASSERT_EQ(atrium_->create_workspace("merchant-platform", {"gone"}).status, 201);
  auto r = create_project("merchant-platform", "merchant-sandbox", "gone");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(call(admin_, "GET", "/api/v1/workspaces/merchant-platform/projects/merchant-sandbox").status, 404);
  // The name is not claimed either: nothing to clean up before trying again.
  EXPECT_EQ(create_project("merchant-platform", "merchant-sandbox", "gone").status, 503);
}

}  // namespace
}  // namespace atrium
