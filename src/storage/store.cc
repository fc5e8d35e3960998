#include "storage/store.h"

#include <fmt/format.h>

#include "storage/postgres_store.h"
#include "storage/sqlite_store.h"
#include "storage/store_url.h"

namespace atrium::storage {
namespace {

template <class Concrete>
core::Result<std::unique_ptr<Store>> widen(core::Result<std::unique_ptr<Concrete>> opened) {
  if (!opened) return core::fail(opened.error());
  return std::unique_ptr<Store>(std::move(*opened));
}

}  // namespace

core::Result<std::shared_ptr<const ListResult>> Store::list_shared(const std::string& kind, const std::string& scope,
                                                                   ScopeMatch match, const core::ListOptions& options) {
  auto r = list(kind, scope, match, options);
  if (!r) return core::fail(r.error());
  return std::make_shared<const ListResult>(std::move(*r));
}

core::Result<std::unique_ptr<Store>> open_store(const std::string& url) {
  std::string_view u = url;
  if (u.empty()) {
    return core::fail(core::ErrorCode::InvalidArgument,
                      "store URL is empty: use sqlite:///absolute/path.db, a file path or postgres://...");
  }
  if (u.starts_with("postgres://") || u.starts_with("postgresql://")) return widen(PostgresStore::open(url));
  if (u.starts_with("sqlite://")) {
    std::string_view path = u.substr(std::string_view("sqlite://").size());
    if (!path.starts_with("/") || path.find_first_of("?#") != std::string_view::npos) {
      return core::fail(core::ErrorCode::InvalidArgument,
                        fmt::format("store URL \"{}\" must name an absolute path: sqlite:///absolute/path.db", url));
    }
    return widen(SqliteStore::open(std::string(path)));
  }
  if (u.find("://") != std::string_view::npos || u.starts_with("file:")) {
    return core::fail(core::ErrorCode::InvalidArgument,
                      fmt::format("unsupported store URL \"{}\": use sqlite:///absolute/path.db, a file path, "
                                  "postgres:// or postgresql://",
                                  redact_url(url)));
  }
  return widen(SqliteStore::open(url));
}

}  // namespace atrium::storage
