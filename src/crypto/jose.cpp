#include "crypto/jose.hpp"

#include <mutex>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <boost/json.hpp>
#include <stdexcept>
#include <vector>

#include "crypto/encoding.hpp"

namespace gatehouse::crypto {
namespace json = boost::json;
namespace {

std::shared_ptr<EVP_PKEY> own(EVP_PKEY* k) { return {k, EVP_PKEY_free}; }

const unsigned char* u(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

bool key_suits(Alg alg, EVP_PKEY* k) {
  switch (alg) {
    case Alg::ES256: return EVP_PKEY_is_a(k, "EC") && EVP_PKEY_get_bits(k) == 256;
    case Alg::EdDSA: return EVP_PKEY_is_a(k, "ED25519");
    case Alg::RS256: return EVP_PKEY_is_a(k, "RSA") && EVP_PKEY_get_bits(k) >= 2048;
  }
  return false;
}

std::string bn_param(EVP_PKEY* k, const char* name) {
  BIGNUM* bn = nullptr;
  if (!EVP_PKEY_get_bn_param(k, name, &bn)) throw std::runtime_error("missing key param");
  std::string out(BN_num_bytes(bn), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

std::string bio_to_string(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string s(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return s;
}

// ES256 signatures are r||s (32 bytes each) in JWS, DER in OpenSSL.
std::string der_to_raw(std::string_view der) {
  const unsigned char* p = u(der);
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (!sig) throw std::runtime_error("bad ECDSA signature");
  const BIGNUM *r, *s;
  ECDSA_SIG_get0(sig, &r, &s);
  std::string out(64, '\0');
  BN_bn2binpad(r, reinterpret_cast<unsigned char*>(out.data()), 32);
  BN_bn2binpad(s, reinterpret_cast<unsigned char*>(out.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return out;
}

std::optional<std::string> raw_to_der(std::string_view raw) {
  if (raw.size() != 64) return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(u(raw), 32, nullptr);
  BIGNUM* s = BN_bin2bn(u(raw) + 32, 32, nullptr);
  ECDSA_SIG_set0(sig, r, s);
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

const EVP_MD* digest_for(Alg a) { return a == Alg::EdDSA ? nullptr : EVP_sha256(); }

std::optional<std::string> b64field(const json::object& o, const char* name) {
  auto it = o.find(name);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  return base64url_decode(it->value().get_string());
}

Result<std::shared_ptr<EVP_PKEY>> from_params(const char* type, OSSL_PARAM_BLD* bld, bool priv) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* k = nullptr;
  bool ok = ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
            EVP_PKEY_fromdata(ctx, &k, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) == 1;
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  if (!ok) return Error::validation("invalid JWK key material");
  return own(k);
}

}  // namespace

std::optional<Alg> alg_from_name(std::string_view n) {
  if (n == "ES256") return Alg::ES256;
  if (n == "EdDSA") return Alg::EdDSA;
  if (n == "RS256") return Alg::RS256;
  return std::nullopt;
}

const char* alg_name(Alg a) {
  switch (a) {
    case Alg::ES256: return "ES256";
    case Alg::EdDSA: return "EdDSA";
    case Alg::RS256: return "RS256";
  }
  return "?";
}

Jwk Jwk::generate(Alg alg, std::string kid) {
  EVP_PKEY* k = nullptr;
  switch (alg) {
    case Alg::ES256: k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); break;
    case Alg::EdDSA: k = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"); break;
    case Alg::RS256: k = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)); break;
  }
  if (!k) throw std::runtime_error("key generation failed");
  return Jwk(alg, std::move(kid), own(k), true);
}

Result<Jwk> Jwk::from_pem(Alg alg, std::string kid, std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* k = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  bool priv = k != nullptr;
  if (!k) {
    BIO_free(bio);
    bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    k = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  }
  BIO_free(bio);
  if (!k) return Error::validation("not a PEM key");
  auto key = own(k);
  if (!key_suits(alg, k)) return Error::validation("key type does not match algorithm");
  return Jwk(alg, std::move(kid), key, priv);
}

Result<Jwk> Jwk::from_json(const json::object& o) {
  auto str = [&](const char* n) -> std::string {
    auto it = o.find(n);
    return it != o.end() && it->value().is_string() ? std::string(it->value().get_string()) : "";
  };
  std::string kty = str("kty"), crv = str("crv"), kid = str("kid");
  auto d = b64field(o, "d");
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  Result<std::shared_ptr<EVP_PKEY>> key = Error::validation("unsupported JWK");
  Alg alg = Alg::ES256;
  if (kty == "EC" && crv == "P-256") {
    auto x = b64field(o, "x"), y = b64field(o, "y");
    if (!x || !y || x->size() != 32 || y->size() != 32) { OSSL_PARAM_BLD_free(bld); return Error::validation("bad EC JWK"); }
    std::string point = "\x04" + *x + *y;
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
    BIGNUM* bn = d ? BN_bin2bn(u(*d), static_cast<int>(d->size()), nullptr) : nullptr;
    if (bn) OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bn);
    key = from_params("EC", bld, d.has_value());
    BN_free(bn);
  } else if (kty == "OKP" && crv == "Ed25519") {
    auto x = b64field(o, "x");
    if (!x || x->size() != 32) { OSSL_PARAM_BLD_free(bld); return Error::validation("bad OKP JWK"); }
    alg = Alg::EdDSA;
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, x->data(), x->size());
    if (d) OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PRIV_KEY, d->data(), d->size());
    key = from_params("ED25519", bld, d.has_value());
  } else if (kty == "RSA") {
    auto n = b64field(o, "n"), e = b64field(o, "e");
    if (!n || !e || d) { OSSL_PARAM_BLD_free(bld); return Error::validation("RSA JWK: public keys only"); }
    // Refuse weak keys: a short modulus or a tiny/even exponent (e = 1 makes forgery trivial).
    auto ev = *e;
    while (!ev.empty() && ev.front() == '\0') ev.erase(0, 1);
    bool exponent_ok = !ev.empty() && ev.size() <= 8 && (static_cast<unsigned char>(ev.back()) & 1) &&
                       !(ev.size() == 1 && static_cast<unsigned char>(ev[0]) < 3);
    auto nv = *n;
    while (!nv.empty() && nv.front() == '\0') nv.erase(0, 1);
    if (nv.size() < 256 || !exponent_ok) {
      OSSL_PARAM_BLD_free(bld);
      return Error::validation("RSA JWK: modulus must be >= 2048 bits and exponent odd >= 3");
    }
    alg = Alg::RS256;
    BIGNUM* bn_n = BN_bin2bn(u(*n), static_cast<int>(n->size()), nullptr);
    BIGNUM* bn_e = BN_bin2bn(u(*e), static_cast<int>(e->size()), nullptr);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e);
    key = from_params("RSA", bld, false);
    BN_free(bn_n);
    BN_free(bn_e);
  } else {
    OSSL_PARAM_BLD_free(bld);
  }
  if (!key) return key.error();
  if (d) {  // the private half must belong to the advertised public key
    EVP_PKEY_CTX* check = EVP_PKEY_CTX_new_from_pkey(nullptr, key->get(), nullptr);
    bool pair_ok = check && EVP_PKEY_pairwise_check(check) == 1;
    EVP_PKEY_CTX_free(check);
    if (!pair_ok) return Error::validation("JWK private key does not match its public key");
  }
  if (auto a = str("alg"); !a.empty()) {
    auto named = alg_from_name(a);
    if (!named || *named != alg) return Error::validation("JWK alg does not match key type");
  }
  return Jwk(alg, kid, *key, d.has_value());
}

