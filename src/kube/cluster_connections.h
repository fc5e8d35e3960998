// ClusterConnections: what the rest of Atrium needs to act on a cluster by name — its Client, its Discovery and
// its informers, one per resource, started on first use and kept (watching cluster-wide) until the cluster is
// forgotten. Clients come from a lookup the server wires to the cluster registry, so this class knows nothing
// of how clusters are stored. Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/error.h"
#include "kube/client.h"
#include "kube/discovery.h"
#include "kube/informer.h"

namespace atrium::kube {

// Returns the client of a cluster: NotFound for an unknown cluster, Unavailable (with the reason) for one that
// cannot be reached right now.
using ClientLookup = std::function<core::Result<std::shared_ptr<Client>>(std::string_view cluster)>;

class ClusterConnections {
 public:
  explicit ClusterConnections(ClientLookup lookup, InformerOptions informer_defaults = {});
  ~ClusterConnections();  // stops every informer
  ClusterConnections(const ClusterConnections&) = delete;
  ClusterConnections& operator=(const ClusterConnections&) = delete;

  core::Result<std::shared_ptr<Client>> client(std::string_view cluster);
  // The resource (plural name, API group) at the version this cluster serves; NotFound when it serves none.
  core::Result<ApiResource> resource(std::string_view cluster, std::string_view group, std::string_view plural);
  // The cluster-wide informer of a resource, started on first use; waits up to `wait` for its first sync.
  // Unavailable when it has not synced by then (the informer keeps trying in the background).
  core::Result<std::shared_ptr<Informer>> informer(std::string_view cluster, const ApiResource& resource,
                                                   std::chrono::milliseconds wait = std::chrono::seconds(10));
  // Stops and drops everything held for a cluster (after it is removed or its credentials change).
  void forget(std::string_view cluster);

 private:
  struct Cluster {
    std::shared_ptr<Client> client;
    Discovery discovery;
    std::map<std::string, std::shared_ptr<Informer>, std::less<>> informers;  // by "group/resource"
  };
  core::Result<std::shared_ptr<Cluster>> cluster(std::string_view name);

  ClientLookup lookup_;
  InformerOptions informer_defaults_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Cluster>, std::less<>> clusters_;
};

}  // namespace atrium::kube
