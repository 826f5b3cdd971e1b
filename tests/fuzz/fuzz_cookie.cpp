// The Cookie request header (RFC 6265 §5.4 cookie-string): http::cookie, as the login UI
// reads its session and CSRF cookies. Input: the header value.
#include <cstdint>

#include "fuzz_common.hpp"
#include "http/form.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gatehouse;
  auto in = fuzz::text(data, size);
  http::Request req;
  req.headers = {{"cookie", std::string(in)}};
  for (const char* name : {"gh_session", "gh_csrf", "a"}) {
    auto v = http::cookie(req, name);
    if (!v) continue;
    FUZZ_CHECK(v->find(';') == std::string::npos, "a cookie value never spans a ';'");
    FUZZ_CHECK(v->size() < in.size(), "the value is part of the header");
    FUZZ_CHECK(in.find(std::string(name) + "=" + *v) != std::string_view::npos, "name=value is in the header");
  }
  return 0;
}
