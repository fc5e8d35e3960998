#include "identity/ldap_directory.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "core/testing/fake_clock.h"
#include "identity/identity_authenticator.h"
#include "identity/identity_service.h"
#include "storage/testing/temp_store.h"
#include "support/ldap_server.h"

namespace atrium::identity {
namespace {

using testing::LdapServer;

TEST(LdapFilterTest, EscapesEveryRfc4515SpecialCharacter) {
  EXPECT_EQ(escape_filter_value("alice"), "alice");
  EXPECT_EQ(escape_filter_value("*)(uid=*"), "\\2a\\29\\28uid=\\2a");
  EXPECT_EQ(escape_filter_value("a\\b"), "a\\5cb");
  EXPECT_EQ(escape_filter_value(std::string("a\0b", 3)), "a\\00b");
  EXPECT_EQ(escape_filter_value("äß"), "äß");
  EXPECT_EQ(format_filter("(&(objectClass=person)(uid=%s))", "*"), "(&(objectClass=person)(uid=\\2a))");
}

TEST(LdapConfigTest, IncompleteConfigurationIsRefused) {
  EXPECT_FALSE(LdapDirectory::create(LdapConfig{.url = "http://x", .base_dn = "dc=x"}));
  EXPECT_FALSE(LdapDirectory::create(LdapConfig{.url = "ldap://x", .base_dn = ""}));
  EXPECT_FALSE(LdapDirectory::create(LdapConfig{.url = "ldap://x", .base_dn = "dc=x", .user_filter = "(uid=x)"}));
  EXPECT_TRUE(LdapDirectory::create(LdapConfig{.url = "ldap://x", .base_dn = "dc=x"}));
}

// The people and groups of the test directory (alice and bob in groups; "local" clashes with a local user; a uid
// with a '*').
std::string directory_ldif() {
  auto alice = LdapServer::hash_password("alice-Ldap-pass1");
  auto bob = LdapServer::hash_password("bob-Ldap-pass1");
  auto star = LdapServer::hash_password("star-Ldap-pass1");
  EXPECT_TRUE(alice && bob && star);
  if (!alice || !bob || !star) return {};
  std::string ldif =
      "dn: ou=people,dc=atrium,dc=test\nobjectClass: organizationalUnit\nou: people\n\n"
      "dn: ou=groups,dc=atrium,dc=test\nobjectClass: organizationalUnit\nou: groups\n\n"
      "dn: uid=alice,ou=people,dc=atrium,dc=test\nobjectClass: inetOrgPerson\nuid: alice\ncn: Alice Liddell\n"
      "sn: Liddell\nmail: alice@example.com\nuserPassword: " +
      *alice +
      "\n\n"
      "dn: uid=bob,ou=people,dc=atrium,dc=test\nobjectClass: inetOrgPerson\nuid: bob\ncn: Bob\nsn: B\n"
      "userPassword: " +
      *bob +
      "\n\n"
      "dn: uid=local,ou=people,dc=atrium,dc=test\nobjectClass: inetOrgPerson\nuid: local\ncn: Clash\nsn: C\n"
      "userPassword: " +
      *bob +
      "\n\n"
      "dn: uid=Star*,ou=people,dc=atrium,dc=test\nobjectClass: inetOrgPerson\nuid: Star*\ncn: S\nsn: S\n"
      "userPassword: " +
      *star +
      "\n\n"
      "dn: cn=admins,ou=groups,dc=atrium,dc=test\nobjectClass: groupOfNames\ncn: admins\n"
      "member: uid=alice,ou=people,dc=atrium,dc=test\n\n"
      "dn: cn=devs,ou=groups,dc=atrium,dc=test\nobjectClass: groupOfNames\ncn: devs\n"
      "member: uid=alice,ou=people,dc=atrium,dc=test\nmember: uid=bob,ou=people,dc=atrium,dc=test\n\n";
  return ldif;
}

// Against a real slapd.
class LdapTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string ldif = directory_ldif();
    ASSERT_FALSE(ldif.empty());
    auto s = LdapServer::start(LdapServer::Options{.ldif = ldif});
    ASSERT_TRUE(s) << s.error().message;
    server_ = s->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(server_, nullptr); }

