#include "server/config.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace atrium::server {
namespace {

TEST(ConfigTest, PrecedenceIsDefaultsThenYamlThenEnvironmentThenFlags) {
  ServerConfig cfg;
  ASSERT_TRUE(apply_yaml_text(cfg,
                              "listen: 127.0.0.1:9000\ndataDir: /tmp/a\nthreads: 4\n"
                              "tls: {}\nmetrics:\n  token: abc\ntrustedProxies: [10.0.0.0/8, 127.0.0.1]\n",
                              "test.yaml"));
  EXPECT_EQ(cfg.listen, "127.0.0.1:9000");
  EXPECT_EQ(cfg.trusted_proxies.size(), 2u);
  ASSERT_TRUE(apply_environment(cfg, {{"ATRIUM_LISTEN", "127.0.0.1:9100"}, {"ATRIUM_UNRELATED", "x"}}));
  EXPECT_EQ(cfg.listen, "127.0.0.1:9100");
  ASSERT_TRUE(apply_setting(cfg, "listen", "127.0.0.1:9200", "flag"));
  EXPECT_EQ(cfg.listen, "127.0.0.1:9200");
  ASSERT_TRUE(finalize(cfg));
  EXPECT_EQ(cfg.store, "sqlite:///tmp/a/atrium.db");
  EXPECT_EQ(cfg.secret_key_file, "/tmp/a/secret.key");
  EXPECT_EQ(cfg.public_url, "http://127.0.0.1:9200");
  EXPECT_EQ(cfg.metrics_token, "abc");
  EXPECT_EQ(cfg.threads, 4);
}

TEST(ConfigTest, ErrorsNameTheBadKey) {
  struct Case {
    std::string yaml;
    std::string key;
  };
  for (const auto& c : std::vector<Case>{{"listne: 1.2.3.4:80", "listen"},
                                         {"listen: nowhere", "listen"},
                                         {"threads: many", "threads"},
                                         {"threads: 0", "threads"},
                                         {"threads: [1]", "threads"},
                                         {"tls:\n  certFil: x", "tls.certFil"},
                                         {"store: mysql://x", "store"},
                                         {"logLevel: loud", "logLevel"},
                                         {"limits:\n  maxBodyBytes: -5", "limits.maxBodyBytes"},
                                         {"publicUrl: ftp://x", "publicUrl"},
                                         {"nested: {deep: {deeper: 1}}", "nested"}}) {
    ServerConfig cfg;
    auto s = apply_yaml_text(cfg, c.yaml, "test.yaml");
    ASSERT_FALSE(s) << c.yaml;
    EXPECT_NE(s.error().message.find(c.key == "listen" && c.yaml.starts_with("listne") ? "listne" : c.key),
              std::string::npos)
        << s.error().message;
    EXPECT_NE(s.error().message.find("test.yaml"), std::string::npos) << s.error().message;
  }
}

TEST(ConfigTest, HostileYamlIsRefusedCleanly) {
  for (const char* bad : {"listen: [", "{", "- a\n- b", "listen: \"unterminated", "a: &x [*x]", "\t\tlisten: x",
                          "listen: !!binary AAAA", "? [a]\n: b"}) {
    ServerConfig cfg;
    auto s = apply_yaml_text(cfg, bad, "t.yaml");
    EXPECT_FALSE(s) << bad;
  }
  ServerConfig cfg;
  EXPECT_TRUE(apply_yaml_text(cfg, "", "empty.yaml"));
}

TEST(ConfigTest, EnvironmentErrorsNameTheVariable) {
  ServerConfig cfg;
  auto s = apply_environment(cfg, {{"ATRIUM_THREADS", "lots"}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("ATRIUM_THREADS"), std::string::npos);
}

TEST(ConfigTest, FinalizeChecksCombinations) {
  ServerConfig cfg;
  cfg.data_dir = "/tmp/x";
  cfg.tls_cert_file = "/etc/hostname";
  auto s = finalize(cfg);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("tls.keyFile"), std::string::npos);
  ServerConfig m;
  m.data_dir = "/tmp/x";
  m.metrics_listen = m.listen;
  EXPECT_FALSE(finalize(m));
}

TEST(ConfigTest, ReferenceListsEveryKey) {
  std::string ref = settings_reference();
  for (const auto& s : settings()) {
    EXPECT_NE(ref.find(s.key), std::string::npos);
    EXPECT_NE(ref.find(s.env), std::string::npos);
    EXPECT_TRUE(s.env.starts_with("ATRIUM_"));
    if (!s.flag.empty()) {
      EXPECT_NE(ref.find(s.flag), std::string::npos);
    }
  }
}

// A scratch directory for files the LDAP settings name (CA file, password file).
class LdapConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("atrium-config-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    ca_ = write("ca.pem", "-----BEGIN CERTIFICATE-----\n");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return (dir_ / name).string();
  }
  // A complete StartTLS configuration in YAML, with `extra` appended under `ldap:`.
  std::string yaml(const std::string& extra = "") {
    return "ldap:\n  url: ldap://ldap.example.com:389\n  startTls: true\n  caFile: " + ca_ +
           "\n  bindDn: cn=atrium,dc=example,dc=com\n  userBase: ou=people,dc=example,dc=com\n" + extra;
  }
  static ServerConfig base() {
    ServerConfig c;
    c.data_dir = "/tmp/x";
    return c;
  }
  std::filesystem::path dir_;
  std::string ca_;
};

