// Password hashing: Argon2id (libsodium) with small test parameters, and legacy bcrypt
// verification through libxcrypt.
#include <gtest/gtest.h>

#include <crypt.h>

#include <memory>
#include <string>

#include "crypto/password.hpp"

namespace gatehouse::crypto {
namespace {

constexpr uint64_t kMemKiB = 1024;  // 1 MiB: fast enough for unit tests
constexpr uint64_t kIters = 1;

// Fresh bcrypt hash of `password` made with libxcrypt, cost 4 (the minimum).
std::string bcrypt(const std::string& password, const char* prefix = "$2b$") {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (!crypt_gensalt_rn(prefix, 4, nullptr, 0, setting, sizeof setting)) return {};
  auto data = std::make_unique<crypt_data>();
  const char* h = crypt_r(password.c_str(), setting, data.get());
  if (!h || h[0] == '*') return {};
  return h;
}

class Passwords : public ::testing::Test {
 protected:
  PasswordHasher hasher{kMemKiB, kIters};
};

TEST_F(Passwords, Argon2idPhcFormat) {
  std::string h = hasher.hash("correct horse battery staple");
  EXPECT_EQ(h.rfind("$argon2id$v=19$m=1024,t=1,p=1$", 0), 0u) << h;
  EXPECT_EQ(h.find('\0'), std::string::npos);
}

TEST_F(Passwords, HashIsSaltedPerCall) {
  EXPECT_NE(hasher.hash("same password"), hasher.hash("same password"));
}

TEST_F(Passwords, VerifyCorrectPassword) {
  std::string h = hasher.hash("correct horse battery staple");
  auto r = hasher.verify("correct horse battery staple", h);
  EXPECT_TRUE(r.ok);
  EXPECT_FALSE(r.needs_rehash) << "same parameters: no rehash";
}

TEST_F(Passwords, VerifyWrongPassword) {
  std::string h = hasher.hash("correct horse battery staple");
  for (const char* wrong : {"", "correct horse battery stapl", "Correct horse battery staple",
                            "correct horse battery staple ", "x"}) {
    auto r = hasher.verify(wrong, h);
    EXPECT_FALSE(r.ok) << wrong;
    EXPECT_FALSE(r.needs_rehash) << wrong;
  }
}

TEST_F(Passwords, EmbeddedNulAndUnicodeAreSignificant) {
  std::string pw("ab\0cd", 5);
  std::string h = hasher.hash(pw);
  EXPECT_TRUE(hasher.verify(pw, h).ok);
  EXPECT_FALSE(hasher.verify("ab", h).ok);
  EXPECT_FALSE(hasher.verify(std::string("ab\0ce", 5), h).ok);

  std::string uni = "p\xc3\xa4ssw\xc3\xb6rd \xf0\x9f\x94\x91";
  std::string hu = hasher.hash(uni);
  EXPECT_TRUE(hasher.verify(uni, hu).ok);
  EXPECT_FALSE(hasher.verify("passw\xc3\xb6rd \xf0\x9f\x94\x91", hu).ok);
}

TEST_F(Passwords, EmptyPasswordCanBeHashed) {
  std::string h = hasher.hash("");
  EXPECT_TRUE(hasher.verify("", h).ok);
  EXPECT_FALSE(hasher.verify(" ", h).ok);
}

TEST_F(Passwords, NeedsRehashWhenParametersChange) {
  std::string h = hasher.hash("pw");
  {
    PasswordHasher more_memory(2 * kMemKiB, kIters);
    auto r = more_memory.verify("pw", h);
    EXPECT_TRUE(r.ok);
    EXPECT_TRUE(r.needs_rehash);
  }
  {
    PasswordHasher more_iterations(kMemKiB, kIters + 1);
    auto r = more_iterations.verify("pw", h);
    EXPECT_TRUE(r.ok);
    EXPECT_TRUE(r.needs_rehash);
  }
  {
    PasswordHasher same(kMemKiB, kIters);
    auto r = same.verify("pw", h);
    EXPECT_TRUE(r.ok);
    EXPECT_FALSE(r.needs_rehash);
  }
  // A wrong password never asks for a rehash, whatever the parameters.
  PasswordHasher more_memory(2 * kMemKiB, kIters);
  EXPECT_FALSE(more_memory.verify("wrong", h).needs_rehash);
}

TEST_F(Passwords, HashFromOtherParametersStillVerifies) {
  PasswordHasher other(2 * kMemKiB, 2);
  std::string h = other.hash("pw");
  EXPECT_EQ(h.rfind("$argon2id$v=19$m=2048,t=2,p=1$", 0), 0u) << h;
  EXPECT_TRUE(hasher.verify("pw", h).ok);
  EXPECT_FALSE(hasher.verify("pw!", h).ok);
}

TEST_F(Passwords, BcryptGeneratedHashVerifiesAndNeedsRehash) {
  std::string h = bcrypt("hunter2");
  ASSERT_EQ(h.size(), 60u) << h;
  ASSERT_EQ(h.rfind("$2b$04$", 0), 0u) << h;
  EXPECT_TRUE(PasswordHasher::is_bcrypt(h));
  auto r = hasher.verify("hunter2", h);
  EXPECT_TRUE(r.ok);
  EXPECT_TRUE(r.needs_rehash) << "legacy bcrypt is always upgraded to Argon2id";
}

TEST_F(Passwords, BcryptWrongPassword) {
  std::string h = bcrypt("hunter2");
  ASSERT_FALSE(h.empty());
  for (const char* wrong : {"", "hunter", "hunter3", "Hunter2", "hunter2 "}) {
    auto r = hasher.verify(wrong, h);
    EXPECT_FALSE(r.ok) << wrong;
    EXPECT_FALSE(r.needs_rehash) << wrong;
  }
}

TEST_F(Passwords, Bcrypt2aAnd2yPrefixesAccepted) {
  // For ASCII passwords $2a$, $2b$ and $2y$ compute the same hash: swap the prefix.
  std::string h = bcrypt("s3cret-pass");
  ASSERT_FALSE(h.empty());
  for (const char* prefix : {"$2a$", "$2y$"}) {
    std::string swapped = prefix + h.substr(4);
    EXPECT_TRUE(PasswordHasher::is_bcrypt(swapped)) << prefix;
    auto r = hasher.verify("s3cret-pass", swapped);
    EXPECT_TRUE(r.ok) << prefix;
    EXPECT_TRUE(r.needs_rehash) << prefix;
    EXPECT_FALSE(hasher.verify("s3cret-pasS", swapped).ok) << prefix;
  }
  // And hashes generated natively under those prefixes.
  for (const char* prefix : {"$2a$", "$2y$"}) {
    std::string native = bcrypt("native", prefix);
    if (native.empty()) continue;  // libxcrypt built without this variant
    EXPECT_EQ(native.rfind(prefix, 0), 0u);
    EXPECT_TRUE(hasher.verify("native", native).ok) << native;
    EXPECT_FALSE(hasher.verify("nativ", native).ok) << native;
  }
}

TEST_F(Passwords, BcryptOpenwallVector) {
  // From the crypt_blowfish test suite (openwall).
  const std::string h = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
  EXPECT_TRUE(hasher.verify("U*U", h).ok);
  EXPECT_FALSE(hasher.verify("U*V", h).ok);
  EXPECT_TRUE(hasher.verify("U*U", "$2b$" + h.substr(4)).ok);
}

TEST_F(Passwords, IsBcrypt) {
  std::string h = bcrypt("x");
  ASSERT_EQ(h.size(), 60u);
  EXPECT_TRUE(PasswordHasher::is_bcrypt(h));
  EXPECT_FALSE(PasswordHasher::is_bcrypt(h.substr(0, 59)));
  EXPECT_FALSE(PasswordHasher::is_bcrypt(h + "A"));
  EXPECT_FALSE(PasswordHasher::is_bcrypt("$2x$" + h.substr(4)));
  EXPECT_FALSE(PasswordHasher::is_bcrypt("$2$" + h.substr(3)));
  EXPECT_FALSE(PasswordHasher::is_bcrypt(""));
  EXPECT_FALSE(PasswordHasher::is_bcrypt(hasher.hash("x")));
}

TEST_F(Passwords, UnknownFormatsAreRefused) {
  auto refuse = [&](const std::string& stored, const char* password) {
    auto r = hasher.verify(password, stored);
    EXPECT_FALSE(r.ok) << stored;
    EXPECT_FALSE(r.needs_rehash) << stored;
  };
  refuse("", "");
  refuse("", "x");
  refuse("hunter2", "hunter2");  // plaintext is not a hash
  refuse("*", "");
  refuse("!", "");
  refuse("$argon2id$", "x");
  refuse("$argon2id$v=19$m=1024,t=1,p=1$garbage", "x");
  std::string good = hasher.hash("pw");
  refuse(good.substr(0, good.size() - 5), "pw");  // truncated Argon2id
  // Other Argon2 variants are not accepted even when well-formed.
  std::string argon2i = "$argon2i$" + good.substr(std::string("$argon2id$").size());
  refuse(argon2i, "pw");
  // Bcrypt with an unsupported prefix or the wrong length.
  std::string b = bcrypt("pw");
  ASSERT_FALSE(b.empty());
  refuse("$2x$" + b.substr(4), "pw");
  refuse(b.substr(0, 59), "pw");
  refuse(b + "x", "pw");
  // Real crypt(3) hashes of other schemes are refused too.
  auto data = std::make_unique<crypt_data>();
  for (const char* prefix : {"$1$", "$5$", "$6$", "$y$"}) {
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    if (!crypt_gensalt_rn(prefix, 0, nullptr, 0, setting, sizeof setting)) continue;
    const char* h = crypt_r("pw", setting, data.get());
    if (!h || h[0] == '*') continue;
    refuse(h, "pw");
  }
}

// Stored hashes name their own cost and come from imports too: a PHC string asking for
// 4 TiB or 2^32 passes, or bcrypt cost 31, must be refused before any hashing (found by
// tests/fuzz/fuzz_password: m=4194304 allocated 4 GiB, t=4e9 and bcrypt cost 24 ran for hours).
TEST_F(Passwords, CostBombsAreRefusedWithoutHashing) {
  const std::string tail = "$jge/CLMNrlSaVddRQgZsgA$iSL5+rYnaf6H8BQarVYXVBf9lfVBgEZuef38xZ7vtqQ";
  for (const char* params : {"m=4294967295,t=1,p=1", "m=4194304,t=1,p=1", "m=2097152,t=1,p=1",
                             "m=1048576,t=5,p=1", "m=64,t=4000000000,p=1", "m=8,t=4294967295,p=1"}) {
    std::string stored = std::string("$argon2id$v=19$") + params + tail;
    EXPECT_FALSE(hasher.verifiable(stored)) << stored;
    EXPECT_FALSE(hasher.verify("pw", stored).ok) << stored;
  }
  const std::string b = "$2b$31$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
  for (const char* cost : {"31", "24", "17"}) {
    std::string stored = "$2b$" + std::string(cost) + b.substr(6);
    EXPECT_FALSE(hasher.verifiable(stored)) << stored;
    EXPECT_FALSE(hasher.verify("U*U", stored).ok) << stored;
  }
}

TEST_F(Passwords, DefaultLimitsKeepRealWorldHashes) {
  // argon2-cffi's default parameters (m=64 MiB, t=3, p=4), the example from its documentation.
  const std::string cffi =
      "$argon2id$v=19$m=65536,t=3,p=4$MIIRqgvgQbgj220jfp0MPA$YfwJSVjtjSU0zzV/P3S9nnQ/USre2wvJMjfCIjrTQbg";
  EXPECT_TRUE(hasher.verifiable(cffi));
  EXPECT_TRUE(hasher.verify("correct horse battery staple", cffi).ok);
  EXPECT_FALSE(hasher.verify("correct horse battery stapler", cffi).ok);
  // The bounds themselves: 1 GiB, 4 GiB of memory x passes, bcrypt cost 16.
  const std::string tail = "$jge/CLMNrlSaVddRQgZsgA$iSL5+rYnaf6H8BQarVYXVBf9lfVBgEZuef38xZ7vtqQ";
  EXPECT_TRUE(hasher.verifiable("$argon2id$v=19$m=1048576,t=4,p=1" + tail));
  EXPECT_TRUE(hasher.verifiable("$argon2id$v=19$m=19456,t=2,p=1" + tail));  // OWASP
  EXPECT_TRUE(hasher.verifiable("$argon2id$v=19$m=8,t=524288,p=1" + tail));
  EXPECT_FALSE(hasher.verifiable("$argon2id$v=19$m=8,t=524289,p=1" + tail));
  EXPECT_TRUE(hasher.verifiable("$2b$16$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
  EXPECT_TRUE(hasher.verifiable("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
}

TEST_F(Passwords, LimitsAreConfigurableAndNeverRefuseOwnHashes) {
  PasswordHasher tight(kMemKiB, kIters, {.max_memory_kib = 8, .max_work_kib = 8, .max_bcrypt_cost = 4});
  std::string own = tight.hash("pw");
  EXPECT_TRUE(tight.verifiable(own)) << "limits are raised to the hasher's own parameters";
  EXPECT_TRUE(tight.verify("pw", own).ok);
  PasswordHasher stronger(2 * kMemKiB, 2);
  EXPECT_FALSE(tight.verify("pw", stronger.hash("pw")).ok);
  EXPECT_TRUE(hasher.verify("pw", stronger.hash("pw")).ok);
  EXPECT_FALSE(tight.verify("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW").ok);
  EXPECT_TRUE(tight.verify("hunter2", bcrypt("hunter2")).ok);  // cost 4
}

TEST_F(Passwords, MalformedPhcStringsAreRefused) {
  std::string good = hasher.hash("pw");
  ASSERT_TRUE(hasher.verifiable(good));
  const std::string params = "m=1024,t=1,p=1";
  auto with = [&](const std::string& p) {
    std::string s = good;
    return s.replace(s.find(params), params.size(), p);
  };
  for (const std::string& bad :
       {with("m=01024,t=1,p=1"), with("m=+1024,t=1,p=1"), with("m=-1,t=1,p=1"), with("m=1024,t=0,p=1"),
        with("m=1024,t=1,p=0"), with("m=7,t=1,p=1"), with("m=64,t=1,p=9"), with("t=1,m=1024,p=1"),
        with("m=1024,t=1,p=1,data=x"), with("m=18446744073709551616,t=1,p=1"), good + "$", good + " ",
        good + std::string("\0junk", 5), good.substr(0, good.rfind('$')) + "$AAAA",
        "$argon2id$v=16$" + good.substr(good.find("m=")), "$argon2id$" + good.substr(good.find("m="))}) {
    EXPECT_FALSE(hasher.verifiable(bad)) << bad;
    EXPECT_FALSE(hasher.verify("pw", bad).ok) << bad;
  }
}

TEST_F(Passwords, VerifyDummyDoesNotThrow) {
  EXPECT_NO_THROW(hasher.verify_dummy("anything"));
  EXPECT_NO_THROW(hasher.verify_dummy(""));
}

}  // namespace
}  // namespace gatehouse::crypto
