// AES-256-GCM sealing: round trip, known answers (GCM spec test cases 13/14 and a vector
// made with an independent implementation), and rejection of every kind of tampering.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "crypto/aead.hpp"
#include "crypto/encoding.hpp"

namespace gatehouse::crypto {
namespace {

std::string unhex(std::string_view h) {
  std::string out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

std::string key_a() { return std::string(32, '\x11'); }
std::string key_b() { return std::string(32, '\x22'); }

TEST(Aead, RoundTrip) {
  for (std::string pt : {std::string(), std::string("x"), std::string("hello, world"),
                         std::string(1000, '\xab'), std::string("nul\0inside", 10)}) {
    std::string sealed = aead_seal(key_a(), pt, "kid-1");
    EXPECT_EQ(sealed.size(), 12 + pt.size() + 16);
    auto opened = aead_open(key_a(), sealed, "kid-1");
    ASSERT_TRUE(opened.has_value()) << pt.size();
    EXPECT_EQ(*opened, pt);
  }
}

TEST(Aead, EmptyAadRoundTrip) {
  std::string sealed = aead_seal(key_a(), "data", "");
  EXPECT_EQ(aead_open(key_a(), sealed, "").value_or("?"), "data");
  EXPECT_FALSE(aead_open(key_a(), sealed, "x").has_value());
}

TEST(Aead, FreshNonceEachSeal) {
  std::string a = aead_seal(key_a(), "same", "aad");
  std::string b = aead_seal(key_a(), "same", "aad");
  EXPECT_NE(a.substr(0, 12), b.substr(0, 12));
  EXPECT_NE(a, b);
}

TEST(Aead, GcmSpecTestCases13And14) {
  const std::string zero_key(32, '\0'), zero_nonce(12, '\0');
  // Test case 13: empty plaintext, tag only.
  auto tc13 = aead_open(zero_key, zero_nonce + unhex("530f8afbc74536b9a963b4f1c4cb738b"), "");
  ASSERT_TRUE(tc13.has_value());
  EXPECT_EQ(*tc13, "");
  // Test case 14: 16 zero bytes.
  auto tc14 = aead_open(zero_key,
                        zero_nonce + unhex("cea7403d4d606b6e074ec5d3baf39d18"
                                           "d0d1c8a799996bf0265b98b5d48ab919"),
                        "");
  ASSERT_TRUE(tc14.has_value());
  EXPECT_EQ(*tc14, std::string(16, '\0'));
}

TEST(Aead, KnownAnswerWithAad) {
  std::string key, nonce;
  for (int i = 0; i < 32; ++i) key.push_back(static_cast<char>(i));
  for (int i = 0; i < 12; ++i) nonce.push_back(static_cast<char>(i));
  std::string sealed = nonce + unhex(
                                   "2063a27ead8ab768e861faeac29d1d1fa3bde24d6741ffdb2dffdc38c8053e4"
                                   "e01a8b3b2");
  EXPECT_EQ(aead_open(key, sealed, "kid-1").value_or("<fail>"), "gatehouse master key");
  EXPECT_FALSE(aead_open(key, sealed, "kid-2").has_value());
}

TEST(Aead, WrongKeyFails) {
  std::string sealed = aead_seal(key_a(), "secret", "kid");
  EXPECT_FALSE(aead_open(key_b(), sealed, "kid").has_value());
  std::string k = key_a();
  k[31] ^= 1;
  EXPECT_FALSE(aead_open(k, sealed, "kid").has_value());
}

TEST(Aead, WrongAadFails) {
  std::string sealed = aead_seal(key_a(), "secret", "kid-1");
  EXPECT_FALSE(aead_open(key_a(), sealed, "kid-2").has_value());
  EXPECT_FALSE(aead_open(key_a(), sealed, "").has_value());
  EXPECT_FALSE(aead_open(key_a(), sealed, "kid-1 ").has_value());
}

TEST(Aead, EveryTamperedByteFails) {
  std::string sealed = aead_seal(key_a(), "attack at dawn", "kid");
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    std::string t = sealed;
    t[i] ^= 0x01;
    EXPECT_FALSE(aead_open(key_a(), t, "kid").has_value()) << "byte " << i;
  }
  EXPECT_TRUE(aead_open(key_a(), sealed, "kid").has_value());
}

TEST(Aead, TruncatedOrExtendedFails) {
  std::string sealed = aead_seal(key_a(), "attack at dawn", "kid");
  for (std::size_t n = 0; n < sealed.size(); ++n)
    EXPECT_FALSE(aead_open(key_a(), sealed.substr(0, n), "kid").has_value()) << n;
  EXPECT_FALSE(aead_open(key_a(), sealed + '\0', "kid").has_value());
}

TEST(Aead, KeyMustBe32Bytes) {
  EXPECT_THROW(aead_seal(std::string(16, 'k'), "x", ""), std::invalid_argument);
  EXPECT_THROW(aead_seal(std::string(33, 'k'), "x", ""), std::invalid_argument);
  EXPECT_THROW(aead_seal("", "x", ""), std::invalid_argument);
  std::string sealed = aead_seal(key_a(), "x", "");
  EXPECT_FALSE(aead_open(key_a().substr(0, 31), sealed, "").has_value());
  EXPECT_FALSE(aead_open(key_a() + "!", sealed, "").has_value());
}

}  // namespace
}  // namespace gatehouse::crypto
