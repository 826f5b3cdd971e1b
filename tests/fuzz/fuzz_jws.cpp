// JWS compact serialisation (RFC 7515 §7.1) through crypto::jws_verify. Tokens reach it from
// Authorization headers, id_token_hint, client assertions (RFC 7523) and logout requests.
// The lookup returns a fixed key for any kid: "es…", "ed…" and "rs…" kids pick that key, any
// other kid gets the key of the header's alg, so signature checks and alg confusion are
// both reachable. The keys are fixed (test_keys.hpp) so the seeds made by make_seeds verify.
#include <boost/json.hpp>
#include <cstdint>
#include <memory>

#include "crypto/encoding.hpp"
#include "crypto/jose.hpp"
#include "fuzz_common.hpp"
#include "test_keys.hpp"

namespace {
using namespace gatehouse;
using crypto::Alg;
using crypto::Jwk;

struct Keys {
  std::shared_ptr<const Jwk> es, ed, rs;
};

std::shared_ptr<const Jwk> load(Alg alg, const char* kid, const char* pem) {
  auto k = Jwk::from_pem(alg, kid, pem);
  if (!k) std::abort();
  return std::make_shared<const Jwk>(std::move(*k));
}

const Keys& keys() {
  static const Keys k{load(Alg::ES256, "es-1", fuzz::kEs256Pem), load(Alg::EdDSA, "ed-1", fuzz::kEdDsaPem),
                      load(Alg::RS256, "rs-1", fuzz::kRs256Pem)};
  return k;
}

std::shared_ptr<const Jwk> lookup(const boost::json::object& h) {
  const Keys& k = keys();
  std::string_view kid;
  if (auto* v = h.if_contains("kid"); v && v->is_string()) kid = v->get_string();
  if (kid == "unknown") return nullptr;
  if (kid.starts_with("es")) return k.es;
  if (kid.starts_with("ed")) return k.ed;
  if (kid.starts_with("rs")) return k.rs;
  std::string_view alg;
  if (auto* v = h.if_contains("alg"); v && v->is_string()) alg = v->get_string();
  if (alg == "EdDSA") return k.ed;
  if (alg == "RS256") return k.rs;
  return k.es;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  keys();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto token = fuzz::text(data, size);
  auto r = crypto::jws_verify(token, lookup);
  if (!r) {
    FUZZ_CHECK(r.error().code == Errc::authentication, "jws_verify fails only with authentication errors");
    return 0;
  }
  // Accepted: exactly three parts, a supported alg that matches the key, no crit, and the
  // payload is the decoding of the middle part.
  auto d1 = token.find('.');
  auto d2 = token.find('.', d1 + 1);
  FUZZ_CHECK(d1 != token.npos && d2 != token.npos && token.find('.', d2 + 1) == token.npos, "three parts");
  auto* alg = r->header.if_contains("alg");
  FUZZ_CHECK(alg && alg->is_string(), "alg present");
  auto a = crypto::alg_from_name(alg->get_string());
  FUZZ_CHECK(a && lookup(r->header) && lookup(r->header)->alg() == *a, "alg matches key");
  FUZZ_CHECK(!r->header.contains("crit"), "no crit");
  auto payload = crypto::base64url_decode(token.substr(d1 + 1, d2 - d1 - 1));
  FUZZ_CHECK(payload && *payload == r->payload, "payload is the decoded middle part");
  // Strict base64url (RFC 7515 §2: no padding, canonical): the parts re-encode to themselves.
  FUZZ_CHECK(crypto::base64url_encode(*payload) == token.substr(d1 + 1, d2 - d1 - 1), "canonical payload");
  return 0;
}
