// Informer: keeps an ObjectCache in sync with one resource of one cluster, the way client-go's Reflector does —
// list (paged), then watch from the list's resourceVersion with bookmarks; a 410 Gone (or an expired continue
// token) means relist; transport failures back off exponentially and resume the watch from the last
// resourceVersion seen; a periodic full relist (resync) repairs anything missed. Handlers see every change.
// Thread-safe: start/stop from one owner; cache(), status() and subscribe() from any thread. One background
// thread per informer.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "kube/client.h"
#include "kube/discovery.h"
#include "kube/object_cache.h"

namespace atrium::kube {

struct InformerOptions {
  std::string namespace_name;  // empty: every namespace
  std::string label_selector;  // passed to the apiserver (e.g. only Atrium's namespaces)
  std::int64_t page_size = 500;
  std::chrono::seconds watch_timeout{300};  // the apiserver ends each watch after this; it is then resumed
  // Recent changes kept so a subscriber that lost its connection can resume (subscribe_since) instead of
  // starting over: at most this many, and at most history_bytes of object text.
  std::size_t history_events = 4096;
  std::size_t history_bytes = 2 << 20;
  std::chrono::seconds resync{1800};  // full relist period; 0 = never
  std::chrono::milliseconds backoff_initial{200};
  std::chrono::milliseconds backoff_max{30'000};
  ObjectCacheOptions cache;
};

// One change as a handler sees it. `object` is the object's JSON text (for Deleted, its last known state).
struct WatchEvent {
  CacheChange type = CacheChange::Added;
  std::string namespace_name;
  std::string name;
  std::string object;
  std::uint64_t sequence = 0;  // the informer's own order of changes (see Informer::subscribe_since)
};

enum class InformerPhase { Starting, Synced, Failing, Stopped };

struct InformerStatus {
  InformerPhase phase = InformerPhase::Starting;
  std::string resource_version;  // last seen
  std::string last_error;        // empty while healthy
  std::int64_t relists = 0;      // full lists done (initial one included)
  std::int64_t watch_restarts = 0;
  std::chrono::system_clock::time_point last_sync{};
};

class Informer {
 public:
  using Handler = std::function<void(const WatchEvent&)>;

  Informer(std::shared_ptr<Client> client, ApiResource resource, InformerOptions options = {});
  ~Informer();  // stops
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  void start();
  void stop();
  // Waits until the first list is in the cache; false on timeout.
  bool wait_synced(std::chrono::milliseconds timeout) const;
  bool synced() const { return synced_.load(); }

  const ObjectCache& cache() const { return cache_; }
  const ApiResource& resource() const { return resource_; }
  InformerStatus status() const;

  // Records an object the caller just wrote and got back from the apiserver (read-your-writes: lists show it
  // before the watch brings it). Ignored when the cache already holds that or a newer resourceVersion. Handlers
  // see the change now, on the caller's thread; the watch event that follows is then Unchanged.
  void observe(std::string_view object_json);

  // Handlers run on the informer's thread (or an observe() caller's), in order, and must be quick and
  // thread-safe (queue work elsewhere). Returns an id for unsubscribe. A handler added after the sync sees only
  // later changes.
  std::uint64_t subscribe(Handler handler);
  void unsubscribe(std::uint64_t id);

  // A subscription that can pick up where an earlier one stopped. `token` is a resume token this informer gave
  // (resume_token(), or the token of an event's sequence): when every change after it is still in the history,
  // those changes are replayed to `handler` first (resumed = true), in order and with no gap before live ones.
  // Otherwise (empty, foreign or too old token: another informer, a restart) nothing is replayed. `token` of the
  // result is where the subscription starts, to hand out with a snapshot taken afterwards.
  struct Subscription {
    std::uint64_t id = 0;
    bool resumed = false;
    std::string token;
  };
  Subscription subscribe_since(std::string_view token, Handler handler);
  // The token of a change's sequence number ("<informer>.<sequence>").
  std::string token_of(std::uint64_t sequence) const;

 private:
  void run();
  core::Status list_and_replace();
  // Watches until the stream ends; Gone means relist.
  core::Status watch();
  void apply_event(std::string_view line);
  void emit(const WatchEvent& event);
  void set_error(const core::Error& e);
  // Sleeps up to `d` or until stopped; false when stopped.
  bool sleep_for(std::chrono::milliseconds d);
  std::string path_with(std::string_view query) const;

  std::shared_ptr<Client> client_;
  ApiResource resource_;
  InformerOptions options_;
  ObjectCache cache_;

  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> synced_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  InformerStatus status_;
  std::string resource_version_;  // informer thread only
  bool need_relist_ = true;       // informer thread only
  std::string pending_;           // partial watch line, informer thread only

  std::mutex handlers_mutex_;
  std::uint64_t next_handler_ = 1;
  std::vector<std::pair<std::uint64_t, Handler>> handlers_;
  const std::uint64_t epoch_;       // tells this informer's tokens from another's
  std::uint64_t sequence_ = 0;      // handlers_mutex_
  std::deque<WatchEvent> history_;  // handlers_mutex_
  std::size_t history_bytes_ = 0;   // handlers_mutex_
};

}  // namespace atrium::kube
