// The tenant-scoped workload API of the real `atrium` binary against the real local cluster: a developer deploys
// into the project where they are operator, only reads the project where they are viewer, and an outsider sees
// nothing (scenario journey 3). Creating a project makes its namespace; the test deletes them with kubectl after.
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/json.h"
#include "net/http_client.h"
#include "net/websocket_client.h"
#include "support/atrium_server.h"
#include "support/kube_cluster.h"

namespace atrium {
namespace {

using namespace std::chrono_literals;

constexpr const char* kAdminPassword = "Correct-Horse-Battery-9";
constexpr const char* kPassword = "Journey-Password-42";

class WorkloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = testing::kube_clusters();
    ASSERT_TRUE(c) << c.error().message;
    clusters_ = *c;
    auto s = testing::AtriumServer::start({.name = "workload-test", .admin_password = kAdminPassword});
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
  std::string login(const std::string& user) {
    std::string token = atrium_->login(user, kPassword);
    EXPECT_FALSE(token.empty()) << "login of " << user;
    return token;
  }
  std::string ns_path(const std::string& ns, const std::string& rest) {
    return "/api/v1/clusters/local/namespaces/" + ns + "/" + rest;
  }
  // A project (= namespace) name unique to this run; the namespace is made by creating the project.
  std::string project_name(const std::string& prefix) {
    namespaces_.push_back(testing::unique_namespace(prefix));
    return namespaces_.back();
  }
  // Waits until GET `path` as `token` satisfies `pred` (the cache follows the cluster within milliseconds).
  bool eventually(const std::string& token, const std::string& path,
                  const std::function<bool(const core::json::value&)>& pred, std::chrono::seconds limit = 60s) {
    return atrium_->eventually(token, path, pred, limit);
  }

