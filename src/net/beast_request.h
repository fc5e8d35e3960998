// Internal to net: the bridge between Beast's request type and Atrium's HttpRequest, shared by the server and
// parse_http_request so both take one path. Includes Beast: only net's .cc files may include it.
// Pure functions; thread-safe.
#pragma once

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "core/error.h"
#include "net/http.h"

namespace atrium::net {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

// Converts a parsed request, moving the body out of `msg` (its header stays usable, e.g. for a WebSocket
// accept). peer_address, tls and request_id are left for the caller. InvalidArgument on a bad target.
core::Result<HttpRequest> to_http_request(BeastRequest& msg);

// The error a failed request read is reported as: ResourceExhausted for an oversized header (answered 431),
// PayloadTooLarge for an oversized body (413), InvalidArgument for any other parse error (400).
core::Error error_for_read_error(const boost::beast::error_code& ec);

// The HTTP status for an error of error_for_read_error.
int status_for_read_error(const core::Error& e);

}  // namespace atrium::net
