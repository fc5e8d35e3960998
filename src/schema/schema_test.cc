#include "schema/schema.h"

#include <gtest/gtest.h>

#include "schema/resource.h"

namespace atrium::schema {
namespace {

struct Port {
  std::string name;
  std::int64_t port = 0;
  static const Struct<Port>& schema() {
    static const auto s = Struct<Port>("Port")
                              .field("name", &Port::name, {.format = Format::Dns1123Label})
                              .field("port", &Port::port, {.required = true, .minimum = 1, .maximum = 65535});
    return s;
  }
};

struct WidgetSpec {
  std::string display_name;
  std::string owner_email;
  std::string tier;
  std::int64_t replicas = 0;
  bool paused = false;
  std::string password;
  std::vector<std::string> clusters;
  std::vector<Port> ports;
  std::optional<Port> primary;
  StringMap selector;
  static const Struct<WidgetSpec>& schema() {
    static const auto s =
        Struct<WidgetSpec>("WidgetSpec")
            .field("displayName", &WidgetSpec::display_name, {.required = true, .max_length = 32})
            .field("ownerEmail", &WidgetSpec::owner_email, {.format = Format::Email})
            .field("tier", &WidgetSpec::tier, {.one_of = {"gold", "silver"}})
            .field("replicas", &WidgetSpec::replicas, {.minimum = 0, .maximum = 100})
            .field("paused", &WidgetSpec::paused)
            .field("password", &WidgetSpec::password, {.write_only = true})
            .field("clusters", &WidgetSpec::clusters, {.format = Format::Dns1123Label, .max_items = 3})
            .field("ports", &WidgetSpec::ports)
            .field("primary", &WidgetSpec::primary)
            .field("selector", &WidgetSpec::selector, {.format = Format::LabelKey});
    return s;
  }
};

struct WidgetStatus {
  std::string phase;
  static const Struct<WidgetStatus>& schema() {
    static const auto s =
        Struct<WidgetStatus>("WidgetStatus").field("phase", &WidgetStatus::phase, {.read_only = true});
    return s;
  }
};

ResourceType widget_type() {
  return ResourceType(ResourceInfo{.group = "test.atrium.io", .version = "v1", .kind = "Widget", .plural = "widgets"},
                      WidgetSpec::schema(), &WidgetStatus::schema());
}

json::value parse(std::string_view s) { return *core::parse_json(s); }

std::vector<std::string> fields_of(const core::Error& e) {
  std::vector<std::string> out;
  for (const auto& c : e.causes) out.push_back(c.field);
  return out;
}

TEST(SchemaTest, DecodesAndEncodesTypedStruct) {
  auto w = WidgetSpec::schema().decode_value(
      parse(R"({"displayName":"A","replicas":3,"paused":true,"password":"s3cret","clusters":["sandbox"],
               "ports":[{"name":"http","port":8080}],"primary":{"port":443},"selector":{"app":"api"}})"),
      "widget");
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w->replicas, 3);
  EXPECT_TRUE(w->paused);
  EXPECT_EQ(w->ports.at(0).port, 8080);
  ASSERT_TRUE(w->primary);
  EXPECT_EQ(w->primary->port, 443);
  json::value back = WidgetSpec::schema().encode_value(*w);
  EXPECT_FALSE(back.as_object().contains("password")) << "write-only field leaked";
  EXPECT_FALSE(back.as_object().contains("tier")) << "empty optional field encoded";
  EXPECT_EQ(back.at("selector").at("app").as_string(), "api");
}

TEST(SchemaTest, RejectsUnknownFieldsWithTheirPath) {
  auto w = WidgetSpec::schema().decode_value(
      parse(R"({"displayName":"A","extra":1,"ports":[{"port":1},{"port":2,"protocol":"TCP"}]})"), "widget");
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code, core::ErrorCode::InvalidArgument);
  EXPECT_EQ(fields_of(w.error()), (std::vector<std::string>{"extra", "ports[1].protocol"}));
  EXPECT_NE(w.error().message.find("ports[1].protocol: unknown field"), std::string::npos) << w.error().message;
}

