#include "api/responses.h"

namespace atrium::api {

net::HttpResponse json_response(int status, std::string body) {
  net::HttpResponse r;
  r.status = status;
  r.headers.add("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

net::HttpResponse json_response(int status, const core::json::value& body) {
  return json_response(status, core::json::serialize(body));
}

net::HttpResponse error_response(const core::Error& error) {
  net::HttpResponse r = json_response(core::http_status(error), core::status_body(error));
  if (error.code == core::ErrorCode::Unauthenticated) r.headers.add("WWW-Authenticate", "Bearer realm=\"atrium\"");
  return r;
}

net::HttpResponse success_status(std::string message) {
  core::json::object o{{"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", core::json::object()},
                       {"status", "Success"}, {"message", message}, {"code", 200}};
  return json_response(200, core::json::value(std::move(o)));
}

}  // namespace atrium::api
