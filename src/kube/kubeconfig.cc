#include "kube/kubeconfig.h"

#include "kube/manifest.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <new>

#include <fmt/format.h>

#include "core/json.h"
#include "net/tls_pem.h"

namespace atrium::kube {
namespace {

using core::ErrorCode;
namespace fs = std::filesystem;

// Flow collections ("[[[[...") nested deeper than this are refused before yaml-cpp sees them; a real kubeconfig
// nests five levels. Block nesting is bounded by yaml-cpp's own depth guard.
constexpr int kMaxFlowDepth = 64;

core::Error invalid(std::string field, const std::string& message) {
  std::string text = field.empty() ? "invalid kubeconfig: " + message : "invalid kubeconfig: " + field + ": " + message;
  return core::Error(ErrorCode::InvalidArgument, std::move(text), {core::Cause{std::move(field), message}});
}

std::string quote(std::string_view s) {
  std::string out;
  core::append_json_string(out, s.substr(0, 256));
  return out;
}

// "a, b, c" for messages: the first names only, each shortened, so a hostile document cannot inflate errors.
std::string join(const std::vector<std::string>& names) {
  if (names.empty()) return "(none)";
  constexpr std::size_t kShown = 20;
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < kShown; ++i) {
    if (!out.empty()) out += ", ";
    out += names[i].size() > 64 ? names[i].substr(0, 64) + "..." : names[i];
  }
  if (names.size() > kShown) out += fmt::format(" and {} more", names.size() - kShown);
  return out;
}

std::string rfc3339(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  if (t == system_clock::time_point::max()) return "the end of time";
  if (t == system_clock::time_point::min()) return "the beginning of time";
  auto day = floor<days>(t);
  year_month_day ymd(day);
  hh_mm_ss hms(floor<seconds>(t - day));
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count());
}

// Offset of the first byte that is not well-formed UTF-8 (or is NUL), or npos.
std::size_t first_bad_byte(std::string_view s, bool& is_nul) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t n = s.size(), i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c == 0) {
      is_nul = true;
      return i;
    }
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return i;
    }
    if (i + len > n || p[i + 1] < lo || p[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k) {
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

// JSON documents go through the project's bounded JSON parser (exact JSON semantics, depth limit) and are then
// handed to the same reader as YAML.
YAML::Node yaml_from_json(const core::json::value& v) {
  switch (v.kind()) {
    case core::json::kind::object: {
      YAML::Node n(YAML::NodeType::Map);
      for (const auto& [k, child] : v.get_object()) n[std::string(k)] = yaml_from_json(child);
      return n;
    }
    case core::json::kind::array: {
      YAML::Node n(YAML::NodeType::Sequence);
      for (const auto& child : v.get_array()) n.push_back(yaml_from_json(child));
      return n;
    }
    case core::json::kind::string:
      return YAML::Node(std::string(v.get_string()));
    case core::json::kind::null:
      return YAML::Node(YAML::NodeType::Null);
    default:
      return YAML::Node(core::json::serialize(v));
  }
}

core::Result<YAML::Node> load(std::string_view text, std::size_t max_bytes) {
  if (text.size() > max_bytes) {
    return core::fail(ErrorCode::PayloadTooLarge,
                      fmt::format("kubeconfig of {} bytes exceeds the limit of {} bytes", text.size(), max_bytes));
  }
  bool is_nul = false;
  if (auto at = first_bad_byte(text, is_nul); at != std::string_view::npos) {
    return tl::unexpected(invalid("", is_nul ? fmt::format("contains a NUL byte at offset {}; a kubeconfig is text", at)
                                             : fmt::format("is not valid UTF-8 (byte offset {})", at)));
  }
  std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return tl::unexpected(invalid("", "the document is empty"));
  if (text[first] == '{') {
    core::JsonLimits limits;
    limits.max_bytes = max_bytes;
    if (auto json = core::parse_json(text, limits)) return yaml_from_json(*json);
    // Not JSON after all: YAML flow syntax ({a: b}) is read below.
  }
  if (yaml_flow_too_deep(text, kMaxFlowDepth)) {
    return tl::unexpected(invalid("", fmt::format("collections are nested deeper than {} levels", kMaxFlowDepth)));
  }
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) return tl::unexpected(invalid("", "not valid YAML or JSON: " + e.msg));
    return tl::unexpected(invalid("", fmt::format("not valid YAML or JSON at line {}, column {}: {}", e.mark.line + 1,
                                                  e.mark.column + 1, e.msg)));
  }
}

