#include "core/uid.h"

#include <array>
#include <cstdint>
#include <random>

namespace atrium::core {
namespace {

std::uint64_t next_random() {
  thread_local std::mt19937_64 rng = [] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }();
  return rng();
}

void append_hex(std::string& out, std::uint64_t v, int nibbles) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = nibbles - 1; i >= 0; --i) out += kHex[(v >> (i * 4)) & 0xf];
}

}  // namespace

std::string new_uid() {
  std::uint64_t hi = next_random();
  std::uint64_t lo = next_random();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  std::string s;
  s.reserve(36);
  append_hex(s, hi >> 32, 8);
  s += '-';
  append_hex(s, (hi >> 16) & 0xffff, 4);
  s += '-';
  append_hex(s, hi & 0xffff, 4);
  s += '-';
  append_hex(s, lo >> 48, 4);
  s += '-';
  append_hex(s, lo & 0xffffffffffffULL, 12);
  return s;
}

std::string new_request_id() {
  std::string s;
  s.reserve(16);
  append_hex(s, next_random(), 16);
  return s;
}

}  // namespace atrium::core
