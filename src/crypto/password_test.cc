#include "crypto/password.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "crypto/random.h"

namespace atrium::crypto {
namespace {

const PasswordHashCost kCost = PasswordHashCost::minimum();

TEST(PasswordTest, HashVerifiesOnlyTheSamePassword) {
  auto h = hash_password("correct horse battery staple", kCost);
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_TRUE(h->starts_with("$argon2id$")) << *h;
  EXPECT_TRUE(verify_password(*h, "correct horse battery staple"));
  EXPECT_FALSE(verify_password(*h, "correct horse battery stapl"));
  EXPECT_FALSE(verify_password(*h, ""));
  auto h2 = hash_password("correct horse battery staple", kCost);
  ASSERT_TRUE(h2);
  EXPECT_NE(*h, *h2) << "each hash has its own salt";
}

TEST(PasswordTest, NulBytesAndUnicodeAreHashedWhole) {
  std::string with_nul("abc\0def", 7);
  auto h = hash_password(with_nul, kCost);
  ASSERT_TRUE(h);
  EXPECT_TRUE(verify_password(*h, with_nul));
  EXPECT_FALSE(verify_password(*h, "abc")) << "a NUL must not truncate the password";
  auto u = hash_password("pässwörd-密码-🔑", kCost);
  ASSERT_TRUE(u);
  EXPECT_TRUE(verify_password(*u, "pässwörd-密码-🔑"));
  EXPECT_FALSE(verify_password(*u, "passwörd-密码-🔑"));
}

TEST(PasswordTest, OversizedPasswordsAreRefusedBeforeHashing) {
  std::string huge(kMaxPasswordBytes + 1, 'a');
  auto h = hash_password(huge, kCost);
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().code, core::ErrorCode::InvalidArgument);
  auto ok = hash_password(std::string(kMaxPasswordBytes, 'a'), kCost);
  ASSERT_TRUE(ok);
  EXPECT_FALSE(verify_password(*ok, huge));
}

TEST(PasswordTest, MalformedHashesNeverVerify) {
  for (std::string bad : {std::string(), std::string("$argon2id$"), std::string("plaintext"),
                          std::string("$argon2id$v=19$m=8,t=1,p=1$\0junk", 30), std::string(500, '$')}) {
    EXPECT_FALSE(verify_password(bad, "plaintext")) << bad;
    EXPECT_TRUE(needs_rehash(bad, kCost));
  }
}

TEST(PasswordTest, RehashIsNeededWhenTheCostChanges) {
  auto h = hash_password("x", kCost);
  ASSERT_TRUE(h);
  EXPECT_FALSE(needs_rehash(*h, kCost));
  EXPECT_TRUE(needs_rehash(*h, PasswordHashCost::interactive()));
}

TEST(RandomTest, TokensAreUrlSafeAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string t = random_token();
    EXPECT_EQ(t.size(), 43u);
    EXPECT_EQ(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos)
        << t;
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(RandomTest, Sha256MatchesKnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(RandomTest, ConstantTimeEqualComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
  EXPECT_TRUE(constant_time_equal("", ""));
}

}  // namespace
}  // namespace atrium::crypto

namespace atrium::crypto {
namespace {

TEST(PasswordTest, UnverifiableHashHasTheCostsParametersAndMatchesNothing) {
  for (const auto& cost : {PasswordHashCost::minimum(), PasswordHashCost::interactive()}) {
    std::string h = unverifiable_hash(cost);
    ASSERT_TRUE(h.starts_with("$argon2id$v=19$m=")) << h;
    EXPECT_FALSE(needs_rehash(h, cost)) << "parameters differ from the cost's: " << h;
    EXPECT_FALSE(verify_password(h, ""));
    EXPECT_NE(unverifiable_hash(cost), h) << "salts must be random";
  }
  EXPECT_FALSE(verify_password(unverifiable_hash(PasswordHashCost::minimum()), "anything"));
}

}  // namespace
}  // namespace atrium::crypto