std::string_view type_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a string";
    default:
      return "null";
  }
}

// A member of a map, or an undefined node when `map` is absent, null or not a map.
YAML::Node member(const YAML::Node& map, const char* key) {
  if (!map.IsDefined() || !map.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  return map[key];
}

bool present(const YAML::Node& n) { return n.IsDefined() && !n.IsNull(); }

// A string field: absent/null is empty; a list or map is an error.
core::Result<std::string> string_field(const YAML::Node& map, const char* key, const std::string& path) {
  YAML::Node n = member(map, key);
  if (!present(n)) return std::string();
  if (!n.IsScalar()) return tl::unexpected(invalid(path, fmt::format("must be a string, not {}", type_name(n))));
  return n.Scalar();
}

core::Result<bool> bool_field(const YAML::Node& map, const char* key, const std::string& path) {
  YAML::Node n = member(map, key);
  if (!present(n)) return false;
  if (n.IsScalar()) {
    std::string v = n.Scalar();
    for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (v == "true" || v == "yes" || v == "on") return true;
    if (v == "false" || v == "no" || v == "off") return false;
  }
  return tl::unexpected(invalid(path, "must be true or false"));
}

bool has_control(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7F) return true;
  }
  return false;
}

core::Result<std::string> base64_decode(std::string_view in, const std::string& path) {
  if (in.find("-----BEGIN") != std::string_view::npos) {
    return tl::unexpected(invalid(path,
                                  "holds PEM text; *-data fields hold the base64 encoding of the PEM file "
                                  "(base64 -w0 file.pem)"));
  }
  std::string out;
  out.reserve(in.size() / 4 * 3);
  unsigned buf = 0;
  int bits = 0;
  std::size_t pad = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+') {
      v = 62;
    } else if (c == '/') {
      v = 63;
    } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      continue;
    } else if (c == '=') {
      ++pad;
      continue;
    } else {
      return tl::unexpected(invalid(path, fmt::format("is not valid base64 (unexpected character at offset {})", i)));
    }
    if (pad > 0) return tl::unexpected(invalid(path, "is not valid base64 (data after '=' padding)"));
    buf = (buf << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buf >> bits) & 0xFF));
    }
  }
  if (bits >= 6 || pad > 2) return tl::unexpected(invalid(path, "is not valid base64 (truncated)"));
  if (out.empty()) return tl::unexpected(invalid(path, "is empty after base64 decoding"));
  return out;
}

struct Entry {
  std::size_t index = 0;
  YAML::Node body;   // the inner "cluster"/"context"/"user" map (possibly null)
  std::string path;  // "clusters[2]"
};

// Reads clusters/contexts/users: a list of {name, <inner>} maps with unique names.
core::Result<std::map<std::string, Entry>> read_list(const YAML::Node& root, const char* list, const char* inner,
                                                     std::vector<std::string>* order = nullptr) {
  std::map<std::string, Entry> out;
  YAML::Node items = member(root, list);
  if (!present(items)) return out;
  if (!items.IsSequence()) {
    return tl::unexpected(invalid(list, fmt::format("must be a list, not {}", type_name(items))));
  }
  std::size_t i = 0;
  for (const auto& item : items) {
    std::string path = fmt::format("{}[{}]", list, i);
    if (!item.IsMap()) {
      return tl::unexpected(
          invalid(path, fmt::format("must be a map with name and {}, not {}", inner, type_name(item))));
    }
    auto name = string_field(item, "name", path + ".name");
    if (!name) return tl::unexpected(name.error());
    if (name->empty()) return tl::unexpected(invalid(path + ".name", "is missing"));
    YAML::Node body = item[inner];
    if (present(body) && !body.IsMap()) {
      return tl::unexpected(invalid(path + "." + inner, fmt::format("must be a map, not {}", type_name(body))));
    }
    auto [it, fresh] = out.emplace(*name, Entry{i, body, path});
    if (!fresh) {
      return tl::unexpected(invalid(
          path + ".name", fmt::format("duplicate name {} (also {}[{}])", quote(*name), list, it->second.index)));
    }
    if (order) order->push_back(*name);
    ++i;
  }
  return out;
}

