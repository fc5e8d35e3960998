#include "net/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace atrium::net {
namespace {

std::once_flag g_curl_global_init;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// libcurl callbacks: C code calls them, so nothing may throw through.
std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  try {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
  } catch (...) {
    return 0;  // aborts the transfer
  }
}

struct StreamTarget {
  const BodySink* sink = nullptr;
  CURL* curl = nullptr;
  std::string* error_body = nullptr;
  bool stopped = false;
};

std::size_t on_stream_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* target = static_cast<StreamTarget*>(user);
  try {
    long status = 0;
    curl_easy_getinfo(target->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) {  // an error answer is kept for the caller, not streamed
      if (target->error_body->size() < 64 * 1024) target->error_body->append(data, size * count);
      return size * count;
    }
    if (!(*target->sink)(std::string_view(data, size * count))) {
      target->stopped = true;
      return 0;  // CURLE_WRITE_ERROR, reported as success below
    }
    return size * count;
  } catch (...) {
    target->stopped = true;
    return 0;
  }
}

// Called by libcurl about once a second even while a stream is silent: the sink gets an empty chunk and may stop.
int on_stream_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* target = static_cast<StreamTarget*>(user);
  try {
    if (!(*target->sink)(std::string_view())) {
      target->stopped = true;
      return 1;  // CURLE_ABORTED_BY_CALLBACK, reported as success below
    }
    return 0;
  } catch (...) {
    target->stopped = true;
    return 1;
  }
}

void set_blob(CURL* curl, CURLoption option, const std::string& pem) {
  curl_blob blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY};
  curl_easy_setopt(curl, option, &blob);
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  try {
    auto* headers = static_cast<Headers*>(user);
    std::string_view line = trim(std::string_view(data, size * count));
    if (line.substr(0, 5) == "HTTP/") {
      *headers = Headers();  // a new response (e.g. after 100 Continue) starts a fresh header block
    } else if (auto colon = line.find(':'); colon != std::string_view::npos && colon > 0) {
      headers->add(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
    }
    return size * count;
  } catch (...) {
    return 0;
  }
}

core::ErrorCode code_for(CURLcode rc) {
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return core::ErrorCode::DeadlineExceeded;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_BAD_FUNCTION_ARGUMENT:
      return core::ErrorCode::InvalidArgument;
    case CURLE_OUT_OF_MEMORY:
      return core::ErrorCode::ResourceExhausted;
    default:
      return core::ErrorCode::Unavailable;  // refused, reset, DNS, TLS handshake or verification
  }
}

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

bool append_header(Slist& list, const std::string& line) {
  curl_slist* next = curl_slist_append(list.get(), line.c_str());
  if (!next) return false;
  (void)list.release();
  list.reset(next);
  return true;
}

}  // namespace

struct HttpClient::State {
  CURL* curl = nullptr;
  ~State() {
    if (curl) curl_easy_cleanup(curl);
  }
};

HttpClient::HttpClient(HttpClientOptions options) : state_(std::make_unique<State>()), options_(std::move(options)) {
  std::call_once(g_curl_global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  state_->curl = curl_easy_init();
}

HttpClient::~HttpClient() = default;

core::Result<ClientResponse> HttpClient::request(std::string_view method, const std::string& url,
                                                 const Headers& headers, std::string_view body) {
  return perform(method, url, headers, body, nullptr, {});
}

core::Result<ClientResponse> HttpClient::stream(std::string_view method, const std::string& url, const Headers& headers,
                                                const BodySink& sink, std::chrono::milliseconds idle_timeout) {
  return perform(method, url, headers, {}, &sink, idle_timeout);
}

core::Result<ClientResponse> HttpClient::perform(std::string_view method, const std::string& url,
                                                 const Headers& headers, std::string_view body, const BodySink* sink,
                                                 std::chrono::milliseconds idle_timeout) {
  CURL* curl = state_->curl;
  if (!curl) return core::fail(core::ErrorCode::Internal, "libcurl could not be initialised");
  // Resets options only; the connection cache of the handle survives, which is what gives keep-alive.
  curl_easy_reset(curl);

  ClientResponse response;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  std::string method_text(method);
  long timeout_ms = static_cast<long>(std::max<std::int64_t>(1, options_.timeout.count()));

  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  StreamTarget stream_target{sink, curl, &response.body};
  if (sink) {
    // A stream has no overall deadline; one that stays silent for idle_timeout is ended (speed below 1 B/s).
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,
                     static_cast<long>(std::max<std::int64_t>(1, idle_timeout.count() / 1000)));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &on_stream_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &stream_target);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &on_stream_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &stream_target);
  } else {
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  }
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  if (!options_.ca_pem.empty()) {
    set_blob(curl, CURLOPT_CAINFO_BLOB, options_.ca_pem);
  } else if (!options_.ca_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  }
  if (!options_.client_certificate_pem.empty()) {
    set_blob(curl, CURLOPT_SSLCERT_BLOB, options_.client_certificate_pem);
    curl_easy_setopt(curl, CURLOPT_SSLCERTTYPE, "PEM");
    set_blob(curl, CURLOPT_SSLKEY_BLOB, options_.client_key_pem);
    curl_easy_setopt(curl, CURLOPT_SSLKEYTYPE, "PEM");
  }
  if (options_.insecure_skip_verify) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }

  bool has_body = !body.empty() || method_text == "POST" || method_text == "PUT" || method_text == "PATCH";
  if (method_text == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (method_text == "GET" && !has_body) {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    if (has_body) {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.empty() ? "" : body.data());
    }
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method_text.c_str());
  }

  Slist header_list;
  bool has_expect = false;
  bool has_content_type = false;
  for (const auto& [name, value] : headers.items()) {
    has_expect = has_expect || iequals(name, "expect");
    has_content_type = has_content_type || iequals(name, "content-type");
    // "Name;" is libcurl's spelling of a header with an empty value ("Name:" would remove it).
    if (!append_header(header_list, value.empty() ? name + ";" : name + ": " + value)) {
      return core::fail(core::ErrorCode::ResourceExhausted, "out of memory building request headers");
    }
  }
  // No 100-continue round trip, and no form content type libcurl would otherwise invent for a body.
  if (!has_expect && !append_header(header_list, "Expect:")) {
    return core::fail(core::ErrorCode::ResourceExhausted, "out of memory building request headers");
  }
  if (has_body && !has_content_type && !append_header(header_list, "Content-Type:")) {
    return core::fail(core::ErrorCode::ResourceExhausted, "out of memory building request headers");
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list.get());

  CURLcode rc = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  if ((rc == CURLE_WRITE_ERROR || rc == CURLE_ABORTED_BY_CALLBACK) && stream_target.stopped) {
    rc = CURLE_OK;  // the sink asked to stop
  }
  if (sink) curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 1L);
  if (rc != CURLE_OK) {
    std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc);
    return core::fail(code_for(rc), method_text + " " + url + ": " + detail);
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

}  // namespace atrium::net
