// Lists filtered by what the caller may see: pages through a kind in a scope with the caller's sort and filters,
// keeps the items `visible` accepts, then pages the result, so `total` counts only visible items.
// Thread-safe as the Store is.
#pragma once

#include <functional>
#include <memory>

#include "storage/store.h"

namespace atrium::tenancy {

core::Result<storage::ListResult> list_visible(storage::Store& store, const std::string& kind, const std::string& scope,
                                               const core::ListOptions& options,
                                               const std::function<bool(const storage::StoredObject&)>& visible);

// The same, shared and immutable; when the caller may see everything in the scope (`sees_all`), the store's cached
// snapshot is returned as is, without a per-item check or a copy (the hot path of an administrator's console).
core::Result<std::shared_ptr<const storage::ListResult>> list_visible_shared(
    storage::Store& store, const std::string& kind, const std::string& scope, const core::ListOptions& options,
    bool sees_all, const std::function<bool(const storage::StoredObject&)>& visible);

}  // namespace atrium::tenancy
