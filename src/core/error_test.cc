#include "core/error.h"

#include <gtest/gtest.h>

#include "core/json.h"

namespace atrium::core {
namespace {

TEST(ErrorTest, MapsCodesToHttpStatusAndReason) {
  EXPECT_EQ(http_status(Error(ErrorCode::NotFound, "x")), 404);
  EXPECT_EQ(reason(Error(ErrorCode::NotFound, "x")), "NotFound");
  EXPECT_EQ(http_status(Error(ErrorCode::Conflict, "x")), 409);
  EXPECT_EQ(http_status(Error(ErrorCode::Unauthenticated, "x")), 401);
  EXPECT_EQ(http_status(Error(ErrorCode::PermissionDenied, "x")), 403);
  EXPECT_EQ(http_status(Error(ErrorCode::MethodNotAllowed, "x")), 405);
  EXPECT_EQ(http_status(Error(ErrorCode::InvalidArgument, "x")), 400);
  Error invalid(ErrorCode::InvalidArgument, "bad", {Cause{"metadata.name", "too long"}});
  EXPECT_EQ(http_status(invalid), 422);
  EXPECT_EQ(reason(invalid), "Invalid");
}

TEST(ErrorTest, StatusBodyRoundTrips) {
  Error e(ErrorCode::InvalidArgument, "workspace is invalid", {Cause{"spec.x", "unknown field"}});
  std::string body = status_body(e);
  auto v = parse_json(body);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->at("kind").as_string(), "Status");
  EXPECT_EQ(v->at("code").as_int64(), 422);
  EXPECT_EQ(v->at("reason").as_string(), "Invalid");
  Error back = error_from_status_body(422, body);
  EXPECT_EQ(back.code, ErrorCode::InvalidArgument);
  EXPECT_EQ(back.message, "workspace is invalid");
  ASSERT_EQ(back.causes.size(), 1u);
  EXPECT_EQ(back.causes[0].field, "spec.x");
}

TEST(ErrorTest, NonJsonErrorBodyBecomesMessage) {
  Error e = error_from_status_body(502, "<html>bad gateway</html>");
  EXPECT_EQ(e.code, ErrorCode::Internal);
  EXPECT_EQ(e.message, "<html>bad gateway</html>");
}

TEST(ErrorTest, WithContextPrefixesMessage) {
  Error e = Error(ErrorCode::NotFound, "no such file").with_context("reading config");
  EXPECT_EQ(e.message, "reading config: no such file");
  EXPECT_EQ(e.code, ErrorCode::NotFound);
}

}  // namespace
}  // namespace atrium::core
