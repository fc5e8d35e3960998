// ClusterRegistry against small fake API servers (net::HttpServer on loopback): add, status from probes,
// unreachable clusters failing fast, preflight, hostile documents, and the kubeconfig never echoed.
#include "kube/cluster_registry.h"

#include <array>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "core/testing/fake_clock.h"
#include "kube/testing/fake_api_server.h"
#include "net/http_server.h"
#include "storage/testing/temp_store.h"

namespace atrium::kube {
namespace {

using namespace std::chrono_literals;
namespace json = core::json;

using testing::FakeApiServer;
using testing::kToken;
using testing::kubeconfig_for;

json::value cluster_doc(const std::string& name, const std::string& kubeconfig, const std::string& extra_spec = {}) {
  json::object spec{{"displayName", "Cluster " + name}};
  if (!kubeconfig.empty()) spec["kubeconfig"] = kubeconfig;
  json::value doc = json::object{{"apiVersion", "cluster.atrium.io/v1"},
                                 {"kind", "Cluster"},
                                 {"metadata", json::object{{"name", name}}},
                                 {"spec", std::move(spec)}};
  if (!extra_spec.empty()) {
    auto extra = core::parse_json(extra_spec);
    for (const auto& kv : extra->as_object()) doc.as_object()["spec"].as_object()[kv.key()] = kv.value();
  }
  return doc;
}

std::uint16_t closed_port() {
  net::HttpServerOptions o;
  o.listen = "127.0.0.1:0";
  auto s = net::HttpServer::create(o, [](net::HttpRequest&) { return net::HttpResponse{}; });
  (*s)->start();
  auto port = (*s)->port();
  (*s)->stop();
  return port;
}

class ClusterRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.ok());
    std::array<unsigned char, crypto::kKeyBytes> key{};
    crypto::generate_key(key);
    ASSERT_TRUE(keyring_.append("k1", key));
    registry_ = make_registry(keyring_);
  }
  std::unique_ptr<ClusterRegistry> make_registry(const crypto::Keyring& keyring) {
    ClusterRegistryOptions o;
    o.probe_timeout = 500ms;
    o.probe_period = 1h;  // tests call probe_all()
    o.on_forget = [this](std::string_view c) { forgotten_.emplace_back(c); };
    o.before_remove = [this](std::string_view c) -> core::Status {
      if (c == in_use_) return core::fail(core::ErrorCode::Conflict, "cluster " + std::string(c) + " holds projects");
      return {};
    };
    return std::make_unique<ClusterRegistry>(*store_, keyring, clock_, o);
  }
  std::string phase(const std::string& name) {
    auto c = registry_->get(name);
    EXPECT_TRUE(c) << name;
    return c ? std::string(c->at("status").at("phase").as_string()) : "";
  }

  storage::testing::TempStore store_;
  crypto::Keyring keyring_;
  core::FakeClock clock_;
  std::vector<std::string> forgotten_;
  std::string in_use_;  // before_remove refuses this one
  std::unique_ptr<ClusterRegistry> registry_;
};

TEST_F(ClusterRegistryTest, AddProbesAndServesStatusWithoutKubeconfig) {
  FakeApiServer api("v1.20.2", 2);
  ASSERT_TRUE(api.ok());
  auto created = registry_->create(cluster_doc("sandbox", kubeconfig_for(api.url())));
  ASSERT_TRUE(created) << created.error().message;
  const std::string text = json::serialize(*created);
  EXPECT_EQ(text.find(kToken), std::string::npos) << text;
  EXPECT_EQ(text.find("kubeconfig"), std::string::npos) << text;
  const auto& status = created->at("status").as_object();
  EXPECT_EQ(status.at("phase").as_string(), "Ready");
  EXPECT_EQ(status.at("kubernetesVersion").as_string(), "v1.20.2");
  EXPECT_EQ(status.at("nodes").at("total").as_int64(), 2);
  EXPECT_EQ(status.at("nodes").at("ready").as_int64(), 1);
  EXPECT_EQ(status.at("controlPlane").at("healthy").as_bool(), true);
  EXPECT_EQ(status.at("source").as_string(), "api");
  EXPECT_FALSE(status.at("lastProbeTime").as_string().empty());
  EXPECT_FALSE(status.at("preflight").as_array().empty());
  EXPECT_FALSE(created->at("metadata").at("resourceVersion").as_string().empty());

  // At rest the kubeconfig is sealed: neither the token nor the server's kubeconfig text is in the store.
  auto stored = store_->get("Cluster", "", "sandbox");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->data.find(kToken), std::string::npos);
  EXPECT_NE(stored->data.find("\"sealed:v1:k1:"), std::string::npos);

  auto client = registry_->client("sandbox");
  ASSERT_TRUE(client) << client.error().message;
  auto v = (*client)->get("/version");
  ASSERT_TRUE(v);
  EXPECT_NE(v->find("v1.20.2"), std::string::npos);

  api.etcd_down = true;
  registry_->probe_all();
  auto sick = registry_->get("sandbox");
  EXPECT_EQ(sick->at("status").at("phase").as_string(), "Ready");  // reachable, but unhealthy
  EXPECT_FALSE(sick->at("status").at("controlPlane").at("healthy").as_bool());
  EXPECT_EQ(sick->at("status").at("controlPlane").at("failed").as_array().at(0).as_string(), "etcd");

  auto again = registry_->create(cluster_doc("sandbox", kubeconfig_for(api.url())));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, core::ErrorCode::AlreadyExists);
}

