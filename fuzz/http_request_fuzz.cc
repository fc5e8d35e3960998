// libFuzzer target: arbitrary bytes through the request-parsing path of net::HttpServer (Beast's parser with
// the server's limits, then target splitting, percent-decoding and query parsing). Must never crash or leak.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "net/request_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  atrium::net::RequestLimits limits;
  limits.max_header_bytes = 8 * 1024;
  limits.max_body_bytes = 64 * 1024;
  auto request = atrium::net::parse_http_request(raw, limits);
  if (request) {
    // Touch what handlers read, so the sanitizers see every field.
    (void)request->query_param("limit");
    (void)request->header("host");
    std::string decoded;
    (void)atrium::net::percent_decode(request->raw_path, decoded);
  }
  return 0;
}
