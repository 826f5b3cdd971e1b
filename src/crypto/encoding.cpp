#include "crypto/encoding.hpp"

#include <array>
#include <cstdint>

namespace gatehouse::crypto {
namespace {

constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(std::string_view in, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += alphabet[n >> 18];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += alphabet[n & 63];
  }
  std::size_t rest = in.size() - i;
  if (rest) {
    uint32_t n = uint8_t(in[i]) << 16;
    if (rest == 2) n |= uint8_t(in[i + 1]) << 8;
    out += alphabet[n >> 18];
    out += alphabet[(n >> 12) & 63];
    if (rest == 2) out += alphabet[(n >> 6) & 63];
    if (pad) out.append(rest == 1 ? "==" : "=");
  }
  return out;
}

std::optional<std::string> decode(std::string_view in, const char* alphabet) {
  std::array<int8_t, 256> rev;
  rev.fill(-1);
  for (int k = 0; k < 64; ++k) rev[uint8_t(alphabet[k])] = int8_t(k);
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int8_t v = rev[uint8_t(c)];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(char((acc >> bits) & 0xff));
    }
  }
  if (bits && (acc & ((1u << bits) - 1))) return std::nullopt;  // non-canonical tail bits
  return out;
}

}  // namespace

std::string base64url_encode(std::string_view b) { return encode(b, kUrl, false); }
std::optional<std::string> base64url_decode(std::string_view s) { return decode(s, kUrl); }
std::string base64_encode(std::string_view b) { return encode(b, kStd, true); }
std::optional<std::string> base64_decode(std::string_view s) {
  // Padded input must be a whole number of quads with at most two '='.
  std::size_t pad = 0;
  while (!s.empty() && s.back() == '=' && pad < 3) { s.remove_suffix(1); ++pad; }
  if (pad > 2 || (pad && (s.size() + pad) % 4 != 0)) return std::nullopt;
  return decode(s, kStd);
}

std::string hex_encode(std::string_view b) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(b.size() * 2);
  for (unsigned char c : b) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

}  // namespace gatehouse::crypto