  testing::KubeClusters clusters_;
  std::unique_ptr<testing::AtriumServer> atrium_;
  int port_ = 0;
  std::string admin_;
  std::vector<std::string> namespaces_;
};

TEST_F(WorkloadTest, OperatorDeploysViewerReadsOutsiderSeesNothing) {
  // The platform team registers the cluster by kubeconfig and sets up the tenancy.
  auto registered = atrium_->register_cluster("local", clusters_.local_kubeconfig);
  ASSERT_EQ(registered.status, 201) << registered.body;
  for (const std::string user : {"dev", "outsider"}) ASSERT_EQ(atrium_->create_user(user, kPassword), 201);
  ASSERT_EQ(atrium_->create_workspace("merchant-platform", {"local"}).status, 201);
  const std::string sandbox = project_name("merchant-sandbox"), prod = project_name("merchant-prod");
  for (const auto& [project, role] :
       std::vector<std::pair<std::string, std::string>>{{sandbox, "operator"}, {prod, "viewer"}}) {
    auto p = atrium_->create_project("merchant-platform", project, "local");
    ASSERT_EQ(p.status, 201) << p.body;
    auto m = atrium_->add_project_member("merchant-platform", project, "dev", role);
    ASSERT_EQ(m.status, 201) << m.body;
  }
  auto dev = login("dev"), outsider = login("outsider");
  ASSERT_FALSE(dev.empty());

  // The developer deploys into the sandbox: Deployment, Service, ConfigMap, Secret.
  const std::string deployment = fmt::format(
      R"({{"metadata":{{"name":"payments-api","labels":{{"app":"payments-api"}}}},"spec":{{"replicas":1,)"
      R"("selector":{{"matchLabels":{{"app":"payments-api"}}}},"template":{{"metadata":{{"labels":{{"app":"payments-api"}}}},)"
      R"("spec":{{"terminationGracePeriodSeconds":1,"containers":[{{"name":"api","image":"{}/atrium/busybox:1",)"
      R"("command":["/bin/sh","-c","echo started; exec httpd -f -p 8080 -h /www"]}}]}}}}}}}})",
      clusters_.registry);
  auto created = call(dev, "POST", ns_path(sandbox, "deployments"), deployment);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(call(dev, "POST", ns_path(sandbox, "services"),
                 R"({"metadata":{"name":"payments-api"},"spec":{"selector":{"app":"payments-api"},)"
                 R"("ports":[{"port":80,"targetPort":8080}]}})")
                .status,
            201);
  EXPECT_EQ(
      call(dev, "POST", ns_path(sandbox, "configmaps"), R"({"metadata":{"name":"settings"},"data":{"mode":"sandbox"}})")
          .status,
      201);
  EXPECT_EQ(call(dev, "POST", ns_path(sandbox, "secrets"),
                 R"({"metadata":{"name":"db"},"type":"Opaque","data":{"password":"aHVudGVyMg=="}})")
                .status,
            201);

  // Read-your-writes from the cache, then the list conventions.
  auto list = call(dev, "GET", ns_path(sandbox, "deployments?labelSelector=app%3Dpayments-api"));
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(core::parse_json(list.body)->at("total").as_int64(), 1) << list.body;
  auto secret = call(dev, "GET", ns_path(sandbox, "secrets/db"));
  ASSERT_EQ(secret.status, 200) << secret.body;
  EXPECT_NE(secret.body.find("aHVudGVyMg=="), std::string::npos) << "an operator reads secret values";

  // Scale to 2: the pods come up on the real node and show in the cached pod list.
  auto scaled = call(dev, "PATCH", ns_path(sandbox, "deployments/payments-api"), R"({"spec":{"replicas":2}})",
                     "application/merge-patch+json");
  ASSERT_EQ(scaled.status, 200) << scaled.body;
  EXPECT_TRUE(eventually(dev, ns_path(sandbox, "pods?labelSelector=app%3Dpayments-api"),
                         [](const core::json::value& v) {
                           int running = 0;
                           for (const auto& p : v.at("items").as_array()) {
                             auto* phase = p.at("status").as_object().if_contains("phase");
                             if (phase && phase->is_string() && phase->as_string() == "Running") ++running;
                           }
                           return running == 2;
                         }))
      << "two Running pods expected";

  // The events of one object (fieldSelector on involvedObject), here the deployment's scaling events.
  EXPECT_TRUE(eventually(dev,
                         ns_path(sandbox,
                                 "events?fieldSelector=involvedObject.kind%3DDeployment,"
                                 "involvedObject.name%3Dpayments-api"),
                         [](const core::json::value& v) {
                           const auto& items = v.at("items").as_array();
                           if (items.empty()) return false;
                           for (const auto& e : items) {
                             if (e.at("involvedObject").at("name").as_string() != "payments-api") return false;
                           }
                           return true;
                         }))
      << "the deployment's events, and only them";
  EXPECT_EQ(call(dev, "GET", ns_path(sandbox, "pods?fieldSelector=spec.nodeName%3Dx")).status, 422);

  // Bad input: another namespace in the body, the apiserver's own validation, a patch that moves the object.
  auto moved = call(dev, "POST", ns_path(sandbox, "configmaps"),
                    fmt::format(R"({{"metadata":{{"name":"x","namespace":"{}"}}}})", prod));
  EXPECT_EQ(moved.status, 422) << moved.body;
  auto invalid = call(dev, "POST", ns_path(sandbox, "deployments"), R"({"metadata":{"name":"broken"},"spec":{}})");
  EXPECT_EQ(invalid.status, 422) << invalid.body;
  EXPECT_NE(invalid.body.find("selector"), std::string::npos) << "the cluster's validation message: " << invalid.body;
  EXPECT_EQ(call(dev, "PATCH", ns_path(sandbox, "configmaps/settings"),
                 fmt::format(R"({{"metadata":{{"namespace":"{}"}}}})", prod), "application/merge-patch+json")
                .status,
            422);

  // In the production project the developer is a viewer: reads work, every mutation is refused.
  auto r = testing::kubectl(clusters_, clusters_.local_kubeconfig,
                            {"-n", prod, "create", "secret", "generic", "db", "--from-literal=password=s3cr3t-value"});
  ASSERT_TRUE(r && r->status == 0) << (r ? r->output : r.error().message);
  EXPECT_EQ(call(dev, "GET", ns_path(prod, "deployments")).status, 200);
  // Made with kubectl, so it reaches the cache through the watch (no read-your-writes for it).
  EXPECT_TRUE(eventually(
      dev, ns_path(prod, "secrets/db"), [](const core::json::value&) { return true; }, 10s));
  auto masked = call(dev, "GET", ns_path(prod, "secrets/db"));
  ASSERT_EQ(masked.status, 200) << masked.body;
  EXPECT_EQ(masked.body.find("czNjcjN0LXZhbHVl"), std::string::npos) << "a viewer never sees secret values";
  EXPECT_NE(masked.body.find("password"), std::string::npos) << "but sees the keys";
  EXPECT_EQ(call(dev, "POST", ns_path(prod, "deployments"), deployment).status, 403);
  EXPECT_EQ(call(dev, "PATCH", ns_path(prod, "secrets/db"), R"({"data":{}})", "application/merge-patch+json").status,
            403);
  EXPECT_EQ(call(dev, "DELETE", ns_path(prod, "secrets/db")).status, 403);

  // A namespace no project owns (kube-system) and an outsider: nothing.
  EXPECT_EQ(call(dev, "GET", ns_path("kube-system", "pods")).status, 403);
  EXPECT_EQ(call(outsider, "GET", ns_path(sandbox, "deployments")).status, 403);
  EXPECT_EQ(call(outsider, "GET", ns_path(sandbox, "secrets/db")).status, 403);

  // Deleting the deployment takes its pods with it.
  EXPECT_EQ(call(dev, "DELETE", ns_path(sandbox, "deployments/payments-api")).status, 200);
  EXPECT_TRUE(eventually(dev, ns_path(sandbox, "deployments"),
                         [](const core::json::value& v) { return v.at("total").as_int64() == 0; }));
}

// The live list: a WebSocket on a list path sends the matching objects, SYNCED, then each change as it happens;
// objects outside the label selector never arrive, and a viewer of secrets sees them masked.
TEST_F(WorkloadTest, ListUpdatesArriveLiveOverWebSocket) {
  auto registered = atrium_->register_cluster("local", clusters_.local_kubeconfig);
  ASSERT_EQ(registered.status, 201) << registered.body;
  ASSERT_EQ(atrium_->create_user("dev", kPassword), 201);
  ASSERT_EQ(atrium_->create_workspace("live", {"local"}).status, 201);
  const std::string ns = project_name("live-list");
  ASSERT_EQ(atrium_->create_project("live", ns, "local").status, 201);
  ASSERT_EQ(atrium_->add_project_member("live", ns, "dev", "viewer").status, 201);
  const std::string dev = login("dev");
  const std::string create_path = ns_path(ns, "configmaps");
  ASSERT_EQ(call(admin_, "POST", create_path, R"({"metadata":{"name":"before","labels":{"app":"web"}}})").status, 201);

  net::WebSocketClientOptions o;
  o.headers.add("Authorization", "Bearer " + dev);
  auto ws = net::WebSocketClient::connect(
      fmt::format("ws://127.0.0.1:{}{}", port_, ns_path(ns, "configmaps?labelSelector=app%3Dweb")), o);
  ASSERT_TRUE(ws) << ws.error().message;
  auto next = [&]() -> core::json::value {
    auto m = (*ws)->receive(20s);
    EXPECT_TRUE(m) << m.error().message;
    if (!m) return core::json::value();
    auto v = core::parse_json(m->data);
    EXPECT_TRUE(v) << m->data;
    return v ? *v : core::json::value();
  };
  auto name_of = [](const core::json::value& e) {
    return std::string(e.at("object").at("metadata").at("name").as_string());
  };
  auto first = next();
  ASSERT_TRUE(first.is_object());
  EXPECT_EQ(first.at("type").as_string(), "ADDED");
  EXPECT_EQ(name_of(first), "before");
  auto synced = next();
  EXPECT_EQ(synced.at("type").as_string(), "SYNCED");
  EXPECT_EQ(synced.at("total").as_int64(), 1);

  // Changes made on the cluster directly (not through Atrium) come through the informer's watch.
  ASSERT_EQ(call(admin_, "POST", create_path, R"({"metadata":{"name":"other","labels":{"app":"db"}}})").status, 201);
  auto r = testing::kubectl(clusters_, clusters_.local_kubeconfig, {"-n", ns, "create", "configmap", "after"});
  ASSERT_TRUE(r && r->status == 0);
  r = testing::kubectl(clusters_, clusters_.local_kubeconfig, {"-n", ns, "label", "configmap", "after", "app=web"});
  ASSERT_TRUE(r && r->status == 0);
  auto added = next();
  EXPECT_EQ(added.at("type").as_string(), "ADDED");  // entered the selector
  EXPECT_EQ(name_of(added), "after");
  ASSERT_EQ(call(admin_, "DELETE", ns_path(ns, "configmaps/before")).status, 200);
  auto deleted = next();
  EXPECT_EQ(deleted.at("type").as_string(), "DELETED");
  EXPECT_EQ(name_of(deleted), "before");
  // Nothing about "other" (outside the selector) was sent.
  auto quiet = (*ws)->receive(1s);
  EXPECT_FALSE(quiet) << quiet->data;

  // An unfiltered live list resumes from the last token it saw: only what changed since is sent.
  std::string token;
  {
    auto all = net::WebSocketClient::connect(fmt::format("ws://127.0.0.1:{}{}", port_, ns_path(ns, "configmaps")), o);
    ASSERT_TRUE(all) << all.error().message;
    while (true) {
      auto m = (*all)->receive(20s);
      ASSERT_TRUE(m);
      auto v = core::parse_json(m->data);
      ASSERT_TRUE(v);
      if (v->at("type").as_string() == "SYNCED") {
        EXPECT_FALSE(v->at("resumed").as_bool());
        token = std::string(v->at("token").as_string());
        break;
      }
    }
  }  // the connection is lost
  ASSERT_EQ(call(admin_, "POST", create_path, R"({"metadata":{"name":"while-away"}})").status, 201);
  auto resumed = net::WebSocketClient::connect(
      fmt::format("ws://127.0.0.1:{}{}?resume={}", port_, ns_path(ns, "configmaps"), token), o);
  ASSERT_TRUE(resumed) << resumed.error().message;
  {
    auto m = (*resumed)->receive(20s);
    ASSERT_TRUE(m);
    auto v = core::parse_json(m->data);
    ASSERT_TRUE(v) << m->data;
    EXPECT_EQ(v->at("type").as_string(), "SYNCED") << m->data;
    EXPECT_TRUE(v->at("resumed").as_bool()) << m->data;
    auto next_frame = (*resumed)->receive(20s);
    ASSERT_TRUE(next_frame);
    auto e = core::parse_json(next_frame->data);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->at("type").as_string(), "ADDED");
    EXPECT_EQ(name_of(*e), "while-away") << "only the change made while away";
  }
  auto foreign =
      net::WebSocketClient::connect(fmt::format("ws://127.0.0.1:{}{}?resume=1.1", port_, ns_path(ns, "configmaps")), o);
  ASSERT_TRUE(foreign);
  bool full = false;
  for (int i = 0; i < 20; ++i) {
    auto m = (*foreign)->receive(20s);
    ASSERT_TRUE(m);
    auto v = core::parse_json(m->data);
    if (v && v->at("type").as_string() == "SYNCED") {
      full = !v->at("resumed").as_bool();
      break;
    }
  }
  EXPECT_TRUE(full) << "a token the informer never gave starts over with a snapshot";

