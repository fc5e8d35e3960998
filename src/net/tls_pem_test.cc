#include "net/tls_pem.h"

#include <gtest/gtest.h>

#include <chrono>

#include "net/testing/test_pki.h"

namespace atrium::net {
namespace {

using namespace std::chrono_literals;

class TlsPemTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new testing::TestPki(); }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(pki_->ok()) << "openssl could not generate test certificates"; }
  static testing::TestPki* pki_;
};
testing::TestPki* TlsPemTest::pki_ = nullptr;

TEST_F(TlsPemTest, ReadsValidityAndSubjectOfACertificate) {
  auto info = inspect_certificate_pem(pki_->client_certificate_pem());
  ASSERT_TRUE(info) << info.error().message;
  auto now = std::chrono::system_clock::now();
  EXPECT_LE(info->not_before, now + 1min);
  EXPECT_GT(info->not_after, now + 23h);
  EXPECT_LT(info->not_after, now + 25h);
  EXPECT_NE(info->subject.find("CN=admin"), std::string::npos) << info->subject;
}

TEST_F(TlsPemTest, ReadsEveryCertificateOfABundle) {
  auto all = inspect_certificates_pem(pki_->client_certificate_pem() + pki_->ca_pem());
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  EXPECT_NE((*all)[1].subject.find("atrium-test-ca"), std::string::npos);
}

TEST_F(TlsPemTest, RefusesWhatIsNotACertificate) {
  EXPECT_FALSE(inspect_certificate_pem(""));
  EXPECT_FALSE(inspect_certificate_pem("hello"));
  EXPECT_FALSE(inspect_certificate_pem(pki_->client_key_pem()));
  EXPECT_FALSE(inspect_certificates_pem(pki_->client_key_pem()));
  // A well-formed PEM frame around garbage.
  auto bad = inspect_certificates_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, core::ErrorCode::InvalidArgument);
  // A good certificate followed by a broken one.
  auto half =
      inspect_certificates_pem(pki_->ca_pem() + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  ASSERT_FALSE(half);
  EXPECT_NE(half.error().message.find("certificate 2"), std::string::npos) << half.error().message;
  // A truncated certificate.
  const std::string& ca = pki_->ca_pem();
  EXPECT_FALSE(inspect_certificate_pem(ca.substr(0, ca.size() / 2)));
}

TEST_F(TlsPemTest, ChecksPrivateKeys) {
  EXPECT_TRUE(check_private_key_pem(pki_->client_key_pem()));
  EXPECT_TRUE(check_private_key_pem(pki_->other_key_pem()));
  EXPECT_FALSE(check_private_key_pem(pki_->client_certificate_pem()));
  EXPECT_FALSE(check_private_key_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));
  auto encrypted =
      check_private_key_pem("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
  ASSERT_FALSE(encrypted);
  EXPECT_NE(encrypted.error().message.find("encrypted"), std::string::npos);
}

TEST_F(TlsPemTest, MatchesKeysToCertificates) {
  EXPECT_TRUE(check_key_matches_certificate_pem(pki_->client_certificate_pem(), pki_->client_key_pem()));
  auto other = check_key_matches_certificate_pem(pki_->client_certificate_pem(), pki_->other_key_pem());
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message.find("does not belong"), std::string::npos);
}

}  // namespace
}  // namespace atrium::net
