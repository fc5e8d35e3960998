#include "server/config.h"

#include <cstdlib>
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
  }
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
