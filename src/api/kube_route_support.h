// What the workload action, node and apply routes share: readers over Kubernetes objects as JSON values, checks of
// path and query parameters, and the answer for a batch of independent steps (apply's documents, drain's pods).
// Pure functions; thread-safe.
#pragma once

#include <functional>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "api/router.h"
#include "core/error.h"
#include "core/json.h"
#include "kube/cluster_connections.h"
#include "net/http.h"

namespace atrium::api {

// The preflight checks of a risky action on a cluster ("exec-terminal", "server-side-apply",
// "apply-crd-int-or-string"; the table in kube/preflight.h), run right before the action: FailedPrecondition (412)
// with every failed check's reason refuses it. The server wires ClusterRegistry::require_preflight; an empty gate
// checks nothing (unit tests of other behaviour).
using PreflightGate = std::function<core::Status(std::string_view cluster, std::string_view action)>;

// The value at `path` (object keys) inside `v`, or null when any step is missing or not an object.
const json::value* find_path(const json::value& v, std::initializer_list<std::string_view> path);
// The string at `path`, or "" when absent or not a string.
std::string_view string_at(const json::value& v, std::initializer_list<std::string_view> path);

// InvalidArgument naming the parameter unless the path's {namespace} (when the route has one) is a DNS-1123 label
// and its {name} (when it has one) a DNS-1123 subdomain.
core::Status check_path_names(const RouteContext& ctx);

// A whole-number query parameter in [min, max], given at most once; nullopt when absent. InvalidArgument (400)
// naming the parameter otherwise.
core::Result<std::optional<std::int64_t>> query_int(const net::HttpRequest& request, std::string_view name,
                                                    std::int64_t min, std::int64_t max);

// The answer for a batch: `summary` with 200 when `failure` is empty; otherwise a Kubernetes Status for `failure`
// (its HTTP status, reason and message, so clients and the audit log see a failure) that also carries every field
// of `summary`, so the caller still learns what each step did.
net::HttpResponse batch_response(json::object summary, const std::optional<core::Error>& failure);

// Read-your-writes: records an object the apiserver just answered a write with in the cluster's cache of
// (group, resource), so lists show it before the watch brings it. Does nothing when that cache is not synced.
void observe_written(kube::ClusterConnections& clusters, std::string_view cluster, std::string_view group,
                     std::string_view resource, std::string_view object_json);

}  // namespace atrium::api
