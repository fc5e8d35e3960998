// The OpenAPI 3 document served at /api/v1/openapi.json, built from the registered routes and the
// resource types' own descriptions, so it cannot drift from what the server decodes. Pure; thread-safe.
#pragma once

#include <vector>

#include "api/router.h"
#include "schema/resource.h"

namespace atrium::api {

core::json::object build_openapi(const Router& router, const std::vector<const schema::ResourceType*>& types,
                                 std::string_view version);

}  // namespace atrium::api