class Resolver {
 public:
  explicit Resolver(const KubeconfigOptions& options) : options_(options) {}

  core::Result<ClusterConnection> resolve(const YAML::Node& root) {
    if (!root.IsMap()) {
      return tl::unexpected(
          invalid("", fmt::format("must be a map with clusters, contexts and users, not {}", type_name(root))));
    }
    auto kind = string_field(root, "kind", "kind");
    if (!kind) return tl::unexpected(kind.error());
    if (!kind->empty() && *kind != "Config") {
      return tl::unexpected(invalid("kind", "must be Config, not " + quote(*kind)));
    }
    std::vector<std::string> context_names;
    auto clusters = read_list(root, "clusters", "cluster");
    if (!clusters) return tl::unexpected(clusters.error());
    auto contexts = read_list(root, "contexts", "context", &context_names);
    if (!contexts) return tl::unexpected(contexts.error());
    auto users = read_list(root, "users", "user");
    if (!users) return tl::unexpected(users.error());
    auto current = string_field(root, "current-context", "current-context");
    if (!current) return tl::unexpected(current.error());

    ClusterConnection c;
    std::string wanted = options_.context.empty() ? *current : options_.context;
    if (wanted.empty()) {
      return tl::unexpected(
          invalid("current-context", "is not set; choose one of the contexts: " + join(context_names)));
    }
    auto ctx = contexts->find(wanted);
    if (ctx == contexts->end()) {
      return tl::unexpected(invalid(
          options_.context.empty() ? "current-context" : "contexts",
          fmt::format("there is no context named {}; the kubeconfig defines: {}", quote(wanted), join(context_names))));
    }
    c.context = wanted;
    const std::string cpath = ctx->second.path + ".context";
    const YAML::Node& cbody = ctx->second.body;
    auto cluster_name = string_field(cbody, "cluster", cpath + ".cluster");
    if (!cluster_name) return tl::unexpected(cluster_name.error());
    auto user_name = string_field(cbody, "user", cpath + ".user");
    if (!user_name) return tl::unexpected(user_name.error());
    auto ns = string_field(cbody, "namespace", cpath + ".namespace");
    if (!ns) return tl::unexpected(ns.error());
    c.namespace_name = *ns;

    if (cluster_name->empty()) return tl::unexpected(invalid(cpath + ".cluster", "is missing"));
    auto cl = clusters->find(*cluster_name);
    if (cl == clusters->end()) {
      return tl::unexpected(invalid(
          cpath + ".cluster", fmt::format("names cluster {}, which clusters does not define", quote(*cluster_name))));
    }
    if (auto s = read_cluster(cl->second, c); !s) return tl::unexpected(s.error());
    if (!user_name->empty()) {  // a context without a user talks to the cluster anonymously
      auto u = users->find(*user_name);
      if (u == users->end()) {
        return tl::unexpected(
            invalid(cpath + ".user", fmt::format("names user {}, which users does not define", quote(*user_name))));
      }
      if (auto s = read_user(u->second, c); !s) return tl::unexpected(s.error());
    }
    return c;
  }

