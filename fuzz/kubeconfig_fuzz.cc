// libFuzzer target: arbitrary bytes as a kubeconfig uploaded over the API (files and exec refused) and as an exec
// plugin's output. Must never crash, hang or throw.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kube/exec_credential.h"
#include "kube/kubeconfig.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  atrium::kube::KubeconfigOptions options;
  options.files = atrium::kube::FileAccess::Refused;
  auto c = atrium::kube::parse_kubeconfig(text, options);
  if (c) {
    // An accepted server URL is normalised: http(s), no trailing slash.
    if (c->server.rfind("http", 0) != 0 || c->server.back() == '/') __builtin_trap();
  } else if (c.error().message.empty()) {
    __builtin_trap();
  }
  (void)atrium::kube::list_kubeconfig_contexts(text);
  (void)atrium::kube::parse_exec_credential(text);
  return 0;
}
