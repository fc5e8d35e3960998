// The one JSON library of Atrium (Boost.JSON), with bounded parsing and the Kubernetes-style Status body.
// Free functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "core/error.h"

namespace atrium::core {

namespace json = boost::json;

struct JsonLimits {
  std::size_t max_bytes = 4 * 1024 * 1024;
  std::size_t max_depth = 64;
  // Where the parsed value's memory comes from (default: the heap). A monotonic resource makes a large,
  // short-lived document one block to free (Kubernetes list pages); it must outlive the value.
  json::storage_ptr storage;
};

// Serialises `v` into `out` (cleared first), reusing its capacity: no allocation once `out` is large enough.
void serialize_into(const json::value& v, std::string& out);

// Parses one JSON document; malformed, truncated, too deep or too large input is InvalidArgument
// with the byte offset where parsing stopped.
Result<json::value> parse_json(std::string_view text, const JsonLimits& limits = {});

// {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":...,"reason":...,
//  "details":{"causes":[{"field":...,"message":...}]},"code":N}
json::object status_json(const Error& e);
std::string status_body(const Error& e);

// Reads a Status body produced by status_json back into an Error (used by clients).
Error error_from_status_body(int http_status, std::string_view body);

// Appends `s` to `out` as a JSON string literal (quoted, escaped).
void append_json_string(std::string& out, std::string_view s);

}  // namespace atrium::core
