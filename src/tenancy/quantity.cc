#include "tenancy/quantity.h"

#include <limits>

#include <fmt/format.h>

namespace atrium::tenancy {
namespace {

using Int128 = __int128;

struct Suffix {
  std::string_view text;
  Int128 milli;  // milli-units per unit of the suffix
};

constexpr Int128 kOne = 1000;

const Suffix* find_suffix(std::string_view s) {
  static const Suffix suffixes[] = {
      {"", kOne},
      {"m", 1},
      {"k", kOne * 1000},
      {"M", kOne * 1000 * 1000},
      {"G", kOne * 1000 * 1000 * 1000},
      {"T", kOne * 1000'000'000'000LL},
      {"P", kOne * 1000'000'000'000'000LL},
      {"E", kOne * 1000'000'000'000'000'000LL},
      {"Ki", kOne << 10},
      {"Mi", kOne << 20},
      {"Gi", kOne << 30},
      {"Ti", kOne << 40},
      {"Pi", kOne << 50},
      {"Ei", kOne << 60},
  };
  for (const auto& x : suffixes) {
    if (x.text == s) return &x;
  }
  return nullptr;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

core::Result<std::int64_t> parse_quantity_milli(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return core::fail(core::ErrorCode::InvalidArgument,
                      fmt::format("\"{}\" is not a quantity: {}", text.substr(0, 40), why));
  };
  std::size_t i = 0;
  Int128 mantissa = 0;
  int int_digits = 0, frac_digits = 0;
  while (i < text.size() && is_digit(text[i])) {
    if (++int_digits > 19) return bad("too many digits");
    mantissa = mantissa * 10 + (text[i++] - '0');
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && is_digit(text[i])) {
      if (++frac_digits > 9) return bad("at most 9 digits after the point");
      mantissa = mantissa * 10 + (text[i++] - '0');
    }
    if (frac_digits == 0) return bad("digits must follow the point");
  }
  if (int_digits == 0) {
    return bad(text.starts_with("-") ? "quantities cannot be negative"
                                     : "it must start with a number (e.g. 4, 500m, 8Gi)");
  }
  const Suffix* suffix = find_suffix(text.substr(i));
  if (!suffix) return bad("the suffix must be one of m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei");
  Int128 scale = 1;
  for (int d = 0; d < frac_digits; ++d) scale *= 10;
  constexpr Int128 kMax = std::numeric_limits<std::int64_t>::max();
  // mantissa < 10^28 and suffix ≤ 2^70, so the product fits in 128 bits only after this check.
  if (mantissa > 0 && suffix->milli > (kMax * scale) / mantissa + 1) return bad("too large");
  Int128 milli = (mantissa * suffix->milli + scale - 1) / scale;
  if (milli > kMax) return bad("too large");
  return static_cast<std::int64_t>(milli);
}

std::string format_quantity_milli(std::int64_t milli) {
  if (milli % 1000 != 0) return fmt::format("{}m", milli);
  std::int64_t units = milli / 1000;
  static const std::pair<const char*, int> binary[] = {{"Ei", 60}, {"Pi", 50}, {"Ti", 40},
                                                       {"Gi", 30}, {"Mi", 20}, {"Ki", 10}};
  for (const auto& [s, shift] : binary) {
    std::int64_t m = std::int64_t{1} << shift;
    if (units != 0 && units % m == 0) return fmt::format("{}{}", units / m, s);
  }
  return fmt::format("{}", units);
}

}  // namespace atrium::tenancy
