// Clusters through the HTTP API of the real `atrium` binary, against the project's two real clusters: `local`
// from the kubeconfig setting, `second` added by kubeconfig over the API, and an unreachable server refused on
// add and shown Unreachable (requests for it 503 at once) when registered with ?verify=false.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "core/json.h"
#include "net/http_client.h"
#include "support/atrium_server.h"
#include "support/kube_cluster.h"

namespace atrium {
namespace {

using namespace std::chrono_literals;

std::string read_file(const std::string& path) { return testing::read_text_file(path); }

std::string cluster_body(const std::string& name, const std::string& kubeconfig) {
  return R"({"apiVersion":"cluster.atrium.io/v1","kind":"Cluster","metadata":{"name":")" + name +
         R"("},"spec":{"displayName":"Second","kubeconfig":)" + testing::json_string(kubeconfig) + "}}";
}

class ClustersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = testing::kube_clusters();
    ASSERT_TRUE(c) << c.error().message;
    clusters_ = *c;
    auto started = testing::AtriumServer::start(
        {.name = "clusters-test", .extra_args = {"--kubeconfig", clusters_.local_kubeconfig}});
    ASSERT_TRUE(started) << started.error().message;
    atrium_ = std::move(*started);
  }
  net::ClientResponse call(const std::string& method, const std::string& path, const std::string& body = {}) {
    auto r = atrium_->call(atrium_->admin_token(), method, path, body);
    EXPECT_NE(r.status, 0) << r.body;
    return r;
  }
  static core::json::value parse(const net::ClientResponse& r) {
    auto v = core::parse_json(r.body);
    EXPECT_TRUE(v) << r.body;
    return v ? *v : core::json::value();
  }
  // Polls a cluster until its phase is `phase` (the prober runs at start and then every 10 s).
  core::json::value wait_phase(const std::string& name, const std::string& phase, std::chrono::seconds deadline) {
    auto until = std::chrono::steady_clock::now() + deadline;
    core::json::value doc;
    while (std::chrono::steady_clock::now() < until) {
      auto r = call("GET", "/api/v1/clusters/" + name);
      if (r.status == 200) {
        doc = parse(r);
        if (doc.at("status").at("phase").as_string() == phase) return doc;
      }
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << name << " never became " << phase << ": " << core::json::serialize(doc);
    return doc;
  }

  testing::KubeClusters clusters_;
  std::unique_ptr<testing::AtriumServer> atrium_;
};

TEST_F(ClustersTest, BothRealClustersReadyAndAnUnreachableOneRefusedOrRed) {
  auto local = wait_phase("local", "Ready", 20s);
  EXPECT_EQ(local.at("status").at("kubernetesVersion").as_string(), "v1.20.2");
  EXPECT_EQ(local.at("status").at("nodes").at("total").as_int64(), 1);
  EXPECT_EQ(local.at("status").at("source").as_string(), "configuration");
  EXPECT_TRUE(local.at("status").at("controlPlane").at("healthy").as_bool()) << core::json::serialize(local);
  EXPECT_EQ(call("DELETE", "/api/v1/clusters/local").status, 412);

  const std::string second_kubeconfig = read_file(clusters_.second_kubeconfig);
  ASSERT_FALSE(second_kubeconfig.empty());
  auto added = call("POST", "/api/v1/clusters", cluster_body("second", second_kubeconfig));
  ASSERT_EQ(added.status, 201) << added.body;
  auto second = parse(added);
  EXPECT_EQ(second.at("status").at("phase").as_string(), "Ready");
  EXPECT_EQ(second.at("status").at("kubernetesVersion").as_string(), "v1.20.2");
  EXPECT_EQ(second.at("status").at("nodes").at("total").as_int64(), 0);
  EXPECT_EQ(added.body.find("kubeconfig"), std::string::npos) << added.body;

  auto list = call("GET", "/api/v1/clusters?sortBy=name&ascending=true");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(parse(list).at("total").as_int64(), 2);
  EXPECT_EQ(list.body.find("certificate-authority-data"), std::string::npos);
  auto pre = call("POST", "/api/v1/clusters/second/preflight", R"({"action":"apply-crd-int-or-string"})");
  EXPECT_EQ(pre.status, 200) << pre.body;

  // The same credentials pointed at a closed port: refused on add, naming the field.
  auto closed = testing::free_loopback_port();
  ASSERT_TRUE(closed);
  std::string dead = second_kubeconfig;
  auto at = dead.find("https://127.0.0.1:");
  ASSERT_NE(at, std::string::npos);
  auto end = dead.find_first_of("\" \n,}", at);
  dead.replace(at, end - at, "https://127.0.0.1:" + std::to_string(*closed));
  auto refused = call("POST", "/api/v1/clusters", cluster_body("gone", dead));
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_NE(refused.body.find("spec.kubeconfig"), std::string::npos) << refused.body;

  auto forced = call("POST", "/api/v1/clusters?verify=false", cluster_body("gone", dead));
  ASSERT_EQ(forced.status, 201) << forced.body;
  auto gone = wait_phase("gone", "Unreachable", 20s);
  EXPECT_FALSE(gone.at("status").at("message").as_string().empty());
  auto started = std::chrono::steady_clock::now();
  auto unavailable = call("POST", "/api/v1/clusters/gone/preflight", R"({"action":"exec-terminal"})");
  EXPECT_EQ(unavailable.status, 503) << unavailable.body;
  EXPECT_NE(unavailable.body.find("cluster gone is unreachable"), std::string::npos) << unavailable.body;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  // The others stay Ready.
  EXPECT_EQ(wait_phase("second", "Ready", 5s).at("status").at("phase").as_string(), "Ready");
  EXPECT_EQ(call("DELETE", "/api/v1/clusters/gone").status, 200);
  EXPECT_EQ(call("DELETE", "/api/v1/clusters/second").status, 200);
}

}  // namespace
}  // namespace atrium
