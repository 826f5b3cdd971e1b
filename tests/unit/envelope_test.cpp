// The API envelope: Errc -> HTTP mapping, success/error JSON shapes, JSON body parsing
// limits and per-field validation.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <utility>

#include "http/envelope.hpp"

namespace gatehouse::http {
namespace {
namespace json = boost::json;

Request json_request(std::string body, std::string content_type = "application/json") {
  Request r;
  r.method = "POST";
  r.path = "/api/v1/test";
  r.request_id = "req-123";
  if (!content_type.empty()) r.headers.emplace_back("content-type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

json::object body_of(const Response& r) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  EXPECT_FALSE(ec) << r.body;
  EXPECT_TRUE(v.is_object()) << r.body;
  return v.is_object() ? v.as_object() : json::object{};
}

std::string header_of(const Response& r, const std::string& name) {
  for (auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}
int header_count(const Response& r, const std::string& name) {
  int n = 0;
  for (auto& [k, v] : r.headers) n += k == name;
  return n;
}

// ---- error_kind ---------------------------------------------------------------------------

TEST(Envelope, ErrorKindForEveryErrc) {
  const struct {
    Errc c;
    int status;
    const char* type;
  } table[] = {
      {Errc::validation, 400, "VALIDATION_ERROR"},
      {Errc::bad_request, 400, "BAD_REQUEST"},
      {Errc::authentication, 401, "AUTHENTICATION_ERROR"},
      {Errc::authorization, 403, "AUTHORIZATION_ERROR"},
      {Errc::not_found, 404, "NOT_FOUND"},
      {Errc::method_not_allowed, 405, "METHOD_NOT_ALLOWED"},
      {Errc::conflict, 409, "CONFLICT"},
      {Errc::payload_too_large, 413, "PAYLOAD_TOO_LARGE"},
      {Errc::unsupported_media, 415, "UNSUPPORTED_MEDIA_TYPE"},
      {Errc::rate_limited, 429, "RATE_LIMITED"},
      {Errc::unavailable, 503, "SERVICE_UNAVAILABLE"},
      {Errc::internal, 500, "INTERNAL_ERROR"},
  };
  for (const auto& row : table) {
    auto k = error_kind(row.c);
    EXPECT_EQ(k.status, row.status) << row.type;
    EXPECT_STREQ(k.type, row.type);
  }
}

// ---- ok_response --------------------------------------------------------------------------

TEST(Envelope, OkResponseShape) {
  auto req = json_request("");
  json::object data{{"id", "u-1"}, {"email", "a@example.com"}};
  json::object meta{{"total", 1}};
  Response r = ok_response(req, 201, data, "Created", meta);
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.content_type, "application/json");
  auto b = body_of(r);
  EXPECT_EQ(b.size(), 7u);
  EXPECT_EQ(b.at("version").as_string(), "1.0");
  EXPECT_EQ(b.at("success").as_bool(), true);
  EXPECT_EQ(b.at("code").as_int64(), 201);
  EXPECT_EQ(b.at("message").as_string(), "Created");
  EXPECT_EQ(b.at("request_id").as_string(), "req-123");
  EXPECT_EQ(b.at("data"), json::value(data));
  EXPECT_EQ(b.at("meta"), json::value(meta));
  EXPECT_FALSE(b.contains("error"));
}

TEST(Envelope, OkResponseDefaults) {
  auto req = json_request("");
  Response r = ok_response(req, 200, nullptr);
  auto b = body_of(r);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(b.at("message").as_string(), "OK");
  EXPECT_TRUE(b.at("data").is_null());
  ASSERT_TRUE(b.at("meta").is_object());
  EXPECT_TRUE(b.at("meta").as_object().empty());

  Response a = ok_response(req, 200, json::array{1, 2, 3});
  EXPECT_EQ(body_of(a).at("data"), (json::value(json::array{1, 2, 3})));
}

// ---- error_response -----------------------------------------------------------------------

TEST(Envelope, ErrorResponseShape) {
  auto req = json_request("");
  Error e = Error::field("email", "Enter a valid email address");
  e.internal = "SELECT secret FROM users -- must never leak";
  Response r = error_response(req, e);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/json");
  auto b = body_of(r);
  EXPECT_EQ(b.at("version").as_string(), "1.0");
  EXPECT_EQ(b.at("success").as_bool(), false);
  EXPECT_EQ(b.at("code").as_int64(), 400);
  EXPECT_EQ(b.at("message").as_string(), "Validation failed");
  EXPECT_EQ(b.at("request_id").as_string(), "req-123");
  EXPECT_FALSE(b.contains("data"));
  auto& err = b.at("error").as_object();
  EXPECT_EQ(err.at("type").as_string(), "VALIDATION_ERROR");
  EXPECT_EQ(err.at("details").at("email").as_string(), "Enter a valid email address");
  EXPECT_EQ(r.body.find("must never leak"), std::string::npos);
  EXPECT_EQ(header_count(r, "Retry-After"), 0);
  EXPECT_EQ(header_count(r, "WWW-Authenticate"), 0);
}

TEST(Envelope, ErrorResponseForEveryErrc) {
  auto req = json_request("");
  for (Errc c : {Errc::validation, Errc::bad_request, Errc::authentication, Errc::authorization,
                 Errc::not_found, Errc::method_not_allowed, Errc::conflict,
                 Errc::payload_too_large, Errc::unsupported_media, Errc::rate_limited,
                 Errc::unavailable, Errc::internal}) {
    Response r = error_response(req, c, "msg");
    auto k = error_kind(c);
    EXPECT_EQ(r.status, k.status);
    auto b = body_of(r);
    EXPECT_EQ(b.at("code").as_int64(), k.status);
    EXPECT_EQ(b.at("success").as_bool(), false);
    EXPECT_EQ(b.at("message").as_string(), "msg");
    EXPECT_EQ(b.at("error").at("type").as_string(), k.type);
    EXPECT_TRUE(b.at("error").at("details").as_object().empty());
  }
}

TEST(Envelope, EmptyMessageFallsBackToType) {
  auto req = json_request("");
  auto b = body_of(error_response(req, Error::make(Errc::not_found, "")));
  EXPECT_EQ(b.at("message").as_string(), "NOT_FOUND");
}

TEST(Envelope, RetryAfterHeader) {
  auto req = json_request("");
  Error e = Error::make(Errc::rate_limited, "Too many attempts");
  e.retry_after = 42;
  Response r = error_response(req, e);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(header_of(r, "Retry-After"), "42");

  Error u = Error::make(Errc::unavailable, "Busy");
  u.retry_after = 1;
  EXPECT_EQ(header_of(error_response(req, u), "Retry-After"), "1");

  Error none = Error::make(Errc::rate_limited, "x");
  EXPECT_EQ(header_count(error_response(req, none), "Retry-After"), 0);
}

TEST(Envelope, AuthenticationErrorsCarryWwwAuthenticate) {
  auto req = json_request("");
  Response r = error_response(req, Errc::authentication, "Invalid token");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(header_of(r, "WWW-Authenticate").rfind("Bearer", 0), 0u);
  EXPECT_EQ(header_count(error_response(req, Errc::authorization, "no"), "WWW-Authenticate"), 0);
}

// ---- parse_json_object --------------------------------------------------------------------

void expect_error(const Result<json::object>& r, Errc c, const std::string& what) {
  ASSERT_FALSE(r) << "accepted: " << what;
  EXPECT_EQ(r.error().code, c) << what;
}

TEST(ParseJson, AcceptsObjectWithJsonContentType) {
  for (const char* ct : {"application/json", "application/json; charset=utf-8",
                         "application/json;charset=UTF-8", "Application/JSON",
                         "application/json ; charset=utf-8"}) {
    auto r = parse_json_object(json_request(R"({"email":"a@example.com","n":1})", ct));
    ASSERT_TRUE(r) << ct << ": " << r.error().public_message;
    EXPECT_EQ(r->at("email").as_string(), "a@example.com");
    EXPECT_EQ(r->at("n").as_int64(), 1);
  }
}

TEST(ParseJson, WrongContentTypeIs415) {
  for (const char* ct : {"", "text/plain", "application/x-www-form-urlencoded",
                         "multipart/form-data; boundary=x", "application/jsonx",
                         "application/json-patch+json", "text/json", "json"}) {
    auto r = parse_json_object(json_request(R"({"a":1})", ct));
    expect_error(r, Errc::unsupported_media, ct);
    if (!r) {
      EXPECT_EQ(error_kind(r.error().code).status, 415);
    }
  }
}

TEST(ParseJson, MalformedIs400) {
  for (const char* body : {"", " ", "{", "}", "{\"a\":}", "{\"a\":1,}", "{'a':1}", "{a:1}",
                           "{\"a\":1} {}", "{\"a\":1}x", "{\"a\":01}", "{\"a\":NaN}",
                           "/* c */ {}", "{\"a\":\"\x01\"}"}) {
    auto r = parse_json_object(json_request(body));
    expect_error(r, Errc::bad_request, body);
    if (!r) {
      EXPECT_EQ(error_kind(r.error().code).status, 400);
    }
  }
}

TEST(ParseJson, NonObjectIs400) {
  for (const char* body : {"[]", "[{}]", "1", "\"s\"", "null", "true"})
    expect_error(parse_json_object(json_request(body)), Errc::bad_request, body);
}

std::string nested(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "{\"a\":";
  s += "1";
  for (int i = 0; i < depth; ++i) s += "}";
  return s;
}
std::string nested_arrays(int depth) {
  return "{\"a\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
}

TEST(ParseJson, DeepNestingIs400) {
  expect_error(parse_json_object(json_request(nested(100))), Errc::bad_request, "depth 100");
  expect_error(parse_json_object(json_request(nested_arrays(100))), Errc::bad_request,
               "array depth 100");
  expect_error(parse_json_object(json_request(nested(10000))), Errc::bad_request, "depth 10000");
}

TEST(ParseJson, NestingUpTo32IsAccepted) {
  EXPECT_TRUE(parse_json_object(json_request(nested(2))));
  EXPECT_TRUE(parse_json_object(json_request(nested(32))));
  expect_error(parse_json_object(json_request(nested(33))), Errc::bad_request, "depth 33");
}

TEST(ParseJson, InvalidUtf8Is400) {
  for (const char* body : {"{\"a\":\"\xff\"}", "{\"a\":\"\xc3\"}", "{\"a\":\"\xc0\xaf\"}",
                           "{\"a\":\"\xed\xa0\x80\"}",  // UTF-8 encoded surrogate
                           "{\"\xfe\":1}", "{\"a\":\"\xf4\x90\x80\x80\"}"})
    expect_error(parse_json_object(json_request(body)), Errc::bad_request, body);
  // Valid multi-byte UTF-8 is fine.
  auto ok = parse_json_object(json_request("{\"name\":\"J\xc3\xb6rg \xf0\x9f\x94\x91\"}"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->at("name").as_string(), "J\xc3\xb6rg \xf0\x9f\x94\x91");
}

// ---- Fields -------------------------------------------------------------------------------

TEST(Fields, ReadsValidFields) {
  json::object o{{"email", "a@example.com"}, {"remember", true}, {"name", "J\xc3\xb6rg"}};
  Fields f(o);
  EXPECT_EQ(f.str("email", true).value_or(""), "a@example.com");
  EXPECT_EQ(f.str("name", false, 4).value_or(""), "J\xc3\xb6rg");  // 4 code points, 5 bytes
  EXPECT_EQ(f.boolean("remember", true), std::optional<bool>(true));
  EXPECT_FALSE(f.str("missing", false).has_value());
  EXPECT_FALSE(f.boolean("missing_bool", false).has_value());
  EXPECT_TRUE(f.ok());
}

TEST(Fields, CollectsEveryProblemPerField) {
  json::object o{{"email", ""},
                 {"username", 5},
                 {"name", "abcdef"},
                 {"bio", std::string("a\0b", 3)},
                 {"remember", "true"},
                 {"nullable", nullptr}};
  Fields f(o);
  EXPECT_FALSE(f.str("email", true).has_value());        // empty counts as missing
  EXPECT_FALSE(f.str("password", true).has_value());     // absent
  EXPECT_FALSE(f.str("username", false).has_value());    // not a string
  EXPECT_FALSE(f.str("name", false, 5).has_value());     // too long
  EXPECT_FALSE(f.str("bio", false).has_value());         // NUL
  EXPECT_FALSE(f.boolean("remember", false).has_value());  // not a bool
  EXPECT_FALSE(f.boolean("accept", true).has_value());   // absent
  EXPECT_FALSE(f.str("nullable", true).has_value());     // null counts as missing
  EXPECT_FALSE(f.ok());

  Error e = f.error();
  EXPECT_EQ(e.code, Errc::validation);
  EXPECT_EQ(e.public_message, "Validation failed");
  const auto& d = e.details;
  EXPECT_EQ(d.size(), 8u);
  EXPECT_EQ(d.at("email").as_string(), "This field is required");
  EXPECT_EQ(d.at("password").as_string(), "This field is required");
  EXPECT_EQ(d.at("username").as_string(), "Must be a string");
  EXPECT_EQ(d.at("name").as_string(), "Must be at most 5 characters");
  EXPECT_EQ(d.at("bio").as_string(), "Must not contain NUL characters");
  EXPECT_EQ(d.at("remember").as_string(), "Must be true or false");
  EXPECT_EQ(d.at("accept").as_string(), "This field is required");
  EXPECT_EQ(d.at("nullable").as_string(), "This field is required");

  // The details travel into the error envelope unchanged.
  auto b = body_of(error_response(json_request(""), e));
  EXPECT_EQ(b.at("error").at("details"), json::value(d));
}

TEST(Fields, OptionalEmptyStringIsNotAnError) {
  json::object o{{"name", ""}};
  Fields f(o);
  EXPECT_FALSE(f.str("name", false).has_value());
  EXPECT_TRUE(f.ok());
}

TEST(Fields, FirstMessagePerFieldWins) {
  json::object o;
  Fields f(o);
  f.fail("email", "first");
  f.fail("email", "second");
  f.fail("other", "x");
  EXPECT_EQ(f.error().details.at("email").as_string(), "first");
  EXPECT_EQ(f.error().details.size(), 2u);
}

TEST(Fields, MaxCharsCountsCodePoints) {
  std::string four_emoji = "\xf0\x9f\x94\x91\xf0\x9f\x94\x91\xf0\x9f\x94\x91\xf0\x9f\x94\x91";
  json::object o{{"s", four_emoji}};
  {
    Fields f(o);
    EXPECT_TRUE(f.str("s", true, 4).has_value());
    EXPECT_TRUE(f.ok());
  }
  {
    Fields f(o);
    EXPECT_FALSE(f.str("s", true, 3).has_value());
    EXPECT_FALSE(f.ok());
  }
}

TEST(Fields, Utf8Length) {
  EXPECT_EQ(utf8_length(""), 0u);
  EXPECT_EQ(utf8_length("abc"), 3u);
  EXPECT_EQ(utf8_length("\xc3\xa9"), 1u);
  EXPECT_EQ(utf8_length("\xe2\x82\xac"), 1u);
  EXPECT_EQ(utf8_length("\xf0\x9f\x94\x91"), 1u);
  EXPECT_EQ(utf8_length("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\x91z"), 5u);
}

}  // namespace
}  // namespace gatehouse::http
