// The OAuth responder: statuses, error bodies and challenge headers come from the error's
// OAuth code (RFC 6749 §5.2, RFC 6750 §3), in one place.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "http/oauth_envelope.hpp"

namespace gatehouse::http {
namespace {
namespace json = boost::json;

std::string header(const Response& r, const std::string& name) {
  for (auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

TEST(OAuthEnvelope, SuccessIs200WithBodyAndNoCache) {
  auto r = oauth_answer(json::object{{"access_token", "x"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body).at("access_token"), "x");
  EXPECT_EQ(header(r, "Pragma"), "no-cache");
}

TEST(OAuthEnvelope, StatusFollowsTheOAuthCode) {
  EXPECT_EQ(oauth_error_response(Error::oauth_error(OAuthErrc::invalid_grant, "d")).status, 400);
  EXPECT_EQ(oauth_error_response(Error::oauth_error(OAuthErrc::unsupported_grant_type, "d")).status, 400);
  auto client = oauth_error_response(Error::oauth_error(OAuthErrc::invalid_client, "d"));
  EXPECT_EQ(client.status, 401);
  EXPECT_EQ(header(client, "WWW-Authenticate"), "Basic realm=\"gatehouse\"");
  auto body = json::parse(client.body).as_object();
  EXPECT_EQ(body.at("error"), "invalid_client");
  EXPECT_EQ(body.at("error_description"), "d");
}

TEST(OAuthEnvelope, ServerRefusalsSpeakOAuth) {
  Error busy = Error::make(Errc::unavailable, "Server busy");
  busy.retry_after = 1;
  auto r = oauth_error_response(busy);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body).at("error"), "temporarily_unavailable");
  EXPECT_EQ(header(r, "Retry-After"), "1");
  auto bad = oauth_error_response(Error::make(Errc::bad_request, "NUL in body"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json::parse(bad.body).at("error"), "invalid_request");
}

TEST(OAuthEnvelope, DescriptionKeepsOnlyAllowedCharacters) {
  auto r = oauth_error_response(Error::oauth_error(OAuthErrc::invalid_request, "a\"b\\c\xc3\xa9"));
  EXPECT_EQ(json::parse(r.body).at("error_description"), "a?b?c??");
}

TEST(OAuthEnvelope, BearerErrorsOnProtectedResources) {
  auto expired = bearer_answer(Error::oauth_error(OAuthErrc::invalid_token, "expired"));
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(header(expired, "WWW-Authenticate"),
            "Bearer realm=\"gatehouse\", error=\"invalid_token\", error_description=\"expired\"");
  EXPECT_EQ(bearer_answer(Error::oauth_error(OAuthErrc::insufficient_scope, "openid")).status, 403);
  // RFC 6750 §3.1: no credentials at all: the challenge without an error code.
  auto none = bearer_answer(Error::make(Errc::authentication, ""));
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(header(none, "WWW-Authenticate"), "Bearer realm=\"gatehouse\"");
  EXPECT_EQ(none.body, "{}");
}

}  // namespace
}  // namespace gatehouse::http
