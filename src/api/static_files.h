// The console's built files, loaded into memory once at start-up and served with an SPA fallback:
// a path that is not a file and has no extension gets index.html, so deep links work.
// Immutable after load; thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/error.h"
#include "net/http.h"

namespace atrium::api {

class StaticFiles {
 public:
  // Loads every regular file under `root` (at most `max_total_bytes`). NotFound when root has no index.html.
  static core::Result<std::shared_ptr<const StaticFiles>> load(const std::string& root,
                                                               std::size_t max_total_bytes = 64 << 20);

  // GET/HEAD of a decoded path ("/", "/assets/app.js", "/workspaces/x"); 404 Status for missing assets.
  net::HttpResponse serve(const net::HttpRequest& request) const;
  std::size_t file_count() const { return files_.size(); }

 private:
  struct File {
    std::string content_type;
    std::shared_ptr<const std::string> body;
    bool immutable = false;  // hashed asset names under /assets/ can be cached forever
  };
  std::map<std::string, File, std::less<>> files_;
};

std::string_view content_type_for(std::string_view path);

}  // namespace atrium::api
