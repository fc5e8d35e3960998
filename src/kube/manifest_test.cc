#include "kube/manifest.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace atrium::kube {
namespace {

namespace json = core::json;

json::value only(std::string_view text) {
  auto docs = parse_manifests(text);
  EXPECT_TRUE(docs) << docs.error().message;
  if (!docs || docs->size() != 1) return json::value();
  return (*docs)[0];
}

core::Error refused(std::string_view text, const ManifestLimits& limits = {}) {
  auto docs = parse_manifests(text, limits);
  EXPECT_FALSE(docs) << text.substr(0, 200);
  return docs ? core::Error() : docs.error();
}

TEST(Manifest, MultiDocumentYamlBecomesJsonObjects) {
  auto docs = parse_manifests(R"(# a comment first
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: sandbox
---
# nothing but a comment: skipped
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports:
  - port: 80
    targetPort: 8080
)");
  ASSERT_TRUE(docs) << docs.error().message;
  ASSERT_EQ(docs->size(), 2u);
  EXPECT_EQ((*docs)[0].at("kind").as_string(), "ConfigMap");
  EXPECT_EQ((*docs)[0].at("data").at("mode").as_string(), "sandbox");
  EXPECT_EQ((*docs)[1].at("metadata").at("name").as_string(), "web");
  EXPECT_EQ((*docs)[1].at("spec").at("ports").at(0).at("port").as_int64(), 80);
}

TEST(Manifest, ScalarsAreTypedAsKubectlTypesThem) {
  auto v = only(R"(
int: 3
negative: -7
octal: 0644
hex: 0x1F
underscores: 1_000
float: 1.5
whole_float: 1e3
yes_bool: yes
off_bool: Off
true_bool: true
null_value: ~
empty:
quoted: "3"
single: 'true'
literal: |
  line
tagged_str: !!str 42
tagged_int: !!int "12"
text: hello world
version: 1.20.2
big: 18446744073709551615
)");
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v.at("int").as_int64(), 3);
  EXPECT_EQ(v.at("negative").as_int64(), -7);
  EXPECT_EQ(v.at("octal").as_int64(), 420) << "YAML 1.1 octal, as kubectl reads defaultMode: 0644";
  EXPECT_EQ(v.at("hex").as_int64(), 31);
  EXPECT_EQ(v.at("underscores").as_int64(), 1000);
  EXPECT_DOUBLE_EQ(v.at("float").as_double(), 1.5);
  EXPECT_EQ(v.at("whole_float").as_int64(), 1000) << "a whole number is written without a fraction";
  EXPECT_EQ(v.at("yes_bool").as_bool(), true);
  EXPECT_EQ(v.at("off_bool").as_bool(), false);
  EXPECT_EQ(v.at("true_bool").as_bool(), true);
  EXPECT_TRUE(v.at("null_value").is_null());
  EXPECT_TRUE(v.at("empty").is_null());
  EXPECT_EQ(v.at("quoted").as_string(), "3");
  EXPECT_EQ(v.at("single").as_string(), "true");
  EXPECT_EQ(v.at("literal").as_string(), "line\n");
  EXPECT_EQ(v.at("tagged_str").as_string(), "42");
  EXPECT_EQ(v.at("tagged_int").as_int64(), 12);
  EXPECT_EQ(v.at("text").as_string(), "hello world");
  EXPECT_EQ(v.at("version").as_string(), "1.20.2");
  EXPECT_EQ(v.at("big").as_uint64(), 18446744073709551615ull);
}

TEST(Manifest, JsonIsReadAsJson) {
  auto v = only(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"n":"1"}})");
  EXPECT_EQ(v.at("data").at("n").as_string(), "1");
  // YAML flow syntax that is not JSON still works.
  auto flow = only("{kind: ConfigMap, metadata: {name: b}}");
  EXPECT_EQ(flow.at("metadata").at("name").as_string(), "b");
}

TEST(Manifest, EmptyInputHasNoDocuments) {
  for (const char* text : {"", "   \n", "---\n", "# only a comment\n", "---\n---\n"}) {
    auto docs = parse_manifests(text);
    ASSERT_TRUE(docs) << text;
    EXPECT_TRUE(docs->empty()) << text;
  }
}

TEST(Manifest, HostileInputIsRefusedWithTheDocumentNamed) {
  auto e = refused("kind: A\n---\nkind: B\nkind: C\n");
  EXPECT_EQ(e.code, core::ErrorCode::InvalidArgument);
  ASSERT_FALSE(e.causes.empty());
  EXPECT_EQ(e.causes[0].field, "[1]") << e.message;
  EXPECT_NE(e.message.find("duplicate key"), std::string::npos) << e.message;

  EXPECT_NE(refused("kind: [unclosed\n").message.find("line"), std::string::npos);
  EXPECT_EQ(refused("- a\n- b\n").causes[0].field, "[0]");
  EXPECT_EQ(refused("plain scalar\n").causes[0].field, "[0]");
  EXPECT_NE(refused("a: &x {b: 1}\nc:\n  <<: *x\n").message.find("merge"), std::string::npos);
  EXPECT_NE(refused("replicas: .inf\n").message.find("JSON"), std::string::npos);
  EXPECT_NE(refused("data: !!binary aGVsbG8=\n").message.find("tag"), std::string::npos);
  EXPECT_NE(refused("data: !custom x\n").message.find("tag"), std::string::npos);
  EXPECT_NE(refused("n: !!int abc\n").message.find("not a valid"), std::string::npos);
  EXPECT_NE(refused("? [a, b]\n: c\n").message.find("key"), std::string::npos);
  EXPECT_EQ(refused(std::string("kind: a\0b\n", 10)).code, core::ErrorCode::InvalidArgument);
  EXPECT_EQ(refused("kind: \xff\xfe\n").code, core::ErrorCode::InvalidArgument);

  // Nesting, flow and block, and documents beyond the limits.
  EXPECT_EQ(refused(std::string(100000, '[')).code, core::ErrorCode::InvalidArgument);
  std::string block = "a:\n";
  for (int i = 1; i < 100; ++i) block += std::string(i * 2, ' ') + "a:\n";
  EXPECT_NE(refused(block).message.find("deeper"), std::string::npos);
  ManifestLimits few;
  few.max_documents = 2;
  EXPECT_NE(refused("a: 1\n---\na: 2\n---\na: 3\n", few).message.find("documents"), std::string::npos);
  ManifestLimits small;
  small.max_bytes = 10;
  EXPECT_EQ(refused("kind: ConfigMap\n", small).code, core::ErrorCode::PayloadTooLarge);
}

TEST(Manifest, AliasBombsAndCyclesStop) {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    bomb += fmt::format("{}: &{} [", c, c);
    for (int i = 0; i < 10; ++i) bomb += fmt::format("{}*{}", i ? ", " : "", static_cast<char>(c - 1));
    bomb += "]\n";
  }
  auto e = refused(bomb);
  EXPECT_NE(e.message.find("aliases"), std::string::npos) << e.message;
  // An alias to the node that holds it: an error or a finite value, never endless recursion.
  auto cycle = parse_manifests("a: &x [*x]\n");
  if (cycle) {
    EXPECT_LE(cycle->size(), 1u);
  }
  // Plain aliases within the limits are expanded.
  auto v = only("labels: &l {app: web}\nselector: *l\n");
  EXPECT_EQ(v.at("selector").at("app").as_string(), "web");
}

}  // namespace
}  // namespace atrium::kube
