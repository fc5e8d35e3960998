#include "support/ldap_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace atrium::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSlapd = "/usr/sbin/slapd";
constexpr const char* kSlapadd = "/usr/sbin/slapadd";
constexpr const char* kSlappasswd = "/usr/sbin/slappasswd";
constexpr const char* kLdapsearch = "/usr/bin/ldapsearch";
constexpr const char* kOpenssl = "/usr/bin/openssl";

core::Error failure(std::string message) { return core::Error(core::ErrorCode::Unavailable, std::move(message)); }

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

bool accepts_connections(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

}  // namespace

core::Result<TestPki> make_test_pki(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return core::fail(failure(fmt::format("cannot create {}: {}", dir, ec.message())));
  TestPki pki{dir + "/ca.pem", dir + "/server.pem", dir + "/server.key"};
  const std::string ext = dir + "/server.ext";
  if (!write_file(ext,
                  "basicConstraints=critical,CA:FALSE\n"
                  "keyUsage=critical,digitalSignature,keyEncipherment\n"
                  "extendedKeyUsage=serverAuth\n"
                  "subjectAltName=IP:127.0.0.1,DNS:localhost\n")) {
    return core::fail(failure("cannot write " + ext));
  }
  const std::vector<std::vector<std::string>> steps = {
      {kOpenssl,
       "req",
       "-x509",
       "-newkey",
       "ec",
       "-pkeyopt",
       "ec_paramgen_curve:prime256v1",
       "-nodes",
       "-keyout",
       dir + "/ca.key",
       "-out",
       pki.ca_file,
       "-days",
       "2",
       "-subj",
       "/CN=Atrium test CA",
       "-addext",
       "basicConstraints=critical,CA:TRUE",
       "-addext",
       "keyUsage=critical,keyCertSign,cRLSign"},
      {kOpenssl, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
       pki.key_file, "-out", dir + "/server.csr", "-subj", "/CN=127.0.0.1"},
      {kOpenssl, "x509", "-req", "-in", dir + "/server.csr", "-CA", pki.ca_file, "-CAkey", dir + "/ca.key",
       "-set_serial", "2", "-days", "2", "-extfile", ext, "-out", pki.cert_file},
  };
  for (const auto& argv : steps) {
    auto r = run_command(argv, {});
    if (!r) return core::fail(r.error());
    if (r->status != 0) return core::fail(failure(fmt::format("openssl {} failed:\n{}", argv[1], r->output)));
  }
  return pki;
}

core::Result<std::string> LdapServer::hash_password(const std::string& password) {
  auto r = run_command({kSlappasswd, "-h", "{SSHA}", "-s", password}, {});
  if (!r) return core::fail(r.error());
  if (r->status != 0) return core::fail(failure("slappasswd failed: " + r->output));
  std::string out = r->output;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

core::Result<std::unique_ptr<LdapServer>> LdapServer::start(const Options& options) {
  for (const char* bin : {kSlapd, kSlapadd, kSlappasswd, kLdapsearch, kOpenssl}) {
    if (!fs::exists(bin)) {
      return core::fail(core::ErrorCode::FailedPrecondition,
                        fmt::format("{} not found (scripts/setup.sh installs slapd and ldap-utils)", bin));
    }
  }
  auto server = std::unique_ptr<LdapServer>(new LdapServer());
  char tmpl[] = "/tmp/atrium-ldap-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return core::fail(failure(fmt::format("mkdtemp: {}", std::strerror(errno))));
  server->dir_ = tmpl;
  const std::string& dir = server->dir_;
  fs::create_directories(dir + "/data");
  const std::string conf = dir + "/slapd.conf";
  std::string text = fmt::format(
      "include /etc/ldap/schema/core.schema\n"
      "include /etc/ldap/schema/cosine.schema\n"
      "include /etc/ldap/schema/inetorgperson.schema\n"
      "include /etc/ldap/schema/nis.schema\n"
      "modulepath /usr/lib/ldap\n"
      "moduleload back_mdb\n"
      "pidfile {0}/slapd.pid\n"
      "argsfile {0}/slapd.args\n"
      "database mdb\n"
      "maxsize 16777216\n"
      "suffix \"{1}\"\n"
      "rootdn \"{2}\"\n"
      "rootpw {3}\n"
      "directory {0}/data\n"
      "index objectClass eq\n"
      "index uid,member eq\n"
      "access to attrs=userPassword by anonymous auth by self write by * none\n"
      "access to * by * read\n",
      dir, kSuffix, kRootDn, kRootPassword);
  server->tls_ = options.tls;
  if (options.tls) {
    // Global TLS settings belong before the first database; "security" applies to every operation.
    text = fmt::format("TLSCACertificateFile {}\nTLSCertificateFile {}\nTLSCertificateKeyFile {}\nsecurity tls=1\n",
                       options.tls->ca_file, options.tls->cert_file, options.tls->key_file) +
           text;
  }
  std::string ldif =
      fmt::format("dn: {}\nobjectClass: dcObject\nobjectClass: organization\no: Atrium test\ndc: atrium\n\n", kSuffix) +
      options.ldif;
  if (!write_file(conf, text) || !write_file(dir + "/base.ldif", ldif)) {
    return core::fail(failure("cannot write slapd configuration in " + dir));
  }
  auto added = run_command({kSlapadd, "-f", conf, "-l", dir + "/base.ldif"}, {});
  if (!added) return core::fail(added.error());
  if (added->status != 0) return core::fail(failure("slapadd failed:\n" + added->output));

  auto deadline = std::chrono::steady_clock::now() + options.ready_timeout;
  core::Status ready = core::fail(failure("not started"));
  for (int attempt = 0; attempt < 5 && !ready; ++attempt) {
    auto port = free_loopback_port();
    if (!port) return core::fail(port.error());
    server->port_ = *port;
    auto child =
        ChildProcess::start({kSlapd, "-d", std::to_string(options.debug_level), "-f", conf, "-h", server->url() + "/"},
                            {}, dir + "/slapd.log");
    if (!child) return core::fail(child.error());
    server->slapd_ = std::move(*child);
    ready = server->wait_until_ready(deadline);
    if (!ready) server->slapd_.reset();
  }
  if (!ready) return core::fail(ready.error());
  return server;
}

core::Status LdapServer::wait_until_ready(std::chrono::steady_clock::time_point deadline) {
  while (true) {
    if (!slapd_->running()) {
      return core::fail(failure(fmt::format("slapd on port {} exited during start-up:\n{}", port_, slapd_->log())));
    }
    if (accepts_connections(port_)) {
      std::vector<std::string> argv = {kLdapsearch, "-x", "-H", url(), "-b", kSuffix, "-s", "base", "-LLL", "dn"};
      std::map<std::string, std::string> env;
      if (tls_) {
        argv.insert(argv.begin() + 1, "-ZZ");  // StartTLS, and fail if it does not succeed
        env = {{"LDAPTLS_CACERT", tls_->ca_file}, {"LDAPTLS_REQCERT", "demand"}};
      }
      auto r = run_command(argv, env, std::chrono::seconds(5));
      if (r && r->status == 0) return {};
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return core::fail(failure(fmt::format("slapd on port {} was not ready in time:\n{}", port_, slapd_->log())));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // poll interval, not a readiness guess
  }
}

LdapServer::~LdapServer() {
  slapd_.reset();  // SIGTERM, then SIGKILL
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

std::string LdapServer::log() const { return slapd_ ? slapd_->log() : std::string(); }

std::string LdapServer::url() const { return fmt::format("ldap://127.0.0.1:{}", port_); }

}  // namespace atrium::testing
