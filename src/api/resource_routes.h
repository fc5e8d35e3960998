// Serves one resource kind generically from its ResourceType over the Store: list (with the shared list
// conventions), get, create, update (PUT), merge-patch (PATCH) and delete, at
//   /api/v1/<plural>[/<name>]                                        (platform scope)
//   /api/v1/workspaces/{workspace}/<plural>[/<name>]                 (workspace scope)
//   /api/v1/workspaces/{workspace}/projects/{project}/<plural>[/<name>]  (project scope)
// Stored documents never carry resourceVersion; it is added when served. Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "api/router.h"
#include "core/clock.h"
#include "schema/resource.h"
#include "storage/store.h"

namespace atrium::api {

// Remembers the rendering of recent list snapshots: a caching store hands out the same snapshot until the
// data changes, so its JSON is built once and then shared by every response. Thread-safe.
class RenderedListCache {
 public:
  std::shared_ptr<const std::string> render(const std::shared_ptr<const storage::ListResult>& snapshot);

 private:
  struct Entry {
    std::weak_ptr<const storage::ListResult> snapshot;
    std::shared_ptr<const std::string> body;
  };
  static constexpr std::size_t kMaxEntries = 256;
  std::mutex mu_;
  std::unordered_map<const storage::ListResult*, Entry> entries_;
};

// Domain logic a module may add around the generic handlers; every hook is optional.
struct ResourceHooks {
  // Called with the canonical document before it is written (create and update); may change it or refuse.
  std::function<core::Status(RouteContext&, json::object& document)> admit;
};

class ResourceRoutes {
 public:
  ResourceRoutes(const schema::ResourceType& type, storage::Store& store, const core::Clock& clock,
                 ResourceHooks hooks = {});

  void register_routes(Router& router) const;

  // The store scope key for a request's path parameters: "", "workspace/<ws>", "project/<ws>/<project>".
  std::string scope_key(const RouteContext& ctx) const;
  std::string collection_path() const;

 private:
  core::Result<net::HttpResponse> list(RouteContext& ctx) const;
  core::Result<net::HttpResponse> get(RouteContext& ctx) const;
  core::Result<net::HttpResponse> create(RouteContext& ctx) const;
  core::Result<net::HttpResponse> update(RouteContext& ctx) const;
  core::Result<net::HttpResponse> patch(RouteContext& ctx) const;
  core::Result<net::HttpResponse> remove(RouteContext& ctx) const;

  core::Result<net::HttpResponse> write_existing(RouteContext& ctx, json::value body, std::int64_t expected,
                                                 const storage::StoredObject& current) const;
  core::Result<json::object> decode_body(RouteContext& ctx, const json::value& body) const;

  const schema::ResourceType& type_;
  storage::Store& store_;
  const core::Clock& clock_;
  ResourceHooks hooks_;
  mutable RenderedListCache rendered_;
};

// The served form of a stored document: its JSON text with metadata.resourceVersion spliced in.
std::string render_stored(const storage::StoredObject& object);
// {"items":[...],"total":N} from stored objects, without re-parsing them.
std::string render_list(const storage::ListResult& list);
// RFC 7386 JSON merge patch.
json::value merge_patch(const json::value& target, const json::value& patch);

}  // namespace atrium::api