std::string Jwk::private_pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return bio_to_string(bio);
}

std::string Jwk::public_pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key_.get());
  return bio_to_string(bio);
}

json::object Jwk::public_json() const {
  json::object o;
  EVP_PKEY* k = key_.get();
  if (alg_ == Alg::ES256) {
    o["kty"] = "EC";
    o["crv"] = "P-256";
    o["x"] = base64url_encode(bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X));
    o["y"] = base64url_encode(bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y));
    // left-pad: BN_bn2bin drops leading zero bytes but JWK coordinates are fixed 32 bytes
    for (const char* c : {"x", "y"}) {
      auto raw = *base64url_decode(o[c].as_string());
      if (raw.size() < 32) o[c] = base64url_encode(std::string(32 - raw.size(), '\0') + raw);
    }
  } else if (alg_ == Alg::EdDSA) {
    unsigned char pub[32];
    size_t len = sizeof pub;
    EVP_PKEY_get_raw_public_key(k, pub, &len);
    o["kty"] = "OKP";
    o["crv"] = "Ed25519";
    o["x"] = base64url_encode(std::string_view(reinterpret_cast<char*>(pub), len));
  } else {
    o["kty"] = "RSA";
    o["n"] = base64url_encode(bn_param(k, OSSL_PKEY_PARAM_RSA_N));
    o["e"] = base64url_encode(bn_param(k, OSSL_PKEY_PARAM_RSA_E));
  }
  o["kid"] = kid_;
  o["alg"] = alg_name(alg_);
  o["use"] = "sig";
  return o;
}

