#include "core/json.h"

#include <fmt/format.h>

namespace atrium::core {

Result<json::value> parse_json(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return fail(ErrorCode::PayloadTooLarge,
                fmt::format("JSON document of {} bytes exceeds the limit of {} bytes", text.size(), limits.max_bytes));
  }
  json::parse_options opts;
  opts.max_depth = limits.max_depth;
  json::stream_parser p({}, opts);
  p.reset(limits.storage);
  boost::system::error_code ec;
  std::size_t used = p.write_some(text.data(), text.size(), ec);
  if (!ec && used < text.size()) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("invalid JSON at byte {}: unexpected data after the document", used));
  }
  if (!ec) p.finish(ec);
  if (ec) {
    if (ec == json::error::too_deep) {
      return fail(ErrorCode::InvalidArgument,
                  fmt::format("invalid JSON: nesting deeper than {} levels", limits.max_depth));
    }
    if (ec == json::error::incomplete) {
      return fail(ErrorCode::InvalidArgument, "invalid JSON: document is truncated");
    }
    return fail(ErrorCode::InvalidArgument, fmt::format("invalid JSON at byte {}: {}", used, ec.message()));
  }
  return p.release();
}

void serialize_into(const json::value& v, std::string& out) {
  out.clear();
  json::serializer sr;
  sr.reset(&v);
  char buf[4096];
  while (!sr.done()) out.append(sr.read(buf, sizeof buf));
}

json::object status_json(const Error& e) {
  json::object o;
  o["kind"] = "Status";
  o["apiVersion"] = "v1";
  o["metadata"] = json::object();
  o["status"] = "Failure";
  o["message"] = e.message;
  o["reason"] = std::string(reason(e));
  if (!e.causes.empty()) {
    json::array causes;
    for (const auto& c : e.causes) {
      causes.push_back(json::object{{"field", c.field}, {"message", c.message}});
    }
    o["details"] = json::object{{"causes", std::move(causes)}};
  }
  o["code"] = http_status(e);
  return o;
}

std::string status_body(const Error& e) { return json::serialize(status_json(e)); }

Error error_from_status_body(int http_status, std::string_view body) {
  Error e(code_from_http_status(http_status), fmt::format("HTTP {}", http_status));
  auto v = parse_json(body);
  if (!v || !v->is_object()) {
    if (!body.empty()) e.message = std::string(body.substr(0, 512));
    return e;
  }
  const auto& o = v->as_object();
  if (auto* m = o.if_contains("message"); m && m->is_string()) e.message = std::string(m->as_string());
  if (auto* d = o.if_contains("details"); d && d->is_object()) {
    if (auto* cs = d->as_object().if_contains("causes"); cs && cs->is_array()) {
      for (const auto& c : cs->as_array()) {
        if (!c.is_object()) continue;
        Cause cause;
        if (auto* f = c.as_object().if_contains("field"); f && f->is_string())
          cause.field = std::string(f->as_string());
        if (auto* m = c.as_object().if_contains("message"); m && m->is_string())
          cause.message = std::string(m->as_string());
        e.causes.push_back(std::move(cause));
      }
    }
  }
  return e;
}

void append_json_string(std::string& out, std::string_view s) {
  out += json::serialize(json::string_view(s.data(), s.size()));
}

}  // namespace atrium::core
