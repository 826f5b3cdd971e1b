#include "crypto/aead.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

#include "crypto/random.hpp"

namespace gatehouse::crypto {
namespace {
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;
constexpr std::size_t kNonce = 12, kTag = 16;
const unsigned char* u(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
}  // namespace

std::string aead_seal(std::string_view key, std::string_view pt, std::string_view aad) {
  if (key.size() != 32) throw std::invalid_argument("AES-256-GCM key must be 32 bytes");
  std::string nonce = crypto::random_bytes(kNonce);
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string out = nonce;
  out.resize(kNonce + pt.size() + kTag);
  int len = 0, total = 0;
  auto* dst = reinterpret_cast<unsigned char*>(out.data()) + kNonce;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, u(key), u(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, u(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), dst, &len, u(pt), static_cast<int>(pt.size())) != 1)
    throw std::runtime_error("AES-GCM encrypt failed");
  total = len;
  if (EVP_EncryptFinal_ex(ctx.get(), dst + total, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, dst + pt.size()) != 1)
    throw std::runtime_error("AES-GCM finalize failed");
  return out;
}

std::optional<std::string> aead_open(std::string_view key, std::string_view sealed,
                                     std::string_view aad) {
  if (key.size() != 32 || sealed.size() < kNonce + kTag) return std::nullopt;
  std::string_view nonce = sealed.substr(0, kNonce);
  std::string_view ct = sealed.substr(kNonce, sealed.size() - kNonce - kTag);
  std::string tag(sealed.substr(sealed.size() - kTag));
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string out(ct.size(), '\0');
  int len = 0;
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, u(key), u(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, u(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), dst, &len, u(ct), static_cast<int>(ct.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), dst + len, &len) != 1)
    return std::nullopt;
  return out;
}

}  // namespace gatehouse::crypto
