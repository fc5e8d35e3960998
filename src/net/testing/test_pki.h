// Test certificates made by the openssl CLI in a temporary directory (removed with the object): a CA, a client
// certificate it signed (valid for one day from now, so "now + 2 days" sees it expired) and an unrelated key.
// For tests only; not thread-safe.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace atrium::net::testing {

class TestPki {
 public:
  TestPki() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "atrium-pki-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) return;
    dir_ = tmpl;
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    ok_ = run("openssl req -x509" + ec + " -subj /CN=atrium-test-ca -days 365 -keyout " + path("ca.key") + " -out " +
              path("ca.crt")) &&
          run("openssl req" + ec + " -subj /O=system:masters/CN=admin -keyout " + path("client.key") + " -out " +
              path("client.csr")) &&
          run("openssl x509 -req -in " + path("client.csr") + " -CA " + path("ca.crt") + " -CAkey " + path("ca.key") +
              " -CAcreateserial -days 1 -out " + path("client.crt")) &&
          run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out " + path("other.key"));
    if (ok_) {
      ca_pem_ = read(path("ca.crt"));
      client_certificate_pem_ = read(path("client.crt"));
      client_key_pem_ = read(path("client.key"));
      other_key_pem_ = read(path("other.key"));
    }
  }
  ~TestPki() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  bool ok() const { return ok_; }
  const std::string& dir() const { return dir_; }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  const std::string& ca_pem() const { return ca_pem_; }
  const std::string& client_certificate_pem() const { return client_certificate_pem_; }
  const std::string& client_key_pem() const { return client_key_pem_; }
  const std::string& other_key_pem() const { return other_key_pem_; }

 private:
  static bool run(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()) == 0; }
  static std::string read(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  std::string dir_;
  bool ok_ = false;
  std::string ca_pem_, client_certificate_pem_, client_key_pem_, other_key_pem_;
};

}  // namespace atrium::net::testing