 private:
  // The contents of a file field, when files are allowed; `path` names the field.
  core::Result<std::string> read_file(const std::string& file, const std::string& path, std::string& resolved) {
    if (options_.files == FileAccess::Refused) {
      return tl::unexpected(invalid(path,
                                    "names a file, which an uploaded kubeconfig may not do; embed the "
                                    "contents instead (the *-data fields, or token instead of tokenFile)"));
    }
    fs::path p(file);
    if (p.is_relative() && !options_.base_dir.empty()) p = fs::path(options_.base_dir) / p;
    resolved = p.lexically_normal().string();
    std::ifstream in(resolved, std::ios::binary);
    if (!in) return tl::unexpected(invalid(path, "cannot read file " + quote(resolved)));
    std::string out;
    char buf[8192];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
      out.append(buf, static_cast<std::size_t>(in.gcount()));
      if (out.size() > options_.max_bytes) {
        return tl::unexpected(
            invalid(path, fmt::format("file {} is larger than {} bytes", quote(resolved), options_.max_bytes)));
      }
    }
    if (in.bad()) return tl::unexpected(invalid(path, "cannot read file " + quote(resolved)));
    return out;
  }

  // PEM from a "<name>-data" field (base64) or, failing that, a "<name>" file field.
  core::Result<std::string> pem_field(const YAML::Node& body, const std::string& base, const std::string& name,
                                      std::string& field_used) {
    std::string data_key = name + "-data";
    auto data = string_field(body, data_key.c_str(), base + "." + data_key);
    if (!data) return tl::unexpected(data.error());
    if (!data->empty()) {
      field_used = base + "." + data_key;
      return base64_decode(*data, field_used);
    }
    auto file = string_field(body, name.c_str(), base + "." + name);
    if (!file) return tl::unexpected(file.error());
    field_used = base + "." + name;
    if (file->empty()) return std::string();
    std::string resolved;
    return read_file(*file, field_used, resolved);
  }

  core::Status check_validity(const net::PemCertificateInfo& info, const std::string& path) {
    if (options_.now < info.not_before) {
      return tl::unexpected(invalid(path, "certificate is not valid before " + rfc3339(info.not_before)));
    }
    if (options_.now >= info.not_after) {
      return tl::unexpected(
          invalid(path, "certificate expired on " + rfc3339(info.not_after) + "; get a new kubeconfig"));
    }
    return {};
  }

  core::Status read_cluster(const Entry& e, ClusterConnection& c) {
    const std::string base = e.path + ".cluster";
    if (!present(e.body)) return tl::unexpected(invalid(base, "is missing"));
    auto server = string_field(e.body, "server", base + ".server");
    if (!server) return tl::unexpected(server.error());
    auto normal = normalize_server(*server);
    if (!normal) return tl::unexpected(invalid(base + ".server", normal.error().message));
    c.server = std::move(*normal);

    auto insecure = bool_field(e.body, "insecure-skip-tls-verify", base + ".insecure-skip-tls-verify");
    if (!insecure) return tl::unexpected(insecure.error());
    c.insecure_skip_tls_verify = *insecure;
    auto sni = string_field(e.body, "tls-server-name", base + ".tls-server-name");
    if (!sni) return tl::unexpected(sni.error());
    if (has_control(*sni) || sni->find_first_of(" /") != std::string::npos) {
      return tl::unexpected(invalid(base + ".tls-server-name", "must be a host name"));
    }
    c.tls_server_name = *sni;

    std::string field;
    auto ca = pem_field(e.body, base, "certificate-authority", field);
    if (!ca) return tl::unexpected(ca.error());
    if (!ca->empty()) {
      if (c.insecure_skip_tls_verify) {
        return tl::unexpected(invalid(base + ".insecure-skip-tls-verify",
                                      "cannot be combined with a certificate authority; remove one of them"));
      }
      auto certs = net::inspect_certificates_pem(*ca);
      if (!certs) return tl::unexpected(invalid(field, certs.error().message));
      // A bundle may keep an old CA next to its successor; one usable certificate is enough.
      core::Status any_valid = tl::unexpected(core::Error());
      for (const auto& info : *certs) {
        any_valid = check_validity(info, field);
        if (any_valid) break;
      }
      if (!any_valid) return any_valid;
      c.ca_pem = std::move(*ca);
    }
    return {};
  }

  core::Status read_user(const Entry& e, ClusterConnection& c) {
    const std::string base = e.path + ".user";
    const YAML::Node& u = e.body;  // null = no credentials
    for (const char* unsupported : {"auth-provider", "as", "as-groups", "as-uid", "as-user-extra"}) {
      if (present(member(u, unsupported))) {
        return tl::unexpected(invalid(
            base + "." + unsupported,
            std::string_view(unsupported) == "auth-provider"
                ? "auth-provider plugins are no longer supported by Kubernetes clients; use an exec plugin or a token"
                : "impersonation in a kubeconfig is not supported; use the identity itself"));
      }
    }

    std::string cert_field, key_field;
    auto cert = pem_field(u, base, "client-certificate", cert_field);
    if (!cert) return tl::unexpected(cert.error());
    auto key = pem_field(u, base, "client-key", key_field);
    if (!key) return tl::unexpected(key.error());
    if (!cert->empty() && key->empty()) {
      return tl::unexpected(invalid(base + ".client-key-data", "is missing; a client certificate needs its key"));
    }
    if (cert->empty() && !key->empty()) {
      return tl::unexpected(
          invalid(base + ".client-certificate-data", "is missing; a client key needs its certificate"));
    }
    if (!cert->empty()) {
      auto info = net::inspect_certificate_pem(*cert);
      if (!info) return tl::unexpected(invalid(cert_field, info.error().message));
      if (auto s = check_validity(*info, cert_field); !s) return s;
      if (auto s = net::check_private_key_pem(*key); !s) return tl::unexpected(invalid(key_field, s.error().message));
      if (auto s = net::check_key_matches_certificate_pem(*cert, *key); !s) {
        return tl::unexpected(invalid(key_field, s.error().message));
      }
      c.client_certificate_pem = std::move(*cert);
      c.client_key_pem = std::move(*key);
      c.client_certificate_expiry = info->not_after;
    }

    auto token = string_field(u, "token", base + ".token");
    if (!token) return tl::unexpected(token.error());
    auto token_file = string_field(u, "tokenFile", base + ".tokenFile");
    if (!token_file) return tl::unexpected(token_file.error());
    if (!token->empty() && !token_file->empty()) {
      return tl::unexpected(invalid(base + ".tokenFile", "cannot be combined with token; keep one of them"));
    }
    if (!token->empty()) {
      if (has_control(*token)) return tl::unexpected(invalid(base + ".token", "contains a control character"));
      c.token = *token;
    }
    if (!token_file->empty()) {
      std::string resolved;
      auto contents = read_file(*token_file, base + ".tokenFile", resolved);
      if (!contents) return tl::unexpected(contents.error());
      while (!contents->empty() && (contents->back() == '\n' || contents->back() == '\r' || contents->back() == ' ')) {
        contents->pop_back();
      }
      if (contents->empty())
        return tl::unexpected(invalid(base + ".tokenFile", "file " + quote(resolved) + " is empty"));
      if (has_control(*contents)) {
        return tl::unexpected(invalid(base + ".tokenFile", "file " + quote(resolved) + " holds a control character"));
      }
      c.token = std::move(*contents);
      c.token_file = resolved;
    }

    auto username = string_field(u, "username", base + ".username");
    if (!username) return tl::unexpected(username.error());
    auto password = string_field(u, "password", base + ".password");
    if (!password) return tl::unexpected(password.error());
    c.username = *username;
    c.password = *password;

    YAML::Node exec = member(u, "exec");
    if (present(exec)) {
      auto plugin = read_exec(exec, base + ".exec");
      if (!plugin) return tl::unexpected(plugin.error());
      c.exec = std::move(*plugin);
    }
    return {};
  }

  core::Result<ExecPlugin> read_exec(const YAML::Node& n, const std::string& base) {
    if (options_.files == FileAccess::Refused) {
      return tl::unexpected(invalid(base,
                                    "runs a command on the Atrium server, which an uploaded kubeconfig may not "
                                    "do; use a token or a client certificate"));
    }
    if (!n.IsMap()) return tl::unexpected(invalid(base, fmt::format("must be a map, not {}", type_name(n))));
    ExecPlugin p;
    auto api = string_field(n, "apiVersion", base + ".apiVersion");
    if (!api) return tl::unexpected(api.error());
    if (*api != "client.authentication.k8s.io/v1" && *api != "client.authentication.k8s.io/v1beta1") {
      return tl::unexpected(invalid(base + ".apiVersion",
                                    api->empty()
                                        ? std::string("is missing; use client.authentication.k8s.io/v1")
                                        : "must be client.authentication.k8s.io/v1 or v1beta1, not " + quote(*api)));
    }
    p.api_version = *api;
    auto command = string_field(n, "command", base + ".command");
    if (!command) return tl::unexpected(command.error());
    if (command->empty()) return tl::unexpected(invalid(base + ".command", "is missing"));
    if (has_control(*command)) return tl::unexpected(invalid(base + ".command", "contains a control character"));
    p.command = *command;
    // Like kubectl: a relative path with a slash is relative to the kubeconfig's directory; a bare name is
    // looked up on PATH.
    if (p.command.find('/') != std::string::npos && fs::path(p.command).is_relative() && !options_.base_dir.empty()) {
      p.command = (fs::path(options_.base_dir) / p.command).lexically_normal().string();
    }
    auto mode = string_field(n, "interactiveMode", base + ".interactiveMode");
    if (!mode) return tl::unexpected(mode.error());
    if (*mode == "Always") {
      return tl::unexpected(invalid(base + ".interactiveMode", "Always needs a terminal, which Atrium does not have"));
    }

    YAML::Node args = n["args"];
    if (present(args)) {
      if (!args.IsSequence()) return tl::unexpected(invalid(base + ".args", "must be a list of strings"));
      std::size_t i = 0;
      for (const auto& a : args) {
        if (!a.IsScalar()) {
          return tl::unexpected(invalid(fmt::format("{}.args[{}]", base, i), "must be a string"));
        }
        p.args.push_back(a.Scalar());
        ++i;
      }
    }
    YAML::Node env = n["env"];
    if (present(env)) {
      if (!env.IsSequence()) return tl::unexpected(invalid(base + ".env", "must be a list of {name, value}"));
      std::size_t i = 0;
      for (const auto& item : env) {
        std::string path = fmt::format("{}.env[{}]", base, i++);
        if (!item.IsMap()) return tl::unexpected(invalid(path, "must be a map with name and value"));
        auto name = string_field(item, "name", path + ".name");
        if (!name) return tl::unexpected(name.error());
        if (name->empty() || name->find('=') != std::string::npos || has_control(*name)) {
          return tl::unexpected(invalid(path + ".name", "must be a non-empty variable name without '='"));
        }
        auto value = string_field(item, "value", path + ".value");
        if (!value) return tl::unexpected(value.error());
        p.env.emplace_back(std::move(*name), std::move(*value));
      }
    }
    return p;
  }

  // http(s)://host[:port][/prefix], lower-case scheme, no trailing slash.
  static core::Result<std::string> normalize_server(std::string s) {
    auto bad = [](std::string why) { return core::fail(ErrorCode::InvalidArgument, std::move(why)); };
    if (s.empty()) return bad("is missing; set the API server URL (https://host:port)");
    if (has_control(s) || s.find(' ') != std::string::npos) return bad("must be a URL without spaces");
    auto colon = s.find("://");
    std::string scheme = colon == std::string::npos ? std::string() : s.substr(0, colon);
    for (auto& ch : scheme) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (scheme != "https" && scheme != "http") {
      return bad("must be an http(s) URL such as https://host:6443, not " + quote(s));
    }
    std::string rest = s.substr(colon + 3);
    if (rest.find_first_of("?#") != std::string::npos) return bad("must not have a query or fragment");
    std::string authority = rest.substr(0, rest.find('/'));
    if (authority.find('@') != std::string::npos) return bad("must not carry credentials; put them in users");
    std::string host = authority, port;
    bool has_port = false;
    if (!authority.empty() && authority.front() == '[') {
      auto end = authority.find(']');
      if (end == std::string::npos || end < 2) return bad("has a malformed IPv6 address");
      host = authority.substr(0, end + 1);
      std::string after = authority.substr(end + 1);
      if (!after.empty()) {
        if (after.front() != ':') return bad("has a malformed host");
        has_port = true;
        port = after.substr(1);
      }
    } else if (auto pc = authority.find(':'); pc != std::string::npos) {
      if (authority.find(':', pc + 1) != std::string::npos) return bad("has a malformed host (IPv6 needs brackets)");
      host = authority.substr(0, pc);
      has_port = true;
      port = authority.substr(pc + 1);
    }
    if (host.empty()) return bad("has no host");
    if (has_port) {
      bool digits = !port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos;
      if (!digits || std::stoi(port) == 0 || std::stoi(port) > 65535) return bad("has an invalid port");
    }
    std::string out = scheme + "://" + rest;
    while (out.size() > scheme.size() + 3 && out.back() == '/') out.pop_back();
    return out;
  }

  const KubeconfigOptions& options_;
};

