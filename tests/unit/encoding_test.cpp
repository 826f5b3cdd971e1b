// base64url / base64 / hex: RFC 4648 §10 test vectors and strict decoding.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "crypto/encoding.hpp"

namespace gatehouse::crypto {
namespace {

// RFC 4648 §10 ("" .. "foobar"), without padding for base64url.
const std::pair<const char*, const char*> kRfc4648Url[] = {
    {"", ""},         {"f", "Zg"},         {"fo", "Zm8"},       {"foo", "Zm9v"},
    {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
};
const std::pair<const char*, const char*> kRfc4648Std[] = {
    {"", ""},             {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
};

TEST(Base64Url, Rfc4648Vectors) {
  for (auto [plain, enc] : kRfc4648Url) {
    EXPECT_EQ(base64url_encode(plain), enc) << plain;
    auto dec = base64url_decode(enc);
    ASSERT_TRUE(dec.has_value()) << enc;
    EXPECT_EQ(*dec, plain) << enc;
  }
}

TEST(Base64Url, UsesUrlSafeAlphabet) {
  // 0xfb 0xff -> "+/8" in standard base64, "-_8" in base64url.
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(base64url_encode("\xff\xff\xff"), "____");
  EXPECT_EQ(base64url_encode("\xfb\xef\xbe"), "----");
  EXPECT_EQ(*base64url_decode("-_8"), "\xfb\xff");
  EXPECT_EQ(*base64url_decode("____"), "\xff\xff\xff");
}

TEST(Base64Url, AllByteValuesRoundTrip) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t len = 0; len <= all.size(); ++len) {
    std::string in = all.substr(0, len);
    std::string enc = base64url_encode(in);
    EXPECT_EQ(enc.size(), (len * 4 + 2) / 3) << len;  // no padding
    EXPECT_EQ(enc.find_first_of("+/="), std::string::npos);
    auto dec = base64url_decode(enc);
    ASSERT_TRUE(dec.has_value()) << len;
    EXPECT_EQ(*dec, in) << len;
  }
}

TEST(Base64Url, RejectsPadding) {
  for (const char* s : {"Zg==", "Zg=", "Zm8=", "Zm9vYg==", "Zm9vYmE=", "=", "==", "Zm9v="})
    EXPECT_FALSE(base64url_decode(s).has_value()) << s;
}

TEST(Base64Url, RejectsInvalidCharacters) {
  for (const char* s : {"Zm9v+", "Zm9v/", "Zm+v", "Zm/v", "Zm9v!", "Zm 9v", "Zm9v\n", " Zm9v",
                        "Zm9v\t", "Zm.v", "Zm9v*", "\xc3\xa9Zm8", "Zm~v"})
    EXPECT_FALSE(base64url_decode(s).has_value()) << s;
  EXPECT_FALSE(base64url_decode(std::string("Zm\0v", 4)).has_value()) << "embedded NUL";
}

TEST(Base64Url, RejectsImpossibleLength) {
  // A single leftover character carries only 6 bits: never a valid encoding.
  for (const char* s : {"Z", "Zm9vZ", "Zm9vYmFyZ"})
    EXPECT_FALSE(base64url_decode(s).has_value()) << s;
}

TEST(Base64Url, RejectsNonCanonicalTailBits) {
  // "Zg" is canonical for "f"; "Zh".."Zv" decode to the same byte with non-zero spare bits.
  for (const char* s : {"Zh", "Zi", "Zp", "Zv", "Z_"}) EXPECT_FALSE(base64url_decode(s)) << s;
  // "Zm8" is canonical for "fo"; "Zm9" sets a spare bit.
  EXPECT_FALSE(base64url_decode("Zm9").has_value());
  EXPECT_FALSE(base64url_decode("Zm-").has_value());
  EXPECT_FALSE(base64url_decode("Zm9vYh").has_value());
  EXPECT_TRUE(base64url_decode("Zg").has_value());
  EXPECT_TRUE(base64url_decode("Zm8").has_value());
}

TEST(Base64, Rfc4648VectorsPadded) {
  for (auto [plain, enc] : kRfc4648Std) {
    EXPECT_EQ(base64_encode(plain), enc) << plain;
    auto dec = base64_decode(enc);
    ASSERT_TRUE(dec.has_value()) << enc;
    EXPECT_EQ(*dec, plain) << enc;
  }
}

TEST(Base64, StandardAlphabetOnly) {
  EXPECT_EQ(*base64_decode("+/8="), "\xfb\xff");
  EXPECT_FALSE(base64_decode("-_8=").has_value());
  EXPECT_FALSE(base64_decode("Zm9v\n").has_value());
  EXPECT_FALSE(base64_decode("Zh==").has_value()) << "non-canonical tail";
}

TEST(Base64, ThirtyTwoByteKeyRoundTrip) {
  std::string key;
  for (int i = 0; i < 32; ++i) key.push_back(static_cast<char>(i * 7 + 3));
  std::string enc = base64_encode(key);
  EXPECT_EQ(enc.size(), 44u);
  EXPECT_EQ(enc.back(), '=');
  EXPECT_EQ(*base64_decode(enc), key);
}

TEST(Hex, EncodesLowerCase) {
  EXPECT_EQ(hex_encode(""), "");
  EXPECT_EQ(hex_encode(std::string("\x00\x01\x7f\x80\xff" "Az", 7)), "00017f80ff417a");
}

}  // namespace
}  // namespace gatehouse::crypto

// iso8601: RFC 3339 timestamps, clamped to four-digit years (found by schemathesis under
// UBSan: a huge token lifetime printed "219250308-01-00T23:13:13Z").
#include "core/clock.hpp"
namespace gatehouse {
namespace {
TEST(Iso8601, FormatsAndClamps) {
  EXPECT_EQ(iso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(iso8601(1700000000), "2023-11-14T22:13:20Z");
  EXPECT_EQ(iso8601(INT64_MAX), "9999-12-31T23:59:59Z");
  EXPECT_EQ(iso8601(INT64_MIN), "0000-01-01T00:00:00Z");
}
}  // namespace
}  // namespace gatehouse