TEST_F(ClusterRegistryTest, HostileDocumentsAreRefusedNamingTheField) {
  FakeApiServer api("v1.20.2");
  ASSERT_TRUE(api.ok());
  const std::string good = kubeconfig_for(api.url());
  struct Case {
    json::value body;
    std::string field;
  };
  std::vector<Case> cases = {
      {cluster_doc("Bad_Name", good), "metadata.name"},
      {cluster_doc("a.b", good), "metadata.name"},
      {cluster_doc(std::string(64, 'a'), good), "metadata.name"},
      {cluster_doc("", good), "metadata.name"},
      {cluster_doc("c1", good, R"({"unknown": 1})"), "spec.unknown"},
      {cluster_doc("c1", ""), "spec.kubeconfig"},
      {cluster_doc("c1", "{{{ not: yaml: ["), "spec.kubeconfig"},
      {cluster_doc("c1", "apiVersion: v1\nkind: Config\n"), "spec.kubeconfig"},
      {cluster_doc("c1", "", R"({"kubeconfig": 42})"), "spec.kubeconfig"},
      {cluster_doc("c1", std::string(600 * 1024, 'a')), "spec.kubeconfig"},
      {cluster_doc("c1",
                   "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n  cluster:\n"
                   "    server: " +
                       api.url() +
                       "\ncontexts:\n- name: c\n  context:\n    cluster: c\n"
                       "    user: u\nusers:\n- name: u\n  user:\n    token-file: /etc/shadow\n"),
       "spec.kubeconfig"},
      {cluster_doc("c1", kubeconfig_for("ftp://127.0.0.1:1")), "spec.kubeconfig"},
      {cluster_doc("c1", good, R"({"context": "nope"})"), "spec.kubeconfig"},
  };
  for (const auto& c : cases) {
    auto r = registry_->create(c.body);
    const std::string shown = json::serialize(c.body).substr(0, 120);
    ASSERT_FALSE(r) << shown;
    EXPECT_EQ(r.error().code, core::ErrorCode::InvalidArgument) << shown;
    EXPECT_EQ(core::http_status(r.error()), 422) << shown << ": " << r.error().message;
    bool named = false;
    for (const auto& cause : r.error().causes) named = named || cause.field == c.field;
    EXPECT_TRUE(named) << shown << " → " << r.error().message;
    EXPECT_EQ(r.error().message.find(kToken), std::string::npos);
    for (const auto& cause : r.error().causes) EXPECT_EQ(cause.message.find(kToken), std::string::npos);
  }
  for (json::value bad : {json::value(nullptr), json::value(json::array{}), json::value("x"),
                          json::value(json::object{{"kind", "Cluster"}})}) {
    auto r = registry_->create(bad);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, core::ErrorCode::InvalidArgument);
  }
  auto wrong_kind = cluster_doc("c1", good);
  wrong_kind.as_object()["kind"] = "Workspace";
  EXPECT_FALSE(registry_->create(wrong_kind));
  // A wrong token: the server answers, but refuses Atrium.
  auto refused = registry_->create(cluster_doc("c1", kubeconfig_for(api.url(), "wrong")));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().causes.at(0).field, "spec.kubeconfig");
  EXPECT_NE(refused.error().message.find("refused Atrium's credentials"), std::string::npos) << refused.error().message;
  EXPECT_FALSE(store_->get("Cluster", "", "c1"));
}