TEST_F(LdapConfigTest, EveryLdapConfigFieldIsSetFromYaml) {
  auto pw = write("bind.pw", "s3cret-bind\n");
  ServerConfig cfg = base();
  ASSERT_TRUE(apply_yaml_text(cfg,
                              yaml("  bindPasswordFile: " + pw +
                                   "\n  userFilter: \"(&(objectClass=person)(uid=%s))\"\n"
                                   "  groupBase: ou=groups,dc=example,dc=com\n"
                                   "  groupFilter: \"(uniqueMember=%s)\"\n  displayNameAttribute: displayName\n"
                                   "  emailAttribute: \"\"\n  timeoutSeconds: 9\n"),
                              "t.yaml"));
  ASSERT_TRUE(finalize(cfg));
  const auto& l = cfg.ldap;
  EXPECT_EQ(l.url, "ldap://ldap.example.com:389");
  EXPECT_TRUE(l.start_tls);
  EXPECT_EQ(l.tls_ca_file, ca_);
  EXPECT_EQ(l.bind_dn, "cn=atrium,dc=example,dc=com");
  EXPECT_EQ(l.bind_password, "s3cret-bind") << "the password file's trailing newline is not part of it";
  EXPECT_EQ(l.base_dn, "ou=people,dc=example,dc=com");
  EXPECT_EQ(l.user_filter, "(&(objectClass=person)(uid=%s))");
  EXPECT_EQ(l.group_base_dn, "ou=groups,dc=example,dc=com");
  EXPECT_EQ(l.group_filter, "(uniqueMember=%s)");
  EXPECT_EQ(l.display_name_attribute, "displayName");
  EXPECT_EQ(l.email_attribute, "");
  EXPECT_EQ(l.timeout, std::chrono::seconds(9));
  // The directory accepts what the configuration accepted.
  EXPECT_TRUE(identity::LdapDirectory::create(l));
}

TEST_F(LdapConfigTest, EnvironmentConfiguresLdapAndDefaultsMatchTheDirectory) {
  ServerConfig cfg = base();
  ASSERT_TRUE(apply_environment(cfg, {{"ATRIUM_LDAP_URL", "ldaps://[::1]:636/"},
                                      {"ATRIUM_LDAP_USER_BASE", "dc=example,dc=com"},
                                      {"ATRIUM_LDAP_BIND_DN", "cn=svc,dc=example,dc=com"},
                                      {"ATRIUM_LDAP_BIND_PASSWORD", "from-env"}}));
  ASSERT_TRUE(finalize(cfg));
  EXPECT_EQ(cfg.ldap.bind_password, "from-env");
  EXPECT_FALSE(cfg.ldap.start_tls);
  const identity::LdapConfig defaults;
  EXPECT_EQ(cfg.ldap.user_filter, defaults.user_filter);
  EXPECT_EQ(cfg.ldap.group_filter, defaults.group_filter);
  EXPECT_EQ(cfg.ldap.timeout, defaults.timeout);
  // Without ldap.url nothing is required and LDAP stays off.
  ServerConfig off = base();
  ASSERT_TRUE(finalize(off));
  EXPECT_TRUE(off.ldap.url.empty());
}

