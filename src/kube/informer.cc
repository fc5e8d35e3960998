#include "kube/informer.h"

#include <algorithm>
#include <charconv>
#include <random>

#include <fmt/format.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "core/json.h"
#include "core/log.h"
#include "net/http.h"

namespace atrium::kube {
namespace {

namespace json = core::json;

// After a list this large, freed memory is returned to the operating system (malloc_trim).
constexpr std::size_t kTrimAfterObjects = 1000;

// A list page or watch event may carry large objects (ConfigMaps up to 1 MiB each); CRD schemas nest deeply.
core::JsonLimits list_limits() {
  core::JsonLimits l;
  l.max_bytes = 512u << 20;
  l.max_depth = 128;
  return l;
}

std::string_view meta_string(const json::object& obj, std::string_view field) {
  auto* m = obj.if_contains("metadata");
  if (!m || !m->is_object()) return {};
  auto* v = m->get_object().if_contains(field);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

}  // namespace

Informer::Informer(std::shared_ptr<Client> client, ApiResource resource, InformerOptions options)
    : client_(std::move(client)),
      resource_(std::move(resource)),
      options_(std::move(options)),
      cache_(options_.cache),
      epoch_((static_cast<std::uint64_t>(std::random_device{}()) << 32) ^
             static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())) {}

Informer::~Informer() { stop(); }

void Informer::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void Informer::stop() {
  stopping_ = true;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  status_.phase = InformerPhase::Stopped;
}

bool Informer::wait_synced(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, [&] { return synced_.load() || stopping_.load(); }) && synced_.load();
}

InformerStatus Informer::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

std::uint64_t Informer::subscribe(Handler handler) {
  std::lock_guard lock(handlers_mutex_);
  auto id = next_handler_++;
  handlers_.emplace_back(id, std::move(handler));
  return id;
}

void Informer::unsubscribe(std::uint64_t id) {
  std::lock_guard lock(handlers_mutex_);
  std::erase_if(handlers_, [&](const auto& h) { return h.first == id; });
}

void Informer::observe(std::string_view object_json) {
  auto doc = core::parse_json(object_json, list_limits());
  auto* obj = doc ? doc->if_object() : nullptr;
  if (!obj) return;
  std::string ns(meta_string(*obj, "namespace")), name(meta_string(*obj, "name"));
  std::string_view rv = meta_string(*obj, "resourceVersion");
  if (auto held = cache_.find_meta(ns, name)) {
    // resourceVersions are opaque to clients, but an etcd-backed apiserver's are increasing integers: a write's
    // answer older than what the watch already delivered must not roll the cache back.
    std::uint64_t a = 0, b = 0;
    auto pa = std::from_chars(held->resource_version.data(),
                              held->resource_version.data() + held->resource_version.size(), a);
    auto pb = std::from_chars(rv.data(), rv.data() + rv.size(), b);
    if (pa.ec != std::errc() || pb.ec != std::errc() || a >= b) return;
  }
  auto change = cache_.upsert(object_json);
  if (change && *change != CacheChange::Unchanged) {
    emit({*change, std::move(ns), std::move(name), std::string(object_json)});
  }
}

void Informer::emit(const WatchEvent& change) {
  std::lock_guard lock(handlers_mutex_);
  WatchEvent event = change;
  event.sequence = ++sequence_;
  for (const auto& [id, handler] : handlers_) handler(event);
  history_bytes_ += event.object.size();
  history_.push_back(std::move(event));
  while (!history_.empty() && (history_.size() > options_.history_events || history_bytes_ > options_.history_bytes)) {
    history_bytes_ -= history_.front().object.size();
    history_.pop_front();
  }
}

std::string Informer::token_of(std::uint64_t sequence) const { return fmt::format("{:x}.{}", epoch_, sequence); }

Informer::Subscription Informer::subscribe_since(std::string_view token, Handler handler) {
  std::lock_guard lock(handlers_mutex_);
  Subscription s;
  s.token = token_of(sequence_);
  std::uint64_t epoch = 0, after = 0;
  auto dot = token.find('.');
  bool parsed = dot != std::string_view::npos &&
                std::from_chars(token.data(), token.data() + dot, epoch, 16).ec == std::errc() &&
                std::from_chars(token.data() + dot + 1, token.data() + token.size(), after).ec == std::errc();
  // Resumable when nothing after `after` has left the history (and `after` is not from the future).
  bool covered = parsed && epoch == epoch_ && after <= sequence_ &&
                 (after == sequence_ || (!history_.empty() && history_.front().sequence <= after + 1));
  if (covered) {
    for (const auto& e : history_) {
      if (e.sequence > after) handler(e);
    }
    s.resumed = true;
  }
  s.id = next_handler_++;
  handlers_.emplace_back(s.id, std::move(handler));
  return s;
}