// Exceptions from yaml-cpp (or allocation) never leave the module.
template <class F>
auto guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const YAML::Exception& e) {
    return tl::unexpected(invalid("", "not a usable kubeconfig: " + e.msg));
  } catch (const std::bad_alloc&) {
    return core::fail(ErrorCode::ResourceExhausted, "kubeconfig: out of memory while reading it");
  } catch (const std::exception& e) {
    return tl::unexpected(invalid("", std::string("not a usable kubeconfig: ") + e.what()));
  } catch (...) {
    return tl::unexpected(invalid("", "not a usable kubeconfig"));
  }
}

}  // namespace

core::Result<ClusterConnection> parse_kubeconfig(std::string_view text, const KubeconfigOptions& options) {
  return guarded([&]() -> core::Result<ClusterConnection> {
    auto root = load(text, options.max_bytes);
    if (!root) return tl::unexpected(root.error());
    return Resolver(options).resolve(*root);
  });
}

core::Result<KubeconfigContexts> list_kubeconfig_contexts(std::string_view text, std::size_t max_bytes) {
  return guarded([&]() -> core::Result<KubeconfigContexts> {
    auto root = load(text, max_bytes);
    if (!root) return tl::unexpected(root.error());
    if (!root->IsMap()) {
      return tl::unexpected(
          invalid("", fmt::format("must be a map with clusters, contexts and users, not {}", type_name(*root))));
    }
    KubeconfigContexts out;
    auto contexts = read_list(*root, "contexts", "context", &out.names);
    if (!contexts) return tl::unexpected(contexts.error());
    auto current = string_field(*root, "current-context", "current-context");
    if (!current) return tl::unexpected(current.error());
    out.current = std::move(*current);
    return out;
  });
}

