// Route helpers: respond (Result<T>, Status), query_int (absent, bounds, garbage, overflow)
// and with_json_body (parse errors never reach the handler; Response, Step and Result forms).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <climits>
#include <string>
#include <utility>
#include <vector>

#include "http/route_helpers.hpp"
#include "http/router.hpp"

namespace gatehouse::http {
namespace {
namespace json = boost::json;

// A record with its own to_json, as the domains have them.
struct Widget {
  std::string name;
};
json::object to_json(const Widget& w) { return {{"name", w.name}}; }

Request get(std::string query) {
  Request r;
  r.method = "GET";
  r.path = "/api/v1/test";
  r.query = std::move(query);
  r.request_id = "req-1";
  return r;
}

Request post(std::string body, std::string content_type = "application/json") {
  Request r;
  r.method = "POST";
  r.path = "/api/v1/test";
  r.request_id = "req-1";
  if (!content_type.empty()) r.headers.emplace_back("content-type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

json::object body_of(const Response& r) { return json::parse(r.body).as_object(); }

// The same bytes as the hand-written handlers answered.
void expect_same(const Response& a, const Response& b) {
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.body, b.body);
  EXPECT_EQ(a.headers, b.headers);
  EXPECT_EQ(a.content_type, b.content_type);
}

// ---- respond ------------------------------------------------------------------------------

TEST(Respond, SuccessUsesToJsonOfTheValue) {
  auto req = get("");
  Result<Widget> r = Widget{"a"};
  expect_same(respond(req, r, 201, "Made"), ok_response(req, 201, to_json(Widget{"a"}), "Made"));
}

TEST(Respond, SuccessWithAnExplicitProjection) {
  auto req = get("");
  auto res = respond(req, Result<Widget>(Widget{"a"}), 200, [](Widget& w) {
    auto o = to_json(w);
    o["extra"] = true;
    return o;
  }, "Extra");
  expect_same(res, ok_response(req, 200, json::object{{"name", "a"}, {"extra", true}}, "Extra"));
}

TEST(Respond, JsonValuesAndVectorsAsTheyAre) {
  auto req = get("");
  expect_same(respond(req, Result<json::value>(json::value(7))), ok_response(req, 200, 7));
  expect_same(respond(req, Result<json::object>(json::object{{"k", 1}})), ok_response(req, 200, json::object{{"k", 1}}));
  expect_same(respond(req, Result<std::vector<Widget>>(std::vector<Widget>{{"a"}, {"b"}})),
              ok_response(req, 200, json::array{json::object{{"name", "a"}}, json::object{{"name", "b"}}}));
  expect_same(respond(req, Result<std::vector<std::string>>(std::vector<std::string>{"x"})),
              ok_response(req, 200, json::array{"x"}));
  expect_same(respond(req, Result<std::vector<Widget>>(std::vector<Widget>{})), ok_response(req, 200, json::array{}));
}

TEST(Respond, FailureIsTheErrorEnvelope) {
  auto req = get("");
  Error e = Error::make(Errc::rate_limited, "Slow down");
  e.retry_after = 3;
  expect_same(respond(req, Result<Widget>(e), 201, "Made"), error_response(req, e));
  bool projected = false;
  auto res = respond(req, Result<Widget>(Error::not_found("Widget")), 200, [&](Widget& w) {
    projected = true;
    return to_json(w);
  });
  EXPECT_FALSE(projected);
  EXPECT_EQ(res.status, 404);
  auto auth = respond(req, Result<Widget>(Error::make(Errc::authentication, "Who?")));
  EXPECT_EQ(auth.status, 401);
  expect_same(auth, error_response(req, Error::make(Errc::authentication, "Who?")));
}

TEST(Respond, StatusAnswersTheGivenData) {
  auto req = get("");
  expect_same(respond(req, ok(), 200, json::object{{"id", "x"}}, "Deleted"),
              ok_response(req, 200, json::object{{"id", "x"}}, "Deleted"));
  Status bad = Error::forbidden("No");
  expect_same(respond(req, bad, 200, json::object{{"id", "x"}}, "Deleted"), error_response(req, bad.error()));
}

// ---- query_int ----------------------------------------------------------------------------

void expect_field_error(const Result<std::optional<int64_t>>& r, const std::string& name) {
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::validation);
  EXPECT_TRUE(r.error().details.contains(name)) << json::serialize(r.error().details);
}

TEST(QueryInt, AbsentOrEmptyIsNullopt) {
  for (auto q : {"", "other=5", "limit=", "limit"}) {
    auto r = query_int(get(q), "limit", 1, 200);
    ASSERT_TRUE(r) << q;
    EXPECT_FALSE(r->has_value()) << q;
  }
}

TEST(QueryInt, ValuesInsideTheBounds) {
  EXPECT_EQ(**query_int(get("limit=1"), "limit", 1, 200), 1);
  EXPECT_EQ(**query_int(get("limit=200"), "limit", 1, 200), 200);
  EXPECT_EQ(**query_int(get("a=1&limit=42&b=2"), "limit", 1, 200), 42);
  EXPECT_EQ(**query_int(get("n=-7"), "n", -10, 10), -7);
  EXPECT_EQ(**query_int(get("n=007"), "n", 0, 10), 7);
  EXPECT_EQ(**query_int(get("n=%35"), "n", 0, 10), 5);  // percent-decoded first
  EXPECT_EQ(**query_int(get("n=9223372036854775807"), "n", INT64_MIN, INT64_MAX), INT64_MAX);
  EXPECT_EQ(**query_int(get("n=-9223372036854775808"), "n", INT64_MIN, INT64_MAX), INT64_MIN);
}

TEST(QueryInt, OutsideTheBounds) {
  expect_field_error(query_int(get("limit=0"), "limit", 1, 200), "limit");
  expect_field_error(query_int(get("limit=201"), "limit", 1, 200), "limit");
  expect_field_error(query_int(get("limit=-1"), "limit", 1, 200), "limit");
  auto r = query_int(get("limit=201"), "limit", 1, 200);
  EXPECT_EQ(std::string(r.error().details.at("limit").as_string()), "Must be an integer from 1 to 200");
  expect_field_error(query_int(get("n=2147483648"), "n", INT_MIN, INT_MAX), "n");
}

TEST(QueryInt, GarbageIsRefused) {
  for (auto q : {"limit=abc", "limit=12abc", "limit=1e2", "limit=1.5", "limit=-", "limit=+5", "limit=%2B5",
                 "limit=%205", "limit=5%20", "limit=0x10", "limit=%00"}) {
    auto r = query_int(get(q), "limit", INT64_MIN, INT64_MAX);
    expect_field_error(r, "limit");
    EXPECT_EQ(std::string(r.error().details.at("limit").as_string()), "Must be an integer") << q;
  }
}

TEST(QueryInt, OverflowIsRefusedNotThrown) {
  for (auto q : {"limit=99999999999999999999", "limit=-99999999999999999999", "limit=9223372036854775808"}) {
    auto r = query_int(get(q), "limit", INT64_MIN, INT64_MAX);
    expect_field_error(r, "limit");
    EXPECT_NE(std::string(r.error().details.at("limit").as_string()), "Must be an integer") << q;
  }
  expect_field_error(query_int(get("limit=99999999999999999999"), "limit", 1, 200), "limit");
}

TEST(QueryInt, ErrorAnswersAsValidationError400) {
  auto req = get("days=x");
  auto r = query_int(req, "days", 1, 366);
  ASSERT_FALSE(r);
  auto res = error_response(req, r.error());
  EXPECT_EQ(res.status, 400);
  auto o = body_of(res);
  EXPECT_EQ(o["error"].as_object()["type"], "VALIDATION_ERROR");
  EXPECT_EQ(o["error"].as_object()["details"].as_object()["days"], "Must be an integer");
}

// ---- with_json_body -----------------------------------------------------------------------

TEST(WithJsonBody, HandsTheFieldsToTheHandler) {
  auto req = post(R"({"name":"a","extra":1})");
  auto res = with_json_body(req, [&](Fields& f) {
    auto name = f.str("name", true, 16);
    if (!f.ok()) return error_response(req, f.error());
    EXPECT_TRUE(f.body().contains("extra"));
    return ok_response(req, 200, json::object{{"name", *name}});
  });
  expect_same(res, ok_response(req, 200, json::object{{"name", "a"}}));
}

TEST(WithJsonBody, FieldProblemsAreTheHandlersToReport) {
  auto req = post(R"({"name":5})");
  auto res = with_json_body(req, [&](Fields& f) {
    f.str("name", true, 16);
    f.str("email", true, 16);
    if (!f.ok()) return error_response(req, f.error());
    return ok_response(req, 200, json::object{});
  });
  EXPECT_EQ(res.status, 400);
  auto details = body_of(res)["error"].as_object()["details"].as_object();
  EXPECT_TRUE(details.contains("name"));
  EXPECT_TRUE(details.contains("email"));
}

TEST(WithJsonBody, ParseErrorsNeverReachTheHandler) {
  const std::pair<Request, int> cases[] = {
      {post("{}", "text/plain"), 415},
      {post("{}", ""), 415},
      {post("{not json"), 400},
      {post("[1,2]"), 400},
      {post(R"({"a":"\u0000"})"), 400},
      {post(""), 400},
  };
  for (auto& [req, status] : cases) {
    bool called = false;
    auto res = with_json_body(req, [&](Fields&) {
      called = true;
      return ok_response(req, 200, json::object{});
    });
    EXPECT_FALSE(called) << req.body;
    EXPECT_EQ(res.status, status) << req.body;
    expect_same(res, error_response(req, parse_json_object(req).error()));
  }
}

TEST(WithJsonBody, ResultHandlersGetTheErrorItself) {
  auto read = [](const Request& req) {
    return with_json_body(req, [](Fields& f) -> Result<std::string> {
      auto name = f.str("name", true, 16);
      if (!f.ok()) return f.error();
      return *name;
    });
  };
  auto good = read(post(R"({"name":"a"})"));
  ASSERT_TRUE(good);
  EXPECT_EQ(*good, "a");
  auto missing = read(post("{}"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::validation);
  auto malformed = read(post("{"));
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, Errc::bad_request);
  auto media = read(post("{}", "text/plain"));
  ASSERT_FALSE(media);
  EXPECT_EQ(media.error().code, Errc::unsupported_media);
}

TEST(WithJsonBody, StagedHandlersGetAStep) {
  auto req = post("{");
  Step s = with_json_body(req, [&](Fields&) -> Step { return ok_response(req, 200, json::object{}); });
  ASSERT_TRUE(s.done());
  EXPECT_EQ(s.response().status, 400);
}

}  // namespace
}  // namespace gatehouse::http
