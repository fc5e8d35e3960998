#include "kube/kubeconfig.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "net/testing/test_pki.h"

namespace atrium::kube {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string base64(std::string_view in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buf = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buf = (buf << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(k[(buf >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(k[(buf << (6 - bits)) & 63]);
  while (out.size() % 4) out.push_back('=');
  return out;
}

void write_file(const fs::path& p, std::string_view data) {
  std::ofstream out(p, std::ios::binary);
  out << data;
}

// The refusal every bad kubeconfig must produce: InvalidArgument naming `field`, with `text` in the message.
void expect_refused(const core::Result<ClusterConnection>& r, const std::string& field, const std::string& text = {}) {
  ASSERT_FALSE(r) << "accepted; expected a refusal at " << field;
  EXPECT_EQ(r.error().code, core::ErrorCode::InvalidArgument) << r.error().message;
  ASSERT_FALSE(r.error().causes.empty()) << r.error().message;
  EXPECT_EQ(r.error().causes[0].field, field) << r.error().message;
  EXPECT_NE(r.error().message.find(text), std::string::npos) << r.error().message;
}

class KubeconfigTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new net::testing::TestPki(); }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(pki_->ok()) << "openssl could not generate test certificates"; }

  static std::string ca64() { return base64(pki_->ca_pem()); }
  static std::string cert64() { return base64(pki_->client_certificate_pem()); }
  static std::string key64() { return base64(pki_->client_key_pem()); }

  // One cluster "prod" with the test CA, a context "dev" with `user_body` as user "alice".
  static std::string config(const std::string& user_body, const std::string& cluster_extra = {}) {
    return "apiVersion: v1\nkind: Config\ncurrent-context: dev\nclusters:\n- name: prod\n  cluster:\n"
           "    server: https://10.0.0.1:6443/\n    certificate-authority-data: " +
           ca64() + "\n" + cluster_extra +
           "contexts:\n- name: dev\n  context:\n    cluster: prod\n    user: alice\n    namespace: team-a\n"
           "users:\n- name: alice\n  user:\n" +
           user_body;
  }
  static KubeconfigOptions allowed(const std::string& dir = {}) {
    KubeconfigOptions o;
    o.files = FileAccess::Allowed;
    o.base_dir = dir;
    return o;
  }

  static net::testing::TestPki* pki_;
};
net::testing::TestPki* KubeconfigTest::pki_ = nullptr;

TEST_F(KubeconfigTest, TokenUser) {
  auto c = parse_kubeconfig(config("    token: abc.def\n"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->server, "https://10.0.0.1:6443");
  EXPECT_EQ(c->ca_pem, pki_->ca_pem());
  EXPECT_EQ(c->token, "abc.def");
  EXPECT_EQ(c->context, "dev");
  EXPECT_EQ(c->namespace_name, "team-a");
  EXPECT_FALSE(c->exec);
  EXPECT_FALSE(c->client_certificate_expiry);
}

TEST_F(KubeconfigTest, ClientCertificateUser) {
  auto c =
      parse_kubeconfig(config("    client-certificate-data: " + cert64() + "\n    client-key-data: " + key64() + "\n"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->client_certificate_pem, pki_->client_certificate_pem());
  EXPECT_EQ(c->client_key_pem, pki_->client_key_pem());
  ASSERT_TRUE(c->client_certificate_expiry);
  auto now = std::chrono::system_clock::now();
  EXPECT_GT(*c->client_certificate_expiry, now + 23h);
  EXPECT_LT(*c->client_certificate_expiry, now + 25h);
}

TEST_F(KubeconfigTest, ExpiredAndNotYetValidCertificatesAreRefused) {
  std::string user = "    client-certificate-data: " + cert64() + "\n    client-key-data: " + key64() + "\n";
  KubeconfigOptions later;
  later.now = std::chrono::system_clock::now() + 48h;
  expect_refused(parse_kubeconfig(config(user), later), "users[0].user.client-certificate-data", "expired");

  // Before the CA existed: the CA is refused first, then (without a CA) the client certificate.
  KubeconfigOptions earlier;
  earlier.now = std::chrono::system_clock::now() - 48h;
  expect_refused(parse_kubeconfig(config(user), earlier), "clusters[0].cluster.certificate-authority-data",
                 "not valid before");
  std::string no_ca =
      "current-context: c\nclusters:\n- name: k\n  cluster:\n    server: https://k\n"
      "contexts:\n- name: c\n  context: {cluster: k, user: u}\nusers:\n- name: u\n  user:\n" +
      user;
  expect_refused(parse_kubeconfig(no_ca, earlier), "users[0].user.client-certificate-data", "not valid before");
}

TEST_F(KubeconfigTest, CertificateAndKeyMustBeRealAndMatch) {
  expect_refused(parse_kubeconfig(config("    client-certificate-data: " + cert64() +
                                         "\n    client-key-data: " + base64(pki_->other_key_pem()) + "\n")),
                 "users[0].user.client-key-data", "does not belong");
  expect_refused(parse_kubeconfig(config("    client-certificate-data: " + cert64() + "\n")),
                 "users[0].user.client-key-data", "needs its key");
  expect_refused(parse_kubeconfig(config("    client-key-data: " + key64() + "\n")),
                 "users[0].user.client-certificate-data");
  expect_refused(
      parse_kubeconfig(config("    client-certificate-data: " + key64() + "\n    client-key-data: " + key64() + "\n")),
      "users[0].user.client-certificate-data", "certificate");
  expect_refused(parse_kubeconfig(
                     config("    client-certificate-data: " + cert64() + "\n    client-key-data: " + cert64() + "\n")),
                 "users[0].user.client-key-data", "private key");
  expect_refused(parse_kubeconfig(config("    client-certificate-data: '***'\n    client-key-data: " + key64() + "\n")),
                 "users[0].user.client-certificate-data", "base64");
  // PEM pasted where base64 belongs gets a message saying how to fix it.
  expect_refused(parse_kubeconfig(config("    client-certificate-data: \"" + pki_->client_certificate_pem() +
                                         "\"\n    client-key-data: " + key64() + "\n")),
                 "users[0].user.client-certificate-data", "base64 -w0");
  expect_refused(parse_kubeconfig(config("    token: t\n", "    insecure-skip-tls-verify: true\n")),
                 "clusters[0].cluster.insecure-skip-tls-verify");
  auto bad_ca = config("    token: t\n");
  bad_ca.replace(bad_ca.find(ca64()), ca64().size(), base64("not a certificate"));
  expect_refused(parse_kubeconfig(bad_ca), "clusters[0].cluster.certificate-authority-data", "certificate");
}

TEST_F(KubeconfigTest, ExecUser) {
  std::string user =
      "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: aws\n"
      "      args: [eks, get-token, --cluster-name, prod]\n      env:\n      - name: AWS_PROFILE\n        value: ops\n"
      "      - {name: EMPTY}\n      interactiveMode: Never\n";
  auto c = parse_kubeconfig(config(user), allowed("/etc/kube"));
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_TRUE(c->exec);
  EXPECT_EQ(c->exec->api_version, "client.authentication.k8s.io/v1");
  EXPECT_EQ(c->exec->command, "aws");  // a bare name stays a PATH lookup
  EXPECT_EQ(c->exec->args, (std::vector<std::string>{"eks", "get-token", "--cluster-name", "prod"}));
  ASSERT_EQ(c->exec->env.size(), 2u);
  EXPECT_EQ(c->exec->env[0], (std::pair<std::string, std::string>{"AWS_PROFILE", "ops"}));
  EXPECT_EQ(c->exec->env[1].second, "");

  auto relative =
      parse_kubeconfig(config("    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: ./bin/login}\n"),
                       allowed("/etc/kube"));
  ASSERT_TRUE(relative) << relative.error().message;
  EXPECT_EQ(relative->exec->command, "/etc/kube/bin/login");

  // An uploaded kubeconfig may not run commands on the server.
  expect_refused(parse_kubeconfig(config(user)), "users[0].user.exec", "command");
  expect_refused(parse_kubeconfig(config("    exec: {command: aws}\n"), allowed()), "users[0].user.exec.apiVersion");
  expect_refused(parse_kubeconfig(config("    exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: a}\n"),
                                  allowed()),
                 "users[0].user.exec.apiVersion");
  expect_refused(parse_kubeconfig(config("    exec: {apiVersion: client.authentication.k8s.io/v1}\n"), allowed()),
                 "users[0].user.exec.command", "missing");
  expect_refused(
      parse_kubeconfig(config("    exec: {apiVersion: client.authentication.k8s.io/v1, command: a, args: {x: 1}}\n"),
                       allowed()),
      "users[0].user.exec.args");
  expect_refused(parse_kubeconfig(
                     config("    exec: {apiVersion: client.authentication.k8s.io/v1, command: a, env: [{value: x}]}\n"),
                     allowed()),
                 "users[0].user.exec.env[0].name");
  expect_refused(parse_kubeconfig(config("    exec: {apiVersion: client.authentication.k8s.io/v1, command: a, "
                                         "interactiveMode: Always}\n"),
                                  allowed()),
                 "users[0].user.exec.interactiveMode");
  expect_refused(parse_kubeconfig(config("    auth-provider: {name: gcp}\n")), "users[0].user.auth-provider", "exec");
}

class KubeconfigFilesTest : public KubeconfigTest {
 protected:
  void SetUp() override {
    KubeconfigTest::SetUp();
    std::string tmpl = (fs::temp_directory_path() / "atrium-kubeconfig-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

TEST_F(KubeconfigFilesTest, TokenFileIsReadRelativeToBaseDir) {
  write_file(dir_ / "token", "from-file\n");
  auto c = parse_kubeconfig(config("    tokenFile: token\n"), allowed(dir_.string()));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->token, "from-file");
  EXPECT_EQ(c->token_file, (dir_ / "token").string());

  expect_refused(parse_kubeconfig(config("    tokenFile: token\n")), "users[0].user.tokenFile", "uploaded");
  expect_refused(parse_kubeconfig(config("    tokenFile: missing\n"), allowed(dir_.string())),
                 "users[0].user.tokenFile", "cannot read");
  write_file(dir_ / "empty", "\n");
  expect_refused(parse_kubeconfig(config("    tokenFile: empty\n"), allowed(dir_.string())), "users[0].user.tokenFile",
                 "empty");
  expect_refused(parse_kubeconfig(config("    token: a\n    tokenFile: token\n"), allowed(dir_.string())),
                 "users[0].user.tokenFile");
}

TEST_F(KubeconfigFilesTest, CertificateFilesAreReadOnlyWhenAllowed) {
  write_file(dir_ / "ca.crt", pki_->ca_pem());
  write_file(dir_ / "client.crt", pki_->client_certificate_pem());
  write_file(dir_ / "client.key", pki_->client_key_pem());
  std::string text =
      "current-context: c\nclusters:\n- name: k\n  cluster:\n    server: https://k:443\n"
      "    certificate-authority: ca.crt\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\n"
      "users:\n- name: u\n  user:\n    client-certificate: " +
      (dir_ / "client.crt").string() + "\n    client-key: client.key\n";
  auto c = parse_kubeconfig(text, allowed(dir_.string()));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->ca_pem, pki_->ca_pem());
  EXPECT_EQ(c->client_certificate_pem, pki_->client_certificate_pem());
  EXPECT_EQ(c->client_key_pem, pki_->client_key_pem());

  expect_refused(parse_kubeconfig(text), "clusters[0].cluster.certificate-authority", "embed");
  // A file bigger than the limit is refused, not read whole.
  write_file(dir_ / "big", std::string(5000, 'x'));
  auto small = allowed(dir_.string());
  small.max_bytes = 4096;
  expect_refused(parse_kubeconfig(config("    tokenFile: big\n"), small), "users[0].user.tokenFile", "larger");
}

TEST_F(KubeconfigTest, ContextSelection) {
  std::string text =
      "current-context: a\nclusters:\n- name: one\n  cluster: {server: 'https://one'}\n- name: two\n"
      "  cluster: {server: 'http://two:8080/prefix//'}\ncontexts:\n- name: a\n  context: {cluster: one, user: u1}\n"
      "- name: b\n  context: {cluster: two}\n- name: broken\n  context: {cluster: three, user: u1}\n"
      "- name: nouser\n  context: {cluster: one, user: ghost}\nusers:\n- name: u1\n  user: {token: t1}\n";
  auto a = parse_kubeconfig(text);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->context, "a");
  EXPECT_EQ(a->server, "https://one");
  EXPECT_EQ(a->token, "t1");

  KubeconfigOptions pick;
  pick.context = "b";
  auto b = parse_kubeconfig(text, pick);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->server, "http://two:8080/prefix");
  EXPECT_EQ(b->token, "");  // no user: anonymous

  pick.context = "broken";
  expect_refused(parse_kubeconfig(text, pick), "contexts[2].context.cluster", "\"three\"");
  pick.context = "nouser";
  expect_refused(parse_kubeconfig(text, pick), "contexts[3].context.user", "\"ghost\"");
  pick.context = "nope";
  expect_refused(parse_kubeconfig(text, pick), "contexts", "a, b, broken, nouser");

  std::string no_current = text.substr(text.find('\n') + 1);
  expect_refused(parse_kubeconfig(no_current), "current-context", "a, b, broken, nouser");
  expect_refused(parse_kubeconfig("current-context: zzz\n" + no_current), "current-context", "\"zzz\"");

  auto listed = list_kubeconfig_contexts(text);
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_EQ(listed->names, (std::vector<std::string>{"a", "b", "broken", "nouser"}));
  EXPECT_EQ(listed->current, "a");
  EXPECT_FALSE(list_kubeconfig_contexts("contexts: 5\n"));
  EXPECT_FALSE(list_kubeconfig_contexts(std::string(100, 'x'), 10));
}

TEST_F(KubeconfigTest, JsonKubeconfig) {
  std::string text =
      "{\n\t\"apiVersion\": \"v1\", \"kind\": \"Config\", \"current-context\": \"c\",\n\t\"clusters\": [{\"name\": "
      "\"k\", \"cluster\": {\"server\": \"https:\\/\\/k.example.com\", \"insecure-skip-tls-verify\": true}}],\n"
      "\t\"contexts\": [{\"name\": \"c\", \"context\": {\"cluster\": \"k\", \"user\": \"u\"}}],\n"
      "\t\"users\": [{\"name\": \"u\", \"user\": {\"token\": \"caf\\u00e9\"}}]\n}\n";
  auto c = parse_kubeconfig(text);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->server, "https://k.example.com");
  EXPECT_TRUE(c->insecure_skip_tls_verify);
  EXPECT_EQ(c->token, "caf\xC3\xA9");
}

TEST_F(KubeconfigTest, ServerUrlMustBeHttpWithAHost) {
  auto with_server = [](const std::string& server) {
    return "current-context: c\nclusters:\n- name: k\n  cluster:\n    server: '" + server +
           "'\ncontexts:\n- name: c\n  context: {cluster: k}\n";
  };
  for (const char* bad : {"", "ftp://k", "k:6443", "https://", "https://:6443", "https://k:99999", "https://k:",
                          "https://k:x", "https://k/?a=b", "https://user:pw@k", "https://a:b:c", "https://[::1"}) {
    SCOPED_TRACE(bad);
    expect_refused(parse_kubeconfig(with_server(bad)), "clusters[0].cluster.server");
  }
  auto upper = parse_kubeconfig(with_server("HTTPS://Kube.Example:6443/base/"));
  ASSERT_TRUE(upper) << upper.error().message;
  EXPECT_EQ(upper->server, "https://Kube.Example:6443/base");
  auto v6 = parse_kubeconfig(with_server("https://[fd00::1]:6443"));
  ASSERT_TRUE(v6) << v6.error().message;
  EXPECT_EQ(v6->server, "https://[fd00::1]:6443");
}

TEST_F(KubeconfigTest, WrongTypesAndDuplicatesAreRefusedWithTheirPath) {
  const std::string tail = "contexts:\n- name: c\n  context: {cluster: k}\n";
  expect_refused(parse_kubeconfig("current-context: c\nclusters: {k: 1}\n" + tail), "clusters", "list");
  expect_refused(parse_kubeconfig("current-context: c\nclusters: [x]\n" + tail), "clusters[0]");
  expect_refused(parse_kubeconfig("current-context: c\nclusters: [{cluster: {server: 'https://k'}}]\n" + tail),
                 "clusters[0].name", "missing");
  expect_refused(parse_kubeconfig("current-context: c\nclusters: [{name: [k]}]\n" + tail), "clusters[0].name");
  expect_refused(parse_kubeconfig("current-context: c\nclusters: [{name: k, cluster: [1]}]\n" + tail),
                 "clusters[0].cluster", "map");
  expect_refused(parse_kubeconfig("current-context: c\nclusters: [{name: k}]\n" + tail), "clusters[0].cluster",
                 "missing");
  expect_refused(parse_kubeconfig("current-context: c\nclusters: [{name: k, cluster: {server: [a]}}]\n" + tail),
                 "clusters[0].cluster.server", "string");
  expect_refused(parse_kubeconfig("current-context: c\nclusters: [{name: k, cluster: {server: 'https://k', "
                                  "insecure-skip-tls-verify: maybe}}]\n" +
                                  tail),
                 "clusters[0].cluster.insecure-skip-tls-verify");
  expect_refused(parse_kubeconfig("current-context: [c]\n"), "current-context");
  expect_refused(parse_kubeconfig("current-context: c\nclusters: [{name: k, cluster: {server: 'https://k'}}]\n"
                                  "contexts: [{name: c}]\n"),
                 "contexts[0].context.cluster", "missing");
  auto no_user_body = parse_kubeconfig(
      "current-context: c\nclusters: [{name: k, cluster: {server: 'https://k'}}]\ncontexts: [{name: c, context: "
      "{cluster: k, user: u}}]\nusers: [{name: u}]\n");
  ASSERT_TRUE(no_user_body) << no_user_body.error().message;
  EXPECT_EQ(no_user_body->token, "");
  expect_refused(parse_kubeconfig("current-context: c\nclusters: [{name: k, cluster: {server: 'https://k'}}, "
                                  "{name: k, cluster: {server: 'https://l'}}]\n" +
                                  tail),
                 "clusters[1].name", "duplicate");
  expect_refused(parse_kubeconfig(config("    token: t\n") + "- name: alice\n  user: {token: u}\n"), "users[1].name",
                 "duplicate");
  expect_refused(parse_kubeconfig(config("    - token\n")), "users[0].user", "map");
  expect_refused(parse_kubeconfig(config("    token: \"a\\r\\nX-Evil: 1\"\n")), "users[0].user.token", "control");
  expect_refused(parse_kubeconfig("kind: Pod\n"), "kind");
  expect_refused(parse_kubeconfig("- a\n- b\n"), "", "map");
  expect_refused(parse_kubeconfig("just a string"), "", "map");
  expect_refused(parse_kubeconfig(""), "", "empty");
  expect_refused(parse_kubeconfig("  \n\n"), "", "empty");
  expect_refused(parse_kubeconfig("clusters: [\n"), "", "line");
  expect_refused(parse_kubeconfig("a: b\n a: c\n\t- x"), "");
}

TEST_F(KubeconfigTest, HostileBytes) {
  std::string nul = config("    token: t\n");
  nul[20] = '\0';
  expect_refused(parse_kubeconfig(nul), "", "NUL");
  expect_refused(parse_kubeconfig(config("    token: \xff\xfe\n")), "", "UTF-8");
  expect_refused(parse_kubeconfig("a: \xC0\xAF\n"), "", "UTF-8");                    // overlong '/'
  expect_refused(parse_kubeconfig("a: \xED\xA0\x80\n"), "", "UTF-8");                // surrogate
  expect_refused(parse_kubeconfig("a: \xE2\x82\n"), "", "UTF-8");                    // truncated
  expect_refused(parse_kubeconfig(std::string("\xFF\xFE{\0\"\0", 6)), "", "UTF-8");  // UTF-16
  // Valid UTF-8 (and a BOM) is fine.
  auto bom = parse_kubeconfig("\xEF\xBB\xBF" + config("    token: \xE2\x9C\x93\n"));
  ASSERT_TRUE(bom) << bom.error().message;

  auto big = parse_kubeconfig(std::string(2 << 20, ' '));
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, core::ErrorCode::PayloadTooLarge);
  KubeconfigOptions tiny;
  tiny.max_bytes = 100;
  EXPECT_EQ(parse_kubeconfig(config("    token: t\n"), tiny).error().code, core::ErrorCode::PayloadTooLarge);
}

TEST_F(KubeconfigTest, DeepNestingIsRefusedWithoutCrashing) {
  expect_refused(parse_kubeconfig(std::string(200'000, '[')), "", "nested");
  expect_refused(parse_kubeconfig("a: " + std::string(100'000, '{')), "", "nested");
  std::string json;
  for (int i = 0; i < 50'000; ++i) json += "{\"a\":";
  expect_refused(parse_kubeconfig(json), "", "nested");
  // Block sequences nest one level per "- ": yaml-cpp's depth guard (or the type checks) stop them.
  std::string dashes;
  for (int i = 0; i < 300'000; ++i) dashes += "- ";
  dashes += "x\n";
  EXPECT_FALSE(parse_kubeconfig(dashes));
  std::string indented;
  for (int i = 0; i < 1'000; ++i) indented += std::string(i, ' ') + "k:\n";
  EXPECT_FALSE(parse_kubeconfig(indented));
}

TEST_F(KubeconfigTest, AliasesNeitherExplodeNorLoop) {
  // A billion laughs: each level refers to the previous one ten times.
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 10; ++i) {
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) bomb += (k ? ", *a" : "*a") + std::to_string(i - 1);
    bomb += "]\n";
  }
  auto as_users = parse_kubeconfig(bomb + "users: *a9\ncurrent-context: c\n");
  expect_refused(as_users, "users[0]");
  EXPECT_FALSE(list_kubeconfig_contexts(bomb + "contexts: *a9\n"));
  // Self-referencing anchors.
  EXPECT_FALSE(parse_kubeconfig("clusters: &c [*c]\ncurrent-context: c\n"));
  EXPECT_FALSE(parse_kubeconfig("users: &u [{name: u, user: *u}]\n"));
  // Aliases used as intended work.
  auto shared = parse_kubeconfig(
      "current-context: c\nclusters: [{name: k, cluster: &k {server: 'https://k'}}]\ncontexts: [{name: c, context: "
      "{cluster: k, user: u}}]\nusers: [{name: u, user: {token: &t abc}}, {name: v, user: {token: *t}}]\n");
  ASSERT_TRUE(shared) << shared.error().message;
  EXPECT_EQ(shared->token, "abc");
}

TEST_F(KubeconfigTest, HugeScalarsAreBoundedByTheDocumentLimit) {
  std::string huge(900'000, 'a');
  auto c = parse_kubeconfig(config("    token: " + huge + "\n"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->token.size(), huge.size());
  expect_refused(
      parse_kubeconfig(config("    client-certificate-data: " + huge + "\n    client-key-data: " + key64() + "\n")),
      "users[0].user.client-certificate-data");
}

TEST_F(KubeconfigTest, RandomMutationsNeverCrash) {
  const std::string seed = config("    client-certificate-data: " + cert64() + "\n    client-key-data: " + key64() +
                                  "\n    exec: {apiVersion: client.authentication.k8s.io/v1, command: a, args: [b], "
                                  "env: [{name: n, value: v}]}\n");
  std::mt19937 rng(12345);
  std::string alphabet = "[]{}:-&*!|>'\"#,?\n \t\\%@`";
  alphabet += std::string("\0\xff", 2);
  int accepted = 0;
  for (int round = 0; round < 1500; ++round) {
    std::string text = seed;
    int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      std::size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text[at] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          text.erase(at, 1 + rng() % 40);
          break;
        default:
          text.insert(at, text.substr(rng() % text.size(), 1 + rng() % 60));
      }
      if (text.empty()) text = "x";
    }
    auto r = parse_kubeconfig(text, allowed());
    if (r)
      ++accepted;
    else
      EXPECT_FALSE(r.error().message.empty());
    (void)list_kubeconfig_contexts(text);
  }
  EXPECT_GT(accepted, 0);  // the mutations are not all fatal, so the resolving code was exercised too
}

TEST(InClusterTest, ReadsTheServiceAccount) {
  std::string tmpl = (fs::temp_directory_path() / "atrium-sa-XXXXXX").string();
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  fs::path dir = tmpl;
  write_file(dir / "token", "sa-token\n");
  write_file(dir / "namespace", "atrium-system");

  ::unsetenv("KUBERNETES_SERVICE_HOST");
  auto outside = in_cluster_connection(dir.string());
  ASSERT_FALSE(outside);
  EXPECT_EQ(outside.error().code, core::ErrorCode::NotFound);

  ::setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
  ::setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  auto c = in_cluster_connection(dir.string());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->server, "https://[fd00::1]:443");
  EXPECT_EQ(c->token, "sa-token");
  EXPECT_EQ(c->token_file, (dir / "token").string());
  EXPECT_EQ(c->namespace_name, "atrium-system");

  write_file(dir / "ca.crt", "garbage");
  EXPECT_FALSE(in_cluster_connection(dir.string()));
  fs::remove(dir / "token");
  auto no_token = in_cluster_connection(dir.string());
  ASSERT_FALSE(no_token);
  EXPECT_EQ(no_token.error().code, core::ErrorCode::NotFound);
  ::unsetenv("KUBERNETES_SERVICE_HOST");
  ::unsetenv("KUBERNETES_SERVICE_PORT");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace atrium::kube
