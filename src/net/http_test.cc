#include "net/http.h"

#include <gtest/gtest.h>

#include <string>

#include "net/request_parser.h"

namespace atrium::net {
namespace {

TEST(HeadersTest, LookupIsCaseInsensitiveAndKeepsOrder) {
  Headers h;
  h.add("Content-Type", "text/plain");
  h.add("X-Multi", "1");
  h.add("x-multi", "2");
  EXPECT_EQ(h.get("content-type"), "text/plain");
  EXPECT_EQ(h.get("X-MULTI"), "1");
  EXPECT_FALSE(h.get("missing").has_value());
  h.set("X-MULTI", "3");
  ASSERT_EQ(h.items().size(), 2u);
  EXPECT_EQ(h.items()[1].second, "3");
  h.remove("CONTENT-type");
  EXPECT_FALSE(h.get("content-type").has_value());
  h.set("New", "v");
  EXPECT_EQ(h.items().back().first, "New");
}

TEST(PercentEncodeTest, KeepsUnreservedAndRoundTripsEverythingElse) {
  EXPECT_EQ(percent_encode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(percent_encode("spec.nodeName=n 1/&?#%"), "spec.nodeName%3Dn%201%2F%26%3F%23%25");
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  std::string back;
  ASSERT_TRUE(percent_decode(percent_encode(all), back));
  EXPECT_EQ(back, all);
  EXPECT_EQ(percent_encode("\xc3\xa9"), "%C3%A9");  // bytes, not characters
}

TEST(PercentDecodeTest, DecodesValidEscapes) {
  std::string out;
  ASSERT_TRUE(percent_decode("/a%20b/%E2%9C%93/%2f", out));
  EXPECT_EQ(out, "/a b/\xE2\x9C\x93//");
  ASSERT_TRUE(percent_decode("a+b", out));
  EXPECT_EQ(out, "a+b");  // '+' is only a space in query strings
  ASSERT_TRUE(percent_decode("", out));
  EXPECT_EQ(out, "");
}

TEST(PercentDecodeTest, NulEscapeDecodesToNulByte) {
  std::string out;
  ASSERT_TRUE(percent_decode("a%00b", out));
  EXPECT_EQ(out, std::string("a\0b", 3));
}

TEST(PercentDecodeTest, RefusesMalformedEscapes) {
  std::string out;
  for (std::string_view bad : {"%", "%2", "abc%", "abc%4", "%zz", "%g0", "%0g", "%%", "%-1", "% 1", "%+1"}) {
    EXPECT_FALSE(percent_decode(bad, out)) << bad;
  }
}

TEST(PercentDecodeTest, HugeInputsAreLinear) {
  std::string big;
  for (int i = 0; i < 200'000; ++i) big += "%41";
  std::string out;
  ASSERT_TRUE(percent_decode(big, out));
  EXPECT_EQ(out, std::string(200'000, 'A'));
  big += "%4";
  EXPECT_FALSE(percent_decode(big, out));
}

TEST(ParseQueryTest, ParsesPairsRepeatsAndPlus) {
  QueryParams q;
  ASSERT_TRUE(parse_query("a=1&b=x%20y&a=2&flag&c=&d=p+q&&e=%3D%26", q));
  EXPECT_EQ(q.count("a"), 2u);
  EXPECT_EQ(q.find("b")->second, "x y");
  EXPECT_EQ(q.find("flag")->second, "");
  EXPECT_EQ(q.find("c")->second, "");
  EXPECT_EQ(q.find("d")->second, "p q");
  EXPECT_EQ(q.find("e")->second, "=&");
  EXPECT_EQ(q.size(), 7u);
}

TEST(ParseQueryTest, RefusesMalformedEscapesInKeyOrValue) {
  QueryParams q;
  EXPECT_FALSE(parse_query("a=%zz", q));
  EXPECT_FALSE(parse_query("%4=1", q));
  EXPECT_FALSE(parse_query("ok=1&bad=%", q));
}

TEST(ParseQueryTest, HugeQueryWithManyParams) {
  std::string query;
  for (int i = 0; i < 50'000; ++i) query += "k" + std::to_string(i % 10) + "=v&";
  QueryParams q;
  ASSERT_TRUE(parse_query(query, q));
  EXPECT_EQ(q.size(), 50'000u);
  EXPECT_EQ(q.count("k3"), 5'000u);
}

TEST(HttpRequestTest, QueryParamReturnsFirstValue) {
  HttpRequest r;
  ASSERT_TRUE(parse_query("x=1&x=2&y=3", r.query));
  EXPECT_EQ(r.query_param("x"), "1");
  EXPECT_EQ(r.query_param("y"), "3");
  EXPECT_FALSE(r.query_param("z").has_value());
  EXPECT_FALSE(r.query_param("").has_value());
}

TEST(RequestTargetTest, SplitsAndDecodesOriginForm) {
  HttpRequest r;
  r.method = "GET";
  r.target = "/api/v1/a%20b?limit=5&name=x%2By";
  ASSERT_TRUE(parse_request_target(r));
  EXPECT_EQ(r.raw_path, "/api/v1/a%20b");
  EXPECT_EQ(r.path, "/api/v1/a b");
  EXPECT_EQ(r.query_param("limit"), "5");
  EXPECT_EQ(r.query_param("name"), "x+y");
}

TEST(RequestTargetTest, AcceptsAbsoluteFormAndAsterisk) {
  HttpRequest r;
  r.method = "GET";
  r.target = "http://example.com:8080/x?y=1";
  ASSERT_TRUE(parse_request_target(r));
  EXPECT_EQ(r.path, "/x");
  EXPECT_EQ(r.query_param("y"), "1");
  r.target = "HTTPS://example.com";
  ASSERT_TRUE(parse_request_target(r));
  EXPECT_EQ(r.path, "/");
  r.method = "OPTIONS";
  r.target = "*";
  ASSERT_TRUE(parse_request_target(r));
  EXPECT_EQ(r.path, "*");
}

TEST(RequestTargetTest, RefusesHostileTargets) {
  for (std::string_view bad :
       {"", "relative", "*", "/a%zz", "/a%", "/a%00b", "/a?q=%x1", "/a#frag", "http://host?x=1"}) {
    HttpRequest r;
    r.method = "GET";
    r.target = std::string(bad);
    auto st = parse_request_target(r);
    ASSERT_FALSE(st) << bad;
    EXPECT_EQ(st.error().code, core::ErrorCode::InvalidArgument) << bad;
  }
}

TEST(ParseHttpRequestTest, ParsesCompleteRequest) {
  auto r = parse_http_request("POST /p/%7Euser?x=1 HTTP/1.1\r\nHost: h\r\nX-Test: a\r\nContent-Length: 5\r\n\r\nhello",
                              RequestLimits{});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->path, "/p/~user");
  EXPECT_EQ(r->raw_path, "/p/%7Euser");
  EXPECT_EQ(r->query_param("x"), "1");
  EXPECT_EQ(r->header("x-test"), "a");
  EXPECT_EQ(r->body, "hello");
}

TEST(ParseHttpRequestTest, ParsesChunkedBody) {
  auto r = parse_http_request(
      "PUT / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
      RequestLimits{});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->body, "abcde");
}

TEST(ParseHttpRequestTest, RefusesGarbageAndTruncation) {
  for (std::string_view bad :
       {std::string_view(""), std::string_view("\x16\x03\x01\x02\x00garbage"), std::string_view("GET\r\n\r\n"),
        std::string_view("GET / HTTP/1.1\r\nHost: h\r\n"), std::string_view("GET / HTTP/9.9\r\n\r\n"),
        std::string_view("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nshort"),
        std::string_view("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"),
        std::string_view("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
        std::string_view("GET /%zz HTTP/1.1\r\n\r\n"), std::string_view("GET / HTTP/1.1\r\nBad Header\r\n\r\n"),
        std::string_view("GET / HTTP/1.1\r\nX: a\0b\r\n\r\n", 26)}) {
    auto r = parse_http_request(bad, RequestLimits{});
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, core::ErrorCode::InvalidArgument) << bad;
  }
}

TEST(ParseHttpRequestTest, EnforcesHeaderAndBodyLimits) {
  RequestLimits limits{.max_header_bytes = 256, .max_body_bytes = 8};
  auto big_header = parse_http_request("GET / HTTP/1.1\r\nX: " + std::string(1000, 'a') + "\r\n\r\n", limits);
  ASSERT_FALSE(big_header);
  EXPECT_EQ(big_header.error().code, core::ErrorCode::ResourceExhausted);
  auto big_body = parse_http_request("POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\n123456789", limits);
  ASSERT_FALSE(big_body);
  EXPECT_EQ(big_body.error().code, core::ErrorCode::PayloadTooLarge);
  auto big_chunked = parse_http_request(
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n5\r\n12345\r\n0\r\n\r\n", limits);
  ASSERT_FALSE(big_chunked);
  EXPECT_EQ(big_chunked.error().code, core::ErrorCode::PayloadTooLarge);
  auto fits = parse_http_request("POST / HTTP/1.1\r\nContent-Length: 8\r\n\r\n12345678", limits);
  EXPECT_TRUE(fits);
}

TEST(ParseHttpRequestTest, HugeHeaderLineIsRefusedNotBuffered) {
  std::string raw = "GET /" + std::string(10 * 1024 * 1024, 'a') + " HTTP/1.1\r\n\r\n";
  auto r = parse_http_request(raw, RequestLimits{});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::ResourceExhausted);
}

}  // namespace
}  // namespace atrium::net
