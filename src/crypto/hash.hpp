#pragma once
#include <string>
#include <string_view>

namespace gatehouse::crypto {

std::string sha256(std::string_view data);                       // 32 raw bytes
std::string hmac_sha256(std::string_view key, std::string_view data);  // 32 raw bytes
/// Lookup key for a high-entropy secret token: hex(SHA-256(token)). Slow hashing adds
/// nothing for 256-bit random tokens (DESIGN.md §6).
std::string token_hash(std::string_view token);
/// RFC 5869 HKDF-SHA256 (OpenSSL EVP_KDF): a 32-byte key for one purpose, so each kind of
/// secret is sealed under its own key and one key never serves two jobs.
std::string hkdf_sha256(std::string_view ikm, std::string_view info);
/// Constant-time equality (CRYPTO_memcmp); lengths are not secret.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace gatehouse::crypto