TEST_F(LdapConfigTest, BadValuesAreRefusedNamingTheKey) {
  struct Case {
    std::string yaml;
    std::string key;
  };
  for (const auto& c : std::vector<Case>{
           {"ldap: {url: http://ldap.example.com}", "ldap.url"},
           {"ldap: {url: ldap://}", "ldap.url"},
           {"ldap: {url: \"ldap://host:0\"}", "ldap.url"},
           {"ldap: {url: \"ldap://host:99999\"}", "ldap.url"},
           {"ldap: {url: \"ldap://host:\"}", "ldap.url"},
           {"ldap: {url: \"ldap://a ldap://b\"}", "ldap.url"},
           {"ldap: {url: \"ldap://host/dc=x??sub?(uid=*)\"}", "ldap.url"},
           {"ldap: {url: \"ldap://host\\nx\"}", "ldap.url"},
           {"ldap: {url: \"ldap://[::1\"}", "ldap.url"},
           {"ldap: {url: \"ldap://user@host\"}", "ldap.url"},
           {"ldap: {startTls: yes}", "ldap.startTls"},
           {"ldap: {startTls: 1}", "ldap.startTls"},
           {"ldap: {userFilter: \"(uid=alice)\"}", "ldap.userFilter"},
           {"ldap: {userFilter: \"uid=%s\"}", "ldap.userFilter"},
           {"ldap: {userFilter: \"(uid=%s\"}", "ldap.userFilter"},
           {"ldap: {userFilter: \"(uid=%s))(|(uid=*)\"}", "ldap.userFilter"},
           {"ldap: {userFilter: \"(uid=%s)(cn=*)\"}", "ldap.userFilter"},
           {"ldap: {groupFilter: \"(member=x)\"}", "ldap.groupFilter"},
           {"ldap: {userBase: \"ou=people\\0,dc=x\"}", "ldap.userBase"},
           {"ldap: {bindDn: \"cn=a\\ncn=b\"}", "ldap.bindDn"},
           {"ldap: {bindPassword: \"a\\0b\"}", "ldap.bindPassword"},
           {"ldap: {emailAttribute: \"mail;binary)\"}", "ldap.emailAttribute"},
           {"ldap: {displayNameAttribute: \"-cn\"}", "ldap.displayNameAttribute"},
           {"ldap: {timeoutSeconds: 0}", "ldap.timeoutSeconds"},
           {"ldap: {timeoutSeconds: 100000}", "ldap.timeoutSeconds"},
           {"ldap: {bindPassword: [a, b]}", "ldap.bindPassword"},
           {"ldap: {startTLS: true}", "ldap.startTLS"},
           {"ldap: {url: {host: x}}", "ldap.url"},
       }) {
    ServerConfig cfg = base();
    auto s = apply_yaml_text(cfg, c.yaml, "test.yaml");
    ASSERT_FALSE(s) << c.yaml;
    EXPECT_NE(s.error().message.find(c.key), std::string::npos) << c.yaml << ": " << s.error().message;
  }
}

