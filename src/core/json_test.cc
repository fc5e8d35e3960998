#include "core/json.h"

#include <gtest/gtest.h>

namespace atrium::core {
namespace {

TEST(JsonTest, ParsesValidDocument) {
  auto v = parse_json(R"({"a":[1,2,{"b":"c"}]})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->at("a").as_array().size(), 3u);
}

TEST(JsonTest, RejectsHostileInput) {
  for (std::string bad :
       std::vector<std::string>{"", "{", "{\"a\":", "[1,2", "{\"a\" 1}", "nul", "{} {}", "\"\\uZZZZ\"", "{\"a\":1,}",
                                std::string("{\"a\":\"\0\"}", 9), "\xff\xfe", "01"}) {
    auto v = parse_json(bad);
    EXPECT_FALSE(v) << "accepted: " << bad;
    if (!v) {
      EXPECT_EQ(v.error().code, ErrorCode::InvalidArgument) << bad;
      EXPECT_FALSE(v.error().message.empty());
    }
  }
}

TEST(JsonTest, TruncatedDocumentSaysSo) {
  auto v = parse_json(R"({"metadata":{"name":"x")");
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message.find("truncated"), std::string::npos) << v.error().message;
}

TEST(JsonTest, RejectsTooDeepNesting) {
  std::string deep(10000, '[');
  auto v = parse_json(deep);
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message.find("nesting"), std::string::npos) << v.error().message;
}

TEST(JsonTest, RejectsOversizedDocument) {
  std::string big = "\"" + std::string(2000, 'x') + "\"";
  auto v = parse_json(big, JsonLimits{.max_bytes = 1000, .max_depth = 8});
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, ErrorCode::PayloadTooLarge);
}

TEST(JsonTest, AppendsEscapedString) {
  std::string out;
  append_json_string(out, "a\"b\n\x01");
  EXPECT_EQ(out, "\"a\\\"b\\n\\u0001\"");
}

TEST(JsonTest, ParsesIntoAGivenResourceAndSerialisesIntoAReusedBuffer) {
  json::monotonic_resource mr;
  JsonLimits limits;
  limits.storage = json::storage_ptr(&mr);
  auto v = parse_json(R"({"a":[1,2,{"b":"a string long enough to allocate"}]})", limits);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->storage().get(), &mr);
  std::string out = "previous content";
  serialize_into(*v, out);
  EXPECT_EQ(out, R"({"a":[1,2,{"b":"a string long enough to allocate"}]})");
  std::string big(10000, 'x');
  json::value long_value = json::string(big);
  serialize_into(long_value, out);  // larger than the serializer's 4 KB steps
  EXPECT_EQ(out, "\"" + big + "\"");
  EXPECT_FALSE(parse_json("{\"a\":", limits));  // errors are still reported with a custom resource
}

}  // namespace
}  // namespace atrium::core
