// ClusterRegistry: the clusters Atrium acts on. Clusters added over the API are stored as Cluster objects with
// their kubeconfig sealed by the Keyring (context "cluster/<name>/kubeconfig"); clusters from the server's own
// configuration (a kubeconfig path, e.g. `local`) live in memory only and cannot be changed over the API.
// A prober (one thread, every probe_period) re-reads stored clusters (so other replicas' changes arrive) and
// probes every cluster in parallel with a short timeout: /version, /readyz?verbose (or /healthz), nodes.
// While a cluster is Unreachable, client() fails at once with Unavailable, so requests for it become 503
// without waiting on timeouts. Kubeconfigs never appear in responses, errors or logs.
// Thread-safe: every method may be called from any thread; the registry owns its prober thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/json.h"
#include "core/list_options.h"
#include "crypto/keyring.h"
#include "kube/client.h"
#include "kube/cluster.h"
#include "storage/store.h"

namespace atrium::kube {

struct ClusterRegistryOptions {
  std::chrono::milliseconds probe_period{10'000};
  // Bounds each probe request (and the reachability check on add), so one dead cluster never delays others.
  std::chrono::milliseconds probe_timeout{2'000};
  ClientOptions client;  // for the clients handed to other modules
  // Called after a cluster is removed or its connection changes (e.g. ClusterConnections::forget).
  std::function<void(std::string_view cluster)> on_forget;
  // Asked before a cluster is removed; an error refuses the removal with it (the server refuses clusters that
  // still hold projects). Empty: always allowed.
  std::function<core::Status(std::string_view cluster)> before_remove;
};

// How create/update treat the cluster behind the kubeconfig.
enum class Reachability {
  Required,  // GET /version must answer, else InvalidArgument naming spec.kubeconfig (the default)
  Skipped,   // register a cluster that is down right now (?verify=false)
};
enum class DryRun { No, Yes };  // Yes: validate (and probe) but store nothing (?dryRun=All)

struct WriteOptions {
  Reachability reachability = Reachability::Required;
  DryRun dry_run = DryRun::No;
};

class ClusterRegistry {
 public:
  ClusterRegistry(storage::Store& store, const crypto::Keyring& keyring, const core::Clock& clock,
                  ClusterRegistryOptions options = {});
  ~ClusterRegistry();  // stops the prober
  ClusterRegistry(const ClusterRegistry&) = delete;
  ClusterRegistry& operator=(const ClusterRegistry&) = delete;

  // Registers a cluster from trusted local configuration: the kubeconfig at `path` (file fields allowed,
  // relative to its directory), not stored. InvalidArgument naming the setting for a bad file or name;
  // AlreadyExists for a name already registered.
  core::Status add_from_file(const std::string& name, const std::string& path, const std::string& context = {});

  // Loads the stored clusters and starts the prober thread (idempotent). Errors from the store.
  core::Status start();
  void stop();
  // One probe round now, synchronously (the prober calls this; tests and start-up may too).
  void probe_all();

  // A Cluster document (apiVersion, kind, metadata, spec with kubeconfig): InvalidArgument with causes (422) for
  // a bad document, name or kubeconfig (the cause names the kubeconfig field), or an unreachable server;
  // AlreadyExists. Returns the served document (status included, no kubeconfig).
  core::Result<core::json::object> create(const core::json::value& body, WriteOptions options = {});
  // Replaces displayName/description/context and, when given, the kubeconfig. FailedPrecondition for a cluster
  // from the configuration; Conflict for a stale metadata.resourceVersion; NotFound.
  core::Result<core::json::object> update(const std::string& name, const core::json::value& body,
                                          WriteOptions options = {});
  // NotFound; FailedPrecondition for a cluster from the configuration; before_remove's error.
  core::Status remove(const std::string& name);
  // The served document of one cluster, with its current status. NotFound.
  core::Result<core::json::object> get(const std::string& name) const;
  // The clusters `visible` accepts, filtered, sorted and paged by `options`.
  core::Result<core::Page<core::json::object>> list(const core::ListOptions& options,
                                                    const std::function<bool(std::string_view)>& visible) const;
  bool contains(std::string_view name) const;

  // The client of a cluster for other modules: NotFound for an unknown cluster; Unavailable ("cluster X is
  // unreachable: <reason>") at once while its last probe failed.
  core::Result<std::shared_ptr<Client>> client(std::string_view name) const;

  // The preflight checks of `action` on the cluster's current version (passed or not); InvalidArgument for an
  // unknown action; NotFound; Unavailable while the version is not known (never probed, unreachable).
  core::Result<std::vector<PreflightCheck>> preflight(std::string_view name, std::string_view action) const;
  // preflight(), then FailedPrecondition (412) with every failed check's reason: the gate before a risky action.
  // A cluster not probed yet (just added, or at start-up) is probed first, synchronously (probe_timeout).
  core::Status require_preflight(std::string_view name, std::string_view action);

 private:
  struct Entry;
  core::Result<std::shared_ptr<Entry>> find_entry(std::string_view name) const;
  core::Result<std::shared_ptr<Entry>> connect(const std::string& name, const std::string& kubeconfig,
                                               const std::string& context, WriteOptions options) const;
  core::json::object render(const Entry& entry) const;
  core::Status sync_from_store();
  void probe(Entry& entry);
  void prober_loop();
  void forget(std::string_view name);

  storage::Store& store_;
  const crypto::Keyring& keyring_;
  const core::Clock& clock_;
  ClusterRegistryOptions options_;

  mutable std::mutex mu_;  // guards entries_ and every Entry's status
  std::map<std::string, std::shared_ptr<Entry>, std::less<>> entries_;

  std::mutex prober_mu_;
  std::condition_variable prober_cv_;
  bool stopping_ = false;
  std::thread prober_;
};

}  // namespace atrium::kube
