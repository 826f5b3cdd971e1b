// application/x-www-form-urlencoded bodies and query strings: http::parse_urlencoded,
// http::form_of (GET query and POST body) and Request::query_param.
// Invariants: query_param agrees with parse_urlencoded, and a parsed form re-encoded with
// with_query/url_encode parses back to itself. The text is passed NUL-terminated, as every
// caller does today: Boost.URL 1.81 parse_query measures its input with strlen (see
// README.md, findings). Strict mode: parse_urlencoded also gets the fuzzer's exact-size
// buffer, and decoded text must have no NUL and be valid UTF-8 (DESIGN.md §6).
#include <cstdint>

#include "fuzz_common.hpp"
#include "http/form.hpp"

namespace {
using namespace gatehouse;

constexpr const char* kNames[] = {"client_id", "redirect_uri", "response_type", "scope", "state",
                                  "code", "code_verifier", "grant_type", "limit", "csrf"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(fuzz::text(data, size));
  auto f = http::parse_urlencoded(in);
  if (fuzz::strict()) (void)http::parse_urlencoded(fuzz::text(data, size));

  http::Request get;
  get.method = "GET";
  get.target = "/oauth2/authorize?" + in;
  get.path = "/oauth2/authorize";
  get.query = in;
  auto g = http::form_of(get);
  FUZZ_CHECK(bool(g) == bool(f), "form_of(GET) is parse_urlencoded(query)");

  for (const char* name : kNames) {
    auto q = get.query_param(name);
    if (f) {
      auto it = f->find(name);
      FUZZ_CHECK((it == f->end()) == !q.has_value(), "query_param finds what parse_urlencoded finds");
      if (q) FUZZ_CHECK(*q == it->second, "query_param decodes as parse_urlencoded");
    }
  }

  http::Request post;
  post.method = "POST";
  post.headers = {{"content-type", "application/x-www-form-urlencoded; charset=UTF-8"}};
  post.body = in;
  auto p = http::form_of(post);
  FUZZ_CHECK(bool(p) == bool(f), "form_of(POST) is parse_urlencoded(body)");

  if (!f) return 0;
  for (auto& [k, v] : *f) {
    FUZZ_CHECK(!k.empty(), "no empty keys");
    FUZZ_STRICT_CHECK(fuzz::clean_text(k) && fuzz::clean_text(v), "decoded form text is NUL-free UTF-8");
  }
  // Round trip through the URL builder.
  std::string url = http::with_query("https://rp.example/cb", *f);
  auto q = url.find('?');
  if (q != std::string::npos) {
    auto back = http::parse_urlencoded(std::string_view(url).substr(q + 1));
    FUZZ_CHECK(back && *back == *f, "with_query output parses back to the same form");
  } else {
    FUZZ_CHECK(f->empty(), "no '?' only for an empty form");
  }
  return 0;
}