  // Secrets over the live list are masked for a viewer.
  ASSERT_EQ(
      call(admin_, "POST", ns_path(ns, "secrets"), R"({"metadata":{"name":"db"},"data":{"pw":"aHVudGVyMg=="}})").status,
      201);
  auto secrets = net::WebSocketClient::connect(fmt::format("ws://127.0.0.1:{}{}", port_, ns_path(ns, "secrets")), o);
  ASSERT_TRUE(secrets) << secrets.error().message;
  auto m = (*secrets)->receive(20s);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->data.find("aHVudGVyMg=="), std::string::npos) << m->data;
  EXPECT_NE(m->data.find("\"pw\""), std::string::npos) << m->data;

  // An outsider cannot open it.
  ASSERT_EQ(call(admin_, "POST", "/api/v1/users",
                 fmt::format(R"({{"apiVersion":"iam.atrium.io/v1","kind":"User","metadata":{{"name":"nobody"}},)"
                             R"("spec":{{"email":"nobody@example.com","password":"{}"}}}})",
                             kPassword))
                .status,
            201);
  net::WebSocketClientOptions no;
  no.headers.add("Authorization", "Bearer " + login("nobody"));
  auto refused =
      net::WebSocketClient::connect(fmt::format("ws://127.0.0.1:{}{}", port_, ns_path(ns, "configmaps")), no);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::PermissionDenied) << refused.error().message;
}

}  // namespace
}  // namespace atrium
