// Routes requests to handlers by method and path pattern ("/api/v1/workspaces/{workspace}"). Matching
// works on the raw path segment by segment and decodes each segment on its own, so an encoded slash
// (%2F), "..", "." or an empty segment never reaches a handler. Immutable after start-up; thread-safe.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/auth.h"
#include "core/error.h"
#include "core/json.h"
#include "net/http.h"

namespace atrium::api {

namespace json = core::json;

// What a handler gets: the request, decoded path parameters, and the authenticated caller.
struct RouteContext {
  net::HttpRequest& request;
  std::map<std::string, std::string, std::less<>> params;
  core::Principal principal;
  std::string client_address;  // after trusted-proxy processing
  // What the request acts on, from the path: see scope_from_params; a {namespace} of a {cluster} is the project
  // owning that namespace, or the cluster itself when no project does.
  core::Scope scope;
  // What the handler decided the request does, when the route itself cannot say (the Kubernetes passthrough):
  // the audit record then names this verb, resource and object instead of the route's.
  std::optional<core::AccessRequest> access;

  const std::string& param(std::string_view name) const;
};

using RouteHandler = std::function<core::Result<net::HttpResponse>(RouteContext&)>;

enum class Access { Authenticated, Public };

struct Route {
  std::string method;  // "GET"
  // "/api/v1/workspaces/{workspace}"; also the metrics label. A last segment "{rest*}" matches one or more
  // remaining segments (each decoded and checked like any other), joined by '/' into the parameter "rest".
  std::string pattern;
  RouteHandler handler;
  Access access = Access::Authenticated;
  // What the route does in Kubernetes RBAC words, for the authoriser: verb ("list", "get", "create",
  // "update", "patch", "delete") and resource ("workspaces"); empty for routes outside the resource model.
  std::string verb;
  std::string resource;
  std::string summary;   // OpenAPI summary
  json::object openapi;  // extra OpenAPI operation fields (requestBody, responses...), optional
  // The API group of `resource` ("tenant.atrium.io", "" for core Kubernetes kinds) and an optional
  // subresource ("members", "log"), completing the authoriser's question.
  std::string api_group;
  std::string subresource;
  // A POST that changes nothing (access reviews): not recorded in the audit log as a mutation.
  bool read_only = false;
};

struct RouteMatch {
  const Route* route = nullptr;
  std::map<std::string, std::string, std::less<>> params;
};

class Router {
 public:
  // Adds a route; a duplicate (method, pattern) replaces nothing and is a programming error (asserted).
  void add(Route route);

  // NotFound for an unknown path (or one with forbidden segments), MethodNotAllowed (with the allowed
  // methods in the message) when the path exists with other methods.
  core::Result<RouteMatch> match(std::string_view method, std::string_view raw_path) const;

  // Methods registered for a path, for 405 Allow headers.
  std::vector<std::string> allowed_methods(std::string_view raw_path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  struct Compiled {
    std::vector<std::string> segments;  // literal, or "{name}"
  };
  static bool split(std::string_view raw_path, std::vector<std::string>& out);
  static bool match_one(const Compiled& c, const std::vector<std::string>& segs,
                        std::map<std::string, std::string, std::less<>>* params);

  std::vector<Route> routes_;
  std::vector<Compiled> compiled_;
};

}  // namespace atrium::api
