#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::crypto {

/// AES-256-GCM. Output: 12-byte random nonce || ciphertext || 16-byte tag.
/// `aad` binds the ciphertext to its context (e.g. the key id). Key must be 32 bytes.
std::string aead_seal(std::string_view key, std::string_view plaintext, std::string_view aad);
/// Returns nullopt when the tag does not verify (wrong key, tampering, wrong aad).
std::optional<std::string> aead_open(std::string_view key, std::string_view sealed,
                                     std::string_view aad);

}  // namespace gatehouse::crypto
