// The real `atrium` binary for integration tests: started on a free loopback port with its own data directory
// (SQLite), the bootstrap admin token read back, and small helpers to call its API as some token. The destructor
// stops the process and removes the directory. Not thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "net/http_client.h"
#include "support/process.h"

namespace atrium::testing {

struct AtriumServerOptions {
  std::string name = "atrium";             // part of the data directory's name
  std::vector<std::string> extra_args;     // after `serve --data-dir ... --listen ...`
  std::map<std::string, std::string> env;  // added to the environment
  std::string admin_password = "Correct-Horse-Battery-9";
  // Serve HTTPS with a self-signed certificate for 127.0.0.1 made with openssl (kubectl sends tokens only over
  // HTTPS); ca_file() is then the certificate to trust.
  bool tls = false;
};

class AtriumServer {
 public:
  // Starts build/<preset>/atrium (ATRIUM_BUILD_DIR, else build/dev) and waits up to 30 s for /readyz.
  static core::Result<std::unique_ptr<AtriumServer>> start(AtriumServerOptions options = {});
  ~AtriumServer();
  AtriumServer(const AtriumServer&) = delete;
  AtriumServer& operator=(const AtriumServer&) = delete;

  int port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_; }
  const std::string& admin_token() const { return admin_; }
  std::string url(std::string_view path) const;  // http:// or https://
  const std::string& ca_file() const { return ca_file_; }
  // A client that trusts this server (its own certificate when tls).
  net::HttpClientOptions client_options() const;
  std::string log() const { return process_ ? process_->log() : std::string(); }

  // One request as `token` (no Authorization header when empty); a transport failure is status 0.
  net::ClientResponse call(const std::string& token, const std::string& method, const std::string& path,
                           const std::string& body = {}, const std::string& content_type = "application/json");
  // Creates a user with `password` (as admin); the response status.
  int create_user(const std::string& name, const std::string& password);
  // The tenancy most tests start from, made as admin; each returns the response (201 when made).
  // Registers cluster `name` from the kubeconfig file at `kubeconfig_path` (sealed and stored by Atrium).
  net::ClientResponse register_cluster(const std::string& name, const std::string& kubeconfig_path);
  // A workspace bound to `clusters`.
  net::ClientResponse create_workspace(const std::string& name, const std::vector<std::string>& clusters);
  // A project (its namespace made on `cluster`, or adopted when `adopt`).
  net::ClientResponse create_project(const std::string& workspace, const std::string& name, const std::string& cluster,
                                     bool adopt = false);
  // `user` given `role` in a project.
  net::ClientResponse add_project_member(const std::string& workspace, const std::string& project,
                                         const std::string& user, const std::string& role);
  // Logs in; the session token, or empty.
  std::string login(const std::string& user, const std::string& password);
  // GETs `path` as `token` until `pred` holds on the JSON body or `limit` passes.
  bool eventually(const std::string& token, const std::string& path,
                  const std::function<bool(const core::json::value&)>& pred,
                  std::chrono::milliseconds limit = std::chrono::seconds(60));

 private:
  AtriumServer() = default;
  std::filesystem::path dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
  std::string ca_file_;
  std::unique_ptr<net::HttpClient> http_ = std::make_unique<net::HttpClient>();
  std::string admin_;
};

// `s` as a JSON string literal, quotes included.
std::string json_string(std::string_view s);
// The whole file, or empty.
std::string read_text_file(const std::string& path);

}  // namespace atrium::testing
