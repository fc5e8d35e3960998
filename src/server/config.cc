#include "server/config.h"

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <functional>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/log.h"

namespace atrium::server {
namespace {

core::Error bad(const std::string& source, const std::string& key, const std::string& why) {
  return core::Error(core::ErrorCode::InvalidArgument, fmt::format("{}: {}: {}", source, key, why),
                     {core::Cause{key, why}});
}

core::Result<std::int64_t> to_int(const std::string& v, std::int64_t lo, std::int64_t hi) {
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n < lo || n > hi) {
    return core::fail(core::ErrorCode::InvalidArgument,
                      fmt::format("\"{}\" must be an integer from {} to {}", v.substr(0, 40), lo, hi));
  }
  return n;
}

bool valid_host_port(const std::string& s) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  auto port = to_int(s.substr(colon + 1), 0, 65535);
  return port.has_value();
}

using Setter = std::function<core::Status(ServerConfig&, const std::string&)>;

struct Entry {
  Setting setting;
  Setter set;
};

core::Status ok() { return {}; }

Setter string_setter(std::string ServerConfig::*m) {
  return [m](ServerConfig& c, const std::string& v) {
    c.*m = v;
    return ok();
  };
}
Setter int_setter(std::int64_t ServerConfig::*m, std::int64_t lo, std::int64_t hi) {
  return [m, lo, hi](ServerConfig& c, const std::string& v) -> core::Status {
    auto n = to_int(v, lo, hi);
    if (!n) return core::fail(n.error());
    c.*m = *n;
    return ok();
  };
}

