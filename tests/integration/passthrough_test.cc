// kubectl through Atrium: the real binary in front of the real local cluster, a developer's kubeconfig pointing at
// http://127.0.0.1:<port>/clusters/local with an Atrium token. The developer (project operator) lists and creates in
// the project; every trick of the [kube] issue is refused: other namespaces, -A and cluster-wide watches,
// impersonation, encoded slashes, dot segments, double slashes, a body naming another namespace. A namespaced watch
// streams. Viewer and outsider get what their roles say, and the passthrough is audited.
#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/json.h"
#include "net/http_client.h"
#include "support/atrium_server.h"
#include "support/kube_cluster.h"

namespace atrium {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr const char* kPassword = "Passthrough-Password-42";

class PassthroughTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = testing::kube_clusters();
    ASSERT_TRUE(c) << c.error().message;
    clusters_ = *c;
    auto s = testing::AtriumServer::start(
        {.name = "passthrough", .extra_args = {"--kubeconfig", clusters_.local_kubeconfig}, .tls = true});
    ASSERT_TRUE(s) << s.error().message;
    atrium_ = std::move(*s);
  }
  void TearDown() override {
    for (const auto& ns : namespaces_) {
      (void)testing::kubectl(clusters_, clusters_.local_kubeconfig, {"delete", "namespace", ns, "--wait=false"});
    }
  }

  // A kubeconfig for `token` whose server is Atrium's passthrough of cluster `cluster`.
  std::string kubeconfig_for(const std::string& user, const std::string& token, const std::string& cluster = "local") {
    std::string path = (atrium_->dir() / (user + ".kubeconfig")).string();
    std::ofstream out(path);
    out << fmt::format(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: atrium\n  cluster:\n    server: {}\n"
        "    certificate-authority: {}\n"
        "users:\n- name: {}\n  user:\n    token: {}\ncontexts:\n- name: atrium\n  context:\n    cluster: atrium\n"
        "    user: {}\ncurrent-context: atrium\n",
        atrium_->url("/clusters/" + cluster), atrium_->ca_file(), user, token, user);
    return path;
  }
  testing::KubectlResult kubectl(const std::string& kubeconfig, const std::vector<std::string>& args,
                                 const std::string& manifest = {}) {
    std::vector<std::string> all = {"--request-timeout=20s"};
    all.insert(all.end(), args.begin(), args.end());
    auto r = testing::kubectl(clusters_, kubeconfig, all, manifest);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : testing::KubectlResult{};
  }

  testing::KubeClusters clusters_;
  std::unique_ptr<testing::AtriumServer> atrium_;
  std::vector<std::string> namespaces_;
};

