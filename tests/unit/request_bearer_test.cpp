// Request::bearer(), the one Bearer parser: the scheme is case-insensitive (RFC 7235 §2.1),
// other schemes and malformed headers give nothing.
#include <gtest/gtest.h>

#include "http/request.hpp"

namespace gatehouse::http {
namespace {

std::string_view bearer_of(const std::string& authorization) {
  static Request r;
  r.headers = {{"authorization", authorization}};
  return r.bearer();
}

TEST(RequestBearer, ReadsTheTokenWhateverTheSchemeCase) {
  EXPECT_EQ(bearer_of("Bearer abc"), "abc");
  EXPECT_EQ(bearer_of("bearer abc"), "abc");
  EXPECT_EQ(bearer_of("BEARER abc"), "abc");
}

TEST(RequestBearer, OtherSchemesAndShapesGiveNothing) {
  EXPECT_EQ(bearer_of("Basic abc"), "");
  EXPECT_EQ(bearer_of("Bearer "), "");
  EXPECT_EQ(bearer_of("Bearer"), "");
  EXPECT_EQ(bearer_of("Bearerabc"), "");
  EXPECT_EQ(bearer_of("Bearxr abc"), "");
  EXPECT_EQ(Request{}.bearer(), "");
}

}  // namespace
}  // namespace gatehouse::http
