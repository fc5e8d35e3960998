// Internal to net: turns the bytes of one HTTP/1.x request into an HttpRequest along the same path the server
// takes (Beast's request_parser, then target splitting and percent-decoding). Exposed for tests and fuzzing.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

#include "core/error.h"
#include "net/http.h"

namespace atrium::net {

struct RequestLimits {
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 4 * 1024 * 1024;
};

// Parses one complete request from `raw`. Errors: InvalidArgument (malformed or truncated request, bad target),
// ResourceExhausted (header over max_header_bytes), PayloadTooLarge (body over max_body_bytes).
// Bytes after the first request are ignored.
core::Result<HttpRequest> parse_http_request(std::string_view raw, const RequestLimits& limits);

// Fills path, raw_path and query from req.target. Accepts origin-form ("/a?b"), absolute-form
// ("http://host/a?b") and "*" for OPTIONS. InvalidArgument on anything else, on a malformed percent escape,
// or on a path that decodes to a NUL byte.
core::Status parse_request_target(HttpRequest& req);

}  // namespace atrium::net
