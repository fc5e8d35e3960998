// How the CLI shows API responses: an aligned table for people, or the JSON document as pretty JSON or YAML
// (`-o json|yaml`) for scripts. Pure functions over core JSON values; thread-safe.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/json.h"

namespace atrium::cli {

enum class OutputFormat { Table, Json, Yaml };

// "table" (also ""), "json", "yaml"; anything else is InvalidArgument listing the accepted values.
core::Result<OutputFormat> parse_output_format(std::string_view name);

// One table column: `path` is a dotted JSON path with optional array indexes, e.g. "metadata.name",
// "status.conditions[0].type". An empty `header` becomes the last path segment, upper-cased.
struct Column {
  std::string header;
  std::string path;
};

// Looks up `path` in `v`; nullptr when any step is missing or of the wrong type.
const core::json::value* find_path(const core::json::value& v, std::string_view path);

// Renders a list response ({"items":[...], ...}) with one row per item, or any other object as one row.
// Header row upper-case; columns separated by three spaces and aligned on display width; missing or null
// fields show "-"; control characters (newlines, escape sequences) are shown escaped (\n, \x1b) so a hostile
// value cannot break rows or drive the terminal; cells longer than kMaxCellWidth are cut with "...".
// An empty list renders as "" (callers say "No resources found." on stderr).
inline constexpr std::size_t kMaxCellWidth = 120;
std::string render_table(const core::json::value& v, const std::vector<Column>& columns);

// Pretty-printed JSON (two-space indent, keys in document order), ending with a newline.
std::string render_json(const core::json::value& v);

// Block-style YAML in document key order; strings YAML would read as another type ("true", "123", "null",
// "") are quoted so the output reads back as the same document. Ends with a newline.
std::string render_yaml(const core::json::value& v);

// Writes `v` in `format`; Table uses `columns`.
void render(std::ostream& out, const core::json::value& v, OutputFormat format, const std::vector<Column>& columns);

// `s` on one line with control characters escaped (\n, \x1b, \u009b): safe to print to a terminal.
std::string printable(std::string_view s);

// True when `v` is a list response: an object with an "items" array.
bool is_list(const core::json::value& v);

}  // namespace atrium::cli
