#include "identity/password_policy.h"

#include <gtest/gtest.h>

namespace atrium::identity {
namespace {

std::vector<std::string> messages(std::string_view user, std::string_view password) {
  auto s = check_password(user, password, PasswordPolicy{});
  std::vector<std::string> out;
  if (s) return out;
  EXPECT_EQ(s.error().code, core::ErrorCode::InvalidArgument);
  for (const auto& c : s.error().causes) {
    EXPECT_EQ(c.field, "spec.password");
    out.push_back(c.message);
  }
  return out;
}

TEST(PasswordPolicyTest, AcceptsMixedAndLongPasswords) {
  EXPECT_TRUE(messages("alice", "Tr0ub4dor&3x").empty());                  // 12 chars, 4 classes
  EXPECT_TRUE(messages("alice", "correcthorsebattery1").empty());          // 20 chars, 2 classes
  EXPECT_TRUE(messages("alice", "correct horse battery staple").empty());  // passphrase
  EXPECT_TRUE(messages("alice", "lower-case-99").empty());                 // 3 classes
}

TEST(PasswordPolicyTest, RefusesShortSimpleAndUserNamePasswords) {
  auto m = messages("alice", "Short1!");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_NE(m[0].find("at least 12 characters"), std::string::npos);
  m = messages("alice", "alllowercaseletters");  // 19 chars, 1 class
  ASSERT_EQ(m.size(), 1u);
  EXPECT_NE(m[0].find("at least 3 of"), std::string::npos);
  m = messages("administrator1", "Administrator1");
  ASSERT_FALSE(m.empty());
  EXPECT_NE(m[0].find("user name"), std::string::npos);
}

TEST(PasswordPolicyTest, CountsCharactersNotBytes) {
  // 11 code points but 22+ bytes: too short.
  EXPECT_FALSE(messages("alice", "ääääääääää1").empty());
  // 12 code points of three classes (non-ASCII counts as "other").
  EXPECT_TRUE(messages("alice", "äbcdefghij1K").empty());
}

TEST(PasswordPolicyTest, RefusesNulAndOversizedPasswords) {
  std::string nul("Abcdefghij1!\0x", 14);
  EXPECT_FALSE(messages("alice", nul).empty());
  EXPECT_FALSE(messages("alice", std::string(1025, 'a') + "A1!").empty());
}

}  // namespace
}  // namespace atrium::identity