core::Result<ClusterConnection> in_cluster_connection(std::string_view account_dir) {
  return guarded([&]() -> core::Result<ClusterConnection> {
    const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
    const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
    if (!host || !*host || !port || !*port) {
      return core::fail(ErrorCode::NotFound,
                        "not running in a Kubernetes pod (KUBERNETES_SERVICE_HOST/PORT are not set)");
    }
    std::string h = host;
    if (h.find(':') != std::string::npos && h.front() != '[') h = "[" + h + "]";
    ClusterConnection c;
    c.context = "in-cluster";
    c.server = "https://" + h + ":" + port;
    auto read = [](const fs::path& p, std::string& out) {
      std::ifstream in(p, std::ios::binary);
      if (!in) return false;
      std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      out = std::move(data);
      return true;
    };
    fs::path dir(account_dir);
    std::string token;
    if (!read(dir / "token", token)) {
      return core::fail(ErrorCode::NotFound, "no service account token at " + (dir / "token").string() +
                                                 " (is automountServiceAccountToken off?)");
    }
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
    if (token.empty() || has_control(token)) {
      return core::fail(ErrorCode::InvalidArgument,
                        "service account token " + (dir / "token").string() + " is empty or malformed");
    }
    c.token = std::move(token);
    c.token_file = (dir / "token").string();
    std::string ca;
    if (read(dir / "ca.crt", ca)) {
      if (auto certs = net::inspect_certificates_pem(ca); !certs) {
        return core::fail(ErrorCode::InvalidArgument,
                          "service account CA " + (dir / "ca.crt").string() + ": " + certs.error().message);
      }
      c.ca_pem = std::move(ca);
    }
    std::string ns;
    if (read(dir / "namespace", ns)) {
      while (!ns.empty() && (ns.back() == '\n' || ns.back() == '\r' || ns.back() == ' ')) ns.pop_back();
      c.namespace_name = std::move(ns);
    }
    return c;
  });
}

}  // namespace atrium::kube
