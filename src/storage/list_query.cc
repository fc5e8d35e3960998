#include "storage/list_query.h"

#include <fmt/format.h>

#include <array>
#include <limits>
#include <map>

#include "core/json.h"

namespace atrium::storage {
namespace {

// Builds the list statements for one combination of options; `ph(n)` writes placeholder n.
ListPlan build_plan(SqlDialect dialect, Store::ScopeMatch match, bool by_name, bool descending, bool name_filter,
                    bool selector) {
  using Param = ListStatement::Param;
  auto ph = [&](std::size_t n) {
    return dialect == SqlDialect::Sqlite ? fmt::format("?{}", n) : fmt::format("${}", n);
  };
  std::vector<Param> params = {Param::Kind};
  std::string where = "kind = " + ph(1);
  if (match == Store::ScopeMatch::Exact) {
    params.push_back(Param::Scope);
    where += " AND scope = " + ph(params.size());
  }
  if (name_filter) {
    // A plain substring search: no LIKE pattern, so '%', '_' and '\' in the filter match literally, and it is
    // case-sensitive on both backends (SQLite's LIKE is not).
    params.push_back(Param::NameSubstring);
    where +=
        fmt::format(" AND {}(name, {}) > 0", dialect == SqlDialect::Sqlite ? "instr" : "strpos", ph(params.size()));
  }
  const char* dir = descending ? " DESC" : "";
  // Scope breaks the remaining ties so that pages are stable when listing across scopes.
  std::string order =
      by_name ? fmt::format("name{0}, scope{0}", dir) : fmt::format("created_at_ms{0}, name{0}, scope{0}", dir);
  ListPlan plan;
  plan.filter_in_process = selector;
  plan.count.sql = fmt::format("SELECT count(*) FROM objects WHERE {}", where);
  plan.count.params = params;
  if (selector) {
    plan.page.sql = fmt::format("SELECT {} FROM objects WHERE {} ORDER BY {}", kObjectColumns, where, order);
    plan.page.params = params;
  } else {
    std::vector<Param> page_params = params;
    page_params.push_back(Param::Limit);
    page_params.push_back(Param::Offset);
    // The count is an uncorrelated scalar subquery: evaluated once, over the same snapshot, by both engines.
    plan.page.sql = fmt::format(
        "SELECT {0}, (SELECT count(*) FROM objects WHERE {1}) FROM objects WHERE {1} ORDER BY {2} "
        "LIMIT {3} OFFSET {4}",
        kObjectColumns, where, order, ph(page_params.size() - 1), ph(page_params.size()));
    plan.page.params = std::move(page_params);
  }
  return plan;
}

std::size_t plan_index(SqlDialect dialect, Store::ScopeMatch match, bool by_name, bool descending, bool name_filter,
                       bool selector) {
  return (dialect == SqlDialect::Postgres ? 16 : 0) + (match == Store::ScopeMatch::All ? 8 : 0) + (by_name ? 4 : 0) +
         (descending ? 2 : 0) + (name_filter ? 1 : 0) + (selector ? 32 : 0);
}

std::array<ListPlan, 64> build_all_plans() {
  std::array<ListPlan, 64> plans;
  for (auto dialect : {SqlDialect::Sqlite, SqlDialect::Postgres}) {
    for (auto match : {Store::ScopeMatch::Exact, Store::ScopeMatch::All}) {
      for (bool by_name : {false, true}) {
        for (bool descending : {false, true}) {
          for (bool name_filter : {false, true}) {
            for (bool selector : {false, true}) {
              plans[plan_index(dialect, match, by_name, descending, name_filter, selector)] =
                  build_plan(dialect, match, by_name, descending, name_filter, selector);
            }
          }
        }
      }
    }
  }
  return plans;
}

}  // namespace

core::Status validate_list_options(const core::ListOptions& options) {
  if (options.sort_by != "name" && options.sort_by != "creationTimestamp") {
    return core::fail(core::ErrorCode::InvalidArgument,
                      fmt::format("cannot sort by \"{}\": use name or creationTimestamp", options.sort_by));
  }
  if (options.limit < 1) return core::fail(core::ErrorCode::InvalidArgument, "list limit must be at least 1");
  if (options.page < 1) return core::fail(core::ErrorCode::InvalidArgument, "list page must be at least 1");
  if (options.page - 1 > std::numeric_limits<std::int64_t>::max() / options.limit) {
    return core::fail(core::ErrorCode::InvalidArgument, "list page is too large");
  }
  return {};
}

const ListPlan& list_plan(SqlDialect dialect, Store::ScopeMatch match, const core::ListOptions& options) {
  static const std::array<ListPlan, 64> plans = build_all_plans();
  return plans[plan_index(dialect, match, options.sort_by == "name", options.order == core::SortOrder::Descending,
                          !options.name.empty(), !options.label_selector.empty())];
}

core::Result<bool> SelectorPager::admit(std::string_view labels_json) {
  auto parsed = core::parse_json(labels_json);
  if (!parsed || !parsed->is_object()) {
    return core::fail(core::ErrorCode::Internal, "stored labels are not a JSON object");
  }
  std::map<std::string, std::string, std::less<>> labels;
  for (const auto& [k, v] : parsed->as_object()) {
    if (v.is_string()) labels.emplace(std::string(k), std::string(v.as_string()));
  }
  if (!selector_.matches(labels)) return false;
  std::int64_t index = matched_++;
  return index >= offset_ && index - offset_ < limit_;
}

}  // namespace atrium::storage