TEST_F(PassthroughTest, KubectlSeesAndDoesExactlyWhatTheRolesAllow) {
  const std::string admin = atrium_->admin_token();
  for (const char* user : {"dev", "watcher", "outsider"}) ASSERT_EQ(atrium_->create_user(user, kPassword), 201);
  ASSERT_EQ(atrium_->create_workspace("merchant-platform", {"local"}).status, 201);
  namespaces_.push_back(testing::unique_namespace("merchant-sandbox"));
  const std::string ns = namespaces_.back();
  auto project = atrium_->create_project("merchant-platform", ns, "local");
  ASSERT_EQ(project.status, 201) << project.body;
  for (const auto& [user, role] :
       std::vector<std::pair<std::string, std::string>>{{"dev", "operator"}, {"watcher", "viewer"}}) {
    auto m = atrium_->add_project_member("merchant-platform", ns, user, role);
    ASSERT_EQ(m.status, 201) << m.body;
  }
  const std::string dev_token = atrium_->login("dev", kPassword);
  const std::string watcher_token = atrium_->login("watcher", kPassword);
  const std::string outsider_token = atrium_->login("outsider", kPassword);
  ASSERT_FALSE(dev_token.empty());
  const std::string dev = kubeconfig_for("dev", dev_token);
  const std::string watcher = kubeconfig_for("watcher", watcher_token);
  const std::string outsider = kubeconfig_for("outsider", outsider_token);

  // A pod made by the platform team directly on the cluster, for everyone to (try to) list.
  auto made = testing::kubectl(clusters_, clusters_.local_kubeconfig,
                               {"-n", ns, "run", "payments-api", "--restart=Never",
                                "--image=" + clusters_.registry + "/atrium/busybox:1", "--", "sleep", "3600"});
  ASSERT_TRUE(made && made->status == 0) << (made ? made->output : made.error().message);

  // The developer lists the project's pods, creates and deletes in it.
  auto pods = kubectl(dev, {"-n", ns, "get", "pods", "-o", "name"});
  EXPECT_EQ(pods.status, 0) << pods.output;
  EXPECT_NE(pods.output.find("pod/payments-api"), std::string::npos) << pods.output;
  auto created = kubectl(dev, {"-n", ns, "create", "configmap", "settings", "--from-literal=mode=sandbox"});
  EXPECT_EQ(created.status, 0) << created.output;
  auto yaml = kubectl(dev, {"-n", ns, "get", "configmap", "settings", "-o", "jsonpath={.data.mode}"});
  EXPECT_EQ(yaml.output, "sandbox");
  auto applied =
      kubectl(dev, {"-n", ns, "apply"}, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: b\n");
  EXPECT_EQ(applied.status, 0) << applied.output;

  // Tricks: every namespace, another namespace, a cluster-scoped kind, impersonation.
  auto all = kubectl(dev, {"get", "pods", "-A"});
  EXPECT_NE(all.status, 0);
  EXPECT_NE(all.output.find("Forbidden"), std::string::npos) << all.output;
  auto system = kubectl(dev, {"-n", "kube-system", "get", "pods"});
  EXPECT_NE(system.status, 0);
  EXPECT_NE(system.output.find("Forbidden"), std::string::npos) << system.output;
  EXPECT_NE(kubectl(dev, {"get", "nodes"}).status, 0);
  EXPECT_NE(kubectl(dev, {"create", "namespace", "dev-made-this"}).status, 0);
  auto as_admin = kubectl(dev, {"-n", ns, "get", "pods", "--as=admin"});
  EXPECT_NE(as_admin.status, 0);
  EXPECT_NE(as_admin.output.find("impersonation"), std::string::npos) << as_admin.output;
  auto as_group = kubectl(dev, {"-n", ns, "get", "pods", "--as=dev", "--as-group=system:masters"});
  EXPECT_NE(as_group.status, 0);

  // Raw requests kubectl would normalise: path tricks are 404, cluster-wide watches 403, a body naming another
  // namespace is refused before the cluster sees it.
  for (const std::string& bad : std::vector<std::string>{
           "/clusters/local/api/v1/namespaces/" + ns + "%2F..%2Fkube-system/pods",
           "/clusters/local/api/v1/namespaces/" + ns + "/../kube-system/pods", "/clusters/local/api/v1//pods",
           "/clusters/local/api/v1/namespaces/" + ns + "//pods", "/clusters/local/api/v1/namespaces/%2e%2e/pods"}) {
    auto r = atrium_->call(dev_token, "GET", bad);
    // libcurl resolves dot segments itself (then the other namespace is refused): never 200.
    EXPECT_TRUE(r.status == 404 || (bad.find("/../") != std::string::npos && r.status == 403)) << bad << ": " << r.body;
  }
  EXPECT_EQ(atrium_->call(dev_token, "GET", "/clusters/local/api/v1/pods?watch=true").status, 403);
  EXPECT_EQ(atrium_->call(dev_token, "GET", "/clusters/local/api/v1/watch/pods").status, 403);
  auto moved =
      atrium_->call(dev_token, "POST", "/clusters/local/api/v1/namespaces/" + ns + "/configmaps",
                    R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"kube-system"}})");
  EXPECT_EQ(moved.status, 400) << moved.body;
  auto patched = atrium_->call(dev_token, "PATCH", "/clusters/local/api/v1/namespaces/" + ns + "/configmaps/settings",
                               R"([{"op":"replace","path":"/metadata/namespace","value":"kube-system"}])",
                               "application/json-patch+json");
  EXPECT_EQ(patched.status, 400) << patched.body;
  {
    net::HttpClient raw(atrium_->client_options());
    net::Headers h;
    h.add("Authorization", "Bearer " + dev_token);
    h.add("Impersonate-User", "admin");
    auto r = raw.request("GET", atrium_->url("/clusters/local/api/v1/namespaces/" + ns + "/pods"), h);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << r->body;
  }

  // A namespaced watch streams: a ConfigMap made after the watch started arrives as an ADDED event.
  {
    std::atomic<bool> seen{false};
    std::thread watcher_thread([&] {
      net::HttpClient client(atrium_->client_options());
      net::Headers h;
      h.add("Authorization", "Bearer " + dev_token);
      std::string events;
      auto r = client.stream(
          "GET", atrium_->url("/clusters/local/api/v1/namespaces/" + ns + "/configmaps?watch=true&timeoutSeconds=30"),
          h, [&](std::string_view chunk) {
            events.append(chunk);
            if (events.find("\"watched\"") != std::string::npos && events.find("ADDED") != std::string::npos) {
              seen = true;
              return false;
            }
            return true;
          });
      EXPECT_TRUE(r) << r.error().message;
      if (r) {
        EXPECT_EQ(r->status, 200) << r->body;
      }
    });
    std::this_thread::sleep_for(1s);
    EXPECT_EQ(kubectl(dev, {"-n", ns, "create", "configmap", "watched"}).status, 0);
    watcher_thread.join();
    EXPECT_TRUE(seen) << "the watch did not deliver the new ConfigMap";
  }

  // The viewer reads but cannot write or read secret values; the outsider sees nothing.
  EXPECT_EQ(kubectl(watcher, {"-n", ns, "get", "pods"}).status, 0);
  auto viewer_write = kubectl(watcher, {"-n", ns, "create", "configmap", "nope"});
  EXPECT_NE(viewer_write.status, 0);
  EXPECT_NE(viewer_write.output.find("Forbidden"), std::string::npos) << viewer_write.output;
  EXPECT_NE(kubectl(watcher, {"-n", ns, "get", "secrets"}).status, 0);
  EXPECT_NE(kubectl(watcher, {"-n", ns, "delete", "pod", "payments-api", "--wait=false"}).status, 0);
  EXPECT_NE(kubectl(outsider, {"-n", ns, "get", "pods"}).status, 0);
  EXPECT_NE(kubectl(outsider, {"-n", ns, "get", "configmaps"}).status, 0);

  // A cluster viewer (a cluster role given through /api/v1/clusters/{c}/members) reads every namespace and the
  // nodes, and changes nothing.
  ASSERT_EQ(atrium_->create_user("ops", kPassword), 201);
  auto cluster_member =
      atrium_->call(admin, "POST", "/api/v1/clusters/local/members", R"({"user":"ops","role":"cluster-viewer"})");
  ASSERT_EQ(cluster_member.status, 201) << cluster_member.body;
  EXPECT_EQ(atrium_->call(dev_token, "GET", "/api/v1/clusters/local/members").status, 403);
  const std::string ops = kubeconfig_for("ops", atrium_->login("ops", kPassword));
  auto every = kubectl(ops, {"get", "pods", "-A", "-o", "name"});
  EXPECT_EQ(every.status, 0) << every.output;
  EXPECT_NE(every.output.find("pod/payments-api"), std::string::npos) << every.output;
  EXPECT_EQ(kubectl(ops, {"get", "nodes"}).status, 0);
  EXPECT_NE(kubectl(ops, {"-n", ns, "delete", "pod", "payments-api", "--wait=false"}).status, 0);
  EXPECT_NE(kubectl(ops, {"get", "secrets", "-A"}).status, 0);

  // The cluster saw the developer (impersonated), not Atrium: the passthrough binding exists for that group.
  auto binding =
      testing::kubectl(clusters_, clusters_.local_kubeconfig,
                       {"get", "clusterrolebinding", "atrium-passthrough", "-o", "jsonpath={.subjects[0].name}"});
  ASSERT_TRUE(binding);
  EXPECT_EQ(binding->output, "atrium:passthrough");
  // Defence in depth: requests decided in the project reach the cluster as the group atrium:namespace:<ns>, which
  // only the project namespace's RoleBinding empowers; the cluster itself refuses it anywhere else.
  auto role_binding = testing::kubectl(
      clusters_, clusters_.local_kubeconfig,
      {"-n", ns, "get", "rolebinding", "atrium-passthrough", "-o", "jsonpath={.subjects[0].name} {.roleRef.name}"});
  ASSERT_TRUE(role_binding);
  EXPECT_EQ(role_binding->output, "atrium:namespace:" + ns + " admin");
  const std::vector<std::string> as_dev = {"--as", "atrium:dev", "--as-group", "atrium:namespace:" + ns};
  auto inside = testing::kubectl(clusters_, clusters_.local_kubeconfig,
                                 {"--as", "atrium:dev", "--as-group", "atrium:namespace:" + ns, "-n", ns, "auth",
                                  "can-i", "create", "deployments"});
  ASSERT_TRUE(inside);
  EXPECT_EQ(inside->output, "yes\n");
  for (const std::vector<std::string>& elsewhere :
       {std::vector<std::string>{"-n", "kube-system", "auth", "can-i", "list", "pods"},
        std::vector<std::string>{"auth", "can-i", "list", "pods", "--all-namespaces"},
        std::vector<std::string>{"auth", "can-i", "list", "nodes"}}) {
    std::vector<std::string> args = as_dev;
    args.insert(args.end(), elsewhere.begin(), elsewhere.end());
    auto refused = testing::kubectl(clusters_, clusters_.local_kubeconfig, args);
    ASSERT_TRUE(refused);
    EXPECT_TRUE(refused->output.ends_with("no\n")) << refused->output;
  }
  // A platform admin keeps the cluster-wide group in a project's namespace too: creating a ResourceQuota there is
  // beyond the namespace's `admin` binding, and works.
  const std::string platform_admin = kubeconfig_for("admin", admin);
  auto quota = kubectl(platform_admin, {"-n", ns, "create", "resourcequota", "extra", "--hard=pods=50"});
  EXPECT_EQ(quota.status, 0) << quota.output;
  auto refused_quota = kubectl(dev, {"-n", ns, "create", "resourcequota", "mine", "--hard=pods=500"});
  EXPECT_NE(refused_quota.status, 0) << "an operator does not change quotas: " << refused_quota.output;
  // A RoleBinding removed by hand is made again on the next refused request.
  auto removed = testing::kubectl(clusters_, clusters_.local_kubeconfig,
                                  {"-n", ns, "delete", "rolebinding", "atrium-passthrough"});
  ASSERT_TRUE(removed && removed->status == 0) << (removed ? removed->output : removed.error().message);
  auto again = kubectl(dev, {"-n", ns, "get", "configmap", "settings", "-o", "name"});
  EXPECT_EQ(again.status, 0) << again.output;
  EXPECT_EQ(again.output, "configmap/settings\n");

  // Audited: the developer's create through kubectl, with the project as its scope; the viewer's refusal.
  bool create_seen = false, denial_seen = false;
  EXPECT_TRUE(atrium_->eventually(
      admin, "/api/v1/audit?limit=1000",
      [&](const core::json::value& v) {
        for (const auto& e : v.at("items").as_array()) {
          const auto& o = e.as_object();
          auto str = [&](const char* k) -> std::string {
            const auto* f = o.if_contains(k);
            return f && f->is_string() ? std::string(f->as_string()) : std::string();
          };
          const auto* scope = o.if_contains("scope");
          bool in_project = scope && scope->is_object() && scope->as_object().contains("project") &&
                            scope->as_object().at("project").as_string() == ns;
          if (str("user") == "dev" && str("verb") == "create" && str("resource") == "configmaps" && in_project) {
            create_seen = true;
          }
          if (str("user") == "watcher" && str("verb") == "create" && str("outcome") == "denied") denial_seen = true;
        }
        return create_seen && denial_seen;
      },
      10s));
  EXPECT_TRUE(create_seen);
  EXPECT_TRUE(denial_seen);
}

