// Router: literal segments beat parameters, path parameters, 404 vs 405 + allowed methods.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "http/router.hpp"

namespace gatehouse::http {
namespace {

Handler tag(std::string t) {
  return [t](Request&) {
    Response r;
    r.body = t;
    return r;
  };
}

std::string run(const Match& m) {
  Request req;
  req.params = m.params;
  return m.route ? m.route->handler(req).body : "<none>";
}

TEST(Router, LiteralBeatsParameterWhateverTheOrder) {
  for (bool literal_first : {false, true}) {
    Router r;
    if (literal_first) r.get("/api/v1/auth/sessions/stats", Pool::io, tag("stats"));
    r.get("/api/v1/auth/sessions/{id}", Pool::db, tag("by-id"));
    if (!literal_first) r.get("/api/v1/auth/sessions/stats", Pool::io, tag("stats"));

    auto m = r.match("GET", "/api/v1/auth/sessions/stats");
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.route->pattern, "/api/v1/auth/sessions/stats");
    EXPECT_EQ(run(m), "stats");
    EXPECT_TRUE(m.params.empty()) << "no parameters leak from the losing route";
    EXPECT_EQ(m.route->pool, Pool::io);

    auto p = r.match("GET", "/api/v1/auth/sessions/0b6e1a3c");
    ASSERT_NE(p.route, nullptr);
    EXPECT_EQ(p.route->pattern, "/api/v1/auth/sessions/{id}");
    EXPECT_EQ(run(p), "by-id");
    EXPECT_EQ(p.params.at("id"), "0b6e1a3c");
    EXPECT_EQ(p.route->pool, Pool::db);
  }
}

TEST(Router, LiteralBeatsParameterInFirstSegmentToo) {
  Router r;
  r.get("/{tenant}/users", Pool::db, tag("param"));
  r.get("/admin/users", Pool::db, tag("literal"));
  EXPECT_EQ(run(r.match("GET", "/admin/users")), "literal");
  auto m = r.match("GET", "/acme/users");
  EXPECT_EQ(run(m), "param");
  EXPECT_EQ(m.params.at("tenant"), "acme");
}

TEST(Router, ExtractsSeveralParameters) {
  Router r;
  r.del("/api/v1/admin/users/{user_id}/sessions/{session_id}", Pool::db, tag("revoke"));
  auto m = r.match("DELETE", "/api/v1/admin/users/u-1/sessions/s-2");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.params.at("user_id"), "u-1");
  EXPECT_EQ(m.params.at("session_id"), "s-2");
  EXPECT_EQ(run(m), "revoke");
}

TEST(Router, SegmentCountMustMatch) {
  Router r;
  r.get("/api/v1/users/{id}", Pool::db, tag("user"));
  EXPECT_EQ(r.match("GET", "/api/v1/users").route, nullptr);
  EXPECT_EQ(r.match("GET", "/api/v1/users/1/extra").route, nullptr);
  EXPECT_EQ(r.match("GET", "/api/v1").route, nullptr);
  EXPECT_NE(r.match("GET", "/api/v1/users/1").route, nullptr);
}

TEST(Router, UnknownPathIs404WithNoAllowedMethods) {
  Router r;
  r.get("/api/v1/users/me", Pool::db, tag("me"));
  r.post("/api/v1/auth/login", Pool::hash, tag("login"));
  for (const char* path : {"/", "", "/api/v1/nope", "/api/v1/users/me/x", "/API/v1/users/me"}) {
    auto m = r.match("GET", path);
    EXPECT_EQ(m.route, nullptr) << path;
    EXPECT_TRUE(m.allowed.empty()) << path;
  }
}

TEST(Router, WrongMethodIs405WithAllowedList) {
  Router r;
  r.get("/api/v1/users/me", Pool::db, tag("get"));
  r.patch("/api/v1/users/me", Pool::db, tag("patch"));
  r.del("/api/v1/users/me", Pool::db, tag("delete"));
  r.post("/api/v1/auth/login", Pool::hash, tag("login"));

  auto m = r.match("POST", "/api/v1/users/me");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"GET", "PATCH", "DELETE"}));

  auto l = r.match("GET", "/api/v1/auth/login");
  EXPECT_EQ(l.route, nullptr);
  EXPECT_EQ(l.allowed, (std::vector<std::string>{"POST"}));
}

TEST(Router, AllowedListHasNoDuplicatesAndIncludesParameterRoutes) {
  Router r;
  r.get("/items/{id}", Pool::db, tag("a"));
  r.get("/items/special", Pool::db, tag("b"));
  r.del("/items/{id}", Pool::db, tag("c"));
  auto m = r.match("PUT", "/items/special");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"GET", "DELETE"}));
}

TEST(Router, MatchedRouteHasNoAllowedList) {
  Router r;
  r.get("/x", Pool::io, tag("x"));
  r.post("/x", Pool::io, tag("y"));
  auto m = r.match("POST", "/x");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(run(m), "y");
  EXPECT_TRUE(m.allowed.empty());
}

TEST(Router, MethodIsExact) {
  Router r;
  r.get("/x", Pool::io, tag("x"));
  auto m = r.match("get", "/x");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"GET"}));
}

TEST(Router, RoutesKeepMetadata) {
  Router r;
  auto& route = r.add("POST", "/api/v1/auth/register", Pool::hash, tag("reg"), "Create an account");
  EXPECT_EQ(route.method, "POST");
  EXPECT_EQ(route.summary, "Create an account");
  EXPECT_EQ(route.segments, (std::vector<std::string>{"api", "v1", "auth", "register"}));
  EXPECT_EQ(r.routes().size(), 1u);
}

TEST(Router, ExactLiteralPathsTakeTheQuickWayWithTheSameAnswers) {
  Router r;
  r.get("/", Pool::io, tag("root"));
  r.get("/a/b", Pool::io, tag("get-ab"));
  r.post("/a/{x}", Pool::io, tag("post-ax"));
  EXPECT_EQ(run(r.match("GET", "/")), "root");
  EXPECT_EQ(run(r.match("GET", "/a/b")), "get-ab");
  EXPECT_EQ(run(r.match("GET", "//a/b/")), "get-ab");  // not canonical: the scan finds it too
  auto post = r.match("POST", "/a/b");  // the literal path exists, but not for POST
  EXPECT_EQ(run(post), "post-ax");
  EXPECT_EQ(post.params.at("x"), "b");
  auto put = r.match("PUT", "/a/b");
  EXPECT_EQ(put.route, nullptr);
  EXPECT_EQ(put.allowed, (std::vector<std::string>{"GET", "POST"}));
}

}  // namespace
}  // namespace gatehouse::http
