// The tenant-scoped workload API of the real `atrium` binary against the real local cluster: a developer deploys
// into the project where they are operator, only reads the project where they are viewer, and an outsider sees
// nothing (scenario journey 3). Creating a project makes its namespace; the test deletes them with kubectl after.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/json.h"
#include "net/http_client.h"
#include "support/kube_cluster.h"
#include "support/process.h"

namespace atrium {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kAdminPassword = "Correct-Horse-Battery-9";
constexpr const char* kPassword = "Journey-Password-42";

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string json_string(std::string_view s) {
  std::string out;
  core::append_json_string(out, s);
  return out;
}

class WorkloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = testing::kube_clusters();
    ASSERT_TRUE(c) << c.error().message;
    clusters_ = *c;
    dir_ = fs::temp_directory_path() / fmt::format("atrium-workload-test-{}", ::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "data");
    auto port = testing::free_loopback_port();
    ASSERT_TRUE(port);
    port_ = *port;
    const char* build = std::getenv("ATRIUM_BUILD_DIR");
    std::vector<std::string> argv = {std::string(build ? build : "build/dev") + "/atrium",
                                     "serve",
                                     "--data-dir",
                                     (dir_ / "data").string(),
                                     "--listen",
                                     "127.0.0.1:" + std::to_string(port_),
                                     "--console-dir",
                                     ""};
    auto p =
        testing::ChildProcess::start(argv, {{"ATRIUM_ADMIN_PASSWORD", kAdminPassword}}, (dir_ / "atrium.log").string());
    ASSERT_TRUE(p) << p.error().message;
    process_ = std::move(*p);
    auto until = std::chrono::steady_clock::now() + 30s;
    bool ready = false;
    while (!ready && std::chrono::steady_clock::now() < until && process_->running()) {
      auto r = http_.request("GET", url("/readyz"));
      ready = r && r->status == 200;
      if (!ready) std::this_thread::sleep_for(20ms);
    }
    ASSERT_TRUE(ready) << process_->log();
    admin_ = read_file((dir_ / "data" / "admin.token").string());
    while (!admin_.empty() && admin_.back() == '\n') admin_.pop_back();
  }
  void TearDown() override {
    for (const auto& ns : namespaces_) {
      (void)testing::kubectl(clusters_, clusters_.local_kubeconfig, {"delete", "namespace", ns, "--wait=false"});
    }
    process_.reset();
    fs::remove_all(dir_);
  }

  std::string url(const std::string& path) const { return fmt::format("http://127.0.0.1:{}{}", port_, path); }
  net::ClientResponse call(const std::string& token, const std::string& method, const std::string& path,
                           const std::string& body = {}, const std::string& type = "application/json") {
    net::Headers h;
    h.add("Authorization", "Bearer " + token);
    if (!body.empty()) h.add("Content-Type", type);
    auto r = http_.request(method, url(path), h, body);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : net::ClientResponse{};
  }
  std::string login(const std::string& user) {
    net::Headers h;
    h.add("Content-Type", "application/json");
    auto r = http_.request("POST", url("/api/v1/login"), h,
                           fmt::format(R"({{"username":"{}","password":"{}"}})", user, kPassword));
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : r.error().message);
    if (!r || r->status != 200) return {};
    return std::string(core::parse_json(r->body)->at("token").as_string());
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
    auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      auto r = call(token, "GET", path);
      if (r.status == 200) {
        auto v = core::parse_json(r.body);
        if (v && pred(*v)) return true;
      }
      std::this_thread::sleep_for(200ms);
    }
    return false;
  }

  testing::KubeClusters clusters_;
  fs::path dir_;
  int port_ = 0;
  std::unique_ptr<testing::ChildProcess> process_;
  net::HttpClient http_;
  std::string admin_;
  std::vector<std::string> namespaces_;
};

TEST_F(WorkloadTest, OperatorDeploysViewerReadsOutsiderSeesNothing) {
  // The platform team registers the cluster by kubeconfig and sets up the tenancy.
  auto registered = call(admin_, "POST", "/api/v1/clusters",
                         R"({"apiVersion":"cluster.atrium.io/v1","kind":"Cluster","metadata":{"name":"local"},)"
                         R"("spec":{"kubeconfig":)" +
                             json_string(read_file(clusters_.local_kubeconfig)) + "}}");
  ASSERT_EQ(registered.status, 201) << registered.body;
  for (const std::string user : {"dev", "outsider"}) {
    auto r = call(admin_, "POST", "/api/v1/users",
                  fmt::format(R"({{"apiVersion":"iam.atrium.io/v1","kind":"User","metadata":{{"name":"{}"}},)"
                              R"("spec":{{"email":"{}@example.com","password":"{}"}}}})",
                              user, user, kPassword));
    ASSERT_EQ(r.status, 201) << r.body;
  }
  ASSERT_EQ(call(admin_, "POST", "/api/v1/workspaces",
                 R"({"metadata":{"name":"merchant-platform"},"spec":{"clusters":["local"]}})")
                .status,
            201);
  const std::string sandbox = project_name("merchant-sandbox"), prod = project_name("merchant-prod");
  for (const auto& [project, role] :
       std::vector<std::pair<std::string, std::string>>{{sandbox, "operator"}, {prod, "viewer"}}) {
    auto p = call(admin_, "POST", "/api/v1/workspaces/merchant-platform/projects",
                  fmt::format(R"({{"metadata":{{"name":"{}"}},"spec":{{"cluster":"local"}}}})", project));
    ASSERT_EQ(p.status, 201) << p.body;
    auto m = call(admin_, "POST", "/api/v1/workspaces/merchant-platform/projects/" + project + "/members",
                  fmt::format(R"({{"user":"dev","role":"{}"}})", role));
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

}  // namespace
}  // namespace atrium
