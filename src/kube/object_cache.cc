#include "kube/object_cache.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <unordered_map>

#include <zdict.h>
#include <zstd.h>

#include "core/clock.h"
#include "core/json.h"

namespace atrium::kube {
namespace {

constexpr std::size_t kHeapOverhead = 16;  // malloc's per-allocation bookkeeping, for memory_bytes
constexpr std::size_t kMaxSamples = 1000;  // objects sampled to train a dictionary
constexpr std::size_t kMaxObjectBytes = 8 << 20;

std::size_t heap_bytes(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 + kHeapOverhead : 0; }

// A trained zstd dictionary, ready for both directions. Entries compressed with it hold a reference, so an old
// dictionary lives exactly as long as some object still needs it.
struct Dictionary {
  ZSTD_CDict* cdict = nullptr;
  ZSTD_DDict* ddict = nullptr;
  Dictionary(const std::string& bytes, int level)
      : cdict(ZSTD_createCDict(bytes.data(), bytes.size(), level)),
        ddict(ZSTD_createDDict(bytes.data(), bytes.size())) {}
  ~Dictionary() {
    ZSTD_freeCDict(cdict);
    ZSTD_freeDDict(ddict);
  }
  Dictionary(const Dictionary&) = delete;
  Dictionary& operator=(const Dictionary&) = delete;
  bool ok() const { return cdict && ddict; }
  std::size_t bytes() const { return ZSTD_sizeof_CDict(cdict) + ZSTD_sizeof_DDict(ddict); }
};

struct ZstdContexts {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  ~ZstdContexts() {
    ZSTD_freeCCtx(cctx);
    ZSTD_freeDCtx(dctx);
  }
};
ZstdContexts& contexts() {
  thread_local ZstdContexts c;
  return c;
}

// Interned strings (namespaces, label keys and values) with reference counts, so churn does not leak them.
class StringPool {
 public:
  std::uint32_t acquire(std::string_view s) {
    auto it = index_.find(s);
    if (it != index_.end()) {
      ++refs_[it->second];
      return it->second;
    }
    std::uint32_t id;
    if (!free_.empty()) {
      id = free_.back();
      free_.pop_back();
    } else {
      id = static_cast<std::uint32_t>(strings_.size());
      strings_.emplace_back();
      refs_.push_back(0);
    }
    auto [node, inserted] = index_.emplace(std::string(s), id);
    strings_[id] = &node->first;
    refs_[id] = 1;
    return id;
  }
  void release(std::uint32_t id) {
    if (--refs_[id] == 0) {
      index_.erase(index_.find(*strings_[id]));
      strings_[id] = nullptr;
      free_.push_back(id);
    }
  }
  std::optional<std::uint32_t> find(std::string_view s) const {
    auto it = index_.find(s);
    if (it == index_.end()) return std::nullopt;
    return it->second;
  }
  std::string_view get(std::uint32_t id) const { return *strings_[id]; }
  std::size_t memory_bytes() const {
    std::size_t n = strings_.capacity() * sizeof(void*) + refs_.capacity() * 4 + free_.capacity() * 4 +
                    index_.bucket_count() * sizeof(void*);
    for (const auto& [s, id] : index_) n += sizeof(s) + sizeof(id) + sizeof(void*) * 2 + kHeapOverhead + heap_bytes(s);
    return n;
  }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> index_;
  std::vector<const std::string*> strings_;
  std::vector<std::uint32_t> refs_;
  std::vector<std::uint32_t> free_;
};

struct Key {
  std::uint32_t ns;
  std::string name;
  bool operator<(const Key& o) const { return ns != o.ns ? ns < o.ns : name < o.name; }
};

struct Entry {
  std::string resource_version;
  std::int64_t created = 0;  // creationTimestamp, seconds since the epoch
  std::vector<std::pair<std::uint32_t, std::uint32_t>> labels;
  std::string blob;  // zstd frame
  std::uint32_t raw_size = 0;
  std::shared_ptr<const Dictionary> dict;  // null: compressed without one
};

// One object as decoded from the apiserver's text, before it is stored.
struct Parsed {
  std::string namespace_name;
  std::string name;
  std::string resource_version;
  std::int64_t created = 0;
  std::vector<std::pair<std::string, std::string>> labels;
  std::string text;  // what is stored (managedFields dropped when asked)
};

// Reads the metadata of a parsed object; `text` is what will be stored: the original text when given and nothing
// was dropped, else the (reduced) tree serialised.
core::Result<Parsed> parse_object_tree(core::json::value& doc, ManagedFields managed, std::string_view text = {}) {
  auto* obj = doc.if_object();
  auto* meta = obj ? obj->if_contains("metadata") : nullptr;
  auto* meta_obj = meta ? meta->if_object() : nullptr;
  auto* name = meta_obj ? meta_obj->if_contains("name") : nullptr;
  if (!name || !name->is_string() || name->get_string().empty()) {
    return core::fail(
        core::Error(core::ErrorCode::InvalidArgument, "object has no metadata.name", {{"metadata.name", "required"}}));
  }
  Parsed p;
  p.name = std::string(name->get_string());
  if (auto* ns = meta_obj->if_contains("namespace"); ns && ns->is_string()) p.namespace_name = ns->get_string();
  if (auto* rv = meta_obj->if_contains("resourceVersion"); rv && rv->is_string()) p.resource_version = rv->get_string();
  if (auto* ts = meta_obj->if_contains("creationTimestamp"); ts && ts->is_string()) {
    core::TimePoint t;
    if (core::parse_rfc3339(ts->get_string(), t)) {
      p.created = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
    }
  }
  if (auto* labels = meta_obj->if_contains("labels"); labels && labels->is_object()) {
    for (const auto& [k, v] : labels->get_object()) {
      if (v.is_string()) p.labels.emplace_back(std::string(k), std::string(v.get_string()));
    }
  }
  bool dropped = managed == ManagedFields::Drop && meta_obj->erase("managedFields") > 0;
  if (dropped || text.empty()) {
    core::serialize_into(doc, p.text);
  } else {
    p.text = std::string(text);
  }
  return p;
}

core::Result<Parsed> parse_object(std::string_view json, ManagedFields managed) {
  core::JsonLimits limits;
  limits.max_bytes = kMaxObjectBytes;
  auto doc = core::parse_json(json, limits);
  if (!doc) return core::fail(doc.error());
  return parse_object_tree(*doc, managed, json);
}

std::string compress(std::string_view raw, const Dictionary* dict, int level) {
  thread_local std::string scratch;
  scratch.resize(ZSTD_compressBound(raw.size()));
  auto& c = contexts();
  std::size_t n =
      dict ? ZSTD_compress_usingCDict(c.cctx, scratch.data(), scratch.size(), raw.data(), raw.size(), dict->cdict)
           : ZSTD_compressCCtx(c.cctx, scratch.data(), scratch.size(), raw.data(), raw.size(), level);
  if (ZSTD_isError(n)) return std::string(raw);  // cannot happen with a bound-sized buffer; stored raw-sized
  return std::string(scratch.data(), n);
}

std::string decompress(const Entry& e) {
  std::string out(e.raw_size, '\0');
  auto& c = contexts();
  std::size_t n =
      e.dict ? ZSTD_decompress_usingDDict(c.dctx, out.data(), out.size(), e.blob.data(), e.blob.size(), e.dict->ddict)
             : ZSTD_decompressDCtx(c.dctx, out.data(), out.size(), e.blob.data(), e.blob.size());
  if (ZSTD_isError(n)) return {};
  out.resize(n);
  return out;
}

std::shared_ptr<const Dictionary> train(const std::vector<std::string_view>& samples, const ObjectCacheOptions& o) {
  if (samples.size() < 8) return nullptr;
  std::string joined;
  std::vector<std::size_t> sizes;
  std::size_t step = std::max<std::size_t>(1, samples.size() / kMaxSamples);
  for (std::size_t i = 0; i < samples.size(); i += step) {
    joined.append(samples[i]);
    sizes.push_back(samples[i].size());
  }
  std::string dict(o.dictionary_bytes, '\0');
  std::size_t n =
      ZDICT_trainFromBuffer(dict.data(), dict.size(), joined.data(), sizes.data(), static_cast<unsigned>(sizes.size()));
  if (ZDICT_isError(n)) return nullptr;  // too little or too uniform data: objects are compressed without one
  dict.resize(n);
  auto d = std::make_shared<const Dictionary>(dict, o.compression_level);
  return d->ok() ? d : nullptr;
}

}  // namespace

struct ObjectCache::State {
  struct Content {
    StringPool pool;
    std::map<Key, Entry> objects;
    std::shared_ptr<const Dictionary> dict;
    std::size_t without_dict = 0;   // entries compressed without a dictionary
    std::size_t next_training = 0;  // size at which training is tried again
  };
  ObjectCacheOptions options;
  std::mutex write_mutex;  // serialises writers; readers only take `mutex` shared
  mutable std::shared_mutex mutex;
  std::unique_ptr<Content> content = std::make_unique<Content>();

