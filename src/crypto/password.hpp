#pragma once
// Password hashing: Argon2id via libsodium for everything new; bcrypt ($2a$/$2b$/$2y$)
// verified through libxcrypt so users imported from the Flask services keep their
// passwords (and are rehashed to Argon2id on their next successful login).
// Every call is CPU- and memory-heavy: run it on the hashing pool, never on an IO thread.
#include <cstdint>
#include <string>
#include <string_view>

namespace gatehouse::crypto {

struct PasswordCheck {
  bool ok = false;
  bool needs_rehash = false;  // legacy scheme or weaker parameters than configured
};

class PasswordHasher {
 public:
  PasswordHasher(uint64_t memory_kib, uint64_t iterations);
  /// PHC-format Argon2id string ($argon2id$v=19$m=...,t=...,p=1$salt$hash).
  std::string hash(std::string_view password) const;
  /// Checks `password` against an Argon2id or bcrypt hash; false for unknown formats.
  PasswordCheck verify(std::string_view password, const std::string& stored) const;
  /// Burns the same time as a real verification; used when the account does not exist so
  /// response timing does not reveal which emails are registered.
  void verify_dummy(std::string_view password) const;
  static bool is_bcrypt(std::string_view stored);

 private:
  bool weaker_than_configured(const std::string& stored) const;

  uint64_t memory_bytes_;
  uint64_t iterations_;
  std::string dummy_hash_;
};

}  // namespace gatehouse::crypto
