// What the caller is and may do, for clients that show only what a user may use (the console):
//   GET  /api/v1/whoami        → {"user","groups":[...],"authMethod"}
//   POST /api/v1/accessreviews → the caller's own access checks, answered by the same authoriser as every request:
//        {"checks":[{"verb","apiGroup","resource","subresource","name",
//                    "scope":{"cluster","workspace","project"} | {"cluster","namespace"}}, ...]}
//        → {"results":[{"allowed":bool,"reason":"..."}, ...]} in the same order (at most 200 checks).
// A user can only ask about themselves. Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include "api/router.h"
#include "core/auth.h"

namespace atrium::api {

class AccessReviewRoutes {
 public:
  using NamespaceScope = std::function<std::optional<core::Scope>(std::string_view cluster, std::string_view ns)>;
  AccessReviewRoutes(core::Authorizer& authorizer, NamespaceScope namespace_scope);
  void register_routes(Router& router) const;

  static constexpr std::size_t kMaxChecks = 200;

 private:
  core::Result<net::HttpResponse> review(RouteContext& ctx) const;

  core::Authorizer& authorizer_;
  NamespaceScope namespace_scope_;
};

}  // namespace atrium::api
