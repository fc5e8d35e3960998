#include "tenancy/quantity.h"

#include <gtest/gtest.h>

namespace atrium::tenancy {
namespace {

TEST(QuantityTest, KubernetesForms) {
  EXPECT_EQ(*parse_quantity_milli("4"), 4000);
  EXPECT_EQ(*parse_quantity_milli("500m"), 500);
  EXPECT_EQ(*parse_quantity_milli("1.5"), 1500);
  EXPECT_EQ(*parse_quantity_milli("8Gi"), 8LL * 1024 * 1024 * 1024 * 1000);
  EXPECT_EQ(*parse_quantity_milli("2k"), 2'000'000);
  EXPECT_EQ(*parse_quantity_milli("1M"), 1'000'000'000);
  EXPECT_EQ(*parse_quantity_milli("0.5Ki"), 512'000);
  EXPECT_EQ(*parse_quantity_milli("0"), 0);
  EXPECT_EQ(*parse_quantity_milli("0.0001"), 1);  // rounds up to one milli-unit
  EXPECT_EQ(format_quantity_milli(8LL * 1024 * 1024 * 1024 * 1000), "8Gi");
  EXPECT_EQ(format_quantity_milli(500), "500m");
  EXPECT_EQ(format_quantity_milli(6000), "6");
}

TEST(QuantityTest, HostileQuantitiesAreRefused) {
  for (const char* bad : {"1e999",
                          "-1",
                          "Gi",
                          "1.5.5",
                          "",
                          " 1",
                          "1 ",
                          "+1",
                          "1e3",
                          "1.",
                          ".5",
                          "1gi",
                          "1Kii",
                          "99999999999999999999",
                          "9Ei",
                          "10000000000000000E",
                          "1\n",
                          "0x10",
                          "NaN",
                          "inf",
                          "1.0000000001"}) {
    auto q = parse_quantity_milli(bad);
    EXPECT_FALSE(q) << "\"" << bad << "\" parsed as " << (q ? *q : 0);
    if (!q) {
      EXPECT_EQ(q.error().code, core::ErrorCode::InvalidArgument);
      EXPECT_NE(q.error().message.find("is not a quantity"), std::string::npos);
    }
  }
  EXPECT_NE(parse_quantity_milli("-1").error().message.find("negative"), std::string::npos);
}

}  // namespace
}  // namespace atrium::tenancy
