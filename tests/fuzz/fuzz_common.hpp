#pragma once
// Helpers shared by the libFuzzer targets: input as text, invariant checks, and the strict
// mode that also checks DESIGN.md §6 decoding rules the code does not meet yet.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace gatehouse::fuzz {

inline std::string_view text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Splits at the first '\n': {before, after}; {"", all} when there is none.
inline std::pair<std::string_view, std::string_view> split_line(std::string_view in) {
  auto nl = in.find('\n');
  if (nl == std::string_view::npos) return {std::string_view(), in};
  return {in.substr(0, nl), in.substr(nl + 1)};
}

/// An invariant every input must keep: a violation aborts, so libFuzzer saves the input.
#define FUZZ_CHECK(cond, what)                                                  \
  do {                                                                          \
    if (!(cond)) {                                                              \
      std::fprintf(stderr, "fuzz invariant violated: %s (%s:%d)\n", what, __FILE__, __LINE__); \
      std::abort();                                                             \
    }                                                                           \
  } while (0)

/// GATEHOUSE_FUZZ_STRICT=1 adds checks of rules the owning code is known not to meet yet
/// (see tests/fuzz/README.md, "Strict mode"); off by default so `make test` stays green.
inline bool strict() {
  static const bool on = [] {
    const char* v = std::getenv("GATEHOUSE_FUZZ_STRICT");
    return v && *v && std::string_view(v) != "0";
  }();
  return on;
}
#define FUZZ_STRICT_CHECK(cond, what) \
  do {                                \
    if (::gatehouse::fuzz::strict()) FUZZ_CHECK(cond, what); \
  } while (0)

/// RFC 3629 well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
inline bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) { ++i; continue; }
    if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; }
    else return false;
    if (i + n >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

/// What DESIGN.md §6 asks of decoded text: no NUL byte and well-formed UTF-8.
inline bool clean_text(std::string_view s) {
  return s.find('\0') == std::string_view::npos && valid_utf8(s);
}

}  // namespace gatehouse::fuzz
