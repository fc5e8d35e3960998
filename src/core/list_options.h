// List conventions shared by every list endpoint: paging, sorting, name filter and label selector
// (`page`, `limit`, `sortBy`, `ascending`, `name`, `labelSelector`, the way KubeSphere users know them).
// Value types; parse functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace atrium::core {

// One requirement of a Kubernetes label selector.
struct LabelRequirement {
  enum class Op { Equals, NotEquals, In, NotIn, Exists, DoesNotExist };
  std::string key;
  Op op = Op::Exists;
  std::vector<std::string> values;
};

// Parsed `labelSelector`, e.g. "app=api,tier!=db,env in (sandbox,prod),!legacy". All requirements must hold.
class LabelSelector {
 public:
  static Result<LabelSelector> parse(std::string_view text);
  bool empty() const { return requirements_.empty(); }
  bool matches(const std::map<std::string, std::string, std::less<>>& labels) const;
  // The same test over any label storage: `find` returns a label's value, or nullopt when absent.
  using LabelLookup = std::function<std::optional<std::string_view>(std::string_view key)>;
  bool matches_lookup(const LabelLookup& find) const;
  const std::vector<LabelRequirement>& requirements() const { return requirements_; }

 private:
  std::vector<LabelRequirement> requirements_;
};

enum class SortOrder { Ascending, Descending };

struct ListOptions {
  static constexpr std::int64_t kDefaultLimit = 100;
  static constexpr std::int64_t kMaxLimit = 1000;

  std::int64_t page = 1;  // 1-based
  std::int64_t limit = kDefaultLimit;
  std::string sort_by = "creationTimestamp";  // "name" or "creationTimestamp"
  SortOrder order = SortOrder::Descending;
  std::string name;  // substring filter on metadata.name
  LabelSelector label_selector;

  std::int64_t offset() const { return (page - 1) * limit; }
};

// Builds ListOptions from query parameters; an unknown sortBy, a non-numeric page or a bad selector is
// InvalidArgument naming the parameter. Unrelated parameters are ignored.
Result<ListOptions> parse_list_options(const std::multimap<std::string, std::string, std::less<>>& query);

template <class T>
struct Page {
  std::vector<T> items;
  std::int64_t total = 0;  // matching items before paging
};

}  // namespace atrium::core
