#include "tenancy/workspace.h"

#include <gtest/gtest.h>

namespace atrium::tenancy {
namespace {

TEST(WorkspaceTest, ValidDocumentDecodes) {
  auto doc = core::parse_json(R"({"apiVersion":"tenant.atrium.io/v1","kind":"Workspace",
      "metadata":{"name":"merchant-platform"},"spec":{"displayName":"Merchant","clusters":["sandbox","production"]}})");
  ASSERT_TRUE(doc);
  auto ws = workspace_type().decode(*doc);
  ASSERT_TRUE(ws) << ws.error().message;
  EXPECT_EQ(ws->at("spec").at("clusters").as_array().size(), 2u);
}

TEST(WorkspaceTest, InvalidNamesAndClustersAreRefused) {
  for (const char* bad : {R"({"metadata":{"name":"Merchant"}})", R"({"metadata":{"name":"a/b"}})",
                          R"({"metadata":{"name":"ok"},"spec":{"clusters":["Bad Cluster"]}})",
                          R"({"metadata":{"name":"ok"},"spec":{"owner":"x"}})"}) {
    auto doc = core::parse_json(bad);
    ASSERT_TRUE(doc);
    EXPECT_FALSE(workspace_type().decode(*doc)) << bad;
  }
}

}  // namespace
}  // namespace atrium::tenancy
