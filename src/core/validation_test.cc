#include "core/validation.h"

#include <gtest/gtest.h>

namespace atrium::core {
namespace {

TEST(ValidationTest, Dns1123Label) {
  for (const char* ok : {"a", "merchant-sandbox", "a1", "0abc"}) EXPECT_EQ(validate_dns1123_label(ok), "") << ok;
  for (std::string bad : {std::string(""), std::string("-a"), std::string("a-"), std::string("Abc"), std::string("a_b"),
                          std::string("a.b"), std::string(64, 'a'), std::string("a\0b", 3), std::string("../etc"),
                          std::string("a b"), std::string("é")}) {
    EXPECT_NE(validate_dns1123_label(bad), "") << bad;
  }
}

TEST(ValidationTest, Dns1123Subdomain) {
  EXPECT_EQ(validate_dns1123_subdomain("a.b-c.d"), "");
  EXPECT_NE(validate_dns1123_subdomain("a..b"), "");
  EXPECT_NE(validate_dns1123_subdomain(".a"), "");
  EXPECT_NE(validate_dns1123_subdomain(std::string(254, 'a')), "");
}

TEST(ValidationTest, LabelKeysAndValues) {
  EXPECT_EQ(validate_label_key("app"), "");
  EXPECT_EQ(validate_label_key("atrium.io/workspace"), "");
  EXPECT_EQ(validate_label_key("My_Key.v1"), "");
  EXPECT_NE(validate_label_key("a/b/c"), "");
  EXPECT_NE(validate_label_key("/x"), "");
  EXPECT_NE(validate_label_key("UPPER.io/x"), "");
  EXPECT_EQ(validate_label_value(""), "");
  EXPECT_EQ(validate_label_value("v1.2_x"), "");
  EXPECT_NE(validate_label_value("-v"), "");
  EXPECT_NE(validate_label_value(std::string(64, 'v')), "");
}

}  // namespace
}  // namespace atrium::core
