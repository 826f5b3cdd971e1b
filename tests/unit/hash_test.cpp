// SHA-256 / HMAC-SHA-256 known answers (FIPS 180-2, RFC 4231) and the token helpers.
#include <gtest/gtest.h>

#include <string>

#include "crypto/encoding.hpp"
#include "crypto/hash.hpp"

namespace gatehouse::crypto {
namespace {

TEST(Hash, Sha256KnownAnswers) {
  EXPECT_EQ(hex_encode(sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex_encode(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex_encode(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256("abc").size(), 32u);
}

TEST(Hash, HmacSha256Rfc4231) {
  // Test case 1
  EXPECT_EQ(hex_encode(hmac_sha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2
  EXPECT_EQ(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Hash, KeyedHmacMatchesRfc4231AndStaysReusable) {
  HmacSha256 jefe("Jefe");
  for (int i = 0; i < 3; ++i)  // each call starts from the keyed state, not the last one's
    EXPECT_EQ(hex_encode(jefe("what do ya want for nothing?")),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  HmacSha256 long_key(std::string(131, '\xaa'));  // test case 6: a key longer than the block
  EXPECT_EQ(hex_encode(long_key("Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(jefe(""), hmac_sha256("Jefe", ""));
}

TEST(Hash, TokenHashIsHexSha256) {
  EXPECT_EQ(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(token_hash("x").size(), 64u);
  EXPECT_NE(token_hash("token-a"), token_hash("token-b"));
}

TEST(Hash, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("secret", "secret"));
  EXPECT_FALSE(constant_time_equal("secret", "secreT"));
  EXPECT_FALSE(constant_time_equal("secret", "secret "));
  EXPECT_FALSE(constant_time_equal("secret", ""));
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
  EXPECT_TRUE(constant_time_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
}

// RFC 5869 Appendix A.3 (SHA-256, empty salt and info), first 32 bytes of the OKM.
TEST(Hkdf, Rfc5869TestCase3) {
  EXPECT_EQ(hex_encode(hkdf_sha256(std::string(22, '\x0b'), "")),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d");
}

TEST(Hkdf, PurposesGiveDifferentKeys) {
  std::string master(32, 'm');
  EXPECT_NE(hkdf_sha256(master, "gatehouse signing-key seal v1"), hkdf_sha256(master, "gatehouse webhook-secret seal v1"));
  EXPECT_EQ(hkdf_sha256(master, "x").size(), 32u);
}

}  // namespace
}  // namespace gatehouse::crypto