void Informer::set_error(const core::Error& e) {
  std::lock_guard lock(mutex_);
  status_.phase = InformerPhase::Failing;
  status_.last_error = e.message;
}

bool Informer::sleep_for(std::chrono::milliseconds d) {
  std::unique_lock lock(mutex_);
  return !cv_.wait_for(lock, d, [&] { return stopping_.load(); });
}

std::string Informer::path_with(std::string_view query) const {
  std::string p = resource_.collection_path(options_.namespace_name);
  p += '?';
  p += query;
  if (!options_.label_selector.empty()) p += "&labelSelector=" + net::percent_encode(options_.label_selector);
  return p;
}

void Informer::run() {
  auto backoff = options_.backoff_initial;
  auto last_list = std::chrono::steady_clock::now();
  while (!stopping_) {
    bool resync_due = options_.resync.count() > 0 && std::chrono::steady_clock::now() - last_list > options_.resync;
    if (need_relist_ || resync_due) {
      if (auto s = list_and_replace(); !s) {
        if (stopping_) break;
        set_error(s.error());
        core::log_warn("kube informer list failed", {{"resource", resource_.name}, {"error", s.error().message}});
        if (!sleep_for(backoff)) break;
        backoff = std::min(backoff * 2, options_.backoff_max);
        continue;
      }
      last_list = std::chrono::steady_clock::now();
      backoff = options_.backoff_initial;
    }
    auto s = watch();
    if (stopping_) break;
    {
      std::lock_guard lock(mutex_);
      ++status_.watch_restarts;
    }
    if (!s) {
      if (s.error().code == core::ErrorCode::Gone) {
        need_relist_ = true;  // our resourceVersion is older than the apiserver keeps: list again
        continue;
      }
      set_error(s.error());
      if (!sleep_for(backoff)) break;
      backoff = std::min(backoff * 2, options_.backoff_max);
    } else {
      backoff = options_.backoff_initial;
    }
  }
}

core::Status Informer::list_and_replace() {
  // Objects go into the replacement page by page, so only one page's text is held at a time.
  auto replacement = cache_.begin_replace();
  std::vector<WatchEvent> changes;
  bool first = !synced_;
  std::string continue_token, list_rv;
  do {
    std::string query = "limit=" + std::to_string(options_.page_size);
    if (!continue_token.empty()) query += "&continue=" + net::percent_encode(continue_token);
    auto response = client_->send(Request{"GET", path_with(query)});
    if (!response) return tl::unexpected(response.error());
    if (response->status == 410 && !continue_token.empty()) {
      // The continue token expired mid-list: start over (items of the old snapshot are dropped).
      replacement = cache_.begin_replace();
      changes.clear();
      continue_token.clear();
      continue;
    }
    if (response->status < 200 || response->status > 299) return tl::unexpected(Client::error_from_response(*response));
    // The page's tree lives in one block, freed whole at the end of the page.
    json::monotonic_resource page_memory;
    core::JsonLimits limits = list_limits();
    limits.storage = json::storage_ptr(&page_memory);
    auto doc = core::parse_json(response->body, limits);
    if (!doc) return tl::unexpected(doc.error().with_context("list " + resource_.name));
    auto* obj = doc->if_object();
    auto* list = obj ? obj->if_contains("items") : nullptr;
    if (!obj || (list && !list->is_array())) {
      return core::fail(core::ErrorCode::Unavailable, "list " + resource_.name + ": not a list");
    }
    if (list) {
      for (auto& item : list->get_array()) {
        auto* io = item.if_object();
        if (!io) continue;
        // List items carry no apiVersion/kind; stored objects do, as a GET would return them.
        (*io)["apiVersion"] = resource_.group_version();
        (*io)["kind"] = resource_.kind;
        if (!first) {
          std::string ns(meta_string(*io, "namespace")), name(meta_string(*io, "name"));
          auto old = cache_.find_meta(ns, name);
          if (!old || old->resource_version != meta_string(*io, "resourceVersion")) {
            changes.push_back({old ? CacheChange::Modified : CacheChange::Added, ns, name, json::serialize(item)});
          }
        }
        if (auto s = replacement.add(item); !s) return tl::unexpected(s.error().with_context("list " + resource_.name));
      }
    }
    list_rv = std::string(meta_string(*obj, "resourceVersion"));
    continue_token = std::string(meta_string(*obj, "continue"));
  } while (!continue_token.empty() && !stopping_);
  if (stopping_) return {};
  [[maybe_unused]] const std::size_t listed = replacement.size();
  auto gone = cache_.commit(std::move(replacement));
  if (!gone) return tl::unexpected(gone.error().with_context("list " + resource_.name));
  resource_version_ = list_rv;
  need_relist_ = false;
  {
    std::lock_guard lock(mutex_);
    status_.phase = InformerPhase::Synced;
    status_.last_error.clear();
    status_.resource_version = list_rv;
    ++status_.relists;
    status_.last_sync = std::chrono::system_clock::now();
  }
  synced_ = true;
  cv_.notify_all();
#ifdef __GLIBC__
  // A large list leaves megabytes of freed page text and JSON trees in malloc's free lists: give them back.
  if (listed >= kTrimAfterObjects) malloc_trim(0);
#endif
  for (const auto& key : *gone) {
    auto slash = key.find('/');
    emit({CacheChange::Deleted, key.substr(0, slash), key.substr(slash + 1), {}});
  }
  for (const auto& c : changes) emit(c);
  return {};
}

