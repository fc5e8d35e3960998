// A throw-away OpenLDAP server (Debian's slapd) for tests: its own slapd.conf (back_mdb, suffix dc=atrium,dc=test,
// a root DN), a base LDIF loaded with slapadd, `slapd -d 0` in the foreground on a free loopback port, readiness
// polled with a deadline (through StartTLS when TLS is on). The packaged cn=config database is never used. Stopped
// (SIGTERM, then SIGKILL) and its directory deleted by the destructor. Not thread-safe; use from one test thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/error.h"
#include "support/process.h"

namespace atrium::testing {

// A throw-away PKI made with openssl in `dir`: a test CA and a server certificate for 127.0.0.1 and localhost
// signed by it (P-256 keys, valid for two days). Unavailable (with openssl's output) when a step fails.
struct TestPki {
  std::string ca_file;    // the CA certificate (PEM): what a client trusts
  std::string cert_file;  // the server certificate (PEM)
  std::string key_file;   // its private key (PEM)
};
core::Result<TestPki> make_test_pki(const std::string& dir);

class LdapServer {
 public:
  static constexpr const char* kSuffix = "dc=atrium,dc=test";
  static constexpr const char* kRootDn = "cn=admin,dc=atrium,dc=test";
  static constexpr const char* kRootPassword = "root-secret";

  struct Options {
    // Entries below the suffix (the suffix entry itself is added first). Use hash_password() for userPassword.
    std::string ldif;
    std::chrono::seconds ready_timeout{30};
    // When set, slapd serves StartTLS with this certificate and refuses every operation without TLS
    // ("security tls=1"): a client that does not negotiate TLS gets "confidentiality required".
    std::optional<TestPki> tls;
    // slapd -d level: 0 is quiet; 256 logs one line per operation ("conn=1001 op=0 STARTTLS", "... BIND dn=...").
    int debug_level = 0;
  };

  // Errors (Unavailable) carry slapd's output; FailedPrecondition when slapd is not installed (scripts/setup.sh).
  static core::Result<std::unique_ptr<LdapServer>> start(const Options& options);
  ~LdapServer();
  LdapServer(const LdapServer&) = delete;
  LdapServer& operator=(const LdapServer&) = delete;

  int port() const { return port_; }
  // ldap://127.0.0.1:PORT
  std::string url() const;

  // What slapd printed so far (see Options::debug_level).
  std::string log() const;

  // {SSHA} hash of `password` made by slappasswd.
  static core::Result<std::string> hash_password(const std::string& password);

 private:
  LdapServer() = default;
  core::Status wait_until_ready(std::chrono::steady_clock::time_point deadline);

  std::string dir_;
  int port_ = 0;
  std::optional<TestPki> tls_;
  std::unique_ptr<ChildProcess> slapd_;
};

}  // namespace atrium::testing
