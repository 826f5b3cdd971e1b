#pragma once
// Identifiers and secrets: UUIDs for public ids, 256-bit random strings for opaque tokens.
#include <cstdint>
#include <string>
#include <string_view>

namespace gatehouse::crypto {

/// Cryptographically secure random bytes (OpenSSL RAND_bytes). Throws on RNG failure.
std::string random_bytes(std::size_t n);
/// UUID version 4 from the CSPRNG, lowercase canonical form.
std::string new_uuid();
/// UUID version 7 (RFC 9562): millisecond timestamp + a per-process counter + random, so
/// ids sort in creation order even within one second (used for sessions).
std::string new_uuid_v7();
/// UUID-shaped request id (CSPRNG; a request id is not secret, but a guessable one would
/// let a client collide with another's log lines).
std::string new_request_id();
/// A JWT id: 128 bits from the CSPRNG, base64url (22 chars). Unique across nodes without
/// coordination, and unguessable, so a revocation list keyed by jti cannot be pre-filled.
std::string new_token_id();
/// 256-bit random token, base64url without padding (43 chars).
std::string new_secret_token();
/// True for a canonical lowercase or uppercase 8-4-4-4-12 hex UUID.
bool looks_like_uuid(std::string_view s);

}  // namespace gatehouse::crypto
