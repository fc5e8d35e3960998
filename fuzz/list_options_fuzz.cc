// libFuzzer target: arbitrary query strings through query parsing and the list conventions
// (page, limit, sortBy, ascending, name, labelSelector). Must never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/list_options.h"
#include "net/http.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  atrium::net::QueryParams q;
  if (!atrium::net::parse_query(text, q)) return 0;
  auto opts = atrium::core::parse_list_options(q);
  if (opts) {
    std::map<std::string, std::string, std::less<>> labels{{"app", "api"}, {"tier", "gold"}};
    (void)opts->label_selector.matches(labels);
  }
  auto sel = atrium::core::LabelSelector::parse(text);
  (void)sel;
  return 0;
}
