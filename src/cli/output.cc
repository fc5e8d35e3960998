#include "cli/output.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace atrium::cli {

namespace json = core::json;

namespace {

constexpr std::string_view kMissing = "-";
constexpr std::string_view kColumnGap = "   ";

bool is_continuation_byte(unsigned char c) { return (c & 0xC0) == 0x80; }

// Display width approximated as the number of code points (wide CJK characters count as one).
std::size_t display_width(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return !is_continuation_byte(static_cast<unsigned char>(c)); }));
}

// One line of printable text: C0 controls, DEL and the C1 controls (U+0080..U+009F, which some terminals obey
// like ESC) become visible escapes; cut at `max_width` code points.
std::string sanitize(std::string_view s, std::size_t max_width) {
  std::string out;
  out.reserve(std::min(s.size(), max_width * 4));
  std::size_t width = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::string piece;
    if (c == '\n') {
      piece = "\\n";
    } else if (c == '\r') {
      piece = "\\r";
    } else if (c == '\t') {
      piece = "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      piece = fmt::format("\\x{:02x}", c);
    } else if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
      piece = fmt::format("\\u{:04x}", static_cast<unsigned char>(s[i + 1]));
      ++i;
    } else {
      // Copy one whole code point so a cut never splits a UTF-8 sequence.
      std::size_t j = i + 1;
      while (j < s.size() && is_continuation_byte(static_cast<unsigned char>(s[j]))) ++j;
      piece.assign(s.substr(i, j - i));
      i = j - 1;
    }
    std::size_t piece_width = display_width(piece);
    if (width + piece_width > max_width) {
      while (width + 3 > max_width && !out.empty()) {
        // Drop whole code points until "..." fits.
        std::size_t k = out.size() - 1;
        while (k > 0 && is_continuation_byte(static_cast<unsigned char>(out[k]))) --k;
        out.resize(k);
        --width;
      }
      out += "...";
      return out;
    }
    out += piece;
    width += piece_width;
  }
  return out;
}

std::string sanitize_cell(std::string_view s) { return sanitize(s, kMaxCellWidth); }

// JSON text of a scalar; doubles in their shortest round-trip form ("1.5", not Boost's "1.5E0").
std::string scalar_text(const json::value& v) {
  if (v.is_double()) return fmt::format("{}", v.as_double());
  return json::serialize(v);
}

std::string cell_text(const json::value* v) {
  if (v == nullptr || v->is_null()) return std::string(kMissing);
  if (v->is_string()) {
    const auto& s = v->as_string();
    return s.empty() ? std::string(kMissing) : sanitize_cell(std::string_view(s.data(), s.size()));
  }
  return sanitize_cell(v->is_structured() ? json::serialize(*v) : scalar_text(*v));
}

