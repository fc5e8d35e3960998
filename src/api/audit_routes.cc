#include "api/audit_routes.h"

#include <fmt/format.h>

#include "api/responses.h"

namespace atrium::api {

void register_audit_routes(Router& router, audit::AuditLog& log, core::Authorizer* authorizer) {
  router.add(Route{
      .method = "GET",
      .pattern = "/api/v1/audit",
      .handler = [&log, authorizer](RouteContext& ctx) -> core::Result<net::HttpResponse> {
        auto q = audit::parse_audit_query(ctx.request.query);
        if (!q) return core::fail(q.error());
        if (authorizer) {
          // The scope comes from the filter: without ?workspace= the caller asks for the whole platform.
          core::AccessRequest access{.verb = "list", .api_group = kAuditGroup, .resource = kAuditResource};
          if (!q->workspace.empty()) {
            access.scope.level = core::Scope::Level::Workspace;
            access.scope.workspace = q->workspace;
          }
          auto d = authorizer->authorize(ctx.principal, access);
          if (!d.allowed) {
            return core::fail(core::ErrorCode::PermissionDenied,
                              fmt::format("user \"{}\" may not {}", ctx.principal.user,
                                          d.reason.empty() ? std::string("list audit events") : d.reason));
          }
        }
        auto page = log.query(*q);
        if (!page) return core::fail(page.error());
        return json_response(200, core::json::value(std::move(*page)));
      },
      .summary = "Search the audit log",
      .api_group = kAuditGroup,
  });
}

}  // namespace atrium::api
