// The Kubernetes client, discovery and informers against the project's real clusters (tests/support/kube).
#include <signal.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/json.h"
#include "kube/client.h"
#include "kube/discovery.h"
#include "kube/informer.h"
#include "kube/kubeconfig.h"
#include "support/kube_cluster.h"
#include "support/process.h"

namespace atrium::kube {
namespace {

using namespace std::chrono_literals;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class KubeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = testing::kube_clusters();
    ASSERT_TRUE(c) << c.error().message;
    clusters_ = *c;
  }

  std::shared_ptr<Client> client_for(const std::string& kubeconfig) {
    KubeconfigOptions o;
    o.files = FileAccess::Allowed;
    auto conn = parse_kubeconfig(read_file(kubeconfig), o);
    EXPECT_TRUE(conn) << conn.error().message;
    if (!conn) return nullptr;
    auto client = Client::create(*conn);
    EXPECT_TRUE(client) << client.error().message;
    return client ? std::shared_ptr<Client>(std::move(*client)) : nullptr;
  }

  void create_namespace(Client& client, const std::string& ns) {
    auto r =
        client.call(Request{"POST", "/api/v1/namespaces",
                            fmt::format(R"({{"metadata":{{"name":"{}","labels":{{"atrium.io/test":"kube"}}}}}})", ns)});
    ASSERT_TRUE(r) << r.error().message;
  }
  void delete_namespace(Client& client, const std::string& ns) {
    (void)client.call(Request{"DELETE", "/api/v1/namespaces/" + ns});
  }
  std::string create_config_map(Client& client, const std::string& ns, const std::string& name,
                                const std::string& value = "1") {
    auto r =
        client.call(Request{"POST", "/api/v1/namespaces/" + ns + "/configmaps",
                            fmt::format(R"({{"metadata":{{"name":"{}","labels":{{"n":"{}"}}}},"data":{{"v":"{}"}}}})",
                                        name, value, value)});
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : std::string();
  }

  // name -> resourceVersion of the apiserver's own list, for comparing with a cache.
  std::map<std::string, std::string> fresh_list(Client& client, const std::string& ns, const std::string& resource) {
    std::map<std::string, std::string> out;
    auto body = client.get("/api/v1/namespaces/" + ns + "/" + resource);
    EXPECT_TRUE(body) << body.error().message;
    if (!body) return out;
    auto v = core::parse_json(*body);
    for (const auto& item : v->at("items").as_array()) {
      const auto& m = item.at("metadata");
      out[std::string(m.at("name").as_string())] = std::string(m.at("resourceVersion").as_string());
    }
    return out;
  }
  std::map<std::string, std::string> cached(const ObjectCache& cache, const std::string& ns) {
    std::map<std::string, std::string> out;
    core::ListOptions o;
    o.limit = core::ListOptions::kMaxLimit;
    for (const auto& item : cache.list(ns, o).items) {
      auto v = core::parse_json(item);
      const auto& m = v->at("metadata");
      out[std::string(m.at("name").as_string())] = std::string(m.at("resourceVersion").as_string());
    }
    return out;
  }

  testing::KubeClusters clusters_;
};

TEST_F(KubeTest, DiscoveryFindsEachKindAtTheVersionThisClusterServes) {
  auto client = client_for(clusters_.local_kubeconfig);
  ASSERT_TRUE(client);
  Discovery discovery;
  ASSERT_TRUE(discovery.refresh(*client));
  EXPECT_GE(discovery.group_versions().size(), 20u);
  auto cronjob = discovery.find_kind("CronJob");
  ASSERT_TRUE(cronjob);
  EXPECT_EQ(cronjob->group_version(), "batch/v1beta1");  // Kubernetes 1.20
  EXPECT_TRUE(cronjob->namespaced);
  auto ingress = discovery.find_kind("Ingress", "networking.k8s.io");
  ASSERT_TRUE(ingress);
  EXPECT_EQ(ingress->version, "v1");
  auto deployments = discovery.find_resource("apps", "deployments");
  ASSERT_TRUE(deployments);
  EXPECT_EQ(deployments->collection_path("shop"), "/apis/apps/v1/namespaces/shop/deployments");
  EXPECT_TRUE(deployments->supports("watch"));
  auto nodes = discovery.find_resource("", "nodes");
  ASSERT_TRUE(nodes);
  EXPECT_FALSE(nodes->namespaced);
  EXPECT_FALSE(discovery.find_kind("NoSuchKind"));
}