const std::vector<Entry>& entries() {
  static const std::vector<Entry> e = {
      {{"listen", "ATRIUM_LISTEN", "--listen", "Address and port of the HTTP(S) listener.", "127.0.0.1:8080"},
       [](ServerConfig& c, const std::string& v) -> core::Status {
         if (!valid_host_port(v)) return core::fail(core::ErrorCode::InvalidArgument, "must be host:port");
         c.listen = v;
         return ok();
       }},
      {{"dataDir", "ATRIUM_DATA_DIR", "--data-dir", "Directory for the SQLite store, the secret key and state.",
        "$XDG_DATA_HOME/atrium"},
       string_setter(&ServerConfig::data_dir)},
      {{"store", "ATRIUM_STORE", "--store", "Store URL: sqlite:///path/atrium.db or postgres://user:pass@host:port/db.",
        "sqlite://<dataDir>/atrium.db"},
       [](ServerConfig& c, const std::string& v) -> core::Status {
         if (!(v.starts_with("sqlite://") || v.starts_with("postgres://") || v.starts_with("postgresql://"))) {
           return core::fail(core::ErrorCode::InvalidArgument, "must start with sqlite:// or postgres://");
         }
         c.store = v;
         return ok();
       }},
      {{"secretKeyFile", "ATRIUM_SECRET_KEY_FILE", "--secret-key-file",
        "Key file for secrets at rest (0600; the same file for every replica).", "<dataDir>/secret.key"},
       string_setter(&ServerConfig::secret_key_file)},
      {{"tls.certFile", "ATRIUM_TLS_CERT_FILE", "--tls-cert-file", "PEM certificate chain; enables HTTPS.", ""},
       string_setter(&ServerConfig::tls_cert_file)},
      {{"tls.keyFile", "ATRIUM_TLS_KEY_FILE", "--tls-key-file", "PEM private key for tls.certFile.", ""},
       string_setter(&ServerConfig::tls_key_file)},
      {{"metrics.listen", "ATRIUM_METRICS_LISTEN", "--metrics-listen",
        "Separate loopback listener for /metrics (no token needed there).", ""},
       [](ServerConfig& c, const std::string& v) -> core::Status {
         if (!v.empty() && !valid_host_port(v))
           return core::fail(core::ErrorCode::InvalidArgument, "must be host:port");
         c.metrics_listen = v;
         return ok();
       }},
      {{"metrics.token", "ATRIUM_METRICS_TOKEN", "--metrics-token",
        "Bearer token that Prometheus sends to scrape /metrics on the main listener.", ""},
       string_setter(&ServerConfig::metrics_token)},
      {{"trustedProxies", "ATRIUM_TRUSTED_PROXIES", "--trusted-proxies",
        "Comma-separated addresses or CIDR blocks whose X-Forwarded-For is believed.", ""},
       [](ServerConfig& c, const std::string& v) -> core::Status {
         c.trusted_proxies.clear();
         std::size_t start = 0;
         while (start <= v.size()) {
           auto comma = v.find(',', start);
           std::string item = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
           while (!item.empty() && item.front() == ' ') item.erase(0, 1);
           while (!item.empty() && item.back() == ' ') item.pop_back();
           if (!item.empty()) c.trusted_proxies.push_back(item);
           if (comma == std::string::npos) break;
           start = comma + 1;
         }
         return ok();
       }},
      {{"consoleDir", "ATRIUM_CONSOLE_DIR", "--console-dir", "Directory of the built web console.", "web/console/dist"},
       string_setter(&ServerConfig::console_dir)},
      {{"publicUrl", "ATRIUM_PUBLIC_URL", "--public-url",
        "URL users reach Atrium at; cookie-authenticated requests must come from this origin.", "http://<listen>"},
       [](ServerConfig& c, const std::string& v) -> core::Status {
         if (!v.empty() && !(v.starts_with("http://") || v.starts_with("https://"))) {
           return core::fail(core::ErrorCode::InvalidArgument, "must be an http:// or https:// URL");
         }
         c.public_url = v;
         return ok();
       }},
      {{"threads", "ATRIUM_THREADS", "--threads", "I/O threads of the HTTP server.", "2"},
       int_setter(&ServerConfig::threads, 1, 256)},
      {{"limits.maxBodyBytes", "ATRIUM_MAX_BODY_BYTES", "--max-body-bytes", "Largest accepted request body.",
        "4194304"},
       int_setter(&ServerConfig::max_body_bytes, 1024, 1LL << 30)},
      {{"limits.maxHeaderBytes", "ATRIUM_MAX_HEADER_BYTES", "--max-header-bytes",
        "Largest accepted request head (request line and headers).", "16384"},
       int_setter(&ServerConfig::max_header_bytes, 1024, 1 << 20)},
      {{"limits.requestTimeoutSeconds", "ATRIUM_REQUEST_TIMEOUT_SECONDS", "--request-timeout-seconds",
        "Time allowed to receive a request.", "30"},
       int_setter(&ServerConfig::request_timeout_seconds, 1, 3600)},
      {{"shutdownTimeoutSeconds", "ATRIUM_SHUTDOWN_TIMEOUT_SECONDS", "--shutdown-timeout-seconds",
        "On SIGTERM, how long in-flight requests may finish.", "10"},
       int_setter(&ServerConfig::shutdown_timeout_seconds, 0, 3600)},
      {{"logLevel", "ATRIUM_LOG_LEVEL", "--log-level", "debug, info, warn or error.", "info"},
       [](ServerConfig& c, const std::string& v) -> core::Status {
         core::LogLevel l;
         if (!core::parse_log_level(v, l)) {
           return core::fail(core::ErrorCode::InvalidArgument, "must be debug, info, warn or error");
         }
         c.log_level = v;
         return ok();
       }},
  };
  return e;
}

std::string default_data_dir() {
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return std::string(x) + "/atrium";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.local/share/atrium";
  return "./atrium-data";
}

core::Status walk_yaml(ServerConfig& cfg, const YAML::Node& node, const std::string& prefix,
                       const std::string& source) {
  if (!node.IsMap()) {
    return core::fail(bad(source, prefix.empty() ? "<root>" : prefix, "must be a mapping"));
  }
  for (const auto& kv : node) {
    std::string key = prefix.empty() ? kv.first.as<std::string>() : prefix + "." + kv.first.as<std::string>();
    if (kv.second.IsMap()) {
      bool is_parent = false;
      for (const auto& e : entries()) is_parent = is_parent || e.setting.key.starts_with(key + ".");
      if (!is_parent) return core::fail(bad(source, key, "unknown key"));
      if (auto s = walk_yaml(cfg, kv.second, key, source); !s) return s;
      continue;
    }
    std::string value;
    if (kv.second.IsSequence()) {
      if (key != "trustedProxies") return core::fail(bad(source, key, "must be a single value, not a list"));
      for (const auto& item : kv.second) {
        if (!item.IsScalar()) return core::fail(bad(source, key, "list items must be strings"));
        value += (value.empty() ? "" : ",") + item.as<std::string>();
      }
    } else if (kv.second.IsScalar()) {
      value = kv.second.as<std::string>();
    } else if (!kv.second.IsNull()) {
      return core::fail(bad(source, key, "unsupported value"));
    }
    if (auto s = apply_setting(cfg, key, value, source); !s) return s;
  }
  return ok();
}

}  // namespace