  // The expensive half of storing an object (compression), done without the readers' lock.
  Entry compress_entry(const Content& c, const Parsed& p) const {
    Entry e;
    e.resource_version = p.resource_version;
    e.created = p.created;
    e.raw_size = static_cast<std::uint32_t>(p.text.size());
    e.dict = c.dict;
    e.blob = compress(p.text, e.dict.get(), options.compression_level);
    return e;
  }
  // The half that touches shared indexes: under the exclusive lock (or on content nobody else sees yet).
  void intern(Content& c, Entry& e, const Parsed& p) const {
    e.labels.reserve(p.labels.size());
    for (const auto& [k, v] : p.labels) e.labels.emplace_back(c.pool.acquire(k), c.pool.acquire(v));
    if (!e.dict) ++c.without_dict;
  }
  void release_entry(Content& c, const Entry& e) const {
    for (const auto& [k, v] : e.labels) {
      c.pool.release(k);
      c.pool.release(v);
    }
    if (!e.dict) --c.without_dict;
  }

  // Trains a dictionary once enough objects went in without one, and recompresses those objects with it.
  void maybe_train(Content& c) {
    if (c.dict || c.objects.size() < std::max(options.dictionary_threshold, c.next_training)) return;
    std::vector<std::string> raws;
    raws.reserve(c.objects.size());
    for (const auto& [k, e] : c.objects) raws.push_back(decompress(e));
    std::vector<std::string_view> views(raws.begin(), raws.end());
    c.dict = train(views, options);
    if (!c.dict) {
      c.next_training = c.objects.size() * 2;
      return;
    }
    std::size_t i = 0;
    for (auto& [k, e] : c.objects) {
      e.blob = compress(raws[i++], c.dict.get(), options.compression_level);
      e.dict = c.dict;
    }
    c.without_dict = 0;
  }
};

ObjectCache::ObjectCache(ObjectCacheOptions options) : state_(std::make_unique<State>()) { state_->options = options; }
ObjectCache::~ObjectCache() = default;

core::Result<CacheChange> ObjectCache::upsert(std::string_view json) {
  auto parsed = parse_object(json, state_->options.managed_fields);
  if (!parsed) return core::fail(parsed.error());
  std::lock_guard write(state_->write_mutex);
  auto& c = *state_->content;
  auto ns = c.pool.find(parsed->namespace_name);
  if (ns) {
    auto it = c.objects.find(Key{*ns, parsed->name});
    if (it != c.objects.end() && !parsed->resource_version.empty() &&
        it->second.resource_version == parsed->resource_version) {
      return CacheChange::Unchanged;
    }
  }
  // Compressed before the exclusive lock, so readers wait only for the index update.
  Entry entry = state_->compress_entry(c, *parsed);
  CacheChange change;
  {
    std::unique_lock lock(state_->mutex);
    std::uint32_t ns_id = c.pool.acquire(parsed->namespace_name);
    state_->intern(c, entry, *parsed);
    auto [it, inserted] = c.objects.try_emplace(Key{ns_id, parsed->name});
    if (!inserted) {
      state_->release_entry(c, it->second);
      c.pool.release(ns_id);  // the key already held a reference to its namespace
    }
    it->second = std::move(entry);
    change = inserted ? CacheChange::Added : CacheChange::Modified;
    state_->maybe_train(c);
  }
  return change;
}

bool ObjectCache::remove(std::string_view namespace_name, std::string_view name) {
  std::lock_guard write(state_->write_mutex);
  auto& c = *state_->content;
  auto ns = c.pool.find(namespace_name);
  if (!ns) return false;
  std::unique_lock lock(state_->mutex);
  auto it = c.objects.find(Key{*ns, std::string(name)});
  if (it == c.objects.end()) return false;
  state_->release_entry(c, it->second);
  c.objects.erase(it);
  c.pool.release(*ns);
  return true;
}

struct ObjectCache::Replacement::Impl {
  const State* state = nullptr;
  std::unique_ptr<State::Content> next = std::make_unique<State::Content>();
  std::vector<Parsed> pending;  // held back until a dictionary is trained on them
  bool training_done = false;
  std::optional<core::Error> error;

