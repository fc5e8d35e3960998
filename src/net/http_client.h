// A blocking HTTP client over libcurl for the CLI and for tests: keep-alive across calls on one client,
// TLS with an optional CA file or insecure mode. Not thread-safe: one client per thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/error.h"
#include "net/http.h"

namespace atrium::net {

struct HttpClientOptions {
  std::chrono::milliseconds timeout{30'000};
  std::string ca_file;  // PEM bundle to trust; empty = system default
  bool insecure_skip_verify = false;
};

struct ClientResponse {
  int status = 0;
  Headers headers;
  std::string body;
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request. Transport failures (refused, timeout, TLS) are Unavailable/DeadlineExceeded;
  // any HTTP status, including 4xx/5xx, is a successful ClientResponse.
  core::Result<ClientResponse> request(std::string_view method, const std::string& url, const Headers& headers = {},
                                       std::string_view body = {});

 private:
  struct State;
  std::unique_ptr<State> state_;
  HttpClientOptions options_;
};

}  // namespace atrium::net
