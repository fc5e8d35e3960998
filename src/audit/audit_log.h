// The audit log: who did what, when, from where, to which object, in which scope, with what outcome.
// Every mutating request, every login and every denied request is recorded by the front door and the login
// handler. Events are written by one background writer in batches to the store's audit table
// (Store::append_audit), so recording never waits for the store unless the queue is full, in which case the
// caller waits (backpressure: nothing is dropped). Queries are filtered, sorted and paged by the store on that
// table's indexes (Store::query_audit).
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/auth.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/list_options.h"
#include "storage/store.h"

namespace atrium::audit {

enum class Outcome { Success, Failure, Denied };

struct AuditEvent {
  core::TimePoint time;
  std::string request_id;
  std::string user;            // empty for anonymous requests
  std::string source_address;  // after trusted-proxy processing
  std::string verb;            // "create", "login", "delete", ...
  std::string api_group;
  std::string resource;  // "workspaces", "session", ...
  std::string name;      // the object, when known
  core::Scope scope;
  Outcome outcome = Outcome::Success;
  int status = 0;       // HTTP status of the answer
  std::string message;  // why it failed or was denied
};

struct AuditQuery {
  std::string user;
  std::string verb;
  std::string resource;
  std::string outcome;    // "success", "failure", "denied"
  std::string workspace;  // events in this workspace (and its projects)
  std::string project;
  std::optional<core::TimePoint> since, until;
  std::int64_t page = 1;
  std::int64_t limit = 100;
  core::SortOrder order = core::SortOrder::Descending;  // by time
};

// Parses the query parameters of GET /api/v1/audit; InvalidArgument names the bad parameter.
core::Result<AuditQuery> parse_audit_query(const std::multimap<std::string, std::string, std::less<>>& params);

class AuditLog {
 public:
  AuditLog(storage::Store& store, const core::Clock& clock, std::size_t max_queue = 10'000);
  ~AuditLog();  // flushes what is queued
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  void record(AuditEvent event);
  // Waits until everything recorded so far is in the store (tests, shutdown).
  void flush();
  // {"items":[event...],"total":N}, newest first by default. Includes every event recorded before the call
  // unless the writer is more than kReadYourWritesWait behind.
  core::Result<core::json::object> query(const AuditQuery& query);

  std::uint64_t written() const;

 private:
  static constexpr std::chrono::milliseconds kReadYourWritesWait{2000};
  void run();
  // Waits until what was recorded before the call is written; false when at_most passed first.
  bool wait_written(std::chrono::milliseconds at_most);

  storage::Store& store_;
  const core::Clock& clock_;
  std::size_t max_queue_;
  mutable std::mutex mu_;
  std::condition_variable cv_, space_, drained_;
  std::deque<AuditEvent> queue_;
  std::uint64_t sequence_ = 0, written_ = 0, enqueued_ = 0;
  bool stopping_ = false;
  std::thread writer_;
};

std::string_view outcome_name(Outcome o);
core::json::object event_json(const AuditEvent& e);

}  // namespace atrium::audit