TEST_F(KubeTest, ClientCertificateTokenAndSecondClusterCredentialsAllWork) {
  for (const auto& kc : {clusters_.local_kubeconfig, clusters_.local_cert_kubeconfig, clusters_.second_kubeconfig}) {
    auto client = client_for(kc);
    ASSERT_TRUE(client);
    auto version = client->get("/version");
    ASSERT_TRUE(version) << kc << ": " << version.error().message;
    EXPECT_NE(version->find("v1.20"), std::string::npos) << *version;
  }
}

TEST_F(KubeTest, AnUntrustedCertificateAuthorityIsRefused) {
  KubeconfigOptions o;
  o.files = FileAccess::Allowed;
  auto conn = parse_kubeconfig(read_file(clusters_.local_kubeconfig), o);
  ASSERT_TRUE(conn);
  // Trust a different CA (the apiserver's own leaf certificate is not a CA for itself).
  conn->ca_pem = read_file(clusters_.pki + "/admin-client.crt");
  auto client = Client::create(*conn);
  ASSERT_TRUE(client);
  auto r = (*client)->get("/version");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::Unavailable) << r.error().message;
}

TEST_F(KubeTest, TheApiserversValidationMessageReachesTheCaller) {
  auto client = client_for(clusters_.local_kubeconfig);
  ASSERT_TRUE(client);
  auto r = client->call(Request{"POST", "/api/v1/namespaces", R"({"metadata":{"name":"Not_Valid"}})"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::InvalidArgument);
  EXPECT_NE(r.error().message.find("Not_Valid"), std::string::npos) << r.error().message;
}

TEST_F(KubeTest, InformerListsThenFollowsEveryChange) {
  auto client = client_for(clusters_.local_kubeconfig);
  ASSERT_TRUE(client);
  Discovery discovery;
  ASSERT_TRUE(discovery.refresh(*client));
  auto ns = testing::unique_namespace("informer");
  create_namespace(*client, ns);
  for (int i = 0; i < 5; ++i) create_config_map(*client, ns, fmt::format("before-{}", i));

  InformerOptions o;
  o.namespace_name = ns;
  o.page_size = 2;  // several pages, so the continue token is exercised
  Informer informer(client, *discovery.find_resource("", "configmaps"), o);
  std::mutex mutex;
  std::vector<WatchEvent> events;
  informer.subscribe([&](const WatchEvent& e) {
    std::lock_guard lock(mutex);
    events.push_back(e);
  });
  informer.start();
  ASSERT_TRUE(informer.wait_synced(10s));
  // kube-root-ca.crt is created in each namespace by the controller-manager, possibly after our list.
  auto ours = [&] {
    auto all = cached(informer.cache(), ns);
    all.erase("kube-root-ca.crt");
    return all;
  };
  EXPECT_EQ(ours().size(), 5u);
  auto item = informer.cache().find(ns, "before-0");
  ASSERT_TRUE(item);
  EXPECT_NE(item->find(R"("kind":"ConfigMap")"), std::string::npos) << "list items get their kind back";

  create_config_map(*client, ns, "after");
  ASSERT_TRUE(client->call(Request{"PATCH", "/api/v1/namespaces/" + ns + "/configmaps/before-1",
                                   R"({"data":{"v":"2"}})", "application/merge-patch+json"}));
  ASSERT_TRUE(client->call(Request{"DELETE", "/api/v1/namespaces/" + ns + "/configmaps/before-2"}));

  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline &&
         (informer.cache().find(ns, "before-2") || !informer.cache().find(ns, "after"))) {
    std::this_thread::sleep_for(20ms);
  }
  std::this_thread::sleep_for(200ms);
  auto fresh = fresh_list(*client, ns, "configmaps");
  fresh.erase("kube-root-ca.crt");
  EXPECT_EQ(ours(), fresh);
  {
    std::lock_guard lock(mutex);
    auto has = [&](CacheChange t, std::string_view name) {
      return std::any_of(events.begin(), events.end(),
                         [&](const WatchEvent& e) { return e.type == t && e.name == name; });
    };
    EXPECT_TRUE(has(CacheChange::Added, "after"));
    EXPECT_TRUE(has(CacheChange::Modified, "before-1"));
    EXPECT_TRUE(has(CacheChange::Deleted, "before-2"));
    EXPECT_FALSE(has(CacheChange::Added, "before-0")) << "the initial list is not replayed as events";
  }

  // Resuming: a subscriber that held the token of the first change gets exactly the later ones, in order; a
  // token of another informer, a malformed or a future one gets nothing replayed.
  std::uint64_t first = 0, last = 0;
  {
    std::lock_guard lock(mutex);
    ASSERT_GE(events.size(), 3u);
    first = events.front().sequence;
    last = events.back().sequence;
    for (std::size_t i = 1; i < events.size(); ++i) EXPECT_EQ(events[i].sequence, events[i - 1].sequence + 1);
  }
  std::vector<std::uint64_t> replayed;
  auto sub =
      informer.subscribe_since(informer.token_of(first), [&](const WatchEvent& e) { replayed.push_back(e.sequence); });
  EXPECT_TRUE(sub.resumed);
  ASSERT_EQ(replayed.size(), last - first);
  EXPECT_EQ(replayed.front(), first + 1);
  EXPECT_EQ(sub.token, informer.token_of(last));
  informer.unsubscribe(sub.id);
  Informer other(client, *discovery.find_resource("", "configmaps"), o);
  for (const std::string& token :
       {other.token_of(first), std::string("zz.1"), std::string(""), std::string("."), informer.token_of(last + 100)}) {
    replayed.clear();
    auto s2 = informer.subscribe_since(token, [&](const WatchEvent& e) { replayed.push_back(e.sequence); });
    EXPECT_FALSE(s2.resumed) << token;
    EXPECT_TRUE(replayed.empty()) << token;
    informer.unsubscribe(s2.id);
  }
  EXPECT_EQ(informer.status().phase, InformerPhase::Synced);
  informer.stop();
  delete_namespace(*client, ns);
}

