// The cluster routes behind the real front door, the real RbacAuthorizer and a SQLite store, with fake API
// servers as clusters: who sees and changes which cluster, hostile bodies, the kubeconfig never echoed, 503 for an
// unreachable cluster, preflight 412/200.
#include "api/cluster_routes.h"

#include <array>

#include <gtest/gtest.h>

#include "api/api_handler.h"
#include "api/testing/route_matrix.h"
#include "api/testing/test_requests.h"
#include "core/testing/fake_clock.h"
#include "iam/authorizer.h"
#include "iam/role_bindings.h"
#include "iam/roles.h"
#include "kube/testing/fake_api_server.h"
#include "storage/testing/temp_store.h"

namespace atrium::api {
namespace {

using namespace std::chrono_literals;
using kube::testing::FakeApiServer;
using kube::testing::kToken;
using kube::testing::kubeconfig_for;
using testing::make_request;

class UserTokenAuthenticator : public core::Authenticator {
 public:
  core::Result<core::Principal> authenticate(const core::Credentials& c) override {
    if (c.bearer_token && c.bearer_token->starts_with("t-") && c.bearer_token->size() > 2) {
      return core::Principal{c.bearer_token->substr(2), {}, "token"};
    }
    return core::fail(core::ErrorCode::Unauthenticated, "invalid or expired token");
  }
};

std::string json_string(const std::string& s) {
  std::string out;
  core::append_json_string(out, s);
  return out;
}

std::string cluster_body(const std::string& name, const std::string& kubeconfig, const std::string& extra = {}) {
  return R"({"apiVersion":"cluster.atrium.io/v1","kind":"Cluster","metadata":{"name":")" + name +
         R"("},"spec":{"kubeconfig":)" + json_string(kubeconfig) + extra + "}}";
}

class ClusterRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.ok());
    ASSERT_TRUE(sandbox_api_.ok() && old_api_.ok());
    std::array<unsigned char, crypto::kKeyBytes> key{};
    crypto::generate_key(key);
    ASSERT_TRUE(keyring_.append("k1", key));
    ASSERT_TRUE(iam::register_templates(templates_));
    authz_ = std::make_unique<iam::RbacAuthorizer>(*store_, templates_, clock_);
    auto refresh = [this] { (void)authz_->refresh(); };
    roles_ = std::make_unique<iam::Roles>(*store_, templates_, clock_, refresh);
    bindings_ = std::make_unique<iam::RoleBindings>(*store_, *roles_, clock_, refresh);
    kube::ClusterRegistryOptions ro;
    ro.probe_timeout = 500ms;
    registry_ = std::make_unique<kube::ClusterRegistry>(*store_, keyring_, clock_, ro);
    routes_ = std::make_unique<ClusterRoutes>(*registry_, *authz_);
    routes_->register_routes(router_);
    ApiOptions options;
    options.authorizer = authz_.get();
    handler_ = std::make_unique<ApiHandler>(router_, authn_, metrics_, std::move(options));
    using iam::Member;
    ASSERT_TRUE(bindings_->add_member(iam::platform_scope(), Member{.user = "admin", .role = "platform-admin"}));
    ASSERT_TRUE(bindings_->add_member(iam::platform_scope(), Member{.user = "auditor", .role = "platform-auditor"}));
    ASSERT_TRUE(bindings_->add_member(iam::platform_scope(), Member{.user = "nobody", .role = "platform-regular"}));
    ASSERT_TRUE(
        bindings_->add_member(iam::cluster_scope("sandbox"), Member{.user = "cview", .role = "cluster-viewer"}));
    ASSERT_TRUE(bindings_->add_member(iam::cluster_scope("sandbox"), Member{.user = "cadm", .role = "cluster-admin"}));
  }
  void TearDown() override {
    handler_.reset();
    routes_.reset();
    registry_.reset();
  }

  net::HttpResponse call(const std::string& user, std::string method, std::string target, std::string body = {}) {
    auto req = make_request(std::move(method), std::move(target), std::move(body), "t-" + user);
    return handler_->handle(req);
  }
  static core::json::value parse(const net::HttpResponse& r) {
    auto v = core::parse_json(r.body_view());
    EXPECT_TRUE(v) << r.body_view();
    return v ? *v : core::json::value();
  }
  static std::vector<std::string> names(const net::HttpResponse& r) {
    std::vector<std::string> out;
    EXPECT_EQ(r.status, 200) << r.body_view();
    auto v = parse(r);
    for (const auto& i : v.at("items").as_array()) out.emplace_back(i.at("metadata").at("name").as_string());
    EXPECT_EQ(v.at("total").as_int64(), static_cast<std::int64_t>(out.size()));
    return out;
  }
  void add_two() {
    auto a = call("admin", "POST", "/api/v1/clusters", cluster_body("sandbox", kubeconfig_for(sandbox_api_.url())));
    ASSERT_EQ(a.status, 201) << a.body;
    auto b = call("admin", "POST", "/api/v1/clusters", cluster_body("old", kubeconfig_for(old_api_.url())));
    ASSERT_EQ(b.status, 201) << b.body;
  }

  FakeApiServer sandbox_api_{"v1.20.2"};
  FakeApiServer old_api_{"v1.15.3"};
  core::FakeClock clock_;
  storage::testing::TempStore store_;
  crypto::Keyring keyring_;
  iam::TemplateRegistry templates_;
  std::unique_ptr<iam::RbacAuthorizer> authz_;
  std::unique_ptr<iam::Roles> roles_;
  std::unique_ptr<iam::RoleBindings> bindings_;
  std::unique_ptr<kube::ClusterRegistry> registry_;
  std::unique_ptr<ClusterRoutes> routes_;
  Router router_;
  UserTokenAuthenticator authn_;
  core::MetricsRegistry metrics_;
  std::unique_ptr<ApiHandler> handler_;
};

