#include "crypto/password.hpp"

#include <crypt.h>
#include <sodium.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

#include "crypto/hash.hpp"

namespace gatehouse::crypto {

PasswordHasher::PasswordHasher(uint64_t memory_kib, uint64_t iterations)
    : memory_bytes_(memory_kib * 1024), iterations_(iterations) {
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

// True when the stored Argon2id parameters are below the configured ones. Stronger stored
// parameters are kept: lowering the configuration must not downgrade existing hashes.
bool PasswordHasher::weaker_than_configured(const std::string& stored) const {
  unsigned long long m = 0, t = 0;
  auto pos = stored.find("$m=");
  if (pos == std::string::npos || std::sscanf(stored.c_str() + pos, "$m=%llu,t=%llu", &m, &t) != 2)
    return true;
  return m * 1024 < memory_bytes_ || t < iterations_;
}

PasswordCheck PasswordHasher::verify(std::string_view password, const std::string& stored) const {
  PasswordCheck r;
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