// A subscriber whose token is older than the history the informer keeps starts over.
TEST_F(KubeTest, AResumeTokenOlderThanTheHistoryIsNotResumed) {
  auto client = client_for(clusters_.local_kubeconfig);
  ASSERT_TRUE(client);
  Discovery discovery;
  ASSERT_TRUE(discovery.refresh(*client));
  auto ns = testing::unique_namespace("history");
  create_namespace(*client, ns);
  InformerOptions o;
  o.namespace_name = ns;
  o.history_events = 2;
  Informer informer(client, *discovery.find_resource("", "configmaps"), o);
  informer.start();
  ASSERT_TRUE(informer.wait_synced(10s));
  auto before = informer.subscribe_since("", [](const WatchEvent&) {});
  for (int i = 0; i < 4; ++i) create_config_map(*client, ns, fmt::format("c-{}", i));
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline && !informer.cache().find(ns, "c-3")) {
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(informer.cache().find(ns, "c-3"));
  int replayed = 0;
  auto late = informer.subscribe_since(before.token, [&](const WatchEvent&) { ++replayed; });
  EXPECT_FALSE(late.resumed) << "four changes since, two kept";
  EXPECT_EQ(replayed, 0);
  informer.stop();
  delete_namespace(*client, ns);
}

// The second cluster's apiserver is killed and restarted while writes go on: once it is back, the informer's
// cache equals a fresh list (no lost update, no ghost), by name and resourceVersion.
TEST_F(KubeTest, TheWatchSurvivesAnApiserverRestartWithoutLosingAnUpdate) {
  auto client = client_for(clusters_.second_kubeconfig);
  ASSERT_TRUE(client);
  Discovery discovery;
  ASSERT_TRUE(discovery.refresh(*client));
  auto ns = testing::unique_namespace("restart");
  create_namespace(*client, ns);
  InformerOptions o;
  o.namespace_name = ns;
  o.backoff_max = std::chrono::milliseconds(1000);
  Informer informer(client, *discovery.find_resource("", "configmaps"), o);
  informer.start();
  ASSERT_TRUE(informer.wait_synced(10s));

  std::atomic<int> created{0};
  std::atomic<bool> stop{false};
  std::thread writer_thread;
  struct Joiner {
    std::thread& t;
    std::atomic<bool>& stop;
    ~Joiner() {
      stop = true;
      if (t.joinable()) t.join();
    }
  } joiner{writer_thread, stop};
  writer_thread = std::thread([&] {
    auto c = client_for(clusters_.second_kubeconfig);
    for (int i = 0; !stop && created < 40; ++i) {
      auto r = c->call(Request{"POST", "/api/v1/namespaces/" + ns + "/configmaps",
                               fmt::format(R"({{"metadata":{{"name":"cm-{}"}},"data":{{"v":"{}"}}}})", i, i)});
      if (r) {
        ++created;
        // Every other object is changed right away, so updates race the restart too.
        if (i % 2 == 0) {
          (void)c->call(Request{"PATCH", "/api/v1/namespaces/" + ns + "/configmaps/cm-" + std::to_string(i),
                                R"({"data":{"v":"changed"}})", "application/merge-patch+json"});
        }
      } else {
        std::this_thread::sleep_for(50ms);
      }
    }
  });
  while (created < 10) std::this_thread::sleep_for(5ms);
  // Kill the apiserver (SIGKILL: no graceful end of the watch), then let the launcher start it again.
  auto pid_text = read_file(clusters_.root + "/run/second-apiserver.pid");
  ASSERT_FALSE(pid_text.empty());
  pid_t pid = std::stoi(pid_text);
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  // Gone, or a zombie waiting for init: either way no longer serving.
  auto gone = [&] {
    std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    auto close = stat.rfind(')');
    return stat.empty() || (close != std::string::npos && stat.substr(close + 2, 1) == "Z");
  };
  for (int i = 0; i < 100 && !gone(); ++i) std::this_thread::sleep_for(20ms);
  const char* src = std::getenv("ATRIUM_SOURCE_DIR");
  auto up = testing::run_command(
      {"/bin/bash", std::string(src ? src : ".") + "/tests/support/kube/local-cluster.sh", "up", "second"}, {},
      std::chrono::minutes(3));
  ASSERT_TRUE(up && up->status == 0) << (up ? up->output : up.error().message);
  writer_thread.join();
  ASSERT_EQ(created.load(), 40);

  auto fresh = fresh_list(*client, ns, "configmaps");
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline && cached(informer.cache(), ns) != fresh) {
    std::this_thread::sleep_for(100ms);
    fresh = fresh_list(*client, ns, "configmaps");
  }
  EXPECT_EQ(cached(informer.cache(), ns), fresh);
  EXPECT_GE(informer.status().watch_restarts, 1);
  informer.stop();
  delete_namespace(*client, ns);
}

TEST_F(KubeTest, AnInformerStopsPromptlyWhileItsWatchIsSilent) {
  auto client = client_for(clusters_.second_kubeconfig);
  ASSERT_TRUE(client);
  Discovery discovery;
  ASSERT_TRUE(discovery.refresh(*client));
  InformerOptions o;
  o.namespace_name = "default";
  Informer informer(client, *discovery.find_resource("", "secrets"), o);
  informer.start();
  ASSERT_TRUE(informer.wait_synced(10s));
  std::this_thread::sleep_for(300ms);
  auto t0 = std::chrono::steady_clock::now();
  informer.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
}

}  // namespace
}  // namespace atrium::kube
