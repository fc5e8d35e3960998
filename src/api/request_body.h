// Reading a request's JSON body the one way every handler does: Content-Type application/json (or
// merge-patch+json), a non-empty body, bounded parsing. Pure; thread-safe.
#pragma once

#include "core/error.h"
#include "core/json.h"
#include "net/http.h"

namespace atrium::api {

// InvalidArgument (400) for another Content-Type, an empty body, or malformed/truncated/too deep JSON;
// PayloadTooLarge for a body over core::JsonLimits.
core::Result<core::json::value> parse_json_body(const net::HttpRequest& req);

}  // namespace atrium::api
