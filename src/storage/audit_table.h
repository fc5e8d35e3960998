// How SqliteStore and PostgresStore keep the audit log's table (`audit_events`, created by migration 2 of each
// backend): validation of records and filters, and the SQL of a query, built from the filters present so that
// each query is answered by the index of its most selective column (every index ends in time_ms, id, so the
// sort and the time range come from the index too). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "storage/object_rules.h"
#include "storage/store.h"

namespace atrium::storage {

inline constexpr std::size_t kMaxAuditIdBytes = 256;
inline constexpr std::size_t kMaxAuditFieldBytes = 1024;

// InvalidArgument naming the record and field (see Store::append_audit).
core::Status validate_audit_record(const AuditRecord& record);
// InvalidArgument for a bad page or limit (see Store::query_audit).
core::Status validate_audit_filter(const AuditFilter& filter);

// The columns an insert writes, in this order ($1/?1 ... $9/?9).
inline constexpr std::string_view kAuditInsertColumns =
    "id, time_ms, user_name, verb, resource, outcome, workspace, project, data";

// One statement and its parameters, in placeholder order: text values, or integers (`is_int`).
struct AuditParam {
  std::string text;
  std::int64_t value = 0;
  bool is_int = false;
};
struct AuditStatement {
  std::string sql;
  std::vector<AuditParam> params;
};

// `page` selects the page's `data` and, as a second column, the number of matches; `count` gives that number
// when the page is empty.
struct AuditPlan {
  AuditStatement page;
  AuditStatement count;
};
AuditPlan audit_plan(SqlDialect dialect, const AuditFilter& filter);

}  // namespace atrium::storage
