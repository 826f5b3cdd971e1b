#pragma once
#include <openssl/types.h>

#include <mutex>
#include <string>
#include <string_view>

namespace gatehouse::crypto {

std::string sha256(std::string_view data);                       // 32 raw bytes
std::string hmac_sha256(std::string_view key, std::string_view data);  // 32 raw bytes
/// HMAC-SHA256 under one fixed key, keyed once: each call works on a copy of the keyed
/// state. For the per-request lookups (client secrets, application tokens), where a fresh
/// HMAC() call spent most of its time fetching the algorithm from OpenSSL's provider tables.
class HmacSha256 {
 public:
  explicit HmacSha256(std::string_view key);
  ~HmacSha256();
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;
  std::string operator()(std::string_view data) const;  // 32 raw bytes

 private:
  EVP_MAC_CTX* keyed_ = nullptr;
  mutable std::mutex mu_;  // EVP_MAC_CTX_dup reads the template; OpenSSL does not promise that is thread-safe
};
/// Lookup key for a high-entropy secret token: hex(SHA-256(token)). Slow hashing adds
/// nothing for 256-bit random tokens (DESIGN.md §6).
std::string token_hash(std::string_view token);
/// RFC 5869 HKDF-SHA256 (OpenSSL EVP_KDF): a 32-byte key for one purpose, so each kind of
/// secret is sealed under its own key and one key never serves two jobs.
std::string hkdf_sha256(std::string_view ikm, std::string_view info);
/// Constant-time equality (CRYPTO_memcmp); lengths are not secret.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace gatehouse::crypto
