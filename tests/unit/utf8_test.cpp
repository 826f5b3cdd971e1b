// is_clean_text: valid UTF-8 (RFC 3629) without NUL.
#include <gtest/gtest.h>

#include <string>

#include "core/utf8.hpp"

namespace gatehouse {
namespace {

TEST(CleanText, AcceptsUtf8) {
  EXPECT_TRUE(is_clean_text(""));
  EXPECT_TRUE(is_clean_text("plain ascii"));
  EXPECT_TRUE(is_clean_text("Zoë Ångström"));
  EXPECT_TRUE(is_clean_text("\xe2\x82\xac"));          // €
  EXPECT_TRUE(is_clean_text("\xf0\x9f\x94\x91"));      // U+1F511
  EXPECT_TRUE(is_clean_text("\xf4\x8f\xbf\xbf"));      // U+10FFFF
}

TEST(CleanText, RefusesNulAndInvalidSequences) {
  EXPECT_FALSE(is_clean_text(std::string("victim\0x", 8)));
  EXPECT_FALSE(is_clean_text("\xc0\xaf"));              // overlong '/'
  EXPECT_FALSE(is_clean_text("\xe0\x80\xaf"));          // overlong
  EXPECT_FALSE(is_clean_text("\xed\xa0\x80"));          // surrogate U+D800
  EXPECT_FALSE(is_clean_text("\xf4\x90\x80\x80"));      // past U+10FFFF
  EXPECT_FALSE(is_clean_text("\xff"));
  EXPECT_FALSE(is_clean_text("\x80"));                  // lone continuation
  EXPECT_FALSE(is_clean_text("abc\xe2\x82"));           // truncated
  EXPECT_FALSE(is_clean_text("\xe2\x28\xa1"));          // bad continuation
}

TEST(CleanText, FindsABadByteAtEveryPositionOfTheEightByteWalk) {
  for (std::size_t len = 1; len <= 24; ++len)
    for (std::size_t at = 0; at < len; ++at) {
      std::string nul(len, 'a'), lone(len, 'a'), two(len, 'a');
      nul[at] = '\0';
      lone[at] = '\x80';  // a continuation byte with no lead
      EXPECT_FALSE(is_clean_text(nul)) << len << " " << at;
      EXPECT_FALSE(is_clean_text(lone)) << len << " " << at;
      if (at + 1 < len) {
        two[at] = '\xc3';
        two[at + 1] = '\xa9';  // é
        EXPECT_TRUE(is_clean_text(two)) << len << " " << at;
      }
    }
  EXPECT_TRUE(is_clean_text(std::string(1000, 'x')));
}

}  // namespace
}  // namespace gatehouse
