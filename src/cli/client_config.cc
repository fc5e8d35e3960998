#include "cli/client_config.h"

#include <cstdlib>

#include <fmt/format.h>

#include "crypto/private_file.h"

namespace atrium::cli {

namespace fs = std::filesystem;
namespace json = core::json;
using core::ErrorCode;

EnvLookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

core::Result<fs::path> client_config_path(const EnvLookup& env) {
  if (auto p = env("ATRIUM_CONFIG"); p && !p->empty()) return fs::path(*p);
  if (auto p = env("XDG_CONFIG_HOME"); p && !p->empty()) return fs::path(*p) / "atrium" / "config";
  if (auto p = env("HOME"); p && !p->empty()) return fs::path(*p) / ".config" / "atrium" / "config";
  return core::fail(ErrorCode::FailedPrecondition,
                    "cannot locate the CLI config: set ATRIUM_CONFIG, XDG_CONFIG_HOME or HOME");
}

json::object to_json(const ClientConfig& config) {
  json::object o;
  o["server"] = config.server;
  o["token"] = config.token;
  if (!config.ca_file.empty()) o["caFile"] = config.ca_file;
  if (config.insecure_skip_tls_verify) o["insecureSkipTlsVerify"] = true;
  return o;
}

core::Result<ClientConfig> client_config_from_json(const json::value& v) {
  if (!v.is_object()) return core::fail(ErrorCode::InvalidArgument, "expected a JSON object");
  const auto& o = v.as_object();
  ClientConfig c;
  auto read_string = [&](std::string_view key, std::string& out) -> core::Status {
    const auto* f = o.if_contains(json::string_view(key.data(), key.size()));
    if (f == nullptr || f->is_null()) return {};
    if (!f->is_string()) return core::fail(ErrorCode::InvalidArgument, fmt::format("\"{}\" must be a string", key));
    out = std::string(f->as_string());
    return {};
  };
  if (auto s = read_string("server", c.server); !s) return tl::unexpected(s.error());
  if (auto s = read_string("token", c.token); !s) return tl::unexpected(s.error());
  if (auto s = read_string("caFile", c.ca_file); !s) return tl::unexpected(s.error());
  if (const auto* f = o.if_contains("insecureSkipTlsVerify"); f != nullptr && !f->is_null()) {
    if (!f->is_bool()) return core::fail(ErrorCode::InvalidArgument, "\"insecureSkipTlsVerify\" must be true or false");
    c.insecure_skip_tls_verify = f->as_bool();
  }
  if (!c.server.empty()) {
    auto server = normalize_server_url(c.server);
    if (!server) return core::fail(ErrorCode::InvalidArgument, "\"server\": " + server.error().message);
    c.server = *server;
  }
  return c;
}

core::Result<ClientConfig> load_client_config(const fs::path& path) {
  auto text = crypto::read_private_file(path, kMaxConfigBytes, "config file");
  if (!text) return tl::unexpected(text.error());
  if (!*text) return ClientConfig{};
  auto parsed = core::parse_json(**text, core::JsonLimits{kMaxConfigBytes, 16});
  if (!parsed) return tl::unexpected(parsed.error().with_context("config file " + path.string()));
  auto config = client_config_from_json(*parsed);
  if (!config) return tl::unexpected(config.error().with_context("config file " + path.string()));
  return config;
}

core::Status save_client_config(const fs::path& path, const ClientConfig& config) {
  std::string text = json::serialize(to_json(config));
  text += '\n';
  auto s = crypto::write_private_file(path, text, crypto::WriteMode::Replace);
  if (!s) return tl::unexpected(s.error().with_context("saving the CLI config"));
  return {};
}

core::Result<std::string> normalize_server_url(std::string_view url) {
  auto bad = [&](std::string_view why) {
    return core::fail(ErrorCode::InvalidArgument, fmt::format("server URL must be {}", why));
  };
  std::string_view rest;
  if (url.substr(0, 8) == "https://") {
    rest = url.substr(8);
  } else if (url.substr(0, 7) == "http://") {
    rest = url.substr(7);
  } else {
    return bad("http:// or https:// followed by a host, e.g. https://atrium.example.com");
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) return bad("free of spaces and control characters");
  }
  if (rest.find_first_of("?#") != std::string_view::npos) return bad("without a query or fragment");
  std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.empty()) return bad("http:// or https:// followed by a host, e.g. https://atrium.example.com");
  if (authority.find('@') != std::string_view::npos) return bad("without user info (use a token, not user:pass@)");
  std::string out(url);
  while (out.back() == '/') out.pop_back();
  return out;
}

}  // namespace atrium::cli
