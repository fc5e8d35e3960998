#include "net/request_parser.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <string>

#include "net/beast_request.h"

namespace atrium::net {
namespace http = boost::beast::http;

namespace {

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

}  // namespace

core::Status parse_request_target(HttpRequest& req) {
  std::string_view target = req.target;
  if (target == "*") {
    if (req.method != "OPTIONS")
      return core::fail(core::ErrorCode::InvalidArgument, "request target '*' is only allowed for OPTIONS");
    req.raw_path = req.path = "*";
    return {};
  }
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (starts_with_nocase(target, scheme)) {
      std::string_view rest = target.substr(scheme.size());
      std::size_t slash = rest.find_first_of("/?");
      target = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
      if (!target.empty() && target.front() == '?')
        return core::fail(core::ErrorCode::InvalidArgument, "request target has no path");
      break;
    }
  }
  if (target.empty() || target.front() != '/') {
    return core::fail(core::ErrorCode::InvalidArgument, "request target must start with '/'");
  }
  if (target.find('#') != std::string_view::npos) {
    return core::fail(core::ErrorCode::InvalidArgument, "request target must not contain a fragment");
  }
  std::size_t q = target.find('?');
  req.raw_path = std::string(target.substr(0, q));
  if (!percent_decode(req.raw_path, req.path)) {
    return core::fail(core::ErrorCode::InvalidArgument, "malformed percent-escape in request path");
  }
  if (req.path.find('\0') != std::string::npos) {
    return core::fail(core::ErrorCode::InvalidArgument, "request path must not contain NUL");
  }
  req.query.clear();
  if (q != std::string_view::npos && !parse_query(target.substr(q + 1), req.query)) {
    return core::fail(core::ErrorCode::InvalidArgument, "malformed percent-escape in query string");
  }
  return {};
}

core::Result<HttpRequest> to_http_request(BeastRequest& msg) {
  HttpRequest req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  if (auto st = parse_request_target(req); !st) return core::fail(st.error());
  for (const auto& field : msg) {
    req.headers.add(std::string(field.name_string()), std::string(field.value()));
  }
  req.body = std::move(msg.body());
  msg.body().clear();
  return req;
}

core::Error error_for_read_error(const boost::beast::error_code& ec) {
  if (ec == http::error::header_limit) {
    return core::Error(core::ErrorCode::ResourceExhausted, "request header fields too large");
  }
  if (ec == http::error::body_limit) {
    return core::Error(core::ErrorCode::PayloadTooLarge, "request body too large");
  }
  return core::Error(core::ErrorCode::InvalidArgument, "malformed HTTP request: " + ec.message());
}

int status_for_read_error(const core::Error& e) {
  if (e.code == core::ErrorCode::ResourceExhausted) return 431;
  return core::http_status(e);
}

core::Result<HttpRequest> parse_http_request(std::string_view raw, const RequestLimits& limits) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(limits.max_header_bytes, UINT32_MAX)));
  parser.body_limit(limits.max_body_bytes);
  parser.eager(true);
  boost::beast::error_code ec;
  while (!parser.is_done()) {
    if (raw.empty()) {  // requests are framed by their header, so running out of input is truncation
      ec = parser.got_some() ? http::error::partial_message : http::error::end_of_stream;
      break;
    }
    std::size_t n = parser.put(boost::asio::buffer(raw.data(), raw.size()), ec);
    raw.remove_prefix(n);
    if (ec == http::error::need_more) {
      if (n == 0) {  // the rest of the input is an incomplete header or chunk
        ec = http::error::partial_message;
        break;
      }
      ec = {};
      continue;
    }
    if (ec) break;
  }
  if (ec) return core::fail(error_for_read_error(ec));
  BeastRequest msg = parser.release();
  return to_http_request(msg);
}

}  // namespace atrium::net
