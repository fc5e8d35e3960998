// A throw-away OpenLDAP server (Debian's slapd) for tests: its own slapd.conf (back_mdb, suffix dc=atrium,dc=test,
// a root DN), a base LDIF loaded with slapadd, `slapd -d 0` in the foreground on a free loopback port, readiness
// polled with a deadline. The packaged cn=config database is never used. Stopped (SIGTERM, then SIGKILL) and its
// directory deleted by the destructor. Not thread-safe; use from one test thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/error.h"
#include "support/process.h"

namespace atrium::testing {

class LdapServer {
 public:
  static constexpr const char* kSuffix = "dc=atrium,dc=test";
  static constexpr const char* kRootDn = "cn=admin,dc=atrium,dc=test";
  static constexpr const char* kRootPassword = "root-secret";

  struct Options {
    // Entries below the suffix (the suffix entry itself is added first). Use hash_password() for userPassword.
    std::string ldif;
    std::chrono::seconds ready_timeout{30};
  };

  // Errors (Unavailable) carry slapd's output; FailedPrecondition when slapd is not installed (scripts/setup.sh).
  static core::Result<std::unique_ptr<LdapServer>> start(const Options& options);
  ~LdapServer();
  LdapServer(const LdapServer&) = delete;
  LdapServer& operator=(const LdapServer&) = delete;

  int port() const { return port_; }
  // ldap://127.0.0.1:PORT
  std::string url() const;

  // {SSHA} hash of `password` made by slappasswd.
  static core::Result<std::string> hash_password(const std::string& password);

 private:
  LdapServer() = default;
  core::Status wait_until_ready(std::chrono::steady_clock::time_point deadline);

  std::string dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> slapd_;
};

}  // namespace atrium::testing
