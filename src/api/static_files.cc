#include "api/static_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "api/responses.h"

namespace atrium::api {

std::string_view content_type_for(std::string_view path) {
  auto dot = path.rfind('.');
  std::string_view ext = dot == std::string_view::npos ? "" : path.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "json" || ext == "map") return "application/json";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "woff2") return "font/woff2";
  if (ext == "woff") return "font/woff";
  if (ext == "txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

core::Result<std::shared_ptr<const StaticFiles>> StaticFiles::load(const std::string& root,
                                                                   std::size_t max_total_bytes) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(root) / "index.html", ec)) {
    return core::fail(core::ErrorCode::NotFound, fmt::format("console directory {} has no index.html", root));
  }
  auto files = std::make_shared<StaticFiles>();
  std::size_t total = 0;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string rel = "/" + fs::relative(it->path(), root).generic_string();
    File f{std::string(content_type_for(rel)), std::make_shared<const std::string>(ss.str()),
           rel.starts_with("/assets/")};
    total += f.body->size();
    if (total > max_total_bytes) {
      return core::fail(core::ErrorCode::ResourceExhausted,
                        fmt::format("console directory {} is larger than {} bytes", root, max_total_bytes));
    }
    files->files_.emplace(std::move(rel), std::move(f));
  }
  if (ec) return core::fail(core::ErrorCode::Unavailable, fmt::format("reading {}: {}", root, ec.message()));
  return std::shared_ptr<const StaticFiles>(std::move(files));
}

net::HttpResponse StaticFiles::serve(const net::HttpRequest& request) const {
  if (request.method != "GET" && request.method != "HEAD") {
    return error_response(core::Error(core::ErrorCode::MethodNotAllowed, "the console is read-only: use GET"));
  }
  std::string_view path = request.path;
  if (path.find("/../") != std::string_view::npos || path.ends_with("/..") ||
      path.find('\0') != std::string_view::npos) {
    return error_response(core::Error(core::ErrorCode::NotFound, "no such file"));
  }
  auto it = files_.find(path == "/" ? std::string_view("/index.html") : path);
  if (it == files_.end()) {
    auto last = path.rfind('/');
    bool has_ext = path.find('.', last == std::string_view::npos ? 0 : last) != std::string_view::npos;
    if (has_ext) return error_response(core::Error(core::ErrorCode::NotFound, "no such file"));
    it = files_.find(std::string_view("/index.html"));
  }
  net::HttpResponse r;
  r.headers.add("Content-Type", it->second.content_type);
  r.headers.add("Cache-Control", it->second.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.add("X-Content-Type-Options", "nosniff");
  r.shared_body = it->second.body;  // the server sends no body for HEAD
  return r;
}

}  // namespace atrium::api