core::Status Informer::watch() {
  pending_.clear();
  std::string query = "watch=1&allowWatchBookmarks=true&resourceVersion=" + net::percent_encode(resource_version_) +
                      "&timeoutSeconds=" + std::to_string(options_.watch_timeout.count());
  auto sink = [this](std::string_view chunk) {
    if (stopping_) return false;
    if (chunk.empty()) return true;  // heartbeat while the watch is silent
    pending_.append(chunk);
    std::size_t start = 0;
    for (std::size_t nl; (nl = pending_.find('\n', start)) != std::string::npos; start = nl + 1) {
      apply_event(std::string_view(pending_).substr(start, nl - start));
      if (need_relist_) return false;
    }
    pending_.erase(0, start);
    if (pending_.size() > (512u << 20)) {  // a line that never ends: drop the stream, it will be resumed
      need_relist_ = true;
      return false;
    }
    return true;
  };
  auto s = client_->stream(Request{"GET", path_with(query)}, sink, options_.watch_timeout + std::chrono::seconds(60));
  if (!s) return s;
  if (need_relist_) return core::fail(core::ErrorCode::Gone, "watch of " + resource_.name + " expired");
  return {};
}

void Informer::apply_event(std::string_view line) {
  if (line.empty()) return;
  auto doc = core::parse_json(line, list_limits());
  auto* ev = doc ? doc->if_object() : nullptr;
  auto* type = ev ? ev->if_contains("type") : nullptr;
  auto* object = ev ? ev->if_contains("object") : nullptr;
  if (!type || !type->is_string() || !object || !object->is_object()) {
    core::log_warn("kube watch: malformed event dropped", {{"resource", resource_.name}});
    need_relist_ = true;  // we may have missed a change: the cache is repaired by a relist
    return;
  }
  std::string_view t = type->get_string();
  auto& obj = object->get_object();
  if (t == "ERROR") {
    auto* code = obj.if_contains("code");
    if (code && code->is_int64() && code->get_int64() == 410) {
      need_relist_ = true;
    } else {
      auto* msg = obj.if_contains("message");
      set_error(core::Error(core::ErrorCode::Unavailable,
                            "watch error: " + (msg && msg->is_string() ? std::string(msg->get_string()) : "unknown")));
      need_relist_ = true;
    }
    return;
  }
  std::string rv(meta_string(obj, "resourceVersion"));
  if (t == "BOOKMARK") {
    if (!rv.empty()) resource_version_ = rv;
    return;
  }
  std::string ns(meta_string(obj, "namespace")), name(meta_string(obj, "name"));
  std::string text = json::serialize(*object);
  if (t == "ADDED" || t == "MODIFIED") {
    auto change = cache_.upsert(text);
    if (!change) {
      need_relist_ = true;
      return;
    }
    if (*change != CacheChange::Unchanged) emit({*change, std::move(ns), std::move(name), std::move(text)});
  } else if (t == "DELETED") {
    if (cache_.remove(ns, name)) emit({CacheChange::Deleted, std::move(ns), std::move(name), std::move(text)});
  }
  if (!rv.empty()) {
    resource_version_ = rv;
    std::lock_guard lock(mutex_);
    status_.resource_version = rv;
    if (status_.phase == InformerPhase::Failing) {
      status_.phase = InformerPhase::Synced;
      status_.last_error.clear();
    }
  }
}

}  // namespace atrium::kube
