// [kube] numbers against the real local cluster: N Pending pods with realistic metadata (labels, owner
// references, two containers with env and resources; a schedulerName that does not exist, so nothing schedules
// them). Reports, in one run:
//   - cache memory per pod: ObjectCache::memory_bytes() and the process RSS growth, against the same objects held
//     as parsed JSON trees (what a naive cache keeps) and the raw JSON size;
//   - initial sync time of an Informer (paged list + replace);
//   - a filtered, sorted, paged namespace list from the cache (p50/p99) against `kubectl get -o json` of the same
//     selection (the apiserver answering; median of 5 runs);
//   - watch latency: from the apiserver's answer to a PATCH until the informer's handler sees the change (p50/p99).
// Usage: kube_cache_bench KUBECONFIG KUBECTL [PODS=10000] [--keep]
#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "core/json.h"
#include "kube/client.h"
#include "kube/discovery.h"
#include "kube/informer.h"
#include "kube/kubeconfig.h"

using namespace atrium;
using Clock = std::chrono::steady_clock;

namespace {

std::size_t rss_bytes() {
  std::ifstream in("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// Pod i, owned (controller) by owner i % 100: `owner_uid` is that object's real uid, so the garbage collector keeps
// the pod (a dangling owner reference gets its dependents deleted, which thinned earlier runs by about 1%).
std::string pod_json(const std::string& ns, int i, const std::string& owner_uid) {
  int app = i % 20, rs = i % 100;
  return fmt::format(
      R"({{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"svc-{app}-{rs:04x}-{i:05d}","namespace":"{ns}",)"
      R"("labels":{{"app":"svc-{app}","pod-template-hash":"7d9f8{rs:04x}","version":"v1.{rs}","team":"payments",)"
      R"("atrium.io/workspace":"merchant-platform"}},)"
      R"("annotations":{{"prometheus.io/scrape":"true","prometheus.io/port":"9090"}},)"
      R"("ownerReferences":[{{"apiVersion":"v1","kind":"ConfigMap","name":"svc-{app}-7d9f8{rs:04x}",)"
      R"("uid":"{owner_uid}","controller":true,"blockOwnerDeletion":true}}]}},)"
      R"("spec":{{"schedulerName":"atrium-bench-none","terminationGracePeriodSeconds":30,)"
      R"("containers":[)"
      R"({{"name":"app","image":"127.0.0.1:25000/atrium/busybox:1","command":["/bin/sh","-c","httpd -f -p 8080"],)"
      R"("ports":[{{"name":"http","containerPort":8080,"protocol":"TCP"}}],)"
      R"("env":[{{"name":"SERVICE","value":"svc-{app}"}},{{"name":"ENV","value":"sandbox"}},)"
      R"({{"name":"LOG_LEVEL","value":"info"}},{{"name":"DB_HOST","value":"postgres.merchant-sandbox.svc"}},)"
      R"({{"name":"POD_NAME","valueFrom":{{"fieldRef":{{"fieldPath":"metadata.name"}}}}}}],)"
      R"("resources":{{"requests":{{"cpu":"100m","memory":"128Mi"}},"limits":{{"cpu":"500m","memory":"256Mi"}}}},)"
      R"("readinessProbe":{{"httpGet":{{"path":"/healthz","port":8080}},"periodSeconds":10}}}},)"
      R"({{"name":"sidecar","image":"127.0.0.1:25000/atrium/busybox:1","command":["/bin/sh","-c","sleep 3600"],)"
      R"("env":[{{"name":"MODE","value":"proxy"}},{{"name":"UPSTREAM","value":"127.0.0.1:8080"}}],)"
      R"("resources":{{"requests":{{"cpu":"10m","memory":"16Mi"}},"limits":{{"cpu":"50m","memory":"32Mi"}}}}}}]}}}})",
      fmt::arg("ns", ns), fmt::arg("i", i), fmt::arg("app", app), fmt::arg("rs", rs), fmt::arg("owner_uid", owner_uid));
}

// The 100 owners of the pods: ConfigMaps standing for their ReplicaSets (a real ReplicaSet would scale its pods to
// its replicas or orphan them). Made, or read when an earlier run made them; their uids by index.
std::vector<std::string> owner_uids(kube::Client& client, const std::string& ns) {
  std::vector<std::string> uids;
  for (int rs = 0; rs < 100; ++rs) {
    const std::string name = fmt::format("svc-{}-7d9f8{:04x}", rs % 20, rs);
    const std::string path = "/api/v1/namespaces/" + ns + "/configmaps";
    auto made = client.call(kube::Request{"POST", path, R"({"metadata":{"name":")" + name + R"("}})"});
    auto body = made ? made : client.get(path + "/" + name);
    auto v = body ? core::parse_json(*body) : core::Result<core::json::value>(core::fail(body.error()));
    if (!v) {
      std::fprintf(stderr, "owner %s: %s\n", name.c_str(), v.error().message.c_str());
      std::exit(1);
    }
    uids.emplace_back(v->at("metadata").at("uid").as_string());
  }
  return uids;
}

std::shared_ptr<kube::Client> connect(const std::string& kubeconfig) {
  std::ifstream in(kubeconfig);
  std::stringstream ss;
  ss << in.rdbuf();
  kube::KubeconfigOptions o;
  o.files = kube::FileAccess::Allowed;
  auto conn = kube::parse_kubeconfig(ss.str(), o);
  if (!conn) {
    std::fprintf(stderr, "kubeconfig: %s\n", conn.error().message.c_str());
    std::exit(1);
  }
  return std::shared_ptr<kube::Client>(std::move(*kube::Client::create(*conn)));
}

std::int64_t count_pods(kube::Client& client, const std::string& ns) {
  auto body = client.get("/api/v1/namespaces/" + ns + "/pods?limit=1");
  if (!body) return 0;
  auto v = core::parse_json(*body);
  auto* rem = v->at("metadata").as_object().if_contains("remainingItemCount");
  auto items = static_cast<std::int64_t>(v->at("items").as_array().size());
  return items + (rem && rem->is_int64() ? rem->get_int64() : 0);
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // line by line, so a stopped run still shows what it measured
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s KUBECONFIG KUBECTL [PODS] [--keep]\n", argv[0]);
    return 2;
  }
  std::string kubeconfig = argv[1], kubectl = argv[2];
  int pods = argc > 3 ? std::atoi(argv[3]) : 10000;
  bool keep = argc > 4 && std::string(argv[4]) == "--keep";
  const std::string ns = "atrium-bench-pods";
  auto client = connect(kubeconfig);

  // 1. The pods (kept between runs with --keep; creating 10,000 takes about a minute).
  // An earlier run's namespace may still be going (10,000 pods take a while to delete): wait for it first.
  for (int waited = 0; waited < 300; ++waited) {
    auto existing = client->get("/api/v1/namespaces/" + ns);
    auto v = existing ? core::parse_json(*existing) : core::Result<core::json::value>(core::fail(existing.error()));
    const auto* phase = v ? v->at("status").as_object().if_contains("phase") : nullptr;
    if (!phase || !phase->is_string() || phase->as_string() != "Terminating") break;
    if (waited == 0) std::printf("waiting for namespace %s to finish terminating\n", ns.c_str());
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  (void)client->call(kube::Request{"POST", "/api/v1/namespaces", R"({"metadata":{"name":")" + ns + R"("}})"});
  const auto owners = owner_uids(*client, ns);
  auto have = count_pods(*client, ns);
  if (have < pods) {
    auto t0 = Clock::now();
    std::atomic<int> next{0}, failures{0};  // from 0: earlier runs may have left gaps (409s are cheap)
    std::vector<std::thread> writers;
    for (int w = 0; w < 6; ++w) {
      writers.emplace_back([&] {
        auto c = connect(kubeconfig);
        for (int i; (i = next++) < pods;) {
          // A new namespace refuses pods until its service account exists: retry briefly.
          for (int attempt = 0; attempt < 40; ++attempt) {
            auto r =
                c->call(kube::Request{"POST", "/api/v1/namespaces/" + ns + "/pods", pod_json(ns, i, owners[i % 100])});
            // 409: made by an earlier run. Anything else (a new namespace refuses pods until its service account
            // exists) is retried for up to 10 s and then counted as a failure.
            if (r || r.error().code == core::ErrorCode::Conflict || r.error().code == core::ErrorCode::AlreadyExists) {
              break;
            }
            if (attempt == 39 && failures++ < 3) std::fprintf(stderr, "create: %s\n", r.error().message.c_str());
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
          }
        }
      });
    }
    for (auto& t : writers) t.join();
    std::printf("created %d pods in %.1f s (%d failures)\n", pods - static_cast<int>(have),
                std::chrono::duration<double>(Clock::now() - t0).count(), failures.load());
  }
  std::int64_t n = count_pods(*client, ns);
  std::printf("pods in %s: %lld\n", ns.c_str(), static_cast<long long>(n));

  kube::Discovery discovery;
  if (auto s = discovery.refresh(*client); !s) {
    std::fprintf(stderr, "discovery: %s\n", s.error().message.c_str());
    return 1;
  }
  auto pods_resource = *discovery.find_resource("", "pods");

  // 2. Informer: initial sync time and memory.
  std::size_t rss0 = rss_bytes();
  kube::InformerOptions io;
  io.namespace_name = ns;
  auto informer = std::make_unique<kube::Informer>(client, pods_resource, io);
  auto t0 = Clock::now();
  informer->start();
  if (!informer->wait_synced(std::chrono::seconds(120))) {
    std::fprintf(stderr, "informer did not sync: %s\n", informer->status().last_error.c_str());
    return 1;
  }
  double sync_ms = ms(Clock::now() - t0);
  std::size_t cached = informer->cache().size();
  // The list's transient buffers (every page's text and parse) are freed but stay in malloc's arenas: the
  // peak is reported, then the retained memory after handing free pages back (malloc_trim).
  std::size_t rss_peak = rss_bytes();
  malloc_trim(0);
  std::size_t rss1 = rss_bytes();
  std::size_t accounted = informer->cache().memory_bytes();

  // Baseline in the same run: the same objects as parsed JSON trees, and their raw text size.
  std::size_t raw_bytes = 0;
  std::size_t rss2 = rss_bytes();
  malloc_trim(0);
  rss2 = rss_bytes();
  std::vector<core::json::value> trees;
  {
    core::ListOptions all;
    all.limit = 1000;
    for (std::int64_t page = 1;; ++page) {
      all.page = page;
      auto p = informer->cache().list(ns, all);
      if (p.items.empty()) break;
      for (const auto& text : p.items) {
        raw_bytes += text.size();
        trees.push_back(*core::parse_json(text));
      }
    }
  }
  malloc_trim(0);
  std::size_t rss3 = rss_bytes();
  std::printf("initial sync of %zu pods: %.0f ms (goal <= 3000)\n", cached, sync_ms);
  std::printf(
      "cache memory per pod: %.0f B accounted, %.0f B process RSS growth retained (goal <= 3072); "
      "%.0f B at the peak of the initial sync\n",
      static_cast<double>(accounted) / static_cast<double>(cached),
      static_cast<double>(rss1 - std::min(rss1, rss0)) / static_cast<double>(cached),
      static_cast<double>(rss_peak - std::min(rss_peak, rss0)) / static_cast<double>(cached));
  std::printf("baseline: raw JSON %.0f B per pod; JSON trees %.0f B per pod (RSS growth); ratio cache/trees %.3f\n",
              static_cast<double>(raw_bytes) / static_cast<double>(cached),
              static_cast<double>(rss3 - std::min(rss3, rss2)) / static_cast<double>(cached),
              static_cast<double>(rss1 - std::min(rss1, rss0)) /
                  static_cast<double>(std::max<std::size_t>(1, rss3 - std::min(rss3, rss2))));
  trees.clear();
  trees.shrink_to_fit();

  // 3. A filtered, sorted, paged list from the cache, against kubectl asking the apiserver for the same selection.
  core::ListOptions lo;
  lo.label_selector = *core::LabelSelector::parse("app=svc-7,team=payments");
  lo.sort_by = "creationTimestamp";
  lo.limit = 20;
  lo.page = 3;
  std::vector<double> list_ms;
  std::int64_t total = 0;
  for (int i = 0; i < 300; ++i) {
    auto t = Clock::now();
    auto page = informer->cache().list(ns, lo);
    list_ms.push_back(ms(Clock::now() - t));
    total = page.total;
  }
  lo.label_selector = core::LabelSelector();
  lo.sort_by = "name";
  std::vector<double> list_all_ms;
  for (int i = 0; i < 100; ++i) {
    auto t = Clock::now();
    auto page = informer->cache().list(ns, lo);
    list_all_ms.push_back(ms(Clock::now() - t));
  }
  std::vector<double> kubectl_ms;
  for (int i = 0; i < 5; ++i) {
    auto t = Clock::now();
    std::string cmd = fmt::format("{} --kubeconfig {} -n {} get pods -l app=svc-7,team=payments -o json > /dev/null",
                                  kubectl, kubeconfig, ns);
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "kubectl failed\n");
    kubectl_ms.push_back(ms(Clock::now() - t));
  }
  std::printf(
      "cache list (app=svc-7 of %lld matching, by creationTimestamp, page 3 of 20): p50 %.2f ms, p99 %.2f ms "
      "(goal p99 <= 20)\n",
      static_cast<long long>(total), percentile(list_ms, 0.5), percentile(list_ms, 0.99));
  std::printf("cache list (all %zu, by name, page 3 of 20): p50 %.2f ms, p99 %.2f ms\n", cached,
              percentile(list_all_ms, 0.5), percentile(list_all_ms, 0.99));
  std::printf("baseline kubectl get -l app=svc-7 -o json: median %.0f ms; ratio cache p99 / kubectl median %.4f\n",
              percentile(kubectl_ms, 0.5), percentile(list_ms, 0.99) / percentile(kubectl_ms, 0.5));

  // 4. Watch latency: PATCH a label, then wait for the handler to see that resourceVersion.
  std::mutex m;
  std::condition_variable cv;
  std::map<std::string, Clock::time_point> seen;  // resourceVersion -> when the handler saw it
  informer->subscribe([&](const kube::WatchEvent& e) {
    auto v = core::parse_json(e.object);
    if (!v) return;
    auto now = Clock::now();
    std::lock_guard lock(m);
    seen.emplace(std::string(v->at("metadata").at("resourceVersion").as_string()), now);
    cv.notify_all();
  });
  std::vector<double> watch_ms;
  for (int i = 0; i < 200; ++i) {
    std::string name = fmt::format("svc-{}-{:04x}-{:05d}", i % 20, i % 100, i);
    auto r = client->call(kube::Request{"PATCH", "/api/v1/namespaces/" + ns + "/pods/" + name,
                                        fmt::format(R"({{"metadata":{{"labels":{{"bench-round":"r{}"}}}}}})", i),
                                        "application/merge-patch+json"});
    auto answered = Clock::now();
    if (!r) {
      std::fprintf(stderr, "patch %s: %s\n", name.c_str(), r.error().message.c_str());
      continue;
    }
    auto rv = std::string(core::parse_json(*r)->at("metadata").at("resourceVersion").as_string());
    std::unique_lock lock(m);
    if (cv.wait_for(lock, std::chrono::seconds(5), [&] { return seen.contains(rv); })) {
      watch_ms.push_back(std::max(0.0, ms(seen[rv] - answered)));
    } else {
      std::fprintf(stderr, "watch: %s (rv %s) not seen within 5 s\n", name.c_str(), rv.c_str());
    }
  }
  std::printf(
      "watch event in cache after the apiserver answered: p50 %.2f ms, p99 %.2f ms over %zu events "
      "(goal p99 <= 50)\n",
      percentile(watch_ms, 0.5), percentile(watch_ms, 0.99), watch_ms.size());
  informer->stop();
  if (!keep) {
    (void)client->call(kube::Request{"DELETE", "/api/v1/namespaces/" + ns});
    std::printf("namespace %s deleted (pass --keep to reuse the pods)\n", ns.c_str());
  }
  return 0;
}
