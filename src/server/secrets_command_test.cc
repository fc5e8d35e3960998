#include "server/secrets_command.h"

#include <gtest/gtest.h>

namespace atrium::server {
namespace {

TEST(ResealDocumentTest, ResealsOnlyOldSealedValuesWithTheirContext) {
  // Build both rings from the same material: seal with a one-key ring, rotate by appending.
  crypto::Keyring a;
  std::array<unsigned char, crypto::kKeyBytes> k1{}, k2{};
  crypto::generate_key(k1);
  crypto::generate_key(k2);
  ASSERT_TRUE(a.append("old", k1));
  auto sealed = a.seal("hunter2", "Cluster//sandbox#spec.token");
  ASSERT_TRUE(sealed);
  crypto::Keyring b;
  ASSERT_TRUE(b.append("old", k1));
  ASSERT_TRUE(b.append("new", k2));

  auto doc = *core::parse_json(R"({"spec":{"token":")" + std::string(kSealedPrefix) + *sealed +
                               R"(","plain":"sealed-looking but not","list":["x"]}})");
  auto changed = reseal_document(doc, "Cluster//sandbox", b);
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(*changed, 1);
  std::string_view now = doc.at("spec").at("token").as_string();
  ASSERT_TRUE(now.starts_with(kSealedPrefix));
  EXPECT_FALSE(b.needs_rotation(now.substr(kSealedPrefix.size())));
  auto opened = b.open(now.substr(kSealedPrefix.size()), "Cluster//sandbox#spec.token");
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, "hunter2");
  EXPECT_EQ(*reseal_document(doc, "Cluster//sandbox", b), 0);

  // The same blob under another object's context does not open: moved secrets are refused.
  auto moved = *core::parse_json(R"({"spec":{"token":")" + std::string(kSealedPrefix) + *sealed + R"("}})");
  EXPECT_FALSE(reseal_document(moved, "Cluster//production", b));
}

}  // namespace
}  // namespace atrium::server