std::string header_text(const Column& c) {
  std::string h = c.header;
  if (h.empty()) {
    std::string_view p = c.path;
    auto dot = p.find_last_of('.');
    h = std::string(dot == std::string_view::npos ? p : p.substr(dot + 1));
  }
  std::transform(h.begin(), h.end(), h.begin(), [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
  return sanitize_cell(h);
}

void pretty_json(std::string& out, const json::value& v, int indent) {
  const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  if (v.is_object() && !v.as_object().empty()) {
    out += "{\n";
    bool first = true;
    for (const auto& kv : v.as_object()) {
      if (!first) out += ",\n";
      first = false;
      out += pad;
      core::append_json_string(out, std::string_view(kv.key().data(), kv.key().size()));
      out += ": ";
      pretty_json(out, kv.value(), indent + 2);
    }
    out += "\n" + std::string(static_cast<std::size_t>(indent), ' ') + "}";
  } else if (v.is_array() && !v.as_array().empty()) {
    out += "[\n";
    bool first = true;
    for (const auto& item : v.as_array()) {
      if (!first) out += ",\n";
      first = false;
      out += pad;
      pretty_json(out, item, indent + 2);
    }
    out += "\n" + std::string(static_cast<std::size_t>(indent), ' ') + "]";
  } else {
    out += scalar_text(v);
  }
}

bool ieq(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// True for plain scalars a YAML 1.1 or 1.2 reader would resolve to null, a bool or a number (or a timestamp,
// which starts with a digit). Errs on the side of quoting.
bool needs_quotes(std::string_view s) {
  if (s.empty()) return true;
  for (std::string_view word :
       {"~", "null", "true", "false", "yes", "no", "on", "off", "y", "n", "<<", ".inf", "-.inf", "+.inf", ".nan"}) {
    if (ieq(s, word)) return true;
  }
  const auto c0 = static_cast<unsigned char>(s[0]);
  if (std::isdigit(c0)) return true;
  if ((c0 == '+' || c0 == '-' || c0 == '.') && s.size() > 1 &&
      (std::isdigit(static_cast<unsigned char>(s[1])) || s[1] == '.')) {
    return true;
  }
  return false;
}

void emit_string(YAML::Emitter& e, std::string_view s) {
  if (needs_quotes(s)) e << YAML::DoubleQuoted;
  e << std::string(s);
}

void emit_yaml(YAML::Emitter& e, const json::value& v) {
  switch (v.kind()) {
    case json::kind::object: {
      const auto& o = v.as_object();
      if (o.empty()) {
        e << YAML::Flow << YAML::BeginMap << YAML::EndMap;
        return;
      }
      e << YAML::BeginMap;
      for (const auto& kv : o) {
        e << YAML::Key;
        emit_string(e, std::string_view(kv.key().data(), kv.key().size()));
        e << YAML::Value;
        emit_yaml(e, kv.value());
      }
      e << YAML::EndMap;
      return;
    }
    case json::kind::array: {
      const auto& a = v.as_array();
      if (a.empty()) {
        e << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
        return;
      }
      e << YAML::BeginSeq;
      for (const auto& item : a) emit_yaml(e, item);
      e << YAML::EndSeq;
      return;
    }
    case json::kind::string: {
      const auto& s = v.as_string();
      emit_string(e, std::string_view(s.data(), s.size()));
      return;
    }
    case json::kind::null:
      e << YAML::Null;
      return;
    default:  // numbers and booleans: their JSON spelling is also valid YAML
      e << scalar_text(v);
      return;
  }
}

}  // namespace

std::string printable(std::string_view s) { return sanitize(s, std::string::npos); }

core::Result<OutputFormat> parse_output_format(std::string_view name) {
  if (name.empty() || name == "table") return OutputFormat::Table;
  if (name == "json") return OutputFormat::Json;
  if (name == "yaml") return OutputFormat::Yaml;
  return core::fail(core::ErrorCode::InvalidArgument,
                    fmt::format("unknown output format \"{}\" (use table, json or yaml)", sanitize_cell(name)));
}

const json::value* find_path(const json::value& v, std::string_view path) {
  const json::value* cur = &v;
  std::size_t i = 0;
  while (i < path.size() && cur != nullptr) {
    if (path[i] == '.') {
      ++i;
      continue;
    }
    if (path[i] == '[') {
      auto close = path.find(']', i);
      if (close == std::string_view::npos || !cur->is_array()) return nullptr;
      std::size_t index = 0;
      std::string_view digits = path.substr(i + 1, close - i - 1);
      if (digits.empty() || digits.size() > 9 ||
          !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return nullptr;
      }
      for (char c : digits) index = index * 10 + static_cast<std::size_t>(c - '0');
      const auto& arr = cur->as_array();
      cur = index < arr.size() ? &arr[index] : nullptr;
      i = close + 1;
      continue;
    }
    auto end = path.find_first_of(".[", i);
    std::string_view key = path.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
    if (!cur->is_object()) return nullptr;
    cur = cur->as_object().if_contains(json::string_view(key.data(), key.size()));
    i = end == std::string_view::npos ? path.size() : end;
  }
  return cur;
}

bool is_list(const json::value& v) {
  if (!v.is_object()) return false;
  const auto* items = v.as_object().if_contains("items");
  return items != nullptr && items->is_array();
}

std::string render_table(const json::value& v, const std::vector<Column>& columns) {
  std::vector<const json::value*> rows;
  if (is_list(v)) {
    for (const auto& item : v.as_object().at("items").as_array()) rows.push_back(&item);
  } else {
    rows.push_back(&v);
  }
  if (rows.empty() || columns.empty()) return {};

  std::vector<std::vector<std::string>> cells;
  cells.reserve(rows.size() + 1);
  cells.emplace_back();
  for (const auto& c : columns) cells.back().push_back(header_text(c));
  for (const auto* row : rows) {
    cells.emplace_back();
    for (const auto& c : columns) cells.back().push_back(cell_text(find_path(*row, c.path)));
  }
  std::vector<std::size_t> widths(columns.size(), 0);
  for (const auto& line : cells) {
    for (std::size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], display_width(line[i]));
  }
  std::string out;
  for (const auto& line : cells) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      out += line[i];
      if (i + 1 < line.size()) {
        out.append(widths[i] - display_width(line[i]), ' ');
        out += kColumnGap;
      }
    }
    out += '\n';
  }
  return out;
}

std::string render_json(const json::value& v) {
  std::string out;
  pretty_json(out, v, 0);
  out += '\n';
  return out;
}

std::string render_yaml(const json::value& v) {
  YAML::Emitter e;
  e.SetIndent(2);
  e.SetSeqFormat(YAML::Block);
  e.SetMapFormat(YAML::Block);
  emit_yaml(e, v);
  std::string out = e.c_str();
  out += '\n';
  return out;
}

void render(std::ostream& out, const json::value& v, OutputFormat format, const std::vector<Column>& columns) {
  switch (format) {
    case OutputFormat::Table:
      out << render_table(v, columns);
      break;
    case OutputFormat::Json:
      out << render_json(v);
      break;
    case OutputFormat::Yaml:
      out << render_yaml(v);
      break;
  }
}

}  // namespace atrium::cli
