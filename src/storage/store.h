// The persistent store of Atrium's own objects (users, workspaces, ...), one interface with two
// implementations behind one test suite: SqliteStore (embedded default) and PostgresStore.
// Objects are opaque JSON documents addressed by (kind, scope, name) with a store-wide, monotonically
// increasing resource version used for optimistic concurrency. All methods are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/list_options.h"

namespace atrium::storage {

struct StoredObject {
  std::string kind;                   // "Workspace"
  std::string scope;                  // partition, e.g. "" (global) or "workspace/merchant-platform"
  std::string name;                   // unique within (kind, scope)
  std::string uid;                    // set by the caller on create, immutable
  std::int64_t resource_version = 0;  // assigned by the store on every write
  std::int64_t created_at_ms = 0;     // set by the caller on create, immutable
  std::string labels;                 // JSON object text of metadata.labels ("{}" when none)
  std::string data;                   // the whole document, JSON text; the store does not look inside
};

// What list() returns: the page of objects and the number that matched before paging.
struct ListResult {
  std::vector<StoredObject> items;
  std::int64_t total = 0;
};

// One write of an atomic batch (see Store::commit).
struct Mutation {
  enum class Op { Create, Update, Delete };
  Op op = Op::Create;
  StoredObject object;  // for Delete only kind/scope/name are read
  // Update and Delete: the resource version the caller last read; 0 = unconditional.
  std::int64_t expected_version = 0;
};

// One row of the audit log's own table (append-only, beside the objects; see Store::append_audit). The columns
// are what the audit log is filtered by; `data` is the whole event, returned verbatim.
struct AuditRecord {
  std::int64_t time_ms = 0;
  std::string id;  // unique; orders the records of one millisecond
  std::string user;
  std::string verb;
  std::string resource;
  std::string outcome;
  std::string workspace;  // set for events in a workspace and in its projects
  std::string project;
  std::string data;  // JSON text
};

// Which audit records to return: exact matches on the non-empty fields, an inclusive time range, sorted by
// time (then id), one page.
struct AuditFilter {
  std::string user, verb, resource, outcome, workspace, project;
  std::optional<std::int64_t> since_ms, until_ms;
  std::int64_t page = 1;
  std::int64_t limit = 100;
  core::SortOrder order = core::SortOrder::Descending;
};

// The `data` of the records on the page, in order, and how many matched before paging.
struct AuditPage {
  std::vector<std::string> items;
  std::int64_t total = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Errors: AlreadyExists. Returns the object with its new resource_version.
  virtual core::Result<StoredObject> create(const StoredObject& object) = 0;
  // Errors: NotFound.
  virtual core::Result<StoredObject> get(const std::string& kind, const std::string& scope,
                                         const std::string& name) = 0;
  // Replaces data/labels. Errors: NotFound; Conflict when expected_version != 0 and differs from the stored one.
  virtual core::Result<StoredObject> update(const StoredObject& object, std::int64_t expected_version) = 0;
  // Errors: NotFound; Conflict as for update.
  virtual core::Status remove(const std::string& kind, const std::string& scope, const std::string& name,
                              std::int64_t expected_version) = 0;
  // Lists one kind within one scope (ScopeMatch::Exact) or across all scopes (ScopeMatch::All, `scope` ignored),
  // applying name substring, label selector, sort (ties broken by name, then scope) and paging from options.
  // Errors: InvalidArgument for an unknown sort field or a page/limit below 1.
  enum class ScopeMatch { Exact, All };
  virtual core::Result<ListResult> list(const std::string& kind, const std::string& scope, ScopeMatch match,
                                        const core::ListOptions& options) = 0;
  // The same result, shared and immutable: a caching store hands out its cached result without copying it.
  virtual core::Result<std::shared_ptr<const ListResult>> list_shared(const std::string& kind, const std::string& scope,
                                                                      ScopeMatch match,
                                                                      const core::ListOptions& options);
  // Applies all mutations or none. Returns the written objects in order (Delete entries echo the key).
  virtual core::Result<std::vector<StoredObject>> commit(const std::vector<Mutation>& mutations) = 0;
  // The audit log's table: appends every record or none (records are never updated, and take no resource
  // version). InvalidArgument for an empty or over-long id, a field that is not valid UTF-8 or holds NUL;
  // AlreadyExists for an id already stored.
  virtual core::Status append_audit(const std::vector<AuditRecord>& records) = 0;
  // Filters, sorts and pages in the database, on indexes (one per filter column, each ordered by time).
  // InvalidArgument for a page or limit below 1 or a limit above core::ListOptions::kMaxLimit.
  virtual core::Result<AuditPage> query_audit(const AuditFilter& filter) = 0;
  // The highest resource version written so far.
  virtual core::Result<std::int64_t> current_version() = 0;
  // Backend name for metrics and logs: "sqlite" or "postgres".
  virtual std::string_view backend() const = 0;
};

// Opens the store named by `url`: "sqlite:///path/to/atrium.db" (or a plain path) or "postgres://..." /
// "postgresql://..." (a libpq URL). Applies pending migrations under a lock, so replicas may start at the same time.
// Errors: InvalidArgument for any other URL; Unavailable when the database cannot be reached (the message never
// shows the URL's password); FailedPrecondition when the database schema is newer than this binary.
core::Result<std::unique_ptr<Store>> open_store(const std::string& url);

}  // namespace atrium::storage
