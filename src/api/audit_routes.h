// GET /api/v1/audit: the audit log with filters (user, verb, resource, outcome, workspace, project, since,
// until), paging and time order. Platform admins and auditors see everything; with ?workspace=<ws> a caller
// allowed to list audit events in that workspace sees that workspace's events. Thread-safe.
#pragma once

#include "api/router.h"
#include "audit/audit_log.h"
#include "core/auth.h"

namespace atrium::api {

inline constexpr const char* kAuditGroup = "audit.atrium.io";
inline constexpr const char* kAuditResource = "auditevents";

// `authorizer` may be null (bootstrap mode: every authenticated caller is the administrator).
void register_audit_routes(Router& router, audit::AuditLog& log, core::Authorizer* authorizer);

}  // namespace atrium::api
