#include "support/kube_cluster.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include <fmt/format.h>

#include "support/process.h"

namespace atrium::testing {
namespace {

std::string source_dir() {
  const char* s = std::getenv("ATRIUM_SOURCE_DIR");
  return s ? s : ".";
}

core::Result<KubeClusters> start_clusters() {
  auto script = source_dir() + "/tests/support/kube/local-cluster.sh";
  // The first run on a machine builds Kubernetes (minutes); scripts/run_tests.sh does that before ctest, so here
  // it is normally a health check of running clusters.
  auto r = run_command({"/bin/bash", script, "up", "all"}, {}, std::chrono::minutes(40));
  if (!r) return core::fail(r.error());
  if (r->status != 0) {
    return core::fail(core::ErrorCode::Unavailable, "local-cluster.sh up failed:\n" + r->output);
  }
  // The env file is the last line the script prints.
  std::string out = r->output;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  std::string env_file = out.substr(out.rfind('\n') + 1);
  std::ifstream in(env_file);
  if (!in) return core::fail(core::ErrorCode::Unavailable, "cannot read the clusters' env file " + env_file);
  KubeClusters c;
  c.root = std::filesystem::path(env_file).parent_path().string();
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string k = line.substr(0, eq), v = line.substr(eq + 1);
    if (k == "ATRIUM_KUBECTL") c.kubectl = v;
    if (k == "ATRIUM_KUBE_LOCAL_KUBECONFIG") c.local_kubeconfig = v;
    if (k == "ATRIUM_KUBE_LOCAL_CERT_KUBECONFIG") c.local_cert_kubeconfig = v;
    if (k == "ATRIUM_KUBE_SECOND_KUBECONFIG") c.second_kubeconfig = v;
    if (k == "ATRIUM_KUBE_NODE") c.node = v;
    if (k == "ATRIUM_REGISTRY") c.registry = v;
    if (k == "ATRIUM_KUBE_PKI") c.pki = v;
    if (k == "ATRIUM_KUBE_BIN") c.bin = v;
  }
  if (c.kubectl.empty() || c.local_kubeconfig.empty() || c.second_kubeconfig.empty()) {
    return core::fail(core::ErrorCode::Unavailable, "the clusters' env file " + env_file + " is incomplete");
  }
  return c;
}

}  // namespace

core::Result<KubeClusters> kube_clusters() {
  static std::mutex mutex;
  static std::optional<core::Result<KubeClusters>> cached;
  std::lock_guard lock(mutex);
  if (!cached || !*cached) cached = start_clusters();
  return *cached;
}

std::string unique_namespace(const std::string& prefix) {
  static std::atomic<int> n{0};
  return fmt::format("{}-{}-{}", prefix, ::getpid(), n++);
}

core::Result<KubectlResult> kubectl(const KubeClusters& clusters, const std::string& kubeconfig,
                                    const std::vector<std::string>& args, const std::string& manifest) {
  std::vector<std::string> argv{clusters.kubectl, "--kubeconfig", kubeconfig};
  argv.insert(argv.end(), args.begin(), args.end());
  std::filesystem::path file;
  if (!manifest.empty()) {
    file = std::filesystem::temp_directory_path() /
           fmt::format("atrium-manifest-{}-{}.yaml", ::getpid(), unique_namespace("m"));
    std::ofstream(file) << manifest;
    argv.push_back("-f");
    argv.push_back(file.string());
  }
  auto r = run_command(argv, {}, std::chrono::minutes(2));
  if (!file.empty()) std::filesystem::remove(file);
  if (!r) return core::fail(r.error());
  return KubectlResult{r->status, r->output};
}

}  // namespace atrium::testing
