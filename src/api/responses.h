// Building HTTP responses the one way the whole API answers: JSON bodies, and errors as a
// Kubernetes-style Status with the matching HTTP status. Pure functions; thread-safe.
#pragma once

#include <string>

#include "core/error.h"
#include "core/json.h"
#include "net/http.h"

namespace atrium::api {

net::HttpResponse json_response(int status, std::string body);
net::HttpResponse json_response(int status, const core::json::value& body);
net::HttpResponse error_response(const core::Error& error);
// {"kind":"Status","status":"Success",...} for deletions.
net::HttpResponse success_status(std::string message);

}  // namespace atrium::api
