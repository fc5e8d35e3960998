// Kubernetes manifests: a YAML stream ("---"-separated documents) or a JSON object read into JSON objects the way
// kubectl reads them (plain YAML 1.1 scalars: yes/no/on/off are booleans, 0644 is octal, 1_000 is 1000; quoted
// scalars stay strings), bounded against hostile input (size, documents, nesting, alias expansion). The JSON is
// what callers check and send, so what is checked is exactly what is applied. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/json.h"

namespace atrium::kube {

struct ManifestLimits {
  std::size_t max_bytes = 4 * 1024 * 1024;
  std::size_t max_documents = 500;
  std::size_t max_depth = 64;
  // Nodes produced after alias expansion ("billion laughs" stops here).
  std::size_t max_nodes = 1'000'000;
};

// Whether YAML flow collections ("[[[[...", "{{{...") nest deeper than `max_depth`: checked before yaml-cpp, which
// recurses into them, sees the text.
bool yaml_flow_too_deep(std::string_view text, std::size_t max_depth);

// The non-empty documents of `text`, each a JSON object. Empty documents (only comments, or a bare "---") are
// skipped. Errors: PayloadTooLarge over max_bytes; InvalidArgument for text that is not UTF-8, malformed YAML
// (line and column in the message), a document that is not a mapping, a non-scalar or duplicate key, a merge key
// (<<), .inf/.nan, an unknown tag, or a limit exceeded. A problem in one document has a cause naming it ("[2]");
// malformed text as a whole has none.
core::Result<std::vector<core::json::value>> parse_manifests(std::string_view text, const ManifestLimits& limits = {});

}  // namespace atrium::kube
