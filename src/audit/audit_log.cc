#include "audit/audit_log.h"

#include <cctype>

#include <fmt/format.h>

#include "core/log.h"
#include "core/uid.h"
#include "core/validation.h"

namespace atrium::audit {
namespace {

constexpr const char* kKind = "AuditEvent";

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

// Label values must be valid Kubernetes label values; anything else is kept only in the document.
void add_label(core::json::object& labels, const char* key, std::string_view value) {
  if (value.empty() || value.size() > 63) return;
  for (char c : value) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return;
  }
  if (!std::isalnum(static_cast<unsigned char>(value.front())) ||
      !std::isalnum(static_cast<unsigned char>(value.back()))) {
    return;
  }
  labels[key] = value;
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

void AuditLog::flush() {
  std::unique_lock lock(mu_);
  std::uint64_t target = enqueued_;
  drained_.wait(lock, [&] { return written_ >= target || stopping_; });
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
    std::vector<storage::Mutation> writes;
    writes.reserve(batch.size());
    for (const auto& e : batch) {
      storage::StoredObject o;
      o.kind = kKind;
      o.created_at_ms = millis(e.time);
      // Sortable and unique: time, then a per-process sequence, then a random suffix across replicas.
      o.name = fmt::format("{:016}-{:010}-{}", o.created_at_ms, ++sequence_, core::new_request_id().substr(0, 8));
      o.uid = core::new_uid();
      core::json::object labels;
      add_label(labels, "user", e.user);
      add_label(labels, "verb", e.verb);
      add_label(labels, "resource", e.resource);
      add_label(labels, "outcome", outcome_name(e.outcome));
      add_label(labels, "workspace", e.scope.workspace);
      add_label(labels, "project", e.scope.project);
      o.labels = core::json::serialize(labels);
      o.data = core::json::serialize(event_json(e));
      writes.push_back(storage::Mutation{storage::Mutation::Op::Create, std::move(o)});
    }
    // Retry forever with a pause: audit events must not be lost while the store is briefly unavailable.
    for (int attempt = 0;; ++attempt) {
      auto r = store_.commit(writes);
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
  core::ListOptions opts;
  opts.sort_by = "creationTimestamp";
  opts.order = q.order;
  opts.limit = core::ListOptions::kMaxLimit;
  std::string selector;
  for (const auto& [key, v] : {std::pair<const char*, const std::string&>{"user", q.user},
                               {"verb", q.verb},
                               {"resource", q.resource},
                               {"outcome", q.outcome},
                               {"workspace", q.workspace},
                               {"project", q.project}}) {
    if (v.empty()) continue;
    // Only label-value characters: nothing a caller sends can add selector syntax.
    if (auto err = core::validate_label_value(v); !err.empty()) {
      return core::fail(core::ErrorCode::InvalidArgument, fmt::format("audit filter {}: {}", key, err));
    }
    selector += fmt::format("{}{}={}", selector.empty() ? "" : ",", key, v);
  }
  auto sel = core::LabelSelector::parse(selector);
  if (!sel) return core::fail(sel.error().with_context("audit filter"));
  opts.label_selector = std::move(*sel);
  // TODO(iam): a dedicated indexed audit table (time, user, verb, outcome, workspace) so time ranges and filters
  // are answered by the database instead of scanning pages here; fine for the volumes of a first release.
  core::json::array items;
  std::int64_t matched = 0;
  std::int64_t skip = (q.page - 1) * q.limit;
  for (opts.page = 1;; ++opts.page) {
    auto page = store_.list(kKind, "", storage::Store::ScopeMatch::Exact, opts);
    if (!page) return core::fail(page.error());
    for (const auto& o : page->items) {
      if (q.since && o.created_at_ms < millis(*q.since)) continue;
      if (q.until && o.created_at_ms > millis(*q.until)) continue;
      ++matched;
      if (matched > skip && static_cast<std::int64_t>(items.size()) < q.limit) {
        auto v = core::parse_json(o.data);
        if (v) items.push_back(std::move(*v));
      }
    }
    if (opts.page * opts.limit >= page->total) break;
  }
  return core::json::object{{"items", std::move(items)}, {"total", matched}};
}

}  // namespace atrium::audit
