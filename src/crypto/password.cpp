#include "crypto/password.hpp"

#include <crypt.h>
#include <sodium.h>

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

PasswordCheck PasswordHasher::verify(std::string_view password, const std::string& stored) const {
  PasswordCheck r;
  if (stored.rfind("$argon2id$", 0) == 0) {
    r.ok = crypto_pwhash_str_verify(stored.c_str(), password.data(), password.size()) == 0;
    r.needs_rehash = r.ok && crypto_pwhash_str_needs_rehash(stored.c_str(), iterations_,
                                                            memory_bytes_) != 0;
  } else if (is_bcrypt(stored)) {
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
