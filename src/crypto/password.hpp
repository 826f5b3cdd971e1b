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

/// The most one stored hash may make verify() spend. Stored hashes also come from user
/// imports, and Argon2id and bcrypt strings name their own cost (RFC 9106 allows 4 TiB and
/// 2^32 passes, bcrypt 2^31 rounds): a hash over these bounds is refused without hashing.
/// Bounds below the hasher's own parameters are raised to them.
struct HashLimits {
  uint64_t max_memory_kib = 1u << 20;  // 1 GiB: libsodium's strongest preset (SENSITIVE)
  uint64_t max_work_kib = 4u << 20;    // memory × passes: SENSITIVE again (1 GiB × 4)
  int max_bcrypt_cost = 16;            // 2^16 rounds, ~4 s; Flask-Bcrypt and passlib write 12
};

class PasswordHasher {
 public:
  PasswordHasher(uint64_t memory_kib, uint64_t iterations, HashLimits limits = {});
  /// PHC-format Argon2id string ($argon2id$v=19$m=...,t=...,p=1$salt$hash).
  std::string hash(std::string_view password) const;
  /// Checks `password` against an Argon2id or bcrypt hash; false for unknown formats.
  PasswordCheck verify(std::string_view password, const std::string& stored) const;
  /// Burns the same time as a real verification; used when the account does not exist so
  /// response timing does not reveal which emails are registered.
  void verify_dummy(std::string_view password) const;
  static bool is_bcrypt(std::string_view stored);
  /// Whether verify() would check a password against `stored` at all: a well-formed
  /// Argon2id (PHC) or bcrypt string within the limits. Cheap; for import-time checks.
  bool verifiable(std::string_view stored) const;

 private:
  bool weaker_than_configured(const std::string& stored) const;

  uint64_t memory_bytes_;
  uint64_t iterations_;
  HashLimits limits_;
  std::string dummy_hash_;
};

}  // namespace gatehouse::crypto
