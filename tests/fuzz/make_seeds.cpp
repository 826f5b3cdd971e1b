// Writes the seeds that need the code itself to make them: signed JWS for fuzz_jws, JWKs
// for fuzz_jwk and stored hashes for fuzz_password. Not a fuzzer; run once and commit:
//   build-fuzz/tests/fuzz/fuzz_make_seeds tests/fuzz/corpus
#include <crypt.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "crypto/encoding.hpp"
#include "crypto/jose.hpp"
#include "crypto/password.hpp"
#include "test_keys.hpp"

namespace {
using namespace gatehouse;
using crypto::Alg;
namespace json = boost::json;
namespace fs = std::filesystem;

fs::path root;

void put(const std::string& target, const std::string& name, const std::string& content) {
  fs::create_directories(root / target);
  std::ofstream(root / target / name, std::ios::binary) << content;
}

crypto::Jwk key(Alg alg, const char* kid, const char* pem) { return *crypto::Jwk::from_pem(alg, kid, pem); }

// The private half as JWK "d" (EC scalar, Ed25519 seed), read with OpenSSL from the PEM.
std::string private_d(const char* pem, bool ec) {
  BIO* bio = BIO_new_mem_buf(pem, -1);
  EVP_PKEY* k = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  std::string d;
  if (ec) {
    BIGNUM* bn = nullptr;
    EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &bn);
    d.resize(32);
    BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(d.data()), 32);
    BN_free(bn);
  } else {
    unsigned char raw[32];
    size_t len = sizeof raw;
    EVP_PKEY_get_raw_private_key(k, raw, &len);
    d.assign(reinterpret_cast<char*>(raw), len);
  }
  EVP_PKEY_free(k);
  return crypto::base64url_encode(d);
}

std::string b64(const std::string& s) { return crypto::base64url_encode(s); }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus-dir>\n", argv[0]);
    return 2;
  }
  root = argv[1];
  auto es = key(Alg::ES256, "es-1", fuzz::kEs256Pem);
  auto ed = key(Alg::EdDSA, "ed-1", fuzz::kEdDsaPem);
  auto rs = key(Alg::RS256, "rs-1", fuzz::kRs256Pem);

  // fuzz_jws: access token, ID token, client assertion; then the refusals.
  std::string at = R"({"iss":"http://127.0.0.1:8080","sub":"u_01J9","aud":"gatehouse","iat":1700000000,)"
                   R"("nbf":1700000000,"exp":1700000900,"jti":"r1","sid":"s1","email":"a@example.com","email_verified":true})";
  std::string idt = R"({"iss":"http://127.0.0.1:8080","sub":"u_01J9","aud":"client-1","nonce":"n-0S6_WzA2Mj",)"
                    R"("auth_time":1700000000,"iat":1700000000,"exp":1700003600,"at_hash":"77QmUPtjPfzWtF2AnpK9RQ"})";
  std::string ca = R"({"iss":"client-1","sub":"client-1","aud":"http://127.0.0.1:8080/oauth2/token","jti":"j1","exp":1700000060})";
  put("jws", "es256_access_token", crypto::jws_sign(es, at, "at+jwt"));
  put("jws", "eddsa_access_token", crypto::jws_sign(ed, at, "at+jwt"));
  put("jws", "rs256_id_token", crypto::jws_sign(rs, idt));
  put("jws", "es256_client_assertion", crypto::jws_sign(es, ca));
  put("jws", "eddsa_empty_payload", crypto::jws_sign(ed, "", ""));
  put("jws", "alg_none", b64(R"({"alg":"none","typ":"JWT"})") + "." + b64(at) + ".");
  put("jws", "alg_hs256", b64(R"({"alg":"HS256","kid":"rs-1"})") + "." + b64(at) + "." + b64("0123456789abcdef0123456789abcdef"));
  std::string es_tok = crypto::jws_sign(es, at);
  std::string es_sig = es_tok.substr(es_tok.rfind('.'));
  put("jws", "alg_confusion", b64(R"({"alg":"RS256","kid":"es-1"})") + "." + b64(at) + es_sig);
  put("jws", "crit_header", b64(R"({"alg":"ES256","kid":"es-1","crit":["exp"],"exp":1})") + "." + b64(at) + es_sig);
  put("jws", "unknown_kid", b64(R"({"alg":"ES256","kid":"unknown"})") + "." + b64(at) + es_sig);

  // fuzz_jwk: the three public JWKs, private EC and OKP JWKs, a JWKS, weak RSA.
  for (auto* k : {&es, &ed, &rs}) put("jwk", std::string("public_") + crypto::alg_name(k->alg()), json::serialize(k->public_json()));
  json::object ec_priv = es.public_json();
  ec_priv["d"] = private_d(fuzz::kEs256Pem, true);
  put("jwk", "private_ES256", json::serialize(ec_priv));
  json::object ed_priv = ed.public_json();
  ed_priv["d"] = private_d(fuzz::kEdDsaPem, false);
  put("jwk", "private_EdDSA", json::serialize(ed_priv));
  json::object mismatch = ec_priv;
  mismatch["d"] = private_d(fuzz::kEdDsaPem, false);  // a d that is not this key's
  put("jwk", "private_mismatch", json::serialize(mismatch));
  json::object jwks{{"keys", json::array{es.public_json(), ed.public_json(), rs.public_json()}}};
  put("jwk", "jwks", json::serialize(jwks));
  json::object weak = rs.public_json();
  weak["e"] = "AQ";  // e = 1
  put("jwk", "rsa_e1", json::serialize(weak));

  // fuzz_password: "<password>\n<stored>".
  crypto::PasswordHasher hasher(64, 1);
  std::string argon = hasher.hash("password");
  put("password", "argon2id_ok", "password\n" + argon);
  put("password", "argon2id_wrong", "passw0rd\n" + argon);
  put("password", "argon2id_stronger", "password\n" + crypto::PasswordHasher(128, 2).hash("password"));
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  auto data = std::make_unique<crypt_data>();
  for (const char* prefix : {"$2b$", "$2a$", "$2y$"}) {
    if (!crypt_gensalt_rn(prefix, 4, nullptr, 0, setting, sizeof setting)) continue;
    const char* h = crypt_r("hunter2", setting, data.get());
    if (h && h[0] != '*') put("password", std::string("bcrypt_") + (prefix + 1)[0] + prefix[2], std::string("hunter2\n") + h);
  }
  // argon2-cffi's default (m=64 MiB, t=3, p=4; the example in its documentation), as the
  // Flask services wrote them. Over the fuzz hasher's limits: refused without hashing.
  put("password", "argon2id_cffi_p4",
      "correct horse battery staple\n$argon2id$v=19$m=65536,t=3,p=4$MIIRqgvgQbgj220jfp0MPA$"
      "YfwJSVjtjSU0zzV/P3S9nnQ/USre2wvJMjfCIjrTQbg");
  // Cheap enough for the fuzz limits, p=2 shape.
  put("password", "argon2id_p2_shape", "password\n$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHRzb21lc2FsdA$"
      "qLml5cbqFAO6YxVHhrSBHP0UWdxrIxkNcM8aMX3blzU");
  return 0;
}
