// ObjectCache: the Indexer behind an Informer — the objects of one (cluster, resource), kept compact and indexed
// so that API lists (namespace, label selector, name filter, sort, page) are served without the apiserver.
// Objects are stored as zstd-compressed JSON (with a dictionary trained on the cache's own objects) plus the few
// metadata fields lists need (interned strings), never as JSON trees; see docs/design/kube.md for the memory
// budget (<= 3 KB per realistic Pod). Thread-safe: any number of concurrent readers, writers serialised.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "core/list_options.h"

namespace atrium::kube {

enum class CacheChange { Added, Modified, Deleted, Unchanged };

enum class ManagedFields {
  Drop,  // metadata.managedFields is removed before storing (what lists and the console show anyway)
  Keep,
};

struct ObjectCacheOptions {
  ManagedFields managed_fields = ManagedFields::Drop;
  // zstd level; level 1 keeps the dictionary's compression tables small (80 KB against 440 KB at level 3).
  int compression_level = 1;
  // A compression dictionary is trained once this many objects are held, and again at each relist this large.
  std::size_t dictionary_threshold = 128;
  std::size_t dictionary_bytes = 32 * 1024;
};

// The metadata of one stored object that callers (informers, API lists) need without decompressing it.
struct CachedMeta {
  std::string namespace_name;
  std::string name;
  std::string resource_version;
};

class ObjectCache {
 public:
  explicit ObjectCache(ObjectCacheOptions options = {});
  ~ObjectCache();
  ObjectCache(const ObjectCache&) = delete;
  ObjectCache& operator=(const ObjectCache&) = delete;

  // Inserts or replaces an object from its JSON text as the apiserver sent it. InvalidArgument when the text is
  // not a JSON object with metadata.name. An object whose resourceVersion equals the stored one is Unchanged.
  core::Result<CacheChange> upsert(std::string_view json);
  // Removes by key; false when absent.
  bool remove(std::string_view namespace_name, std::string_view name);
  // Replaces the whole content in one step (after a relist): readers see the old or the new set, never a mix.
  // Returns the keys that disappeared, as "namespace/name", so an informer can emit Deleted for them. On an
  // invalid object nothing is replaced.
  core::Result<std::vector<std::string>> replace(const std::vector<std::string>& jsons);

  // The same, one object at a time, so a relist never holds every object's text at once (each list page can be
  // dropped as soon as its objects are added): begin_replace(), add() each object, commit(). Objects are
  // compressed as they come, with a dictionary trained on the first ones. Nothing is visible before commit().
  class Replacement {
   public:
    Replacement(Replacement&&) noexcept;
    Replacement& operator=(Replacement&&) noexcept;
    ~Replacement();
    // InvalidArgument when the text is not a JSON object with metadata.name (commit then refuses too).
    core::Status add(std::string_view json);
    // The same from a parsed object (spares parsing its text again); managedFields may be erased from it.
    core::Status add(core::json::value& object);
    std::size_t size() const;

   private:
    friend class ObjectCache;
    struct Impl;
    explicit Replacement(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
  };
  Replacement begin_replace() const;
  core::Result<std::vector<std::string>> commit(Replacement replacement);

  // The object's JSON text (decompressed), or nullopt.
  std::optional<std::string> find(std::string_view namespace_name, std::string_view name) const;
  std::optional<CachedMeta> find_meta(std::string_view namespace_name, std::string_view name) const;

  // Lists JSON texts: only `namespace_name` when non-empty; options.name (substring of metadata.name),
  // options.label_selector, sort by name or creationTimestamp (ties broken by namespace/name), page and limit.
  // Only the returned page is decompressed.
  core::Page<std::string> list(std::string_view namespace_name, const core::ListOptions& options) const;
  // Every "namespace/name" key, in `namespace_name` only when non-empty (cheap; for counts and deletes).
  std::vector<std::string> keys(std::string_view namespace_name = {}) const;

  std::size_t size() const;
  // Bytes held by the cache (objects, indexes, interned strings, dictionaries), for metrics and benchmarks.
  std::size_t memory_bytes() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace atrium::kube