TEST_F(ClusterRegistryTest, UnreachableServerIsRefusedUnlessVerificationIsSkipped) {
  const std::string dead = "http://127.0.0.1:" + std::to_string(closed_port());
  auto r = registry_->create(cluster_doc("gone", kubeconfig_for(dead)));
  ASSERT_FALSE(r);
  EXPECT_EQ(core::http_status(r.error()), 422);
  EXPECT_EQ(r.error().causes.at(0).field, "spec.kubeconfig");
  EXPECT_NE(r.error().message.find(dead), std::string::npos) << r.error().message;
  EXPECT_FALSE(registry_->contains("gone"));

  auto dry = registry_->create(cluster_doc("gone", kubeconfig_for(dead)), {.dry_run = DryRun::Yes});
  EXPECT_FALSE(dry);
  auto skipped = registry_->create(cluster_doc("gone", kubeconfig_for(dead)), {.reachability = Reachability::Skipped});
  ASSERT_TRUE(skipped) << skipped.error().message;
  EXPECT_EQ(skipped->at("status").at("phase").as_string(), "Unknown");
  registry_->probe_all();
  EXPECT_EQ(phase("gone"), "Unreachable");
  auto started = std::chrono::steady_clock::now();
  auto c = registry_->client("gone");
  ASSERT_FALSE(c);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 50ms);
  EXPECT_EQ(c.error().code, core::ErrorCode::Unavailable);
  EXPECT_EQ(core::http_status(c.error()), 503);
  EXPECT_NE(c.error().message.find("cluster gone is unreachable: "), std::string::npos) << c.error().message;
}

TEST_F(ClusterRegistryTest, DryRunStoresNothing) {
  FakeApiServer api("v1.20.2");
  ASSERT_TRUE(api.ok());
  auto dry = registry_->create(cluster_doc("dry", kubeconfig_for(api.url())), {.dry_run = DryRun::Yes});
  ASSERT_TRUE(dry) << dry.error().message;
  EXPECT_EQ(dry->at("status").at("phase").as_string(), "Ready");
  EXPECT_FALSE(registry_->contains("dry"));
  EXPECT_FALSE(store_->get("Cluster", "", "dry"));
}

TEST_F(ClusterRegistryTest, DisappearingClusterTurnsUnreachableAndFailsFastWithoutSlowingOthers) {
  FakeApiServer stays("v1.20.2"), vanishes("v1.20.2"), hangs("v1.20.2");
  ASSERT_TRUE(stays.ok() && vanishes.ok() && hangs.ok());
  ASSERT_TRUE(registry_->create(cluster_doc("stays", kubeconfig_for(stays.url()))));
  ASSERT_TRUE(registry_->create(cluster_doc("vanishes", kubeconfig_for(vanishes.url()))));
  ASSERT_TRUE(registry_->create(cluster_doc("hangs", kubeconfig_for(hangs.url()))));
  vanishes.remember_port();
  vanishes.stop();
  hangs.hang_ms = 3000;
  auto started = std::chrono::steady_clock::now();
  registry_->probe_all();
  auto took = std::chrono::steady_clock::now() - started;
  // Probes run in parallel, each bounded by the 500 ms probe timeout.
  EXPECT_LT(took, 2000ms);
  EXPECT_EQ(phase("stays"), "Ready");
  EXPECT_EQ(phase("vanishes"), "Unreachable");
  EXPECT_EQ(phase("hangs"), "Unreachable");
  EXPECT_TRUE(registry_->client("stays"));
  auto c = registry_->client("vanishes");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, core::ErrorCode::Unavailable);
  auto unknown = registry_->client("nope");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, core::ErrorCode::NotFound);
  hangs.hang_ms = 0;
  registry_->probe_all();
  EXPECT_EQ(phase("hangs"), "Ready");
  EXPECT_TRUE(registry_->client("hangs"));
}

