// Discovery: which groups, versions and resources one API server serves, so each kind is used at the version
// that cluster has (CronJob is batch/v1beta1 on 1.20, batch/v1 later). Refreshed on demand and when older than
// its time to live. Thread-safe: lookups read an immutable snapshot; refresh swaps it.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "kube/client.h"

namespace atrium::kube {

struct ApiResource {
  std::string group;    // "" for the core group
  std::string version;  // "v1", "v1beta1"
  std::string name;     // plural, e.g. "cronjobs"
  std::string kind;     // "CronJob"
  bool namespaced = false;
  std::vector<std::string> verbs;

  std::string group_version() const { return group.empty() ? version : group + "/" + version; }
  // "/api/v1" or "/apis/batch/v1beta1"
  std::string base_path() const { return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version; }
  // Collection path, in `namespace_name` when the resource is namespaced and the namespace is given.
  std::string collection_path(std::string_view namespace_name = {}) const;
  bool supports(std::string_view verb) const;
};

// Parses one APIResourceList body (what /api/v1 or /apis/G/V returns); subresources ("pods/log") are skipped.
core::Result<std::vector<ApiResource>> parse_resource_list(std::string_view json, std::string_view group,
                                                           std::string_view version);

class Discovery {
 public:
  explicit Discovery(std::chrono::seconds ttl = std::chrono::minutes(10)) : ttl_(ttl) {}

  // Fetches /api, /apis and every version of each group (a resource is taken from the preferred version, else the
  // first version the server lists that has it). Unavailable when the server cannot be reached;
  // a group-version that fails alone (an aggregated API down) is left out, not fatal.
  core::Status refresh(Client& client);
  // Refreshes when never done or older than the time to live.
  core::Status ensure_fresh(Client& client);

  // The preferred version's resource for a kind; `group` narrows it when given ("apps", "" for core).
  std::optional<ApiResource> find_kind(std::string_view kind, std::optional<std::string_view> group = {}) const;
  // By plural resource name and group (e.g. "deployments", "apps").
  std::optional<ApiResource> find_resource(std::string_view group, std::string_view resource) const;
  // Every resource of the preferred versions.
  std::vector<ApiResource> resources() const;
  // Every group-version the server serves ("v1", "apps/v1", ...).
  std::vector<std::string> group_versions() const;

 private:
  struct Snapshot {
    std::vector<ApiResource> resources;
    std::vector<std::string> group_versions;
    std::chrono::steady_clock::time_point fetched;
  };
  std::shared_ptr<const Snapshot> snapshot() const;

  std::chrono::seconds ttl_;
  mutable std::mutex mutex_;
  std::shared_ptr<const Snapshot> snapshot_;
};

}  // namespace atrium::kube
