#include "audit/audit_log.h"

#include <fmt/format.h>

#include "core/log.h"
#include "core/uid.h"

namespace atrium::audit {
namespace {

std::string_view level_name(core::Scope::Level l) {
  switch (l) {
    case core::Scope::Level::Platform:
      return "platform";
    case core::Scope::Level::Cluster:
      return "cluster";
    case core::Scope::Level::Workspace:
      return "workspace";
    case core::Scope::Level::Project:
      return "project";
  }
  return "platform";
}

// `s` with every byte that is not part of well-formed UTF-8, and every NUL, replaced by U+FFFD: what a client
// sends (a user name typed at login) must never make a batch unwritable, which would stall the log.
void scrub_utf8(std::string& s) {
  auto valid_at = [&](std::size_t i) -> std::size_t {  // length of the well-formed sequence at i, or 0
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = b(i);
    if (c == 0) return 0;
    if (c < 0x80) return 1;
    std::size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
      if ((b(i + k) & 0xC0) != 0x80) return 0;
    }
    unsigned char d = b(i + 1);
    if ((c == 0xE0 && d < 0xA0) || (c == 0xED && d > 0x9F) || (c == 0xF0 && d < 0x90) || (c == 0xF4 && d > 0x8F)) {
      return 0;  // overlong, surrogate or beyond U+10FFFF
    }
    return n;
  };
  std::size_t i = 0;
  while (i < s.size() && valid_at(i) != 0) i += valid_at(i);
  if (i == s.size()) return;  // the common case: nothing to copy
  std::string out = s.substr(0, i);
  while (i < s.size()) {
    std::size_t n = valid_at(i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s, i, n);
      i += n;
    }
  }
  s = std::move(out);
}

void scrub(AuditEvent& e) {
  for (std::string* f : {&e.request_id, &e.user, &e.source_address, &e.verb, &e.api_group, &e.resource, &e.name,
                         &e.scope.cluster, &e.scope.workspace, &e.scope.project, &e.message}) {
    scrub_utf8(*f);
  }
}

// Indexed columns hold at most this much of a field (the event document keeps it whole); filter values are
// bounded below this by parse_audit_query.
std::string bounded(const std::string& value) {
  constexpr std::size_t kMax = 512;
  if (value.size() <= kMax) return value;
  std::size_t n = kMax;
  while (n > 0 && (static_cast<unsigned char>(value[n]) & 0xC0) == 0x80) --n;  // never split a UTF-8 sequence
  return value.substr(0, n);
}

std::int64_t millis(core::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string_view outcome_name(Outcome o) {
  switch (o) {
    case Outcome::Success:
      return "success";
    case Outcome::Failure:
      return "failure";
    case Outcome::Denied:
      return "denied";
  }
  return "failure";
}

core::json::object event_json(const AuditEvent& e) {
  auto ms = millis(e.time) % 1000;
  std::string ts = core::format_rfc3339(e.time);
  ts.insert(ts.size() - 1, fmt::format(".{:03}", ms));
  core::json::object scope{{"level", level_name(e.scope.level)}};
  if (!e.scope.cluster.empty()) scope["cluster"] = e.scope.cluster;
  if (!e.scope.workspace.empty()) scope["workspace"] = e.scope.workspace;
  if (!e.scope.project.empty()) scope["project"] = e.scope.project;
  return core::json::object{{"time", ts},
                            {"requestId", e.request_id},
                            {"user", e.user},
                            {"sourceAddress", e.source_address},
                            {"verb", e.verb},
                            {"apiGroup", e.api_group},
                            {"resource", e.resource},
                            {"name", e.name},
                            {"scope", std::move(scope)},
                            {"outcome", outcome_name(e.outcome)},
                            {"status", e.status},
                            {"message", e.message}};
}

core::Result<AuditQuery> parse_audit_query(const std::multimap<std::string, std::string, std::less<>>& params) {
  AuditQuery q;
  core::ListOptions paging;
  std::multimap<std::string, std::string, std::less<>> list_params;
  for (const auto& [k, v] : params) {
    if (k == "page" || k == "limit" || k == "ascending") list_params.emplace(k, v);
  }
  auto lo = core::parse_list_options(list_params);
  if (!lo) return core::fail(lo.error());
  q.page = lo->page;
  q.limit = lo->limit;
  q.order = lo->order;
  for (const auto& [k, v] : params) {
    auto bounded = [&](std::string& field) -> core::Status {
      if (v.size() > 253) {
        return core::fail(core::ErrorCode::InvalidArgument, fmt::format("query parameter {} is too long", k));
      }
      field = v;
      return {};
    };
    core::Status s;
    if (k == "user")
      s = bounded(q.user);
    else if (k == "verb")
      s = bounded(q.verb);
    else if (k == "resource")
      s = bounded(q.resource);
    else if (k == "workspace")
      s = bounded(q.workspace);
    else if (k == "project")
      s = bounded(q.project);
    else if (k == "outcome") {
      if (v != "success" && v != "failure" && v != "denied") {
        return core::fail(core::ErrorCode::InvalidArgument,
                          "query parameter outcome must be success, failure or denied");
      }
      q.outcome = v;
    } else if (k == "since" || k == "until") {
      core::TimePoint t;
      if (!core::parse_rfc3339(v, t)) {
        return core::fail(
            core::ErrorCode::InvalidArgument,
            fmt::format("query parameter {} must be an RFC 3339 UTC time such as 2026-11-26T00:00:00Z", k));
      }
      (k == "since" ? q.since : q.until) = t;
    }
    if (!s) return core::fail(s.error());
  }
  return q;
}

AuditLog::AuditLog(storage::Store& store, const core::Clock& clock, std::size_t max_queue)
    : store_(store), clock_(clock), max_queue_(max_queue), writer_([this] { run(); }) {}

AuditLog::~AuditLog() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  writer_.join();
}