TEST_F(ClusterRegistryTest, TheGateProbesAClusterNotProbedYet) {
  // Registered without verification (so never probed): the gate probes it first rather than answering 503.
  FakeApiServer old_api("v1.15.3");
  ASSERT_TRUE(old_api.ok());
  ASSERT_TRUE(
      registry_->create(cluster_doc("fresh", kubeconfig_for(old_api.url())), {.reachability = Reachability::Skipped}));
  const auto before = registry_->get("fresh");
  ASSERT_TRUE(before);
  const auto* version = before->at("status").as_object().if_contains("kubernetesVersion");
  EXPECT_TRUE(!version || version->as_string().empty()) << "not probed yet";
  auto refused = registry_->require_preflight("fresh", "exec-terminal");
  ASSERT_FALSE(refused);
  EXPECT_EQ(core::http_status(refused.error()), 412) << refused.error().message;
  EXPECT_NE(refused.error().message.find("CVE-2020-8559"), std::string::npos) << refused.error().message;
  EXPECT_EQ(registry_->get("fresh")->at("status").at("kubernetesVersion").as_string(), "v1.15.3");
}

TEST_F(ClusterRegistryTest, PreflightRefusesOldVersionAndPassesCurrent) {
  FakeApiServer old_api("v1.15.3"), new_api("v1.20.2");
  ASSERT_TRUE(old_api.ok() && new_api.ok());
  ASSERT_TRUE(registry_->create(cluster_doc("old", kubeconfig_for(old_api.url()))));
  ASSERT_TRUE(registry_->create(cluster_doc("new", kubeconfig_for(new_api.url()))));
  auto refused = registry_->require_preflight("old", "apply-crd-int-or-string");
  ASSERT_FALSE(refused);
  EXPECT_EQ(core::http_status(refused.error()), 412);
  EXPECT_NE(refused.error().message.find("x-kubernetes-int-or-string"), std::string::npos);
  EXPECT_TRUE(registry_->require_preflight("new", "apply-crd-int-or-string"));
  auto status = registry_->get("old");
  bool shown = false;
  for (const auto& c : status->at("status").at("preflight").as_array()) {
    if (c.at("check").as_string() == "crd-int-or-string-panic") shown = !c.at("passed").as_bool();
  }
  EXPECT_TRUE(shown) << json::serialize(*status);
  EXPECT_FALSE(registry_->preflight("new", "no-such-action"));
  EXPECT_EQ(registry_->preflight("missing", "exec-terminal").error().code, core::ErrorCode::NotFound);
}

TEST_F(ClusterRegistryTest, UpdateKeepsOrReplacesTheKubeconfigAndRemoveForgets) {
  FakeApiServer a("v1.20.2"), b("v1.19.3");
  ASSERT_TRUE(a.ok() && b.ok());
  auto created = registry_->create(cluster_doc("c", kubeconfig_for(a.url())));
  ASSERT_TRUE(created);
  const std::string rv(created->at("metadata").at("resourceVersion").as_string());

  auto doc = cluster_doc("c", "", R"({"description": "renamed"})");
  auto updated = registry_->update("c", doc);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->at("spec").at("description").as_string(), "renamed");
  EXPECT_EQ(updated->at("status").at("kubernetesVersion").as_string(), "v1.20.2");
  EXPECT_TRUE(forgotten_.empty());
  EXPECT_NE(store_->get("Cluster", "", "c")->data.find("sealed:"), std::string::npos);

  auto stale = cluster_doc("c", "");
  stale.as_object()["metadata"].as_object()["resourceVersion"] = rv;
  auto conflict = registry_->update("c", stale);
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code, core::ErrorCode::Conflict);
  auto mismatch = registry_->update("c", cluster_doc("d", ""));
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().causes.at(0).field, "metadata.name");
  auto broken = registry_->update("c", cluster_doc("c", "garbage: ["));
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().causes.at(0).field, "spec.kubeconfig");

  auto moved = registry_->update("c", cluster_doc("c", kubeconfig_for(b.url())));
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(moved->at("status").at("kubernetesVersion").as_string(), "v1.19.3");
  EXPECT_EQ(forgotten_, std::vector<std::string>{"c"});
  EXPECT_EQ(registry_->update("nope", cluster_doc("nope", "")).error().code, core::ErrorCode::NotFound);

  // The guard refuses a cluster in use: nothing is removed or forgotten.
  in_use_ = "c";
  auto refused = registry_->remove("c");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::Conflict);
  EXPECT_TRUE(registry_->get("c"));
  EXPECT_TRUE(store_->get("Cluster", "", "c"));
  EXPECT_EQ(forgotten_.size(), 1u);
  in_use_.clear();
  ASSERT_TRUE(registry_->remove("c"));
  EXPECT_EQ(forgotten_.size(), 2u);
  EXPECT_EQ(registry_->get("c").error().code, core::ErrorCode::NotFound);
  EXPECT_EQ(registry_->remove("c").error().code, core::ErrorCode::NotFound);
  EXPECT_FALSE(store_->get("Cluster", "", "c"));
}

