// Builds net::HttpRequest values the way the HTTP server does, for handler tests without sockets.
#pragma once

#include <string>

#include "net/http.h"

namespace atrium::api::testing {

inline net::HttpRequest make_request(std::string method, std::string target, std::string body = {},
                                     std::string bearer = "good-token") {
  net::HttpRequest r;
  r.method = std::move(method);
  r.target = target;
  auto q = target.find('?');
  r.raw_path = target.substr(0, q);
  net::percent_decode(r.raw_path, r.path);
  if (q != std::string::npos) net::parse_query(target.substr(q + 1), r.query);
  r.body = std::move(body);
  if (!r.body.empty()) r.headers.add("Content-Type", "application/json");
  if (!bearer.empty()) r.headers.add("Authorization", "Bearer " + bearer);
  r.peer_address = "127.0.0.1";
  return r;
}

}  // namespace atrium::api::testing
