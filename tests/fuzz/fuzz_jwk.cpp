// JWK import (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2): boost::json::parse then
// crypto::Jwk::from_json, as for a private_key_jwt client's JWKS or an upstream provider's
// keys. A top-level {"keys": [...]} is read as a JWKS, key by key.
// Invariants for an accepted key: its public JWK imports again to the same key, and a key
// with a private half signs something it then verifies.
#include <boost/json.hpp>
#include <cstdint>

#include "crypto/jose.hpp"
#include "fuzz_common.hpp"

namespace {
using namespace gatehouse;
namespace json = boost::json;

void one_key(const json::object& o) {
  auto k = crypto::Jwk::from_json(o);
  if (!k) {
    FUZZ_CHECK(k.error().code == Errc::validation, "from_json fails only with validation errors");
    return;
  }
  json::object pub = k->public_json();
  auto again = crypto::Jwk::from_json(pub);
  FUZZ_CHECK(again, "public_json imports again");
  FUZZ_CHECK(again->alg() == k->alg() && !again->has_private(), "same alg, public only");
  FUZZ_CHECK(again->public_json() == pub, "public_json round-trips");
  if (k->has_private()) {
    std::string sig = k->sign("fuzz.input");
    FUZZ_CHECK(k->verify("fuzz.input", sig), "own signature verifies");
    FUZZ_CHECK(again->verify("fuzz.input", sig), "public half verifies");
    FUZZ_CHECK(!again->verify("fuzz.inpuT", sig), "other input fails");
  }
  (void)again->verify("fuzz.input", std::string(64, 'x'));
  (void)again->verify("fuzz.input", std::string(256, 'x'));
  (void)k->public_pem();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  boost::system::error_code ec;
  json::value v = json::parse(fuzz::text(data, size), ec);
  if (ec || !v.is_object()) return 0;
  auto& o = v.as_object();
  if (auto* keys = o.if_contains("keys"); keys && keys->is_array()) {
    int n = 0;
    for (auto& key : keys->as_array())
      if (key.is_object() && n++ < 8) one_key(key.as_object());
    return 0;
  }
  one_key(o);
  return 0;
}