void AuditLog::record(AuditEvent event) {
  std::unique_lock lock(mu_);
  space_.wait(lock, [&] { return queue_.size() < max_queue_ || stopping_; });
  queue_.push_back(std::move(event));
  ++enqueued_;
  cv_.notify_one();
}

void AuditLog::flush() { (void)wait_written(std::chrono::hours(24 * 365)); }

bool AuditLog::wait_written(std::chrono::milliseconds at_most) {
  std::unique_lock lock(mu_);
  std::uint64_t target = enqueued_;
  return drained_.wait_for(lock, at_most, [&] { return written_ >= target || stopping_; });
}

std::uint64_t AuditLog::written() const {
  std::lock_guard lock(mu_);
  return written_;
}

void AuditLog::run() {
  while (true) {
    std::deque<AuditEvent> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty() && stopping_) return;
      std::size_t n = std::min<std::size_t>(queue_.size(), 500);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    space_.notify_all();
    std::vector<storage::AuditRecord> writes;
    writes.reserve(batch.size());
    for (auto& e : batch) {
      scrub(e);
      storage::AuditRecord r;
      r.time_ms = millis(e.time);
      // Sortable and unique: time, then a per-process sequence, then a random suffix across replicas.
      r.id = fmt::format("{:016}-{:010}-{}", r.time_ms, ++sequence_, core::new_request_id().substr(0, 8));
      r.user = bounded(e.user);
      r.verb = bounded(e.verb);
      r.resource = bounded(e.resource);
      r.outcome = outcome_name(e.outcome);
      r.workspace = bounded(e.scope.workspace);
      r.project = bounded(e.scope.project);
      r.data = core::json::serialize(event_json(e));
      writes.push_back(std::move(r));
    }
    // Retry forever with a pause: audit events must not be lost while the store is briefly unavailable.
    for (int attempt = 0;; ++attempt) {
      auto r = store_.append_audit(writes);
      if (r) break;
      core::log_error("audit write failed; retrying", {{"error", std::string_view(r.error().message)},
                                                       {"events", static_cast<long long>(writes.size())}});
      std::unique_lock lock(mu_);
      if (stopping_ && attempt >= 3) return;
      cv_.wait_for(lock, std::chrono::milliseconds(std::min(5000, 100 << std::min(attempt, 6))));
    }
    {
      std::lock_guard lock(mu_);
      written_ += writes.size();
    }
    drained_.notify_all();
  }
}

core::Result<core::json::object> AuditLog::query(const AuditQuery& q) {
  // Read your writes: what was recorded before this query (such as the request the caller just made) is in
  // the answer, unless the store is so slow that the writer is more than a bounded wait behind.
  (void)wait_written(kReadYourWritesWait);
  // Filters, sort and paging are answered by the store from the audit table's indexes.
  storage::AuditFilter f;
  f.user = q.user;
  f.verb = q.verb;
  f.resource = q.resource;
  f.outcome = q.outcome;
  f.workspace = q.workspace;
  f.project = q.project;
  if (q.since) f.since_ms = millis(*q.since);
  if (q.until) f.until_ms = millis(*q.until);
  f.page = q.page;
  f.limit = q.limit;
  f.order = q.order;
  auto page = store_.query_audit(f);
  if (!page) return core::fail(page.error());
  core::json::array items;
  items.reserve(page->items.size());
  for (const auto& data : page->items) {
    auto v = core::parse_json(data);
    if (!v) return core::fail(core::ErrorCode::Internal, "a stored audit event is not valid JSON");
    items.push_back(std::move(*v));
  }
  return core::json::object{{"items", std::move(items)}, {"total", page->total}};
}

}  // namespace atrium::audit
