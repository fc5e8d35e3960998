#include "kube/cluster_connections.h"

namespace atrium::kube {

ClusterConnections::ClusterConnections(ClientLookup lookup, InformerOptions informer_defaults)
    : lookup_(std::move(lookup)), informer_defaults_(std::move(informer_defaults)) {}

ClusterConnections::~ClusterConnections() {
  std::map<std::string, std::shared_ptr<Cluster>, std::less<>> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(clusters_);
  }
  for (auto& [name, c] : all) {
    for (auto& [key, informer] : c->informers) informer->stop();
  }
}

core::Result<std::shared_ptr<ClusterConnections::Cluster>> ClusterConnections::cluster(std::string_view name) {
  // The registry decides reachability on every call, so a cluster that went away fails fast here too.
  auto client = lookup_(name);
  if (!client) return core::fail(client.error());
  std::lock_guard lock(mutex_);
  auto it = clusters_.find(name);
  if (it != clusters_.end() && it->second->client == *client) return it->second;
  // New, or its client changed (credentials replaced): start over with the new client.
  if (it != clusters_.end()) {
    for (auto& [key, informer] : it->second->informers) informer->stop();
    clusters_.erase(it);
  }
  auto c = std::make_shared<Cluster>();
  c->client = *client;
  clusters_.emplace(std::string(name), c);
  return c;
}

core::Result<std::shared_ptr<Client>> ClusterConnections::client(std::string_view cluster_name) {
  auto c = cluster(cluster_name);
  if (!c) return core::fail(c.error());
  return (*c)->client;
}

core::Result<ApiResource> ClusterConnections::resource(std::string_view cluster_name, std::string_view group,
                                                       std::string_view plural) {
  auto c = cluster(cluster_name);
  if (!c) return core::fail(c.error());
  if (auto s = (*c)->discovery.ensure_fresh(*(*c)->client); !s) return core::fail(s.error());
  auto r = (*c)->discovery.find_resource(group, plural);
  if (!r) {
    return core::fail(core::ErrorCode::NotFound, "cluster " + std::string(cluster_name) + " serves no " +
                                                     std::string(plural) +
                                                     (group.empty() ? std::string() : "." + std::string(group)));
  }
  return *r;
}

core::Result<std::shared_ptr<Informer>> ClusterConnections::informer(std::string_view cluster_name,
                                                                     const ApiResource& resource,
                                                                     std::chrono::milliseconds wait) {
  auto c = cluster(cluster_name);
  if (!c) return core::fail(c.error());
  std::shared_ptr<Informer> informer;
  {
    std::lock_guard lock(mutex_);
    std::string key = resource.group + "/" + resource.name;
    auto& slot = (*c)->informers[key];
    if (!slot) {
      slot = std::make_shared<Informer>((*c)->client, resource, informer_defaults_);
      slot->start();
    }
    informer = slot;
  }
  if (!informer->wait_synced(wait)) {
    auto st = informer->status();
    return core::fail(core::ErrorCode::Unavailable, "the cache of " + resource.name + " on cluster " +
                                                        std::string(cluster_name) + " is not synced yet" +
                                                        (st.last_error.empty() ? std::string() : ": " + st.last_error));
  }
  return informer;
}

void ClusterConnections::forget(std::string_view name) {
  std::shared_ptr<Cluster> c;
  {
    std::lock_guard lock(mutex_);
    auto it = clusters_.find(name);
    if (it == clusters_.end()) return;
    c = it->second;
    clusters_.erase(it);
  }
  for (auto& [key, informer] : c->informers) informer->stop();
}

}  // namespace atrium::kube