  core::Status take(core::Result<Parsed> p, std::size_t index) {
    if (!p) {
      core::Error e = p.error().with_context("item " + std::to_string(index));
      if (!error) error = e;
      return core::fail(std::move(e));
    }
    if (training_done) {
      insert(*p);
      return {};
    }
    pending.push_back(std::move(*p));
    if (pending.size() >= kMaxSamples) flush();
    return {};
  }
  void insert(const Parsed& p) {
    std::uint32_t ns = next->pool.acquire(p.namespace_name);
    auto [it, inserted] = next->objects.try_emplace(Key{ns, p.name});
    if (!inserted) {  // the same key twice in one list: the later one wins
      state->release_entry(*next, it->second);
      next->pool.release(ns);
    }
    it->second = state->compress_entry(*next, p);
    state->intern(*next, it->second, p);
  }
  // Trains on what is pending (when there is enough of it), then stores it.
  void flush() {
    if (!training_done && pending.size() >= state->options.dictionary_threshold) {
      std::vector<std::string_view> samples;
      samples.reserve(pending.size());
      for (const auto& p : pending) samples.push_back(p.text);
      next->dict = train(samples, state->options);
    }
    training_done = true;
    for (const auto& p : pending) insert(p);
    pending.clear();
    pending.shrink_to_fit();
  }
};

ObjectCache::Replacement::Replacement(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ObjectCache::Replacement::Replacement(Replacement&&) noexcept = default;
ObjectCache::Replacement& ObjectCache::Replacement::operator=(Replacement&&) noexcept = default;
ObjectCache::Replacement::~Replacement() = default;

std::size_t ObjectCache::Replacement::size() const { return impl_->next->objects.size() + impl_->pending.size(); }

core::Status ObjectCache::Replacement::add(std::string_view json) {
  return impl_->take(parse_object(json, impl_->state->options.managed_fields), size());
}

core::Status ObjectCache::Replacement::add(core::json::value& object) {
  return impl_->take(parse_object_tree(object, impl_->state->options.managed_fields), size());
}

ObjectCache::Replacement ObjectCache::begin_replace() const {
  auto impl = std::make_unique<Replacement::Impl>();
  impl->state = state_.get();
  return Replacement(std::move(impl));
}

core::Result<std::vector<std::string>> ObjectCache::replace(const std::vector<std::string>& jsons) {
  auto r = begin_replace();
  for (const auto& j : jsons) {
    if (auto s = r.add(j); !s) return core::fail(s.error());
  }
  return commit(std::move(r));
}

core::Result<std::vector<std::string>> ObjectCache::commit(Replacement replacement) {
  auto& impl = *replacement.impl_;
  if (impl.error) return core::fail(*impl.error);
  impl.flush();
  auto next = std::move(impl.next);
  if (!next->dict) next->next_training = next->objects.size() * 2;
  std::lock_guard write(state_->write_mutex);
  std::vector<std::string> gone;
  std::unique_ptr<State::Content> old;
  {
    std::unique_lock lock(state_->mutex);
    auto& cur = *state_->content;
    for (const auto& [k, e] : cur.objects) {
      auto ns = next->pool.find(cur.pool.get(k.ns));
      if (!ns || !next->objects.contains(Key{*ns, k.name})) {
        gone.push_back(std::string(cur.pool.get(k.ns)) + "/" + k.name);
      }
    }
    old = std::exchange(state_->content, std::move(next));
  }
  return gone;  // `old` is freed here, outside the lock
}

std::optional<std::string> ObjectCache::find(std::string_view namespace_name, std::string_view name) const {
  std::shared_lock lock(state_->mutex);
  auto& c = *state_->content;
  auto ns = c.pool.find(namespace_name);
  if (!ns) return std::nullopt;
  auto it = c.objects.find(Key{*ns, std::string(name)});
  if (it == c.objects.end()) return std::nullopt;
  return decompress(it->second);
}

std::optional<CachedMeta> ObjectCache::find_meta(std::string_view namespace_name, std::string_view name) const {
  std::shared_lock lock(state_->mutex);
  auto& c = *state_->content;
  auto ns = c.pool.find(namespace_name);
  if (!ns) return std::nullopt;
  auto it = c.objects.find(Key{*ns, std::string(name)});
  if (it == c.objects.end()) return std::nullopt;
  return CachedMeta{std::string(namespace_name), std::string(name), it->second.resource_version};
}

core::Page<std::string> ObjectCache::list(std::string_view namespace_name, const core::ListOptions& options) const {
  std::shared_lock lock(state_->mutex);
  const auto& c = *state_->content;
  using Item = std::pair<const Key*, const Entry*>;
  std::vector<Item> items;
  auto first = c.objects.begin(), last = c.objects.end();
  if (!namespace_name.empty()) {
    auto ns = c.pool.find(namespace_name);
    if (!ns) return {};
    first = c.objects.lower_bound(Key{*ns, ""});
    last = c.objects.lower_bound(Key{*ns + 1, ""});
  }
  const auto& selector = options.label_selector;
  for (auto it = first; it != last; ++it) {
    const auto& [key, entry] = *it;
    if (!options.name.empty() && key.name.find(options.name) == std::string::npos) continue;
    if (!selector.empty()) {
      const auto& labels = entry.labels;
      bool ok = selector.matches_lookup([&](std::string_view k) -> std::optional<std::string_view> {
        for (const auto& [lk, lv] : labels) {
          if (c.pool.get(lk) == k) return c.pool.get(lv);
        }
        return std::nullopt;
      });
      if (!ok) continue;
    }
    items.emplace_back(&key, &entry);
  }
  auto by_key = [&](const Item& a, const Item& b) {
    if (a.first->ns != b.first->ns) return c.pool.get(a.first->ns) < c.pool.get(b.first->ns);
    return a.first->name < b.first->name;
  };
  bool ascending = options.order == core::SortOrder::Ascending;
  if (options.sort_by == "name") {
    std::sort(items.begin(), items.end(), [&](const Item& a, const Item& b) {
      if (a.first->name != b.first->name)
        return ascending ? a.first->name < b.first->name : a.first->name > b.first->name;
      return by_key(a, b);
    });
  } else {
    std::sort(items.begin(), items.end(), [&](const Item& a, const Item& b) {
      if (a.second->created != b.second->created) {
        return ascending ? a.second->created < b.second->created : a.second->created > b.second->created;
      }
      return by_key(a, b);
    });
  }
  core::Page<std::string> page;
  page.total = static_cast<std::int64_t>(items.size());
  auto begin =
      std::min<std::size_t>(items.size(), static_cast<std::size_t>(std::max<std::int64_t>(0, options.offset())));
  auto end =
      std::min<std::size_t>(items.size(), begin + static_cast<std::size_t>(std::max<std::int64_t>(0, options.limit)));
  page.items.reserve(end - begin);
  for (auto i = begin; i < end; ++i) page.items.push_back(decompress(*items[i].second));
  return page;
}

std::vector<std::string> ObjectCache::keys(std::string_view namespace_name) const {
  std::shared_lock lock(state_->mutex);
  const auto& c = *state_->content;
  std::vector<std::string> out;
  for (const auto& [k, e] : c.objects) {
    auto ns = c.pool.get(k.ns);
    if (!namespace_name.empty() && ns != namespace_name) continue;
    out.push_back(std::string(ns) + "/" + k.name);
  }
  return out;
}

std::size_t ObjectCache::size() const {
  std::shared_lock lock(state_->mutex);
  return state_->content->objects.size();
}

std::size_t ObjectCache::memory_bytes() const {
  std::shared_lock lock(state_->mutex);
  const auto& c = *state_->content;
  // A std::map node: three pointers and a colour next to the value, in one allocation.
  constexpr std::size_t kNode = 4 * sizeof(void*) + sizeof(Key) + sizeof(Entry) + kHeapOverhead;
  std::size_t n = sizeof(State) + sizeof(State::Content) + c.pool.memory_bytes();
  std::vector<const Dictionary*> dicts;
  for (const auto& [k, e] : c.objects) {
    n += kNode + heap_bytes(k.name) + heap_bytes(e.resource_version) + heap_bytes(e.blob);
    if (!e.labels.empty()) n += e.labels.capacity() * sizeof(e.labels[0]) + kHeapOverhead;
    if (e.dict && std::find(dicts.begin(), dicts.end(), e.dict.get()) == dicts.end()) dicts.push_back(e.dict.get());
  }
  if (c.dict && std::find(dicts.begin(), dicts.end(), c.dict.get()) == dicts.end()) dicts.push_back(c.dict.get());
  for (const auto* d : dicts) n += d->bytes();
  return n;
}

}  // namespace atrium::kube
