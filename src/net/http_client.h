// A blocking HTTP client over libcurl for the CLI, the Kubernetes client and tests: keep-alive across calls on
// one client, TLS with a CA (file or PEM in memory), client certificates in memory, or insecure mode; whole
// responses or streamed bodies (watches, log follow). Not thread-safe: one client per thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/error.h"
#include "net/http.h"

namespace atrium::net {

struct HttpClientOptions {
  std::chrono::milliseconds timeout{30'000};
  std::string ca_file;                 // PEM bundle to trust; empty = system default
  std::string ca_pem;                  // PEM bundle in memory; takes precedence over ca_file
  std::string client_certificate_pem;  // client certificate and key in memory (mutual TLS)
  std::string client_key_pem;
  bool insecure_skip_verify = false;
};

// Receives a streamed body piece by piece; returning false stops the transfer (the request then succeeds with
// the status and headers seen so far). While the stream is silent the sink is also called with an empty chunk
// about once a second, so a caller can stop a quiet stream (a watch with no events) promptly.
using BodySink = std::function<bool(std::string_view chunk)>;

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

  // Like request, but the body goes to `sink` as it arrives instead of into ClientResponse::body, and
  // options.timeout bounds only the connection (a watch may last hours); `idle_timeout` ends a stream that sends
  // nothing for that long (DeadlineExceeded). Only a 2xx body is streamed; any other status's body (its first
  // 64 KiB) is returned in ClientResponse::body, so the caller can read the error.
  core::Result<ClientResponse> stream(std::string_view method, const std::string& url, const Headers& headers,
                                      const BodySink& sink,
                                      std::chrono::milliseconds idle_timeout = std::chrono::minutes(5));

 private:
  core::Result<ClientResponse> perform(std::string_view method, const std::string& url, const Headers& headers,
                                       std::string_view body, const BodySink* sink,
                                       std::chrono::milliseconds idle_timeout);
  struct State;
  std::unique_ptr<State> state_;
  HttpClientOptions options_;
};

}  // namespace atrium::net