// Each route carries the verb/group/resource of its row in the hand-written matrix.
TEST_F(ClusterRoutesTest, EveryRouteMatchesTheMatrix) {
  int rows = api::testing::expect_routes_match_matrix(
      router_, [](const std::string& line) { return line.find("cluster.atrium.io") != std::string::npos; });
  EXPECT_EQ(rows, static_cast<int>(router_.routes().size()));
}

TEST_F(ClusterRoutesTest, WhoSeesAndChangesWhichCluster) {
  add_two();
  EXPECT_EQ(names(call("admin", "GET", "/api/v1/clusters?sortBy=name&ascending=true")),
            (std::vector<std::string>{"old", "sandbox"}));
  EXPECT_EQ(names(call("auditor", "GET", "/api/v1/clusters?sortBy=name&ascending=true")),
            (std::vector<std::string>{"old", "sandbox"}));
  EXPECT_EQ(names(call("cview", "GET", "/api/v1/clusters")), std::vector<std::string>{"sandbox"});
  EXPECT_EQ(names(call("cadm", "GET", "/api/v1/clusters")), std::vector<std::string>{"sandbox"});
  EXPECT_TRUE(names(call("nobody", "GET", "/api/v1/clusters")).empty());

  auto got = call("cview", "GET", "/api/v1/clusters/sandbox");
  ASSERT_EQ(got.status, 200) << got.body;
  auto doc = parse(got);
  EXPECT_EQ(doc.at("status").at("phase").as_string(), "Ready");
  EXPECT_EQ(doc.at("status").at("kubernetesVersion").as_string(), "v1.20.2");
  EXPECT_EQ(doc.at("status").at("nodes").at("total").as_int64(), 1);
  EXPECT_EQ(call("cview", "GET", "/api/v1/clusters/old").status, 403);
  EXPECT_EQ(call("nobody", "GET", "/api/v1/clusters/sandbox").status, 403);
  EXPECT_EQ(call("auditor", "GET", "/api/v1/clusters/old").status, 200);

  for (const char* user : {"cview", "cadm", "auditor", "nobody"}) {
    EXPECT_EQ(call(user, "POST", "/api/v1/clusters", cluster_body("x", kubeconfig_for(sandbox_api_.url()))).status, 403)
        << user;
    EXPECT_EQ(call(user, "PUT", "/api/v1/clusters/sandbox", cluster_body("sandbox", "")).status, 403) << user;
    EXPECT_EQ(call(user, "DELETE", "/api/v1/clusters/sandbox").status, 403) << user;
  }
  auto anonymous = make_request("GET", "/api/v1/clusters", "", "");
  EXPECT_EQ(handler_->handle(anonymous).status, 401);

  EXPECT_EQ(call("admin", "DELETE", "/api/v1/clusters/old").status, 200);
  EXPECT_EQ(call("admin", "GET", "/api/v1/clusters/old").status, 404);
}

TEST_F(ClusterRoutesTest, KubeconfigIsNeverEchoed) {
  add_two();
  const std::string kubeconfig = kubeconfig_for(sandbox_api_.url());
  for (const auto& r :
       {call("admin", "GET", "/api/v1/clusters"), call("admin", "GET", "/api/v1/clusters/sandbox"),
        call("admin", "PUT", "/api/v1/clusters/sandbox", cluster_body("sandbox", kubeconfig, R"(,"description":"d")")),
        call("admin", "POST", "/api/v1/clusters?dryRun=All", cluster_body("dry", kubeconfig)),
        call("admin", "POST", "/api/v1/clusters", cluster_body("sandbox", kubeconfig)),
        call("admin", "POST", "/api/v1/clusters", cluster_body("bad", kubeconfig + "  extra: [unclosed\n"))}) {
    EXPECT_EQ(std::string(r.body_view()).find(kToken), std::string::npos) << r.body_view();
    EXPECT_EQ(std::string(r.body_view()).find("current-context"), std::string::npos) << r.body_view();
  }
  EXPECT_EQ(call("admin", "GET", "/api/v1/clusters/dry").status, 404);
}

