// A Store decorator that caches list results, because lists are the hottest read of the console and the
// API. Writes through this decorator invalidate at once (read-your-writes within a replica); writes by
// other processes sharing the database (other replicas, `atrium secrets reencrypt`) are noticed by
// checking the store's current version at most every `refresh_interval`, so such a write may be seen that
// much later. Gets and writes pass through. Thread-safe; owns the wrapped store.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "storage/store.h"

namespace atrium::storage {

struct CacheOptions {
  std::chrono::milliseconds refresh_interval{250};
  std::size_t max_entries = 4096;
  std::size_t max_bytes = 64 << 20;
};

class CachingStore final : public Store {
 public:
  CachingStore(std::unique_ptr<Store> inner, const core::Clock& clock, CacheOptions options = {});

  core::Result<StoredObject> create(const StoredObject& object) override;
  core::Result<StoredObject> get(const std::string& kind, const std::string& scope, const std::string& name) override;
  core::Result<StoredObject> update(const StoredObject& object, std::int64_t expected_version) override;
  core::Status remove(const std::string& kind, const std::string& scope, const std::string& name,
                      std::int64_t expected_version) override;
  core::Result<ListResult> list(const std::string& kind, const std::string& scope, ScopeMatch match,
                                const core::ListOptions& options) override;
  core::Result<std::shared_ptr<const ListResult>> list_shared(const std::string& kind, const std::string& scope,
                                                              ScopeMatch match,
                                                              const core::ListOptions& options) override;
  core::Result<std::vector<StoredObject>> commit(const std::vector<Mutation>& mutations) override;
  // The audit table is not cached (and its appends take no resource version): both pass through.
  core::Status append_audit(const std::vector<AuditRecord>& records) override { return inner_->append_audit(records); }
  core::Result<AuditPage> query_audit(const AuditFilter& filter) override { return inner_->query_audit(filter); }
  core::Result<std::int64_t> current_version() override { return inner_->current_version(); }
  std::string_view backend() const override { return inner_->backend(); }

  // For tests and metrics.
  std::uint64_t hits() const { return hits_.load(); }
  std::uint64_t misses() const { return misses_.load(); }

 private:
  void invalidate();
  void check_remote_writes();

  std::unique_ptr<Store> inner_;
  const core::Clock& clock_;
  CacheOptions options_;

  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const ListResult>> entries_;
  std::size_t bytes_ = 0;
  std::atomic<std::uint64_t> generation_{0};
  std::int64_t seen_version_ = -1;
  core::TimePoint last_check_{};
  std::atomic<std::uint64_t> hits_{0}, misses_{0};
};

// A stable text key for list options (page, limit, sort, name, label selector).
std::string list_cache_key(const std::string& kind, const std::string& scope, Store::ScopeMatch match,
                           const core::ListOptions& options);

}  // namespace atrium::storage
