// Kubernetes client configuration: a kubeconfig document (or the in-cluster service account) resolved into the
// one ClusterConnection that a Client needs. Parsing is pure (files are read only where the document names them
// and options allow it); every refusal names the offending field as a Cause ("users[0].user.token-file").
// Value types; thread-compatible.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace atrium::kube {

// An exec credential plugin (client.authentication.k8s.io): a command that prints an ExecCredential.
struct ExecPlugin {
  std::string api_version;  // e.g. client.authentication.k8s.io/v1beta1
  std::string command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
};

// Everything needed to talk to one API server as one identity. PEM strings hold decoded data, whichever way
// (inline *-data or a file) the kubeconfig gave them.
struct ClusterConnection {
  std::string server;  // https://host:port, optionally with a path prefix; no trailing slash
  std::string ca_pem;  // empty = system trust store
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;
  std::string client_certificate_pem;
  std::string client_key_pem;
  std::string token;       // bearer token (inline or read from tokenFile)
  std::string token_file;  // kept so a rotated file (service accounts) is re-read
  std::string username;    // basic auth, discouraged but part of the format
  std::string password;
  std::optional<ExecPlugin> exec;
  std::string context;         // the context that was used
  std::string namespace_name;  // the context's namespace, if any
  // Not-after of the client certificate, when there is one (for status and expiry warnings).
  std::optional<std::chrono::system_clock::time_point> client_certificate_expiry;
};

enum class FileAccess {
  Allowed,  // *-file fields are read (relative to base_dir); for the CLI and for trusted local configuration
  Refused,  // *-file fields are an error; for kubeconfigs uploaded over the API
};

struct KubeconfigOptions {
  std::string context;  // empty = current-context
  FileAccess files = FileAccess::Refused;
  std::string base_dir;  // relative paths resolve against it
  std::size_t max_bytes = 1 << 20;
  // Certificates are checked against this instant (expired or not yet valid ones are refused).
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

// Parses a kubeconfig (YAML or JSON) and resolves the chosen context. InvalidArgument with causes naming the
// field for: bad YAML, missing cluster/user/context, bad base64, a PEM that is not a certificate or key, an
// expired certificate, a server URL that is not http(s), a file field when files are refused.
core::Result<ClusterConnection> parse_kubeconfig(std::string_view text, const KubeconfigOptions& options = {});

// The names of the contexts a kubeconfig defines, and its current-context (for `clusters add --context`).
struct KubeconfigContexts {
  std::vector<std::string> names;
  std::string current;
};
core::Result<KubeconfigContexts> list_kubeconfig_contexts(std::string_view text, std::size_t max_bytes = 1 << 20);

// In-cluster configuration: KUBERNETES_SERVICE_HOST/PORT and the service account's token and CA under
// `account_dir` (normally /var/run/secrets/kubernetes.io/serviceaccount). NotFound when not in a pod.
core::Result<ClusterConnection> in_cluster_connection(
    std::string_view account_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

}  // namespace atrium::kube
