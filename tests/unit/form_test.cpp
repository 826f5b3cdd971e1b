// Form/query decoding, cookies, URL building, UUIDv7 ordering and the app-token format.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "authz/app_tokens.hpp"
#include "crypto/random.hpp"
#include "http/form.hpp"
#include "http/router.hpp"

using namespace gatehouse;

TEST(Form, DecodesPlusAndPercent) {
  auto f = http::parse_urlencoded("a=b+c&d=%2F%20x&empty=&flag");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->at("a"), "b c");
  EXPECT_EQ(f->at("d"), "/ x");
  EXPECT_EQ(f->at("empty"), "");
  EXPECT_EQ(f->at("flag"), "");
}

TEST(Form, RepeatedParameterIsAnError) {
  auto f = http::parse_urlencoded("scope=a&scope=b");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, Errc::validation);
  EXPECT_TRUE(f.error().details.contains("scope"));
}

TEST(Form, PostNeedsUrlencodedContentType) {
  http::Request req;
  req.method = "POST";
  req.body = "a=1";
  req.headers = {{"content-type", "application/json"}};
  auto f = http::form_of(req);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, Errc::unsupported_media);
  req.headers = {{"content-type", "application/x-www-form-urlencoded; charset=UTF-8"}};
  ASSERT_TRUE(http::form_of(req));
}

TEST(Form, UrlEncodeRoundTrips) {
  std::string raw = "a b/c?d=é&+";
  auto f = http::parse_urlencoded("x=" + http::url_encode(raw));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->at("x"), raw);
  EXPECT_EQ(http::with_query("https://rp/cb?x=1", {{"code", "a b"}}), "https://rp/cb?x=1&code=a%20b");
}

TEST(Form, CookieLookup) {
  http::Request req;
  req.headers = {{"cookie", "a=1; gh_session=tok; gh_csrf=zz"}};
  EXPECT_EQ(http::cookie(req, "gh_session").value(), "tok");
  EXPECT_EQ(http::cookie(req, "gh_csrf").value(), "zz");
  EXPECT_FALSE(http::cookie(req, "missing"));
  auto c = http::set_cookie("gh_session", "v", 60, true);
  EXPECT_NE(c.find("HttpOnly"), std::string::npos);
  EXPECT_NE(c.find("SameSite=Lax"), std::string::npos);
  EXPECT_NE(c.find("Secure"), std::string::npos);
}

TEST(Router, PathParametersArePercentDecoded) {
  http::Router r;
  r.get("/api/v1/tokens/service/{sid}", http::Pool::io, [](http::Request&) { return http::Response{}; });
  auto m = r.match("GET", "/api/v1/tokens/service/My%20Service");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params["sid"], "My Service");
  EXPECT_EQ(r.match("GET", "/api/v1/tokens/service/bad%zz").params["sid"], "bad%zz");
}

TEST(Ids, UuidV7SortsInCreationOrder) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5000; ++i) ids.push_back(crypto::new_uuid_v7());
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
  EXPECT_EQ(ids[0][14], '7');
  EXPECT_TRUE(crypto::looks_like_uuid(ids[0]));
}

TEST(AppTokenFormat, ChecksumDetectsTypos) {
  // A syntactically valid token needs the gha_ prefix, 46 alphanumerics and a matching CRC.
  EXPECT_FALSE(authz::AppTokens::well_formed("gha_short"));
  EXPECT_FALSE(authz::AppTokens::well_formed("ghp_" + std::string(46, 'A')));
  EXPECT_FALSE(authz::AppTokens::well_formed("gha_" + std::string(46, 'A')));  // checksum wrong
}
