#include "cli/api_client.h"

#include <fmt/format.h>

namespace atrium::cli {

namespace json = core::json;
using core::ErrorCode;

#ifndef ATRIUM_VERSION
#define ATRIUM_VERSION "dev"
#endif

namespace {

core::Status check_path(std::string_view path) {
  if (path.empty() || path.front() != '/' || path.substr(0, 2) == "//") {
    return core::fail(ErrorCode::InvalidArgument,
                      "API path must start with a single '/', e.g. /api/v1/workspaces (not a full URL)");
  }
  for (char c : path) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F || c == '#') {
      return core::fail(ErrorCode::InvalidArgument,
                        "API path must not contain spaces, control characters or '#' (percent-encode them)");
    }
  }
  return {};
}

}  // namespace

ApiClient::ApiClient(ApiClientOptions options) : options_(std::move(options)) {
  net::HttpClientOptions http;
  http.timeout = options_.timeout;
  http.ca_file = options_.ca_file;
  http.insecure_skip_verify = options_.insecure_skip_tls_verify;
  http_ = std::make_unique<net::HttpClient>(std::move(http));
  transport_ = [this](std::string_view method, const std::string& url, const net::Headers& headers,
                      std::string_view body) { return http_->request(method, url, headers, body); };
}

ApiClient::ApiClient(ApiClientOptions options, Transport transport)
    : options_(std::move(options)), transport_(std::move(transport)) {}

ApiClient::~ApiClient() = default;

core::Result<json::value> ApiClient::get(std::string_view path) { return send("GET", path, nullptr, {}); }
core::Result<json::value> ApiClient::post(std::string_view path, const json::value& body) {
  return send("POST", path, &body, "application/json");
}
core::Result<json::value> ApiClient::put(std::string_view path, const json::value& body) {
  return send("PUT", path, &body, "application/json");
}
core::Result<json::value> ApiClient::patch(std::string_view path, const json::value& body) {
  return send("PATCH", path, &body, "application/merge-patch+json");
}
core::Result<json::value> ApiClient::del(std::string_view path) { return send("DELETE", path, nullptr, {}); }

core::Result<json::value> ApiClient::send(std::string_view method, std::string_view path, const json::value* body,
                                          std::string_view content_type) {
  if (options_.server.empty()) {
    return core::fail(ErrorCode::FailedPrecondition,
                      "no server configured: pass --server, set ATRIUM_SERVER or run `atrium config set-server URL`");
  }
  if (auto s = check_path(path); !s) return tl::unexpected(s.error());
  const std::string url = options_.server + std::string(path);

  net::Headers headers;
  headers.add("Accept", "application/json");
  headers.add("User-Agent", "atrium-cli/" ATRIUM_VERSION);
  if (!options_.token.empty()) headers.add("Authorization", "Bearer " + options_.token);
  std::string payload;
  if (body != nullptr) {
    headers.add("Content-Type", std::string(content_type));
    payload = json::serialize(*body);
  }

  auto response = transport_(method, url, headers, payload);
  if (!response) {
    // Say which request failed, unless the transport's message already does.
    if (response.error().message.find(url) != std::string::npos) return tl::unexpected(response.error());
    return tl::unexpected(response.error().with_context(fmt::format("{} {}", method, url)));
  }

  if (response->status < 200 || response->status > 299) {
    return tl::unexpected(core::error_from_status_body(response->status, response->body));
  }
  if (response->body.empty()) return json::value(nullptr);
  auto doc = core::parse_json(response->body, core::JsonLimits{kMaxResponseBytes, 128});
  if (!doc) {
    return core::fail(ErrorCode::Internal, fmt::format("{} {} answered {} with a body that is not JSON ({})", method,
                                                       url, response->status, doc.error().message));
  }
  return doc;
}

std::string encode_path_segment(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  const bool dots_only = !segment.empty() && segment.find_first_not_of('.') == std::string_view::npos;
  std::string out;
  for (char ch : segment) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '_' || c == '~' || (c == '.' && !dots_only);
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

}  // namespace atrium::cli