  static LdapConfig config() {
    return LdapConfig{.url = server_->url(),
                      .bind_dn = LdapServer::kRootDn,
                      .bind_password = LdapServer::kRootPassword,
                      .base_dn = "ou=people,dc=atrium,dc=test",
                      .user_filter = "(&(objectClass=inetOrgPerson)(uid=%s))",
                      .group_base_dn = "ou=groups,dc=atrium,dc=test",
                      .group_filter = "(&(objectClass=groupOfNames)(member=%s))"};
  }
  static std::unique_ptr<LdapDirectory> directory(LdapConfig c = config()) {
    auto d = LdapDirectory::create(std::move(c));
    EXPECT_TRUE(d);
    return std::move(*d);
  }

  static LdapServer* server_;
};
LdapServer* LdapTest::server_ = nullptr;

TEST_F(LdapTest, SearchThenBindReturnsTheEntryAndItsGroups) {
  auto id = directory()->authenticate("alice", "alice-Ldap-pass1");
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(id->dn, "uid=alice,ou=people,dc=atrium,dc=test");
  EXPECT_EQ(id->display_name, "Alice Liddell");
  EXPECT_EQ(id->email, "alice@example.com");
  std::sort(id->group_dns.begin(), id->group_dns.end());
  EXPECT_EQ(id->group_dns,
            (std::vector<std::string>{"cn=admins,ou=groups,dc=atrium,dc=test", "cn=devs,ou=groups,dc=atrium,dc=test"}));
}

TEST_F(LdapTest, WrongPasswordUnknownUserAndEmptyPasswordAreTheSameRefusal) {
  auto d = directory();
  auto wrong = d->authenticate("alice", "not-the-password");
  auto unknown = d->authenticate("nobody", "not-the-password");
  auto empty = d->authenticate("alice", "");
  for (const auto* r : {&wrong, &unknown, &empty}) {
    ASSERT_FALSE(*r);
    EXPECT_EQ(r->error().code, core::ErrorCode::Unauthenticated);
    EXPECT_EQ(r->error().message, wrong.error().message);
  }
}

TEST_F(LdapTest, FilterInjectionMatchesNothing) {
  auto d = directory();
  // Unescaped, "*" would match every uid and "*)(uid=*" would widen the filter; both must find no entry (or
  // exactly the entry literally named so).
  for (std::string name : {std::string("*"), std::string("*)(uid=*"), std::string("alice)(|(uid=*"),
                           std::string("alice\0", 6), std::string("al*")}) {
    auto r = d->authenticate(name, "alice-Ldap-pass1");
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().code, core::ErrorCode::Unauthenticated) << name;
  }
  auto literal = d->authenticate("Star*", "star-Ldap-pass1");
  ASSERT_TRUE(literal) << "an escaped '*' still matches a uid that contains one: " << literal.error().message;
}

TEST_F(LdapTest, UnreachableDirectoryAndBadServiceAccountAreUnavailable) {
  auto c = config();
  c.bind_password = "wrong";
  auto r = directory(c)->authenticate("alice", "alice-Ldap-pass1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::Unavailable);
  EXPECT_EQ(r.error().message.find("wrong"), std::string::npos) << "no secret in messages";
  c = config();
  c.url = "ldap://127.0.0.1:1";
  c.timeout = std::chrono::seconds(2);
  r = directory(c)->authenticate("alice", "alice-Ldap-pass1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::Unavailable);
}

TEST_F(LdapTest, FirstLoginProvisionsTheUserWithMappedGroupsAndLocalClashIsRefused) {
  auto dir = std::filesystem::temp_directory_path() / ("atrium-identity-ldap-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    auto store = storage::open_store("sqlite://" + (dir / "atrium.db").string());
    ASSERT_TRUE(store);
    core::FakeClock clock;
    auto d = directory();
    IdentityOptions o;
    o.hash_cost = crypto::PasswordHashCost::minimum();
    o.directory = d.get();
    IdentityService service(**store, clock, o);
    IdentityAuthenticator authn(service);

    storage::StoredObject g;
    g.kind = "Group";
    g.name = "platform-admins";
    g.uid = "g1";
    g.labels = "{}";
    g.data = R"({"apiVersion":"iam.atrium.io/v1","kind":"Group","metadata":{"name":"platform-admins"},)"
             R"("spec":{"ldapGroup":"CN=admins,ou=groups,dc=atrium,dc=test"}})";
    ASSERT_TRUE((*store)->create(g));

    auto s = service.login(LoginRequest{"alice", "alice-Ldap-pass1", "127.0.0.1"});
    ASSERT_TRUE(s) << s.error().error.message;
    auto user = (*store)->get("User", "", "alice");
    ASSERT_TRUE(user);
    EXPECT_NE(user->data.find("\"source\":\"ldap\""), std::string::npos) << user->data;
    EXPECT_NE(user->data.find("uid=alice,ou=people,dc=atrium,dc=test"), std::string::npos);
    auto p = authn.authenticate(core::Credentials{s->token, std::nullopt, "127.0.0.1"});
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->groups, std::vector<std::string>{"platform-admins"});

    // bob logs in without any mapped group; "local" exists locally, so the LDAP entry of that name is refused.
    auto b = service.login(LoginRequest{"bob", "bob-Ldap-pass1", "127.0.0.1"});
    ASSERT_TRUE(b);
    auto local = service.create_user(
        *core::parse_json(R"({"metadata":{"name":"local"},"spec":{"password":"Local-password-1"}})"));
    ASSERT_TRUE(local) << local.error().message;
    auto clash = service.login(LoginRequest{"local", "bob-Ldap-pass1", "127.0.0.1"});
    ASSERT_FALSE(clash);
    EXPECT_EQ(clash.error().error.code, core::ErrorCode::Unauthenticated);
    auto wrong = service.login(LoginRequest{"alice", "nope-nope-nope", "127.0.0.1"});
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().error.message, clash.error().error.message);
  }
  std::filesystem::remove_all(dir);
}

