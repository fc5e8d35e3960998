#include "storage/store_url.h"

#include <vector>

namespace atrium::storage {
namespace {

struct Span {
  std::size_t begin;
  std::size_t end;
};

// Where the passwords of `url` are, in order.
std::vector<Span> password_spans(std::string_view url) {
  std::vector<Span> spans;
  std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return spans;
  std::size_t authority = scheme + 3;
  std::size_t authority_end = url.find_first_of("/?#", authority);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  std::string_view auth = url.substr(authority, authority_end - authority);
  if (std::size_t at = auth.rfind('@'); at != std::string_view::npos) {
    if (std::size_t colon = auth.substr(0, at).find(':'); colon != std::string_view::npos) {
      spans.push_back({authority + colon + 1, authority + at});
    }
  }
  std::size_t query = url.find('?', authority_end);
  if (query == std::string_view::npos) return spans;
  std::size_t query_end = url.find('#', query);
  if (query_end == std::string_view::npos) query_end = url.size();
  std::size_t pos = query + 1;
  while (pos < query_end) {
    std::size_t amp = url.find('&', pos);
    if (amp == std::string_view::npos || amp > query_end) amp = query_end;
    std::string_view param = url.substr(pos, amp - pos);
    constexpr std::string_view kKey = "password=";
    if (param.substr(0, kKey.size()) == kKey) spans.push_back({pos + kKey.size(), amp});
    pos = amp + 1;
  }
  return spans;
}

}  // namespace

std::string redact_url(std::string_view url) {
  std::string out;
  std::size_t from = 0;
  for (const Span& s : password_spans(url)) {
    out.append(url.substr(from, s.begin - from));
    out.append("***");
    from = s.end;
  }
  out.append(url.substr(from));
  return out;
}

std::string scrub_password(std::string text, std::string_view url) {
  for (const Span& s : password_spans(url)) {
    std::string_view secret = url.substr(s.begin, s.end - s.begin);
    if (secret.empty()) continue;
    for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

}  // namespace atrium::storage
