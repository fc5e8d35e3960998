#include "identity/ldap_directory.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "core/testing/fake_clock.h"
#include "identity/identity_authenticator.h"
#include "identity/identity_service.h"
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

// Against a real slapd.
class LdapTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto alice = LdapServer::hash_password("alice-Ldap-pass1");
    auto bob = LdapServer::hash_password("bob-Ldap-pass1");
    auto star = LdapServer::hash_password("star-Ldap-pass1");
    ASSERT_TRUE(alice && bob && star);
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

}  // namespace
}  // namespace atrium::identity