// Against a real slapd that offers StartTLS with a certificate from a test CA and refuses anything without TLS.
class LdapTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_dir_ = std::filesystem::temp_directory_path() / ("atrium-ldap-pki-" + std::to_string(::getpid()));
    std::filesystem::remove_all(pki_dir_);
    auto trusted = testing::make_test_pki((pki_dir_ / "trusted").string());
    ASSERT_TRUE(trusted) << trusted.error().message;
    // Another CA that signed nothing slapd serves: a client trusting only it must refuse the server.
    auto other = testing::make_test_pki((pki_dir_ / "other").string());
    ASSERT_TRUE(other) << other.error().message;
    trusted_ca_ = trusted->ca_file;
    other_ca_ = other->ca_file;
    std::string ldif = directory_ldif();
    ASSERT_FALSE(ldif.empty());
    auto s = LdapServer::start(LdapServer::Options{.ldif = ldif, .tls = *trusted, .debug_level = 256});
    ASSERT_TRUE(s) << s.error().message;
    server_ = s->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    std::filesystem::remove_all(pki_dir_);
  }
  void SetUp() override { ASSERT_NE(server_, nullptr); }

  static LdapConfig config(std::string ca_file) {
    return LdapConfig{.url = server_->url(),
                      .bind_dn = LdapServer::kRootDn,
                      .bind_password = LdapServer::kRootPassword,
                      .base_dn = "ou=people,dc=atrium,dc=test",
                      .user_filter = "(&(objectClass=inetOrgPerson)(uid=%s))",
                      .group_base_dn = "ou=groups,dc=atrium,dc=test",
                      .group_filter = "(&(objectClass=groupOfNames)(member=%s))",
                      .start_tls = true,
                      .tls_ca_file = std::move(ca_file)};
  }
  static std::unique_ptr<LdapDirectory> directory(LdapConfig c) {
    auto d = LdapDirectory::create(std::move(c));
    EXPECT_TRUE(d);
    return std::move(*d);
  }
  // What slapd logged (one line per operation) since `from` bytes of its log.
  static std::string log_since(std::size_t from) {
    std::string log = server_->log();
    return from < log.size() ? log.substr(from) : std::string();
  }

  static LdapServer* server_;
  static std::filesystem::path pki_dir_;
  static std::string trusted_ca_, other_ca_;
};
LdapServer* LdapTlsTest::server_ = nullptr;
std::filesystem::path LdapTlsTest::pki_dir_;
std::string LdapTlsTest::trusted_ca_, LdapTlsTest::other_ca_;