struct Jwk::Prepared {
  std::mutex mu;  // EVP_MD_CTX_copy_ex reads the template; OpenSSL does not promise that is thread-safe
  EVP_MD_CTX* sign_template = nullptr;  // DigestSign-initialised, never used itself
  ~Prepared() { EVP_MD_CTX_free(sign_template); }
};

Jwk::Jwk(Alg alg, std::string kid, std::shared_ptr<EVP_PKEY> key, bool priv)
    : alg_(alg), kid_(std::move(kid)), key_(std::move(key)), private_(priv), prepared_(std::make_shared<Prepared>()) {
  if (!private_) return;
  EVP_MD_CTX* t = EVP_MD_CTX_new();
  if (t && EVP_DigestSignInit(t, nullptr, digest_for(alg_), nullptr, key_.get()) == 1)
    prepared_->sign_template = t;
  else
    EVP_MD_CTX_free(t);  // sign() then initialises per call
}

std::string Jwk::sign(std::string_view input) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::string sig;
  size_t len = 0;
  bool ready = false;
  if (ctx && prepared_->sign_template) {
    std::lock_guard g(prepared_->mu);
    ready = EVP_MD_CTX_copy_ex(ctx, prepared_->sign_template) == 1;
  }
  if (ctx && !ready) ready = EVP_DigestSignInit(ctx, nullptr, digest_for(alg_), nullptr, key_.get()) == 1;
  bool ok = ready && EVP_DigestSign(ctx, nullptr, &len, u(input), input.size()) == 1;
  if (ok) {
    sig.resize(len);
    ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, u(input),
                        input.size()) == 1;
    sig.resize(len);
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) throw std::runtime_error("signing failed");
  return alg_ == Alg::ES256 ? der_to_raw(sig) : sig;
}

bool Jwk::verify(std::string_view input, std::string_view signature) const {
  std::string der;
  if (alg_ == Alg::ES256) {
    auto d = raw_to_der(signature);
    if (!d) return false;
    der = std::move(*d);
    signature = der;
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx && EVP_DigestVerifyInit(ctx, nullptr, digest_for(alg_), nullptr, key_.get()) == 1 &&
            EVP_DigestVerify(ctx, u(signature), signature.size(), u(input), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

std::string jws_sign(const Jwk& key, std::string_view payload, std::string_view typ) {
  json::object h;
  h["alg"] = alg_name(key.alg());
  h["kid"] = key.kid();
  if (!typ.empty()) h["typ"] = typ;
  std::string input = base64url_encode(json::serialize(h)) + "." + base64url_encode(payload);
  std::string sig = key.sign(input);
  return input + "." + base64url_encode(sig);
}

Result<JwsParts> jws_verify(std::string_view token, const KeyLookup& lookup) {
  auto bad = [](const char* why) { return Error::make(Errc::authentication, why); };
  auto d1 = token.find('.');
  if (d1 == std::string_view::npos) return bad("malformed token");
  auto d2 = token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos)
    return bad("malformed token");
  auto header_raw = base64url_decode(token.substr(0, d1));
  auto payload = base64url_decode(token.substr(d1 + 1, d2 - d1 - 1));
  auto sig = base64url_decode(token.substr(d2 + 1));
  if (!header_raw || !payload || !sig) return bad("malformed token");
  boost::system::error_code ec;
  json::value hv = json::parse(*header_raw, ec);
  if (ec || !hv.is_object()) return bad("malformed token header");
  JwsParts parts{std::move(hv.as_object()), std::move(*payload)};
  auto* alg = parts.header.if_contains("alg");
  if (!alg || !alg->is_string()) return bad("missing alg");
  auto a = alg_from_name(alg->get_string());
  if (!a) return bad("unsupported alg");  // includes "none" and HS*
  if (parts.header.contains("crit")) return bad("unsupported crit header");
  auto key = lookup(parts.header);
  if (!key) return bad("unknown signing key");
  if (key->alg() != *a) return bad("alg does not match key");
  if (!key->verify(token.substr(0, d2), *sig)) return bad("bad signature");
  return parts;
}

}  // namespace gatehouse::crypto
