// The JSON request decoder: http::parse_json_object (Content-Type check, UTF-8, depth 32,
// object only) and the http::Fields accessors the routes read bodies with.
// Input: the body. A second call takes the first line as the Content-Type header.
#include <boost/json.hpp>
#include <cstdint>

#include "core/json_util.hpp"
#include "fuzz_common.hpp"
#include "http/envelope.hpp"

namespace {
using namespace gatehouse;

void read_fields(const boost::json::object& o) {
  http::Fields f(o);
  // Names and limits as the routes use them.
  struct Want {
    const char* name;
    bool required;
    std::size_t max;
  };
  for (auto w : {Want{"email", true, 254}, Want{"username", false, 64}, Want{"password", true, 1024},
                 Want{"name", false, 64}, Want{"description", false, 512}, Want{"code", false, 16}}) {
    auto s = f.str(w.name, w.required, w.max);
    if (!s) continue;
    FUZZ_CHECK(!s->empty(), "a returned string is not empty");
    FUZZ_CHECK(s->find('\0') == std::string::npos, "no NUL in a returned string");
    FUZZ_CHECK(fuzz::valid_utf8(*s), "returned strings are valid UTF-8");
    FUZZ_CHECK(utf8_length(*s) <= w.max, "length limit in code points");
  }
  for (const char* b : {"remember", "email_verified", "is_admin"}) (void)f.boolean(b, false);
  if (!f.ok()) {
    Error e = f.error();
    FUZZ_CHECK(e.code == Errc::validation && !e.details.empty(), "validation error with details");
    (void)boost::json::serialize(e.details);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto in = fuzz::text(data, size);
  http::Request req;
  req.method = "POST";
  req.headers = {{"content-type", "application/json; charset=utf-8"}};
  req.body = std::string(in);
  auto o = http::parse_json_object(req);
  if (o) {
    read_fields(*o);
  } else {
    FUZZ_CHECK(o.error().code == Errc::bad_request, "malformed bodies are 400 BAD_REQUEST");
  }

  // Content-Type from the input's first line, body after it.
  auto [ct, body] = fuzz::split_line(in);
  req.headers = {{"content-type", std::string(ct)}};
  req.body = std::string(body);
  auto o2 = http::parse_json_object(req);
  if (o2) read_fields(*o2);
  else FUZZ_CHECK(o2.error().code == Errc::bad_request || o2.error().code == Errc::unsupported_media,
                  "400 or 415");
  return 0;
}
