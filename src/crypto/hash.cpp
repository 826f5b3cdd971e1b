#include "crypto/hash.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <stdexcept>

#include "crypto/encoding.hpp"

namespace gatehouse::crypto {

namespace {

// Fetched once: OpenSSL 3 looks an algorithm up in its provider tables (locks and hashing)
// on every implicit fetch, which cost more than hashing a token.
const EVP_MD* sha256_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  return md;
}

EVP_MAC_CTX* new_hmac_sha256(std::string_view key) {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = mac ? EVP_MAC_CTX_new(mac) : nullptr;
  char digest[] = "SHA2-256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
  if (!ctx || EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) != 1) {
    EVP_MAC_CTX_free(ctx);
    throw std::runtime_error("hmac init failed");
  }
  return ctx;
}

// Consumes `ctx`.
std::string finish_hmac(EVP_MAC_CTX* ctx, std::string_view data) {
  unsigned char md[32];
  size_t len = 0;
  bool ok = ctx && EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1 &&
            EVP_MAC_final(ctx, md, &len, sizeof md) == 1;
  EVP_MAC_CTX_free(ctx);
  if (!ok) throw std::runtime_error("hmac failed");
  return std::string(reinterpret_cast<char*>(md), len);
}

}  // namespace

std::string sha256(std::string_view data) {
  unsigned char md[32];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, sha256_md(), nullptr) != 1)
    throw std::runtime_error("sha256 failed");
  return std::string(reinterpret_cast<char*>(md), len);
}

HmacSha256::HmacSha256(std::string_view key) : keyed_(new_hmac_sha256(key)) {}
HmacSha256::~HmacSha256() { EVP_MAC_CTX_free(keyed_); }

std::string HmacSha256::operator()(std::string_view data) const {
  EVP_MAC_CTX* copy;
  {
    std::lock_guard g(mu_);
    copy = EVP_MAC_CTX_dup(keyed_);
  }
  return finish_hmac(copy, data);
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  return finish_hmac(new_hmac_sha256(key), data);
}

std::string token_hash(std::string_view token) { return hex_encode(sha256(token)); }

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string hkdf_sha256(std::string_view ikm, std::string_view info) {
  std::string out(32, '\0');
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr);
  std::size_t len = out.size();
  bool ok = ctx && EVP_PKEY_derive_init(ctx) > 0 && EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()) > 0 &&
            EVP_PKEY_CTX_set1_hkdf_key(ctx, reinterpret_cast<const unsigned char*>(ikm.data()), static_cast<int>(ikm.size())) > 0 &&
            EVP_PKEY_CTX_add1_hkdf_info(ctx, reinterpret_cast<const unsigned char*>(info.data()), static_cast<int>(info.size())) > 0 &&
            EVP_PKEY_derive(ctx, reinterpret_cast<unsigned char*>(out.data()), &len) > 0;
  EVP_PKEY_CTX_free(ctx);
  if (!ok || len != out.size()) throw std::runtime_error("HKDF failed");
  return out;
}

}  // namespace gatehouse::crypto
