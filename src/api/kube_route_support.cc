#include "api/kube_route_support.h"

#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "api/responses.h"
#include "core/validation.h"

namespace atrium::api {

const json::value* find_path(const json::value& v, std::initializer_list<std::string_view> path) {
  const json::value* at = &v;
  for (auto key : path) {
    const auto* o = at->if_object();
    if (!o) return nullptr;
    at = o->if_contains(key);
    if (!at) return nullptr;
  }
  return at;
}

std::string_view string_at(const json::value& v, std::initializer_list<std::string_view> path) {
  const auto* s = find_path(v, path);
  return s && s->is_string() ? std::string_view(s->get_string()) : std::string_view();
}

core::Status check_path_names(const RouteContext& ctx) {
  if (ctx.params.contains("namespace")) {
    if (auto m = core::validate_dns1123_label(ctx.param("namespace")); !m.empty()) {
      return core::fail(core::ErrorCode::InvalidArgument, "invalid namespace in the path: " + m);
    }
  }
  if (ctx.params.contains("name")) {
    if (auto m = core::validate_dns1123_subdomain(ctx.param("name")); !m.empty()) {
      return core::fail(core::ErrorCode::InvalidArgument, "invalid name in the path: " + m);
    }
  }
  return {};
}

core::Result<std::optional<std::int64_t>> query_int(const net::HttpRequest& request, std::string_view name,
                                                    std::int64_t min, std::int64_t max) {
  auto [begin, end] = request.query.equal_range(name);
  if (begin == end) return std::optional<std::int64_t>();
  auto bad = [&](std::string what) {
    return core::fail(core::ErrorCode::InvalidArgument, fmt::format("query parameter {}: {}", name, what));
  };
  if (std::next(begin) != end) return bad("given more than once");
  const std::string& s = begin->second;
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || n < min || n > max) {
    return bad(fmt::format("must be a whole number from {} to {}", min, max));
  }
  return std::optional<std::int64_t>(n);
}

net::HttpResponse batch_response(json::object summary, const std::optional<core::Error>& failure) {
  if (!failure) return json_response(200, json::value(std::move(summary)));
  json::object status = core::status_json(*failure);
  for (auto& [key, value] : summary) {
    if (!status.contains(key)) status.emplace(key, std::move(value));
  }
  return json_response(core::http_status(*failure), json::value(std::move(status)));
}

void observe_written(kube::ClusterConnections& clusters, std::string_view cluster, std::string_view group,
                     std::string_view resource, std::string_view object_json) {
  auto r = clusters.resource(cluster, group, resource);
  if (!r) return;
  if (auto informer = clusters.informer(cluster, *r, std::chrono::milliseconds(0))) (*informer)->observe(object_json);
}

}  // namespace atrium::api
