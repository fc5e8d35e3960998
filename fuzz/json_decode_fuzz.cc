// libFuzzer target: arbitrary bytes through the API's body path: bounded JSON parsing, then decoding and
// validation of a Workspace document (the schema layer every resource uses). Must never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/json.h"
#include "tenancy/workspace.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto v = atrium::core::parse_json(text);
  if (!v) return 0;
  auto doc = atrium::tenancy::workspace_type().decode(*v);
  if (doc) {
    // A canonical document must decode again to itself.
    auto again = atrium::tenancy::workspace_type().decode(atrium::core::json::value(*doc));
    if (!again || *again != *doc) __builtin_trap();
  }
  return 0;
}
