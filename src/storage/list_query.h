// How SqliteStore and PostgresStore list: validation of the options, the SQL of a list (one statement per
// combination of options, built once), and in-process label-selector filtering + paging.
// Everything here is pure or immutable after start-up; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/list_options.h"
#include "storage/object_rules.h"
#include "storage/store.h"

namespace atrium::storage {

// Validates sort field, page and limit (they may come from code, not only from parse_list_options).
core::Status validate_list_options(const core::ListOptions& options);

// A parameterised statement; `params` names what to bind at each position (1-based in SQL).
struct ListStatement {
  enum class Param { Kind, Scope, NameSubstring, Limit, Offset };
  std::string sql;
  std::vector<Param> params;
};

// How to run one list:
// - without a label selector, `page` is an indexed ORDER BY ... LIMIT/OFFSET query whose rows carry the match
//   count as a 9th column (`total`); `count` gives the total when the page comes back empty;
// - with a label selector, `page` returns every candidate in order (8 columns, no paging) and the caller filters
//   and pages them with SelectorPager.
struct ListPlan {
  ListStatement page;
  ListStatement count;
  bool filter_in_process = false;
};

// Returns the plan for the options (validated first with validate_list_options). The plans are built once.
const ListPlan& list_plan(SqlDialect dialect, Store::ScopeMatch match, const core::ListOptions& options);

// Applies a label selector to candidates arriving in list order and picks the requested page.
class SelectorPager {
 public:
  SelectorPager(const core::LabelSelector& selector, std::int64_t offset, std::int64_t limit)
      : selector_(selector), offset_(offset), limit_(limit) {}
  // True when the candidate with these labels (JSON object text) matches and lies on the page.
  // Internal when the stored labels are not a JSON object.
  core::Result<bool> admit(std::string_view labels_json);
  // Matching candidates seen so far (the list total once all are seen).
  std::int64_t total() const { return matched_; }

 private:
  const core::LabelSelector& selector_;
  std::int64_t offset_;
  std::int64_t limit_;
  std::int64_t matched_ = 0;
};

}  // namespace atrium::storage
