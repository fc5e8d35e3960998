// Lists filtered by what the caller may see: pages through a kind in a scope with the caller's sort and filters,
// keeps the items `visible` accepts, then pages the result, so `total` counts only visible items.
// Thread-safe as the Store is.
#pragma once

#include <functional>

#include "storage/store.h"

namespace atrium::tenancy {

core::Result<storage::ListResult> list_visible(storage::Store& store, const std::string& kind, const std::string& scope,
                                               const core::ListOptions& options,
                                               const std::function<bool(const storage::StoredObject&)>& visible);

}  // namespace atrium::tenancy