TEST_F(LdapConfigTest, InvalidCombinationsAreRefusedAtStart) {
  auto pw = write("bind.pw", "pw\n");
  auto empty = write("empty.pw", "\n");
  auto two_lines = write("two.pw", "line1\nline2\n");
  auto big = write("big.pw", std::string(70 << 10, 'x'));
  struct Case {
    std::string yaml;
    std::string key;
    std::string why;
  };
  for (const auto& c : std::vector<Case>{
           {yaml(), "ldap.bindPassword", "go together"},
           {"ldap:\n  url: ldaps://ldap.example.com\n  startTls: true\n  userBase: dc=x\n", "ldap.startTls",
            "ldaps://"},
           {"ldap:\n  url: ldap://ldap.example.com\n  bindDn: cn=a\n  bindPassword: pw\n", "ldap.userBase", "required"},
           {"ldap:\n  userBase: dc=x\n  startTls: true\n", "ldap.url", "required"},
           {"ldap:\n  url: ldap://ldap.example.com\n  userBase: dc=x\n  caFile: " + ca_ + "\n", "ldap.caFile",
            "not be encrypted"},
           {yaml("  bindPassword: pw\n  caFile: " + (dir_ / "absent.pem").string() + "\n"), "ldap.caFile",
            "absent.pem"},
           {yaml("  bindPassword: pw\n  caFile: " + dir_.string() + "\n"), "ldap.caFile", "not a readable file"},
           {yaml("  bindPassword: pw\n  caFile: " + pw + "\n"), "ldap.caFile", "no PEM certificate"},
           {yaml("  bindPassword: pw\n  bindPasswordFile: " + pw + "\n"), "ldap.bindPasswordFile", "exclusive"},
           {yaml("  bindPasswordFile: " + (dir_ / "absent.pw").string() + "\n"), "ldap.bindPasswordFile", "absent.pw"},
           {yaml("  bindPasswordFile: " + empty + "\n"), "ldap.bindPasswordFile", "empty"},
           {yaml("  bindPasswordFile: " + two_lines + "\n"), "ldap.bindPasswordFile", "one line"},
           {yaml("  bindPasswordFile: " + big + "\n"), "ldap.bindPasswordFile", "64 KiB"},
           {"ldap:\n  url: ldap://h\n  userBase: dc=x\n  bindPassword: pw\n", "ldap.bindDn", "go together"},
       }) {
    ServerConfig cfg = base();
    ASSERT_TRUE(apply_yaml_text(cfg, c.yaml, "test.yaml")) << c.yaml;
    auto s = finalize(cfg);
    ASSERT_FALSE(s) << c.yaml;
    EXPECT_NE(s.error().message.find(c.key), std::string::npos) << c.yaml << ": " << s.error().message;
    EXPECT_NE(s.error().message.find(c.why), std::string::npos) << c.yaml << ": " << s.error().message;
  }
  // The directory's own check agrees on a URL and base; an anonymous search needs no password.
  ServerConfig anon = base();
  ASSERT_TRUE(apply_yaml_text(anon, "ldap: {url: \"ldap://127.0.0.1:3389\", userBase: \"dc=x\"}", "t.yaml"));
  EXPECT_TRUE(finalize(anon));
}

TEST_F(LdapConfigTest, TheBindPasswordIsNeverEchoed) {
  const std::string secret = "Hunter2-very-secret";
  auto pw_file = write("bind.pw", secret + "\n" + secret + "\n");
  // Refusals after the password was read from a file, given inline or by environment.
  std::vector<std::string> messages;
  for (const std::string& y :
       {yaml("  bindPasswordFile: " + pw_file + "\n"),
        yaml("  bindPassword: \"" + secret + "\"\n  bindPasswordFile: " + pw_file + "\n"),
        "ldap:\n  bindPassword: \"" + secret + "\"\n",
        "ldap:\n  url: ldap://h\n  userBase: dc=x\n  bindPassword: \"" + secret + "\"\n",
        "ldap:\n  bindPassword: [\"" + secret + "\"]\n", "ldap:\n  bindPassword: \"" + secret + "\\0\"\n"}) {
    ServerConfig cfg = base();
    auto s = apply_yaml_text(cfg, y, "t.yaml");
    if (s) s = finalize(cfg);
    ASSERT_FALSE(s) << y;
    messages.push_back(s.error().message);
  }
  ServerConfig env = base();
  auto e = apply_environment(env, {{"ATRIUM_LDAP_BIND_PASSWORD", secret}, {"ATRIUM_LDAP_URL", "ldap://h"}});
  ASSERT_TRUE(e);
  auto f = finalize(env);
  ASSERT_FALSE(f);
  messages.push_back(f.error().message);
  for (const auto& m : messages) EXPECT_EQ(m.find("Hunter2"), std::string::npos) << m;
  // No flag carries it: a command line is visible to every local user.
  for (const auto& s : settings()) {
    if (s.key == "ldap.bindPassword") {
      EXPECT_TRUE(s.flag.empty());
    }
  }
  EXPECT_EQ(settings_reference().find("`--ldap-bind-password`"), std::string::npos);
}

}  // namespace
}  // namespace atrium::server

namespace atrium::server {
namespace {

TEST(ConfigTest, DocumentationIsGeneratedFromTheTable) {
  const char* src = std::getenv("ATRIUM_SOURCE_DIR");
  std::ifstream in(std::string(src ? src : ".") + "/docs/configuration.md");
  ASSERT_TRUE(in) << "docs/configuration.md missing";
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_NE(ss.str().find(settings_reference()), std::string::npos)
      << "docs/configuration.md is stale: regenerate it with `atrium serve --print-config-reference`";
}

}  // namespace
}  // namespace atrium::server