TEST_F(LdapTlsTest, StartTlsLoginWorksWhenTheCaIsTrusted) {
  std::size_t mark = server_->log().size();
  auto id = directory(config(trusted_ca_))->authenticate("alice", "alice-Ldap-pass1");
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(id->dn, "uid=alice,ou=people,dc=atrium,dc=test");
  EXPECT_EQ(id->group_dns.size(), 2u);
  std::string log = log_since(mark);
  EXPECT_NE(log.find("oid=1.3.6.1.4.1.1466.20037"), std::string::npos) << "StartTLS was negotiated:\n" << log;
  EXPECT_NE(log.find("BIND dn=\"uid=alice,ou=people,dc=atrium,dc=test\""), std::string::npos) << log;

  // A wrong password over TLS is the usual refusal, not a TLS problem.
  auto wrong = directory(config(trusted_ca_))->authenticate("alice", "not-the-password");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, core::ErrorCode::Unauthenticated);

  // The whole login: provisioning over StartTLS.
  storage::testing::TempStore store;
  ASSERT_TRUE(store.ok());
  core::FakeClock clock;
  auto d = directory(config(trusted_ca_));
  IdentityOptions o;
  o.hash_cost = crypto::PasswordHashCost::minimum();
  o.directory = d.get();
  IdentityService service(*store, clock, o);
  auto s = service.login(LoginRequest{"bob", "bob-Ldap-pass1", "127.0.0.1"});
  ASSERT_TRUE(s) << s.error().error.message;
  auto user = store->get("User", "", "bob");
  ASSERT_TRUE(user);
  EXPECT_NE(user->data.find("\"source\":\"ldap\""), std::string::npos) << user->data;
}

TEST_F(LdapTlsTest, ThisServerRefusesPlaintextSoTheLoginAboveRanOverTls) {
  auto c = config(trusted_ca_);
  c.start_tls = false;
  auto r = directory(c)->authenticate("alice", "alice-Ldap-pass1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::Unavailable);
  EXPECT_NE(r.error().message.find("Confidentiality required"), std::string::npos) << r.error().message;
}

TEST_F(LdapTlsTest, UntrustedCaIsRefusedWithoutPlaintextFallback) {
  // Trusting another CA, and trusting only the system's CAs (which never signed the test CA): both refused.
  for (const std::string& ca : {other_ca_, std::string()}) {
    std::size_t mark = server_->log().size();
    auto r = directory(config(ca))->authenticate("alice", "alice-Ldap-pass1");
    ASSERT_FALSE(r) << "CA file: " << ca;
    EXPECT_EQ(r.error().code, core::ErrorCode::Unavailable) << r.error().message;
    EXPECT_NE(r.error().message.find("LDAP StartTLS failed"), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find("Confidentiality"), std::string::npos)
        << "nothing was tried without TLS: " << r.error().message;
    // Only the connections opened by this attempt: an earlier test's connection may log its last lines (UNBIND,
    // closed) after the mark. slapd logs asynchronously: wait until this attempt's connection is logged closed.
    std::string all, log;
    for (int attempt = 0; attempt < 150; ++attempt) {
      all = log_since(mark);
      log.clear();
      // Threads log out of order (an operation may precede its ACCEPT line): find the connections, then their lines.
      auto conn_of = [](const std::string& line) {
        auto at = line.find("conn=");
        return at == std::string::npos ? std::string() : line.substr(at, line.find(' ', at) - at);
      };
      std::vector<std::string> conns;
      for (int pass = 0; pass < 2; ++pass) {
        std::istringstream lines(all);
        for (std::string line; std::getline(lines, line);) {
          std::string conn = conn_of(line);
          if (conn.empty()) continue;
          if (pass == 0 && line.find(" ACCEPT ") != std::string::npos) conns.push_back(conn);
          if (pass == 1 && std::find(conns.begin(), conns.end(), conn) != conns.end()) log += line + "\n";
        }
      }
      if (log.find(" closed") != std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_NE(log.find("oid=1.3.6.1.4.1.1466.20037"), std::string::npos) << "StartTLS was asked for:\n" << all;
    EXPECT_EQ(log.find("BIND"), std::string::npos) << "no credentials were sent:\n" << log;
    EXPECT_EQ(log.find("SRCH"), std::string::npos) << "no search was sent:\n" << log;
  }
  // An unreadable CA file is a configuration error of the same kind: refused before anything is sent.
  auto missing = directory(config((pki_dir_ / "no-such-ca.pem").string()))->authenticate("alice", "alice-Ldap-pass1");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, core::ErrorCode::Unavailable);
}

}  // namespace
}  // namespace atrium::identity
