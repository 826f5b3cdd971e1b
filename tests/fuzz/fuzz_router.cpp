// The router's path matcher: http::Router::match over realistic patterns (literal and
// {param} segments, overlapping literals such as /sessions/stats vs /sessions/{id}).
// Input: "<METHOD> <path>" (method up to the first space; no space: GET).
// Invariants: a match has the request's method and the path's segment count, literal
// segments equal, every pattern parameter bound; 405 lists only other methods.
// Strict mode: decoded parameters have no NUL and are valid UTF-8 (DESIGN.md §6).
#include <cstdint>

#include "fuzz_common.hpp"
#include "http/router.hpp"

namespace {
using namespace gatehouse;

const http::Router& router() {
  static const http::Router r = [] {
    http::Router r;
    http::Handler h = [](http::Request&) { return http::Response{}; };
    struct P {
      const char* method;
      const char* pattern;
    };
    for (auto p : {P{"GET", "/"}, P{"GET", "/healthz"}, P{"GET", "/.well-known/openid-configuration"},
                   P{"GET", "/api/v1/auth/sessions"}, P{"DELETE", "/api/v1/auth/sessions"},
                   P{"GET", "/api/v1/auth/sessions/stats"}, P{"DELETE", "/api/v1/auth/sessions/{id}"},
                   P{"GET", "/api/v1/auth/verify-email/{token}"}, P{"GET", "/api/v1/organizations/{id}"},
                   P{"PATCH", "/api/v1/organizations/{id}"}, P{"DELETE", "/api/v1/organizations/{id}/members/{userId}"},
                   P{"PATCH", "/api/v1/organizations/{id}/members/{userId}/role"},
                   P{"GET", "/api/v1/users/{uid}/services/{sid}/roles"},
                   P{"DELETE", "/api/v1/users/{uid}/services/{sid}/roles/{rid}"}, P{"GET", "/api/v1/users/me"},
                   P{"GET", "/api/v1/services/mine"}, P{"GET", "/api/v1/services/{id}"},
                   P{"PUT", "/api/v1/admin/users/{public_id}/roles"}, P{"POST", "/oauth2/token"}})
      r.add(p.method, p.pattern, http::Pool::io, h);
    return r;
  }();
  return r;
}

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') { ++i; continue; }
    auto j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  router();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto in = fuzz::text(data, size);
  auto sp = in.find(' ');
  std::string_view method = sp == std::string_view::npos ? "GET" : in.substr(0, sp);
  std::string_view path = sp == std::string_view::npos ? in : in.substr(sp + 1);
  const http::Router& r = router();
  http::Match m = r.match(method, path);
  auto segs = segments(path);
  if (m.route) {
    FUZZ_CHECK(m.route->method == method, "matched route has the request method");
    FUZZ_CHECK(m.route->segments.size() == segs.size(), "same number of segments");
    std::size_t params = 0;
    for (std::size_t i = 0; i < segs.size(); ++i) {
      const std::string& s = m.route->segments[i];
      if (s.size() > 2 && s.front() == '{' && s.back() == '}') {
        ++params;
        auto it = m.params.find(s.substr(1, s.size() - 2));
        FUZZ_CHECK(it != m.params.end(), "every parameter is bound");
        FUZZ_STRICT_CHECK(fuzz::clean_text(it->second), "decoded path parameters are NUL-free UTF-8");
        FUZZ_STRICT_CHECK(it->second.find('/') == std::string::npos, "a path parameter holds no '/'");
      } else {
        FUZZ_CHECK(s == segs[i], "literal segments are equal");
      }
    }
    FUZZ_CHECK(m.params.size() == params, "no extra parameters");
    FUZZ_CHECK(m.allowed.empty(), "no allowed list on a match");
  } else {
    for (auto& a : m.allowed) FUZZ_CHECK(a != method, "405 lists only other methods");
    FUZZ_CHECK(m.params.empty(), "no parameters without a match");
  }
  return 0;
}
