#include "api/request_body.h"

#include <fmt/format.h>

namespace atrium::api {

core::Result<core::json::value> parse_json_body(const net::HttpRequest& req) {
  if (auto ct = req.header("Content-Type"); ct && !ct->empty()) {
    std::string_view t = *ct;
    if (!(t.starts_with("application/json") || t.starts_with("application/merge-patch+json"))) {
      return core::fail(
          core::Error(core::ErrorCode::InvalidArgument,
                      fmt::format("Content-Type \"{}\" is not supported; send application/json", t.substr(0, 80))));
    }
  }
  if (req.body.empty()) return core::fail(core::ErrorCode::InvalidArgument, "the request body is empty");
  return core::parse_json(req.body);
}

}  // namespace atrium::api
