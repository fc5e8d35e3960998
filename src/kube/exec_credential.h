// Runs an exec credential plugin and reads the ExecCredential it prints (status.token, or
// status.clientCertificateData + clientKeyData, and status.expirationTimestamp). Bounded: a time limit, an output
// limit, no shell, the plugin's env added to the inherited one. Thread-safe (no shared state).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/error.h"
#include "kube/kubeconfig.h"

namespace atrium::kube {

struct ExecCredentialResult {
  std::string token;
  std::string client_certificate_pem;
  std::string client_key_pem;
  std::optional<std::chrono::system_clock::time_point> expiry;
};

struct ExecRunOptions {
  std::chrono::milliseconds timeout{10'000};
  std::size_t max_output = 1 << 20;
};

// Unavailable when the command cannot be started, exits non-zero or times out (stderr's first line in the
// message); InvalidArgument when its output is not a valid ExecCredential.
core::Result<ExecCredentialResult> run_exec_plugin(const ExecPlugin& plugin, const ExecRunOptions& options = {});

// The parsing half, separately testable and fuzzable.
core::Result<ExecCredentialResult> parse_exec_credential(std::string_view json);

}  // namespace atrium::kube
