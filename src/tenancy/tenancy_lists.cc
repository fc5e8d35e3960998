#include "tenancy/tenancy_lists.h"

namespace atrium::tenancy {

core::Result<storage::ListResult> list_visible(storage::Store& store, const std::string& kind, const std::string& scope,
                                               const core::ListOptions& options,
                                               const std::function<bool(const storage::StoredObject&)>& visible) {
  core::ListOptions scan = options;
  scan.limit = core::ListOptions::kMaxLimit;
  storage::ListResult out;
  std::int64_t seen = 0, skip = options.offset();
  for (scan.page = 1;; ++scan.page) {
    auto r = store.list(kind, scope, storage::Store::ScopeMatch::Exact, scan);
    if (!r) return core::fail(r.error());
    for (auto& o : r->items) {
      if (!visible(o)) continue;
      if (out.total >= skip && static_cast<std::int64_t>(out.items.size()) < options.limit) {
        out.items.push_back(std::move(o));
      }
      ++out.total;
    }
    seen += static_cast<std::int64_t>(r->items.size());
    if (seen >= r->total || r->items.empty()) break;
  }
  return out;
}

core::Result<std::shared_ptr<const storage::ListResult>> list_visible_shared(
    storage::Store& store, const std::string& kind, const std::string& scope, const core::ListOptions& options,
    bool sees_all, const std::function<bool(const storage::StoredObject&)>& visible) {
  if (sees_all) return store.list_shared(kind, scope, storage::Store::ScopeMatch::Exact, options);
  auto filtered = list_visible(store, kind, scope, options, visible);
  if (!filtered) return core::fail(filtered.error());
  return std::make_shared<const storage::ListResult>(std::move(*filtered));
}

}  // namespace atrium::tenancy
