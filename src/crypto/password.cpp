#include "crypto/password.hpp"

#include <crypt.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <stdexcept>

#include "crypto/hash.hpp"

namespace gatehouse::crypto {
namespace {

struct Argon2Params {
  uint64_t m = 0, t = 0, p = 0;  // KiB, passes, lanes
};

bool literal(std::string_view& s, std::string_view lit) {
  if (!s.starts_with(lit)) return false;
  s.remove_prefix(lit.size());
  return true;
}

// PHC decimal: digits only, no sign, no leading zero, at most 2^32 - 1.
bool decimal(std::string_view& s, uint64_t& out) {
  std::size_t n = 0;
  out = 0;
  while (n < s.size() && n <= 10 && s[n] >= '0' && s[n] <= '9') out = out * 10 + uint64_t(s[n++] - '0');
  if (n == 0 || n > 10 || (n > 1 && s[0] == '0') || out > 0xFFFFFFFFu) return false;
  s.remove_prefix(n);
  return true;
}

// Unpadded standard base64 (PHC B64) of min..max bytes; libsodium checks the characters' bits.
bool b64_bytes(std::string_view& s, std::size_t min, std::size_t max) {
  std::size_t n = 0;
  while (n < s.size() && (std::isalnum(static_cast<unsigned char>(s[n])) || s[n] == '+' || s[n] == '/')) ++n;
  std::size_t bytes = n * 3 / 4;
  if (n % 4 == 1 || bytes < min || bytes > max) return false;
  s.remove_prefix(n);
  return true;
}

// $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>, the whole string (PHC string
// format; ranges of RFC 9106 §3.1: salt >= 8 bytes, tag >= 4 (libsodium: 16), m >= 8p).
std::optional<Argon2Params> parse_argon2id(std::string_view s) {
  Argon2Params a;
  if (!literal(s, "$argon2id$v=19$m=") || !decimal(s, a.m) || !literal(s, ",t=") || !decimal(s, a.t) ||
      !literal(s, ",p=") || !decimal(s, a.p) || !literal(s, "$") || !b64_bytes(s, 8, 64) ||
      !literal(s, "$") || !b64_bytes(s, 16, 64) || !s.empty())
    return std::nullopt;
  if (a.t < 1 || a.p < 1 || a.p > 0xFFFFFF || a.m < 8 * a.p) return std::nullopt;
  return a;
}

}  // namespace

PasswordHasher::PasswordHasher(uint64_t memory_kib, uint64_t iterations, HashLimits limits)
    : memory_bytes_(memory_kib * 1024), iterations_(iterations), limits_(limits) {
  // Our own hashes always verify, whatever the configuration.
  limits_.max_memory_kib = std::max(limits_.max_memory_kib, memory_kib);
  limits_.max_work_kib = std::max(limits_.max_work_kib, memory_kib * iterations);
  if (sodium_init() < 0) throw std::runtime_error("libsodium init failed");
  dummy_hash_ = hash("gatehouse-timing-equaliser");
}

std::string PasswordHasher::hash(std::string_view password) const {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), iterations_, memory_bytes_,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("argon2id hashing failed (out of memory?)");
  return out;
}

bool PasswordHasher::is_bcrypt(std::string_view s) {
  return s.size() == 60 && (s.substr(0, 4) == "$2a$" || s.substr(0, 4) == "$2b$" ||
                            s.substr(0, 4) == "$2y$");
}

bool PasswordHasher::verifiable(std::string_view stored) const {
  if (stored.starts_with("$argon2id$")) {
    auto a = parse_argon2id(stored);
    return a && a->m <= limits_.max_memory_kib && a->t <= limits_.max_work_kib / a->m;
  }
  if (!is_bcrypt(stored)) return false;
  // $2b$<cost>$: two digits, 04..31 for libxcrypt.
  if (!std::isdigit(static_cast<unsigned char>(stored[4])) || !std::isdigit(static_cast<unsigned char>(stored[5])) ||
      stored[6] != '$')
    return false;
  return (stored[4] - '0') * 10 + (stored[5] - '0') <= limits_.max_bcrypt_cost;
}

// True when the stored Argon2id parameters are below the configured ones. Stronger stored
// parameters are kept: lowering the configuration must not downgrade existing hashes.
bool PasswordHasher::weaker_than_configured(const std::string& stored) const {
  auto a = parse_argon2id(stored);
  return !a || a->m * 1024 < memory_bytes_ || a->t < iterations_;
}

PasswordCheck PasswordHasher::verify(std::string_view password, const std::string& stored) const {
  PasswordCheck r;
  // The stored string names its own cost: refuse malformed or too costly ones before
  // libsodium or libxcrypt allocate or loop whatever it says.
  if (!verifiable(stored)) return r;
  if (stored.rfind("$argon2id$", 0) == 0) {
    r.ok = crypto_pwhash_str_verify(stored.c_str(), password.data(), password.size()) == 0;
    r.needs_rehash = r.ok && weaker_than_configured(stored);
  } else if (is_bcrypt(stored) && password.find('\0') == std::string_view::npos) {
    // (crypt_r stops at NUL: a password with one could match a shorter prefix.)
    auto data = std::make_unique<crypt_data>();
    std::string pw(password);  // crypt_r needs NUL termination
    const char* h = crypt_r(pw.c_str(), stored.c_str(), data.get());
    r.ok = h && h[0] != '*' && constant_time_equal(h, stored);
    r.needs_rehash = r.ok;
    sodium_memzero(pw.data(), pw.size());
  }
  return r;
}

void PasswordHasher::verify_dummy(std::string_view password) const {
  (void)crypto_pwhash_str_verify(dummy_hash_.c_str(), password.data(), password.size());
}

}  // namespace gatehouse::crypto
