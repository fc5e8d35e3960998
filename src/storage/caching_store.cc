#include "storage/caching_store.h"

namespace atrium::storage {

std::string list_cache_key(const std::string& kind, const std::string& scope, Store::ScopeMatch match,
                           const core::ListOptions& options) {
  std::string key;
  key.reserve(kind.size() + scope.size() + options.name.size() + 64);
  auto field = [&key](std::string_view s) {
    key += std::to_string(s.size());  // length-prefixed: no separator can be forged
    key += ':';
    key += s;
  };
  field(kind);
  field(scope);
  key += match == Store::ScopeMatch::All ? 'A' : 'E';
  field(std::to_string(options.page));
  field(std::to_string(options.limit));
  field(options.sort_by);
  key += options.order == core::SortOrder::Ascending ? 'a' : 'd';
  field(options.name);
  for (const auto& r : options.label_selector.requirements()) {
    field(r.key);
    key += static_cast<char>('0' + static_cast<int>(r.op));
    field(std::to_string(r.values.size()));
    for (const auto& v : r.values) field(v);
  }
  return key;
}

CachingStore::CachingStore(std::unique_ptr<Store> inner, const core::Clock& clock, CacheOptions options)
    : inner_(std::move(inner)), clock_(clock), options_(options) {}

void CachingStore::invalidate() {
  std::lock_guard lock(mu_);
  generation_.fetch_add(1);
  entries_.clear();
  bytes_ = 0;
}

void CachingStore::check_remote_writes() {
  {
    std::lock_guard lock(mu_);
    auto now = clock_.now();
    if (now - last_check_ < options_.refresh_interval) return;
    last_check_ = now;
  }
  auto v = inner_->current_version();
  std::lock_guard lock(mu_);
  if (!v) {  // cannot tell: do not trust the cache
    generation_.fetch_add(1);
    entries_.clear();
    bytes_ = 0;
    return;
  }
  if (*v != seen_version_) {
    seen_version_ = *v;
    generation_.fetch_add(1);
    entries_.clear();
    bytes_ = 0;
  }
}

core::Result<ListResult> CachingStore::list(const std::string& kind, const std::string& scope, ScopeMatch match,
                                            const core::ListOptions& options) {
  auto shared = list_shared(kind, scope, match, options);
  if (!shared) return core::fail(shared.error());
  return **shared;
}

core::Result<std::shared_ptr<const ListResult>> CachingStore::list_shared(const std::string& kind,
                                                                          const std::string& scope, ScopeMatch match,
                                                                          const core::ListOptions& options) {
  check_remote_writes();
  std::string key = list_cache_key(kind, scope, match, options);
  std::uint64_t gen;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end()) {
      hits_.fetch_add(1, std::memory_order_relaxed);
      return it->second;
    }
    gen = generation_.load();
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  auto result = inner_->list(kind, scope, match, options);
  if (!result) return core::fail(result.error());
  std::size_t size = key.size();
  for (const auto& o : result->items) size += o.data.size() + o.labels.size() + o.name.size() + 96;
  auto shared = std::make_shared<const ListResult>(std::move(*result));
  std::lock_guard lock(mu_);
  // Cache only when no write finished since the read began: otherwise the result may predate it.
  if (generation_.load() == gen && size <= options_.max_bytes / 4) {
    if (entries_.size() >= options_.max_entries || bytes_ + size > options_.max_bytes) {
      entries_.clear();
      bytes_ = 0;
    }
    entries_.emplace(std::move(key), shared);
    bytes_ += size;
  }
  return shared;
}

core::Result<StoredObject> CachingStore::get(const std::string& kind, const std::string& scope,
                                             const std::string& name) {
  return inner_->get(kind, scope, name);
}

core::Result<StoredObject> CachingStore::create(const StoredObject& object) {
  auto r = inner_->create(object);
  invalidate();
  return r;
}

core::Result<StoredObject> CachingStore::update(const StoredObject& object, std::int64_t expected_version) {
  auto r = inner_->update(object, expected_version);
  invalidate();
  return r;
}

core::Status CachingStore::remove(const std::string& kind, const std::string& scope, const std::string& name,
                                  std::int64_t expected_version) {
  auto r = inner_->remove(kind, scope, name, expected_version);
  invalidate();
  return r;
}

core::Result<std::vector<StoredObject>> CachingStore::commit(const std::vector<Mutation>& mutations) {
  auto r = inner_->commit(mutations);
  invalidate();
  return r;
}

}  // namespace atrium::storage