TEST(SchemaTest, ReportsEveryTypeAndConstraintViolation) {
  auto w = WidgetSpec::schema().decode_value(parse(R"({"displayName":"this display name is far too long for us",
      "ownerEmail":"not-an-email","tier":"bronze","replicas":101,"paused":"yes","clusters":["ok","Bad_Name","a","b"],
      "ports":[{"name":"http"},{"port":70000}],"primary":5,"selector":{"-bad":"x","ok":"-bad-"}})"),
                                             "widget");
  ASSERT_FALSE(w);
  EXPECT_EQ(fields_of(w.error()), (std::vector<std::string>{"displayName", "ownerEmail", "tier", "replicas", "paused",
                                                            "clusters", "ports[0].port", "ports[1].port", "primary",
                                                            "selector[\"-bad\"]", "selector[\"ok\"]"}));
}

TEST(SchemaTest, RejectsWrongJsonKindsEverywhere) {
  for (const char* doc : {"[]", "\"x\"", "1", "true", R"({"displayName":1})", R"({"displayName":null})",
                          R"({"displayName":"a","replicas":1.5})", R"({"displayName":"a","replicas":1e300})",
                          R"({"displayName":"a","replicas":18446744073709551615})",
                          R"({"displayName":"a","clusters":"sandbox"})", R"({"displayName":"a","selector":[]})",
                          R"({"displayName":"a","selector":{"k":1}})", R"({"displayName":"a\u0000b"})"}) {
    auto w = WidgetSpec::schema().decode_value(parse(doc), "widget");
    EXPECT_FALSE(w) << "accepted: " << doc;
  }
}

TEST(ResourceTypeTest, ValidatesEnvelopeAndName) {
  auto t = widget_type();
  auto ok = t.decode(parse(R"({"apiVersion":"test.atrium.io/v1","kind":"Widget",
      "metadata":{"name":"w-1","labels":{"app":"api"}},"spec":{"displayName":"W"},"status":{"phase":"Ready"}})"));
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->at("metadata").at("name").as_string(), "w-1");
  EXPECT_EQ(ok->at("status").at("phase").as_string(), "Ready");

  auto bad = t.decode(parse(R"({"apiVersion":"v2","kind":"Gadget","metadata":{"name":"W_1","bogus":1},
      "spec":{"displayName":"W"},"extra":{}})"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(fields_of(bad.error()),
            (std::vector<std::string>{"extra", "apiVersion", "kind", "metadata.bogus", "metadata.name"}));
  EXPECT_EQ(core::http_status(bad.error()), 422);

  auto missing = t.decode(parse(R"({"spec":{}})"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(fields_of(missing.error()), (std::vector<std::string>{"metadata", "spec.displayName"}));
}

TEST(ResourceTypeTest, HostileDocumentsGetBoundedAnswers) {
  auto t = widget_type();
  std::string many = R"({"metadata":{"name":"a"},"spec":{"displayName":"x")";
  for (int i = 0; i < 5000; ++i) many += ",\"f" + std::to_string(i) + "\":1";
  many += "}}";
  auto r = t.decode(parse(many));
  ASSERT_FALSE(r);
  EXPECT_LE(r.error().causes.size(), 50u);
  EXPECT_LT(r.error().message.size(), 1000u);
}

TEST(ResourceTypeTest, OpenApiComesFromTheSameDescription) {
  auto t = widget_type();
  OpenApiContext ctx;
  json::value ref = t.openapi(ctx);
  EXPECT_EQ(ref.at("$ref").as_string(), "#/components/schemas/Widget");
  const auto& spec = ctx.components().at("WidgetSpec").as_object();
  EXPECT_EQ(spec.at("additionalProperties").as_bool(), false);
  EXPECT_EQ(spec.at("required").as_array().at(0).as_string(), "displayName");
  EXPECT_EQ(spec.at("properties").at("replicas").at("maximum").as_int64(), 100);
  EXPECT_EQ(spec.at("properties").at("tier").at("enum").as_array().size(), 2u);
  EXPECT_EQ(spec.at("properties").at("password").at("writeOnly").as_bool(), true);
  EXPECT_EQ(spec.at("properties").at("ports").at("items").at("$ref").as_string(), "#/components/schemas/Port");
  EXPECT_TRUE(ctx.components().contains("ObjectMeta"));
}

}  // namespace
}  // namespace atrium::schema
