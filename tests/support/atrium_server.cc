#include "support/atrium_server.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace atrium::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string json_string(std::string_view s) {
  std::string out;
  core::append_json_string(out, s);
  return out;
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

core::Result<std::unique_ptr<AtriumServer>> AtriumServer::start(AtriumServerOptions options) {
  std::unique_ptr<AtriumServer> s(new AtriumServer());
  static int counter = 0;
  s->dir_ = fs::temp_directory_path() / fmt::format("atrium-{}-{}-{}", options.name, ::getpid(), ++counter);
  fs::remove_all(s->dir_);
  fs::create_directories(s->dir_ / "data");
  auto port = free_loopback_port();
  if (!port) return core::fail(port.error());
  s->port_ = *port;
  const char* build = std::getenv("ATRIUM_BUILD_DIR");
  std::vector<std::string> argv = {std::string(build ? build : "build/dev") + "/atrium",
                                   "serve",
                                   "--data-dir",
                                   (s->dir_ / "data").string(),
                                   "--listen",
                                   "127.0.0.1:" + std::to_string(s->port_),
                                   "--console-dir",
                                   ""};
  if (options.tls) {
    const std::string cert = (s->dir_ / "tls.crt").string(), key = (s->dir_ / "tls.key").string();
    auto made = run_command({"/usr/bin/openssl",
                             "req",
                             "-x509",
                             "-newkey",
                             "ec",
                             "-pkeyopt",
                             "ec_paramgen_curve:P-256",
                             "-nodes",
                             "-keyout",
                             key,
                             "-out",
                             cert,
                             "-days",
                             "2",
                             "-subj",
                             "/CN=127.0.0.1",
                             "-addext",
                             "subjectAltName=IP:127.0.0.1",
                             "-addext",
                             "basicConstraints=critical,CA:TRUE"},
                            {});
    if (!made) return core::fail(made.error());
    if (made->status != 0) return core::fail(core::ErrorCode::Internal, "openssl: " + made->output);
    argv.insert(argv.end(), {"--tls-cert-file", cert, "--tls-key-file", key});
    s->ca_file_ = cert;
    s->http_ = std::make_unique<net::HttpClient>(s->client_options());
  }
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  options.env.emplace("ATRIUM_ADMIN_PASSWORD", options.admin_password);
  auto p = ChildProcess::start(argv, options.env, (s->dir_ / "atrium.log").string());
  if (!p) return core::fail(p.error());
  s->process_ = std::move(*p);
  auto until = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < until && s->process_->running()) {
    auto r = s->http_->request("GET", s->url("/readyz"));
    if (r && r->status == 200) {
      s->admin_ = read_text_file((s->dir_ / "data" / "admin.token").string());
      while (!s->admin_.empty() && s->admin_.back() == '\n') s->admin_.pop_back();
      return s;
    }
    std::this_thread::sleep_for(20ms);
  }
  return core::fail(core::ErrorCode::Unavailable, "atrium did not become ready:\n" + s->process_->log());
}

AtriumServer::~AtriumServer() {
  process_.reset();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string AtriumServer::url(std::string_view path) const {
  return fmt::format("{}://127.0.0.1:{}{}", ca_file_.empty() ? "http" : "https", port_, path);
}

net::HttpClientOptions AtriumServer::client_options() const {
  net::HttpClientOptions o;
  o.ca_file = ca_file_;
  return o;
}

net::ClientResponse AtriumServer::call(const std::string& token, const std::string& method, const std::string& path,
                                       const std::string& body, const std::string& content_type) {
  net::Headers h;
  if (!token.empty()) h.add("Authorization", "Bearer " + token);
  if (!body.empty()) h.add("Content-Type", content_type);
  auto r = http_->request(method, url(path), h, body);
  if (!r) {
    net::ClientResponse failed;
    failed.body = r.error().message;
    return failed;
  }
  return *r;
}

int AtriumServer::create_user(const std::string& name, const std::string& password) {
  return call(admin_, "POST", "/api/v1/users",
              fmt::format(R"({{"apiVersion":"iam.atrium.io/v1","kind":"User","metadata":{{"name":"{}"}},)"
                          R"("spec":{{"email":"{}@example.com","password":{}}}}})",
                          name, name, json_string(password)))
      .status;
}

net::ClientResponse AtriumServer::register_cluster(const std::string& name, const std::string& kubeconfig_path) {
  return call(admin_, "POST", "/api/v1/clusters",
              fmt::format(R"({{"apiVersion":"cluster.atrium.io/v1","kind":"Cluster","metadata":{{"name":{}}},)"
                          R"("spec":{{"kubeconfig":{}}}}})",
                          json_string(name), json_string(read_text_file(kubeconfig_path))));
}

net::ClientResponse AtriumServer::create_workspace(const std::string& name, const std::vector<std::string>& clusters) {
  std::vector<std::string> quoted;
  for (const auto& c : clusters) quoted.push_back(json_string(c));
  return call(admin_, "POST", "/api/v1/workspaces",
              fmt::format(R"({{"metadata":{{"name":{}}},"spec":{{"clusters":[{}]}}}})", json_string(name),
                          fmt::join(quoted, ",")));
}

net::ClientResponse AtriumServer::create_project(const std::string& workspace, const std::string& name,
                                                 const std::string& cluster, bool adopt) {
  return call(
      admin_, "POST", "/api/v1/workspaces/" + workspace + "/projects" + (adopt ? "?adopt=true" : ""),
      fmt::format(R"({{"metadata":{{"name":{}}},"spec":{{"cluster":{}}}}})", json_string(name), json_string(cluster)));
}

net::ClientResponse AtriumServer::add_project_member(const std::string& workspace, const std::string& project,
                                                     const std::string& user, const std::string& role) {
  return call(admin_, "POST", "/api/v1/workspaces/" + workspace + "/projects/" + project + "/members",
              fmt::format(R"({{"user":{},"role":{}}})", json_string(user), json_string(role)));
}

std::string AtriumServer::login(const std::string& user, const std::string& password) {
  auto r = call({}, "POST", "/api/v1/login",
                fmt::format(R"({{"username":{},"password":{}}})", json_string(user), json_string(password)));
  if (r.status != 200) return {};
  auto v = core::parse_json(r.body);
  if (!v || !v->is_object() || !v->as_object().contains("token")) return {};
  return std::string(v->at("token").as_string());
}

bool AtriumServer::eventually(const std::string& token, const std::string& path,
                              const std::function<bool(const core::json::value&)>& pred,
                              std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    auto r = call(token, "GET", path);
    if (r.status == 200) {
      auto v = core::parse_json(r.body);
      if (v && pred(*v)) return true;
    }
    std::this_thread::sleep_for(200ms);
  }
  return false;
}

}  // namespace atrium::testing