TEST_F(ClusterRegistryTest, StoredClustersReloadAndOtherReplicasChangesArrive) {
  FakeApiServer api("v1.20.2");
  ASSERT_TRUE(api.ok());
  ASSERT_TRUE(registry_->create(cluster_doc("kept", kubeconfig_for(api.url()))));

  auto replica = make_registry(keyring_);
  ASSERT_TRUE(replica->start());
  replica->probe_all();
  auto got = replica->get("kept");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->at("status").at("phase").as_string(), "Ready");
  EXPECT_TRUE(replica->client("kept"));
  ASSERT_TRUE(registry_->remove("kept"));
  replica->stop();
  ASSERT_TRUE(replica->start());  // a sync: the removal arrives
  EXPECT_FALSE(replica->contains("kept"));
  replica->stop();

  // A replica with another key cannot open the kubeconfig: the cluster shows why, requests fail fast.
  ASSERT_TRUE(registry_->create(cluster_doc("sealed", kubeconfig_for(api.url()))));
  crypto::Keyring other;
  std::array<unsigned char, crypto::kKeyBytes> key{};
  crypto::generate_key(key);
  ASSERT_TRUE(other.append("k1", key));
  auto wrong = make_registry(other);
  ASSERT_TRUE(wrong->start());
  wrong->stop();
  auto c = wrong->client("sealed");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, core::ErrorCode::Unavailable);
  EXPECT_NE(c.error().message.find("cannot be opened"), std::string::npos) << c.error().message;
}

TEST_F(ClusterRegistryTest, ClusterFromConfigurationIsListedButNotChangeable) {
  FakeApiServer api("v1.20.2");
  ASSERT_TRUE(api.ok());
  auto dir = std::filesystem::temp_directory_path() / ("atrium-kc-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "token") << kToken << "\n";
    std::ofstream(dir / "config") << "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n"
                                     "  cluster:\n    server: "
                                  << api.url()
                                  << "\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\nusers:\n"
                                     "- name: u\n  user:\n    tokenFile: token\n";
  }
  auto added = registry_->add_from_file("local", (dir / "config").string());
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_FALSE(registry_->add_from_file("Not Valid", (dir / "config").string()));
  EXPECT_FALSE(registry_->add_from_file("other", (dir / "missing").string()));
  EXPECT_EQ(registry_->add_from_file("local", (dir / "config").string()).error().code, core::ErrorCode::AlreadyExists);
  registry_->probe_all();
  auto got = registry_->get("local");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->at("status").at("phase").as_string(), "Ready") << json::serialize(*got);
  EXPECT_EQ(got->at("status").at("source").as_string(), "configuration");
  EXPECT_EQ(registry_->update("local", cluster_doc("local", "")).error().code, core::ErrorCode::FailedPrecondition);
  EXPECT_EQ(registry_->remove("local").error().code, core::ErrorCode::FailedPrecondition);
  EXPECT_EQ(registry_->create(cluster_doc("local", kubeconfig_for(api.url()))).error().code,
            core::ErrorCode::AlreadyExists);
  ASSERT_TRUE(registry_->start());  // syncing from the store keeps configuration clusters
  registry_->stop();
  EXPECT_TRUE(registry_->contains("local"));

  ASSERT_TRUE(registry_->create(cluster_doc("zeta", kubeconfig_for(api.url()))));
  core::ListOptions lo;
  lo.sort_by = "name";
  lo.order = core::SortOrder::Ascending;
  auto all = registry_->list(lo, {});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->total, 2);
  EXPECT_EQ(all->items[0].at("metadata").at("name").as_string(), "local");
  auto only_zeta = registry_->list(lo, [](std::string_view n) { return n == "zeta"; });
  ASSERT_EQ(only_zeta->total, 1);
  lo.limit = 1;
  lo.page = 2;
  auto page2 = registry_->list(lo, {});
  ASSERT_EQ(page2->items.size(), 1u);
  EXPECT_EQ(page2->items[0].at("metadata").at("name").as_string(), "zeta");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace atrium::kube
