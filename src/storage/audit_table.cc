#include "storage/audit_table.h"

#include <fmt/format.h>

#include <limits>
#include <utility>

#include "core/list_options.h"

namespace atrium::storage {
namespace {

core::Error invalid(std::string message) { return core::Error(core::ErrorCode::InvalidArgument, std::move(message)); }

}  // namespace

core::Status validate_audit_record(const AuditRecord& r) {
  if (r.id.empty() || r.id.size() > kMaxAuditIdBytes || !is_clean_utf8(r.id)) {
    return core::fail(
        invalid(fmt::format("audit record id must be 1 to {} bytes of UTF-8 without NUL", kMaxAuditIdBytes)));
  }
  const std::pair<const char*, const std::string*> fields[] = {{"user", &r.user},           {"verb", &r.verb},
                                                               {"resource", &r.resource},   {"outcome", &r.outcome},
                                                               {"workspace", &r.workspace}, {"project", &r.project}};
  for (const auto& [name, value] : fields) {
    if (value->size() > kMaxAuditFieldBytes || !is_clean_utf8(*value)) {
      return core::fail(invalid(fmt::format("audit record {}: {} must be at most {} bytes of UTF-8 without NUL",
                                            r.id.substr(0, 64), name, kMaxAuditFieldBytes)));
    }
  }
  if (!is_clean_utf8(r.data)) {
    return core::fail(invalid(fmt::format("audit record {}: data must be UTF-8 without NUL", r.id.substr(0, 64))));
  }
  return {};
}

core::Status validate_audit_filter(const AuditFilter& f) {
  if (f.limit < 1 || f.limit > core::ListOptions::kMaxLimit) {
    return core::fail(invalid(fmt::format("audit limit must be between 1 and {}", core::ListOptions::kMaxLimit)));
  }
  if (f.page < 1) return core::fail(invalid("audit page must be at least 1"));
  if (f.page - 1 > std::numeric_limits<std::int64_t>::max() / f.limit) {
    return core::fail(invalid("audit page is too large"));
  }
  return {};
}

AuditPlan audit_plan(SqlDialect dialect, const AuditFilter& f) {
  std::vector<AuditParam> params;
  auto ph = [&](std::size_t n, bool is_int) {
    if (dialect == SqlDialect::Sqlite) return fmt::format("?{}", n);
    return is_int ? fmt::format("${}::bigint", n) : fmt::format("${}", n);
  };
  std::string where;
  auto add = [&](std::string_view column, std::string_view op, AuditParam p) {
    params.push_back(std::move(p));
    where += fmt::format("{}{} {} {}", where.empty() ? " WHERE " : " AND ", column, op,
                         ph(params.size(), params.back().is_int));
  };
  // Only the filters present appear, so that the planner sees plain equalities it can match to an index.
  const std::pair<const char*, const std::string*> columns[] = {{"user_name", &f.user},      {"verb", &f.verb},
                                                                {"resource", &f.resource},   {"outcome", &f.outcome},
                                                                {"workspace", &f.workspace}, {"project", &f.project}};
  for (const auto& [column, value] : columns) {
    if (!value->empty()) add(column, "=", AuditParam{.text = *value});
  }
  if (f.since_ms) add("time_ms", ">=", AuditParam{.value = *f.since_ms, .is_int = true});
  if (f.until_ms) add("time_ms", "<=", AuditParam{.value = *f.until_ms, .is_int = true});

  AuditPlan plan;
  plan.count.sql = "SELECT count(*) FROM audit_events" + where;
  plan.count.params = params;
  const char* dir = f.order == core::SortOrder::Descending ? " DESC" : "";
  std::vector<AuditParam> page_params = params;
  page_params.push_back(AuditParam{.value = f.limit, .is_int = true});
  page_params.push_back(AuditParam{.value = (f.page - 1) * f.limit, .is_int = true});
  // The count is an uncorrelated scalar subquery: evaluated once, over the same snapshot, by both engines.
  plan.page.sql = fmt::format(
      "SELECT data, (SELECT count(*) FROM audit_events{0}) FROM audit_events{0} ORDER BY time_ms{1}, id{1} "
      "LIMIT {2} OFFSET {3}",
      where, dir, ph(page_params.size() - 1, true), ph(page_params.size(), true));
  plan.page.params = std::move(page_params);
  return plan;
}

}  // namespace atrium::storage