const std::vector<Setting>& settings() {
  static const std::vector<Setting> s = [] {
    std::vector<Setting> out;
    for (const auto& e : entries()) out.push_back(e.setting);
    return out;
  }();
  return s;
}

core::Status apply_setting(ServerConfig& cfg, const std::string& key, const std::string& value,
                           const std::string& source) {
  for (const auto& e : entries()) {
    if (e.setting.key == key) {
      auto s = e.set(cfg, value);
      if (!s) return core::fail(bad(source, key, s.error().message));
      return ok();
    }
  }
  return core::fail(bad(source, key, "unknown key"));
}

core::Status apply_yaml_text(ServerConfig& cfg, const std::string& text, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return core::fail(core::ErrorCode::InvalidArgument, fmt::format("{}: invalid YAML at line {}, column {}: {}",
                                                                    source, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  if (root.IsNull()) return ok();
  try {
    return walk_yaml(cfg, root, "", source);
  } catch (const YAML::Exception& e) {
    return core::fail(core::ErrorCode::InvalidArgument, fmt::format("{}: {}", source, e.what()));
  }
}

core::Status apply_yaml_file(ServerConfig& cfg, const std::string& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return core::fail(core::ErrorCode::NotFound, fmt::format("config file {}: {}", path, ec.message()));
  if (size > (1 << 20)) {
    return core::fail(core::ErrorCode::InvalidArgument, fmt::format("config file {} is larger than 1 MiB", path));
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return core::fail(core::ErrorCode::NotFound, fmt::format("config file {} cannot be opened", path));
  std::string text(size, '\0');
  std::size_t n = std::fread(text.data(), 1, size, f);
  std::fclose(f);
  text.resize(n);
  return apply_yaml_text(cfg, text, "config file " + path);
}

core::Status apply_environment(ServerConfig& cfg, const std::map<std::string, std::string>& env) {
  for (const auto& e : entries()) {
    auto it = env.find(e.setting.env);
    if (it == env.end()) continue;
    if (auto s = apply_setting(cfg, e.setting.key, it->second, "environment " + e.setting.env); !s) return s;
  }
  return ok();
}

core::Status finalize(ServerConfig& cfg) {
  if (cfg.data_dir.empty()) cfg.data_dir = default_data_dir();
  if (cfg.store.empty()) cfg.store = "sqlite://" + std::filesystem::absolute(cfg.data_dir).string() + "/atrium.db";
  if (cfg.secret_key_file.empty()) cfg.secret_key_file = cfg.data_dir + "/secret.key";
  if (cfg.tls_cert_file.empty() != cfg.tls_key_file.empty()) {
    return core::fail(bad("configuration", cfg.tls_cert_file.empty() ? "tls.certFile" : "tls.keyFile",
                          "tls.certFile and tls.keyFile must be given together"));
  }
  for (const auto* f : {&cfg.tls_cert_file, &cfg.tls_key_file}) {
    if (!f->empty() && !std::filesystem::is_regular_file(*f)) {
      return core::fail(bad("configuration", f == &cfg.tls_cert_file ? "tls.certFile" : "tls.keyFile",
                            fmt::format("file {} does not exist", *f)));
    }
  }
  if (cfg.public_url.empty()) {
    cfg.public_url = (cfg.tls_cert_file.empty() ? "http://" : "https://") + cfg.listen;
  }
  if (!cfg.metrics_listen.empty() && cfg.metrics_listen == cfg.listen) {
    return core::fail(bad("configuration", "metrics.listen", "must differ from listen"));
  }
  return ok();
}

std::string settings_reference() {
  std::string out = "| YAML key | Environment | Flag | Default | Meaning |\n|---|---|---|---|---|\n";
  for (const auto& s : settings()) {
    out += fmt::format("| `{}` | `{}` | `{}` | {} | {} |\n", s.key, s.env, s.flag,
                       s.default_text.empty() ? "" : "`" + s.default_text + "`", s.description);
  }
  return out;
}

}  // namespace atrium::server