TEST_F(ClusterRoutesTest, HostileRequests) {
  const std::string good = kubeconfig_for(sandbox_api_.url());
  auto status_of = [&](const std::string& body, const std::string& target = "/api/v1/clusters") {
    return call("admin", "POST", target, body).status;
  };
  EXPECT_EQ(status_of(cluster_body("Not_A_Label", good)), 422);
  EXPECT_EQ(status_of(cluster_body("ok", good, R"(,"extra":true)")), 422);
  EXPECT_EQ(status_of(R"({"apiVersion":"cluster.atrium.io/v1","kind":"Cluster","metadata":{"name":"x"},"spec":{}})"),
            422);
  EXPECT_EQ(
      status_of(
          R"({"apiVersion":"cluster.atrium.io/v1","kind":"Cluster","metadata":{"name":"x"},"status":{"phase":"Ready"},"spec":{"kubeconfig":7}})"),
      422);
  EXPECT_EQ(status_of("{\"metadata\": "), 400);
  EXPECT_EQ(status_of("[]"), 422);
  EXPECT_EQ(status_of(cluster_body("big", std::string(5 << 20, 'k'))), 413);
  EXPECT_EQ(status_of(cluster_body("ok", good), "/api/v1/clusters?dryRun=yes"), 400);
  EXPECT_EQ(status_of(cluster_body("ok", good), "/api/v1/clusters?verify=maybe"), 400);
  auto text = make_request("POST", "/api/v1/clusters", "name: x", "t-admin");
  text.headers = {};
  text.headers.add("Content-Type", "text/yaml");
  text.headers.add("Authorization", "Bearer t-admin");
  EXPECT_EQ(handler_->handle(text).status, 400);
  auto unreachable =
      call("admin", "POST", "/api/v1/clusters", cluster_body("gone", kubeconfig_for("https://127.0.0.1:1")));
  EXPECT_EQ(unreachable.status, 422) << unreachable.body;
  EXPECT_NE(unreachable.body.find("spec.kubeconfig"), std::string::npos);
  EXPECT_EQ(call("admin", "GET", "/api/v1/clusters/..%2Fetc").status, 404);
  EXPECT_EQ(call("admin", "GET", "/api/v1/clusters/nope").status, 404);
  EXPECT_TRUE(names(call("admin", "GET", "/api/v1/clusters")).empty());
}

TEST_F(ClusterRoutesTest, UnreachableClusterShowsWhyAndPreflightIs503) {
  auto created = call("admin", "POST", "/api/v1/clusters?verify=false",
                      cluster_body("gone", kubeconfig_for("http://127.0.0.1:1")));
  ASSERT_EQ(created.status, 201) << created.body;
  registry_->probe_all();
  auto got = parse(call("admin", "GET", "/api/v1/clusters/gone"));
  EXPECT_EQ(got.at("status").at("phase").as_string(), "Unreachable");
  EXPECT_FALSE(got.at("status").at("message").as_string().empty());
  auto pre = call("admin", "POST", "/api/v1/clusters/gone/preflight", R"({"action":"exec-terminal"})");
  EXPECT_EQ(pre.status, 503) << pre.body;
  EXPECT_NE(pre.body.find("cluster gone is unreachable"), std::string::npos) << pre.body;
}

TEST_F(ClusterRoutesTest, PreflightRefusesOldVersionWith412) {
  add_two();
  auto refused = call("admin", "POST", "/api/v1/clusters/old/preflight", R"({"action":"apply-crd-int-or-string"})");
  EXPECT_EQ(refused.status, 412) << refused.body;
  EXPECT_NE(refused.body.find("x-kubernetes-int-or-string"), std::string::npos);
  EXPECT_NE(refused.body.find("v1.15.3"), std::string::npos);
  auto passed = call("cadm", "POST", "/api/v1/clusters/sandbox/preflight", R"({"action":"apply-crd-int-or-string"})");
  ASSERT_EQ(passed.status, 200) << passed.body;
  auto doc = parse(passed);
  EXPECT_TRUE(doc.at("allowed").as_bool());
  EXPECT_EQ(doc.at("kubernetesVersion").as_string(), "v1.20.2");
  EXPECT_TRUE(doc.at("checks").as_array().at(0).at("passed").as_bool());
  EXPECT_EQ(call("cview", "POST", "/api/v1/clusters/sandbox/preflight", R"({"action":"exec-terminal"})").status, 403);
  EXPECT_EQ(call("admin", "POST", "/api/v1/clusters/sandbox/preflight", R"({"action":"format-disk"})").status, 422);
  EXPECT_EQ(call("admin", "POST", "/api/v1/clusters/sandbox/preflight", R"({"action":"exec-terminal","x":1})").status,
            422);
  EXPECT_EQ(call("admin", "POST", "/api/v1/clusters/sandbox/preflight", R"({})").status, 422);
  EXPECT_EQ(call("admin", "POST", "/api/v1/clusters/nope/preflight", R"({"action":"exec-terminal"})").status, 404);
}

}  // namespace
}  // namespace atrium::api