// A project on the second (control-plane-only) cluster works the same: its namespace is made there, the workload
// API and kubectl through /clusters/second act on it, and the first cluster never sees it.
TEST_F(PassthroughTest, AProjectOnTheSecondClusterWorksTheSame) {
  const std::string admin = atrium_->admin_token();
  auto added = atrium_->register_cluster("second", clusters_.second_kubeconfig);
  ASSERT_EQ(added.status, 201) << added.body;
  ASSERT_EQ(atrium_->create_user("dev", kPassword), 201);
  ASSERT_EQ(atrium_->create_workspace("merchant-platform", {"local", "second"}).status, 201);
  const std::string ns = testing::unique_namespace("merchant-production");
  auto project = atrium_->create_project("merchant-platform", ns, "second");
  ASSERT_EQ(project.status, 201) << project.body;
  ASSERT_EQ(atrium_->add_project_member("merchant-platform", ns, "dev", "operator").status, 201);
  const std::string dev_token = atrium_->login("dev", kPassword);
  auto on_second = testing::kubectl(clusters_, clusters_.second_kubeconfig, {"get", "namespace", ns, "-o", "name"});
  ASSERT_TRUE(on_second);
  EXPECT_EQ(on_second->status, 0) << on_second->output;
  auto on_local = testing::kubectl(clusters_, clusters_.local_kubeconfig, {"get", "namespace", ns});
  ASSERT_TRUE(on_local);
  EXPECT_NE(on_local->status, 0) << "the project's namespace is on the second cluster only";

  // The workload API on the second cluster.
  const std::string base = "/api/v1/clusters/second/namespaces/" + ns + "/";
  EXPECT_EQ(atrium_->call(dev_token, "POST", base + "configmaps", R"({"metadata":{"name":"settings"}})").status, 201);
  auto deployment = atrium_->call(
      dev_token, "POST", base + "deployments",
      R"({"metadata":{"name":"api"},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"api"}},)"
      R"("template":{"metadata":{"labels":{"app":"api"}},"spec":{"containers":[{"name":"api","image":"busybox"}]}}}})");
  EXPECT_EQ(deployment.status, 201) << deployment.body;
  auto list = atrium_->call(dev_token, "GET", base + "deployments");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(core::parse_json(list.body)->at("total").as_int64(), 1);
  // The same namespace name on the first cluster is not the project: no access there.
  EXPECT_EQ(atrium_->call(dev_token, "GET", "/api/v1/clusters/local/namespaces/" + ns + "/configmaps").status, 403);

  // kubectl through /clusters/second.
  const std::string dev = kubeconfig_for("dev", dev_token, "second");
  auto cms = kubectl(dev, {"-n", ns, "get", "configmaps", "-o", "name"});
  EXPECT_EQ(cms.status, 0) << cms.output;
  EXPECT_NE(cms.output.find("configmap/settings"), std::string::npos) << cms.output;
  EXPECT_NE(kubectl(dev, {"get", "namespaces"}).status, 0);
  EXPECT_NE(kubectl(kubeconfig_for("dev-local", dev_token, "local"), {"-n", ns, "get", "configmaps"}).status, 0);

  // Deleting the project with confirmation deletes its namespace on the second cluster.
  auto deleted =
      atrium_->call(admin, "DELETE", "/api/v1/workspaces/merchant-platform/projects/" + ns + "?confirm=" + ns);
  EXPECT_EQ(deleted.status, 200) << deleted.body;
  auto phase = testing::kubectl(clusters_, clusters_.second_kubeconfig,
                                {"get", "namespace", ns, "-o", "jsonpath={.status.phase}"});
  ASSERT_TRUE(phase);
  EXPECT_TRUE(phase->status != 0 || phase->output == "Terminating") << phase->output;
}

}  // namespace
}  // namespace atrium
