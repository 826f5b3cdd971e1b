// JOSE: JWK import/export and compact JWS sign/verify, held against the published vectors
// of RFC 7515 Appendix A.2 (RS256) / A.3 (ES256) and RFC 8037 Appendix A.4 / A.5 (EdDSA).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <string>

#include "crypto/encoding.hpp"
#include "crypto/jose.hpp"

namespace gatehouse::crypto {
namespace {
namespace json = boost::json;

// ---- RFC 7515 -----------------------------------------------------------------------------
// Payload of A.1-A.3: {"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}
constexpr const char* kRfc7515Payload =
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0"
    "cnVlfQ";
constexpr const char* kRfc7515PayloadText =
    "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";

// A.2: RS256, header {"alg":"RS256"}.
constexpr const char* kA2N =
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0B"
    "m4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5"
    "z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7"
    "aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
constexpr const char* kA2Header = "eyJhbGciOiJSUzI1NiJ9";
constexpr const char* kA2Sig =
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2F"
    "p5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQB"
    "MHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeY"
    "I2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

// A.3: ES256, header {"alg":"ES256"}.
constexpr const char* kA3X = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr const char* kA3Y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
constexpr const char* kA3D = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";
constexpr const char* kA3Header = "eyJhbGciOiJFUzI1NiJ9";
constexpr const char* kA3Sig =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

// ---- RFC 8037 -----------------------------------------------------------------------------
constexpr const char* kEdD = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
constexpr const char* kEdX = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
constexpr const char* kEdInput = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
constexpr const char* kEdSig =
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

std::string dot(std::string a, std::string_view b) { return a + "." + std::string(b); }

json::object ec_jwk(bool with_private) {
  json::object o{{"kty", "EC"}, {"crv", "P-256"}, {"x", kA3X}, {"y", kA3Y}};
  if (with_private) o["d"] = kA3D;
  return o;
}
json::object ed_jwk(bool with_private) {
  json::object o{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", kEdX}};
  if (with_private) o["d"] = kEdD;
  return o;
}
json::object rsa_jwk() { return {{"kty", "RSA"}, {"n", kA2N}, {"e", "AQAB"}}; }

std::shared_ptr<const Jwk> import(const json::object& o) {
  auto r = Jwk::from_json(o);
  EXPECT_TRUE(r) << (r ? "" : r.error().public_message);
  if (!r) return nullptr;
  return std::make_shared<const Jwk>(*r);
}

// A lookup that hands out one key whatever the header says.
KeyLookup always(std::shared_ptr<const Jwk> k) {
  return [k](const json::object&) { return k; };
}

// Builds a compact JWS with an arbitrary header, signed by `key`.
std::string sign_with_header(const Jwk& key, const json::object& header, std::string_view payload) {
  std::string input = dot(base64url_encode(json::serialize(header)), base64url_encode(payload));
  return dot(input, base64url_encode(key.sign(input)));
}

void expect_rejected(const Result<JwsParts>& r, const char* why) {
  ASSERT_FALSE(r) << "accepted a token that should fail: " << why;
  EXPECT_EQ(r.error().code, Errc::authentication) << why;
}

// ---- algorithm names ----------------------------------------------------------------------

TEST(JoseAlg, NamesRoundTripAndAreCaseSensitive) {
  for (Alg a : {Alg::ES256, Alg::EdDSA, Alg::RS256}) {
    auto back = alg_from_name(alg_name(a));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, a);
  }
  EXPECT_STREQ(alg_name(Alg::ES256), "ES256");
  EXPECT_STREQ(alg_name(Alg::EdDSA), "EdDSA");
  EXPECT_STREQ(alg_name(Alg::RS256), "RS256");
  for (const char* bad : {"none", "None", "NONE", "HS256", "HS512", "es256", "eddsa", "EDDSA",
                          "rs256", "ES384", "PS256", "Ed25519", "", "ES256 "})
    EXPECT_FALSE(alg_from_name(bad).has_value()) << bad;
}

// ---- RFC 7515 A.3 (ES256) -----------------------------------------------------------------

TEST(JoseRfc7515, A3Es256VerifiesPublishedJws) {
  auto key = import(ec_jwk(false));
  ASSERT_TRUE(key);
  EXPECT_EQ(key->alg(), Alg::ES256);
  EXPECT_FALSE(key->has_private());
  std::string token = dot(dot(kA3Header, kRfc7515Payload), kA3Sig);
  auto r = jws_verify(token, always(key));
  ASSERT_TRUE(r) << r.error().public_message;
  EXPECT_EQ(r->payload, kRfc7515PayloadText);
  EXPECT_EQ(json::serialize(r->header), R"({"alg":"ES256"})");
}

TEST(JoseRfc7515, A3Es256PrivateKeyVerifiesPublishedSignatureToo) {
  auto key = import(ec_jwk(true));
  ASSERT_TRUE(key);
  EXPECT_TRUE(key->has_private());
  std::string input = dot(kA3Header, kRfc7515Payload);
  EXPECT_TRUE(key->verify(input, *base64url_decode(kA3Sig)));
}

TEST(JoseRfc7515, A3Es256SignVerifyRoundTrip) {
  // ECDSA is randomised: the RFC signature cannot be reproduced, so sign and verify.
  auto priv = import(ec_jwk(true));
  auto pub = import(ec_jwk(false));
  ASSERT_TRUE(priv && pub);
  std::string input = dot(kA3Header, kRfc7515Payload);
  std::string sig = priv->sign(input);
  EXPECT_EQ(sig.size(), 64u) << "ES256 JWS signatures are raw r||s";
  EXPECT_TRUE(pub->verify(input, sig));
  EXPECT_FALSE(pub->verify(input + "x", sig));

  std::string token = jws_sign(*priv, "hello", "JWT");
  auto r = jws_verify(token, always(pub));
  ASSERT_TRUE(r) << r.error().public_message;
  EXPECT_EQ(r->payload, "hello");
}

TEST(JoseRfc7515, A3Es256RejectsDerAndWrongLengthSignatures) {
  auto pub = import(ec_jwk(false));
  ASSERT_TRUE(pub);
  std::string input = dot(kA3Header, kRfc7515Payload);
  std::string raw = *base64url_decode(kA3Sig);
  EXPECT_FALSE(pub->verify(input, raw.substr(0, 63)));
  EXPECT_FALSE(pub->verify(input, raw + '\0'));
  EXPECT_FALSE(pub->verify(input, std::string(64, '\0')));
  std::string flipped = raw;
  flipped[10] ^= 0x01;
  EXPECT_FALSE(pub->verify(input, flipped));
}

// ---- RFC 7515 A.2 (RS256) -----------------------------------------------------------------

TEST(JoseRfc7515, A2Rs256VerifiesPublishedJws) {
  auto key = import(rsa_jwk());
  ASSERT_TRUE(key);
  EXPECT_EQ(key->alg(), Alg::RS256);
  EXPECT_FALSE(key->has_private());
  std::string token = dot(dot(kA2Header, kRfc7515Payload), kA2Sig);
  auto r = jws_verify(token, always(key));
  ASSERT_TRUE(r) << r.error().public_message;
  EXPECT_EQ(r->payload, kRfc7515PayloadText);

  // One bit off in the signature and it no longer verifies.
  std::string sig = *base64url_decode(kA2Sig);
  sig[sig.size() / 2] ^= 0x20;
  expect_rejected(jws_verify(dot(dot(kA2Header, kRfc7515Payload), base64url_encode(sig)),
                             always(key)),
                  "RS256 signature with a flipped bit");
}

TEST(JoseRfc7515, RsaJwkWithPrivatePartsIsRefused) {
  auto o = rsa_jwk();
  o["d"] = "AQAB";  // any value: private RSA JWKs are not accepted at all
  EXPECT_FALSE(Jwk::from_json(o));
}

TEST(JoseRs256, GeneratedKeySignVerifyAndJwkExport) {
  Jwk key = Jwk::generate(Alg::RS256, "rsa-1");
  auto pub = key.public_json();
  EXPECT_EQ(pub.at("kty").as_string(), "RSA");
  EXPECT_EQ(pub.at("alg").as_string(), "RS256");
  EXPECT_EQ(pub.at("kid").as_string(), "rsa-1");
  EXPECT_EQ(pub.at("use").as_string(), "sig");
  EXPECT_EQ(pub.at("e").as_string(), "AQAB");
  EXPECT_EQ(base64url_decode(pub.at("n").as_string())->size(), 256u);
  EXPECT_FALSE(pub.contains("d"));

  auto reimported = import(pub);
  ASSERT_TRUE(reimported);
  EXPECT_EQ(reimported->kid(), "rsa-1");
  auto r = jws_verify(jws_sign(key, "rs"), always(reimported));
  ASSERT_TRUE(r) << r.error().public_message;
  EXPECT_EQ(r->payload, "rs");
}

// ---- RFC 8037 A.4 / A.5 (EdDSA) ----------------------------------------------------------

TEST(JoseRfc8037, A4Ed25519SignatureMatchesByteForByte) {
  auto key = import(ed_jwk(true));
  ASSERT_TRUE(key);
  EXPECT_EQ(key->alg(), Alg::EdDSA);
  EXPECT_TRUE(key->has_private());
  EXPECT_EQ(base64url_encode(key->sign(kEdInput)), kEdSig);
}

TEST(JoseRfc8037, A4PublicJwkMatchesPublishedX) {
  auto key = import(ed_jwk(true));
  ASSERT_TRUE(key);
  auto pub = key->public_json();
  EXPECT_EQ(pub.at("kty").as_string(), "OKP");
  EXPECT_EQ(pub.at("crv").as_string(), "Ed25519");
  EXPECT_EQ(pub.at("x").as_string(), kEdX);
  EXPECT_FALSE(pub.contains("d"));
}

TEST(JoseRfc8037, A5Ed25519VerifiesPublishedJws) {
  auto key = import(ed_jwk(false));
  ASSERT_TRUE(key);
  EXPECT_FALSE(key->has_private());
  auto r = jws_verify(dot(kEdInput, kEdSig), always(key));
  ASSERT_TRUE(r) << r.error().public_message;
  EXPECT_EQ(r->payload, "Example of Ed25519 signing");
  EXPECT_EQ(json::serialize(r->header), R"({"alg":"EdDSA"})");
}

TEST(JoseRfc8037, EdDsaJwsSignIsDeterministicAndVerifies) {
  auto key = import(ed_jwk(true));
  ASSERT_TRUE(key);
  std::string t1 = jws_sign(*key, "payload", "JWT");
  std::string t2 = jws_sign(*key, "payload", "JWT");
  EXPECT_EQ(t1, t2);
  auto r = jws_verify(t1, always(import(ed_jwk(false))));
  ASSERT_TRUE(r) << r.error().public_message;
  EXPECT_EQ(r->header.at("alg").as_string(), "EdDSA");
  EXPECT_EQ(r->header.at("typ").as_string(), "JWT");
}

// ---- jws_sign header ----------------------------------------------------------------------

TEST(JoseJws, HeaderCarriesAlgKidAndTyp) {
  Jwk key = Jwk::generate(Alg::EdDSA, "k-42");
  auto r = jws_verify(jws_sign(key, "{}", "at+jwt"), always(std::make_shared<Jwk>(key)));
  ASSERT_TRUE(r) << r.error().public_message;
  EXPECT_EQ(r->header.at("alg").as_string(), "EdDSA");
  EXPECT_EQ(r->header.at("kid").as_string(), "k-42");
  EXPECT_EQ(r->header.at("typ").as_string(), "at+jwt");

  auto r2 = jws_verify(jws_sign(key, "{}", ""), always(std::make_shared<Jwk>(key)));
  ASSERT_TRUE(r2);
  EXPECT_FALSE(r2->header.contains("typ"));
}

TEST(JoseJws, BinaryPayloadRoundTrips) {
  Jwk key = Jwk::generate(Alg::ES256, "k");
  std::string payload("\x00\x01\xff\xfe" "abc", 7);
  auto r = jws_verify(jws_sign(key, payload), always(std::make_shared<Jwk>(key)));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->payload, payload);
}

TEST(JoseJws, LookupSelectsKeyByKid) {
  auto a = std::make_shared<const Jwk>(Jwk::generate(Alg::EdDSA, "a"));
  auto b = std::make_shared<const Jwk>(Jwk::generate(Alg::ES256, "b"));
  KeyLookup lookup = [&](const json::object& h) -> std::shared_ptr<const Jwk> {
    auto* kid = h.if_contains("kid");
    if (!kid || !kid->is_string()) return nullptr;
    if (kid->get_string() == "a") return a;
    if (kid->get_string() == "b") return b;
    return nullptr;
  };
  EXPECT_TRUE(jws_verify(jws_sign(*a, "1"), lookup));
  EXPECT_TRUE(jws_verify(jws_sign(*b, "2"), lookup));
  // Same key material under an unknown kid: the lookup answers nullptr.
  Jwk stranger = Jwk::generate(Alg::EdDSA, "zzz");
  expect_rejected(jws_verify(jws_sign(stranger, "3"), lookup), "unknown kid");
}

// ---- negative cases -----------------------------------------------------------------------

class JoseNegative : public ::testing::Test {
 protected:
  void SetUp() override {
    ed = std::make_shared<const Jwk>(Jwk::generate(Alg::EdDSA, "ed"));
    es = std::make_shared<const Jwk>(Jwk::generate(Alg::ES256, "es"));
  }
  std::shared_ptr<const Jwk> ed, es;
};

TEST_F(JoseNegative, AlgNoneIsRejected) {
  for (const char* alg : {"none", "None", "NONE"}) {
    json::object h{{"alg", alg}, {"kid", "ed"}};
    std::string token = dot(dot(base64url_encode(json::serialize(h)), base64url_encode("{}")), "");
    expect_rejected(jws_verify(token, always(ed)), alg);
    // Even with a real signature appended.
    expect_rejected(jws_verify(sign_with_header(*ed, h, "{}"), always(ed)), alg);
  }
}

TEST_F(JoseNegative, Hs256IsRejected) {
  json::object h{{"alg", "HS256"}, {"kid", "ed"}};
  // HMAC keyed with the public key bytes: the classic key-confusion attack.
  std::string input =
      dot(base64url_encode(json::serialize(h)), base64url_encode(R"({"sub":"admin"})"));
  std::string token = dot(input, base64url_encode(std::string(32, 'A')));
  bool looked_up = false;
  KeyLookup lookup = [&](const json::object&) {
    looked_up = true;
    return ed;
  };
  expect_rejected(jws_verify(token, lookup), "HS256");
  EXPECT_FALSE(looked_up) << "unsupported alg should be refused before any key lookup";
}

TEST_F(JoseNegative, MissingOrNonStringAlgIsRejected) {
  expect_rejected(jws_verify(sign_with_header(*ed, {{"kid", "ed"}}, "x"), always(ed)), "no alg");
  expect_rejected(jws_verify(sign_with_header(*ed, {{"alg", 1}}, "x"), always(ed)), "alg int");
  expect_rejected(jws_verify(sign_with_header(*ed, {{"alg", nullptr}}, "x"), always(ed)),
                  "alg null");
}

TEST_F(JoseNegative, HeaderAlgMustMatchKeyAlg) {
  // Header says ES256, key is EdDSA (signature made by the EdDSA key).
  expect_rejected(jws_verify(sign_with_header(*ed, {{"alg", "ES256"}}, "x"), always(ed)),
                  "ES256 header, EdDSA key");
  // Header says EdDSA, lookup gives the ES256 key.
  expect_rejected(jws_verify(jws_sign(*ed, "x"), always(es)), "EdDSA header, ES256 key");
  // Header says RS256, key is ES256.
  expect_rejected(jws_verify(sign_with_header(*es, {{"alg", "RS256"}}, "x"), always(es)),
                  "RS256 header, ES256 key");
}

TEST_F(JoseNegative, UnknownKidIsRejected) {
  KeyLookup none = [](const json::object&) { return std::shared_ptr<const Jwk>{}; };
  expect_rejected(jws_verify(jws_sign(*ed, "x"), none), "lookup returned nullptr");
}

TEST_F(JoseNegative, WrongKeyOfSameAlgIsRejected) {
  auto other = std::make_shared<const Jwk>(Jwk::generate(Alg::EdDSA, "ed"));
  expect_rejected(jws_verify(jws_sign(*ed, "x"), always(other)), "other Ed25519 key");
}

TEST_F(JoseNegative, TamperedPayloadIsRejected) {
  for (auto key : {ed, es}) {
    std::string token = jws_sign(*key, R"({"sub":"alice","admin":false})");
    auto d1 = token.find('.'), d2 = token.rfind('.');
    std::string forged = token.substr(0, d1 + 1) +
                         base64url_encode(R"({"sub":"alice","admin":true})") + token.substr(d2);
    expect_rejected(jws_verify(forged, always(key)), "payload swapped");

    // Header swapped for an equivalent one (different bytes, same meaning).
    json::object h{{"kid", key->kid()}, {"alg", alg_name(key->alg())}};
    std::string forged_h = base64url_encode(json::serialize(h)) + token.substr(d1);
    expect_rejected(jws_verify(forged_h, always(key)), "header re-serialised");

    // Flip one character of the signature.
    std::string t2 = token;
    t2.back() = t2.back() == 'A' ? 'B' : 'A';
    expect_rejected(jws_verify(t2, always(key)), "signature character changed");
    EXPECT_TRUE(jws_verify(token, always(key))) << "the untampered token must still verify";
  }
}

TEST_F(JoseNegative, MalformedPartsAreRejected) {
  std::string good = jws_sign(*ed, "x");
  auto d1 = good.find('.'), d2 = good.rfind('.');
  std::string h = good.substr(0, d1), p = good.substr(d1 + 1, d2 - d1 - 1), s = good.substr(d2 + 1);
  const std::string cases[] = {
      "",
      ".",
      "..",
      "...",
      "abc",
      h,
      dot(h, p),                                  // two parts
      dot(dot(dot(h, p), s), s),                  // four parts
      dot(dot(h, p), s) + ".",                    // trailing dot
      dot(dot(h + "=", p), s),                    // padding
      dot(dot(h, p + "="), s),
      dot(dot(h, p), s + "="),
      dot(dot(h, p), s + "=="),
      dot(dot(h, p), "!!!" + s),                  // junk in signature
      dot(dot(h, "*"), s),                        // junk in payload
      dot(dot(h + "A", p), s),                    // extra character in header
      dot(dot("", p), s),                         // empty header
      dot(dot(base64url_encode("not json"), p), s),
      dot(dot(base64url_encode("[\"alg\",\"EdDSA\"]"), p), s),  // header not an object
      dot(dot(base64url_encode("\"EdDSA\""), p), s),
      dot(dot(base64url_encode(R"({"alg":"EdDSA")"), p), s),     // truncated JSON
      dot(dot(h, p), ""),                         // empty signature
      dot(dot(h, p), s.substr(0, s.size() - 4)),  // truncated signature
  };
  for (const auto& t : cases) expect_rejected(jws_verify(t, always(ed)), t.c_str());
  EXPECT_TRUE(jws_verify(good, always(ed)));
}

TEST_F(JoseNegative, CritHeaderIsRejected) {
  json::object h{{"alg", "EdDSA"}, {"kid", "ed"}, {"crit", json::array{"exp"}}, {"exp", 1}};
  expect_rejected(jws_verify(sign_with_header(*ed, h, "x"), always(ed)), "crit [exp]");
  json::object h2{{"alg", "EdDSA"}, {"crit", json::array{}}};
  expect_rejected(jws_verify(sign_with_header(*ed, h2, "x"), always(ed)), "crit []");
  // Without crit the same construction verifies, so the rejection is due to crit alone.
  json::object h3{{"alg", "EdDSA"}, {"kid", "ed"}, {"exp", 1}};
  EXPECT_TRUE(jws_verify(sign_with_header(*ed, h3, "x"), always(ed)));
}

// ---- JWK import validation ----------------------------------------------------------------

TEST(JoseJwkImport, RejectsBadKeys) {
  auto bad = [](json::object o, const char* why) {
    auto r = Jwk::from_json(o);
    EXPECT_FALSE(r) << why;
    if (!r) {
      EXPECT_EQ(r.error().code, Errc::validation) << why;
    }
  };
  bad({}, "empty");
  bad({{"kty", "oct"}, {"k", "AAAA"}}, "symmetric");
  bad({{"kty", "EC"}, {"crv", "P-384"}, {"x", kA3X}, {"y", kA3Y}}, "P-384");
  bad({{"kty", "EC"}, {"crv", "P-256"}, {"x", kA3X}}, "missing y");
  bad({{"kty", "EC"}, {"crv", "P-256"}, {"x", kA3X}, {"y", "AAAA"}}, "short y");
  bad({{"kty", "EC"}, {"crv", "P-256"}, {"x", kA3X}, {"y", std::string(kA3Y) + "="}}, "padded y");
  // Point not on the curve: y + 1.
  {
    std::string y = *base64url_decode(kA3Y);
    y[31] = static_cast<char>(y[31] + 1);
    bad({{"kty", "EC"}, {"crv", "P-256"}, {"x", kA3X}, {"y", base64url_encode(y)}}, "off curve");
  }
  bad({{"kty", "OKP"}, {"crv", "X25519"}, {"x", kEdX}}, "X25519");
  bad({{"kty", "OKP"}, {"crv", "Ed448"}, {"x", kEdX}}, "Ed448");
  bad({{"kty", "OKP"}, {"crv", "Ed25519"}}, "missing x");
  bad({{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "AAAA"}}, "short x");
  bad({{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", 5}}, "x not a string");
  bad({{"kty", "RSA"}, {"n", kA2N}}, "missing e");
  // Declared alg must fit the key type.
  auto ec = ec_jwk(false);
  ec["alg"] = "EdDSA";
  bad(ec, "EC key declared EdDSA");
  auto ed = ed_jwk(false);
  ed["alg"] = "ES256";
  bad(ed, "OKP key declared ES256");
  auto rsa = rsa_jwk();
  rsa["alg"] = "none";
  bad(rsa, "alg none");
}

TEST(JoseJwkImport, KeepsKidAndAcceptsMatchingAlg) {
  auto o = ec_jwk(false);
  o["kid"] = "e9bc097a-ce51-4036-9562-d2ade882db0d";
  o["alg"] = "ES256";
  auto k = import(o);
  ASSERT_TRUE(k);
  EXPECT_EQ(k->kid(), "e9bc097a-ce51-4036-9562-d2ade882db0d");
}

// ---- JWK export ---------------------------------------------------------------------------

TEST(JoseJwkExport, Es256PublicJsonShapeAndReimport) {
  // Many keys, so that coordinates with leading zero bytes (1 in 256) come up and must
  // still export as exactly 32 bytes.
  for (int i = 0; i < 400; ++i) {
    Jwk key = Jwk::generate(Alg::ES256, "es-" + std::to_string(i));
    auto pub = key.public_json();
    ASSERT_EQ(pub.at("kty").as_string(), "EC");
    ASSERT_EQ(pub.at("crv").as_string(), "P-256");
    ASSERT_EQ(pub.at("alg").as_string(), "ES256");
    ASSERT_EQ(pub.at("use").as_string(), "sig");
    ASSERT_EQ(pub.at("kid").as_string(), "es-" + std::to_string(i));
    ASSERT_FALSE(pub.contains("d"));
    auto x = base64url_decode(pub.at("x").as_string());
    auto y = base64url_decode(pub.at("y").as_string());
    ASSERT_TRUE(x && y);
    ASSERT_EQ(x->size(), 32u) << i;
    ASSERT_EQ(y->size(), 32u) << i;
    ASSERT_EQ(pub.at("x").as_string().size(), 43u);
    if (i % 50 == 0) {
      auto back = Jwk::from_json(pub);
      ASSERT_TRUE(back);
      EXPECT_FALSE(back->has_private());
      EXPECT_TRUE(jws_verify(jws_sign(key, "p"), always(std::make_shared<Jwk>(*back))));
    }
  }
}

TEST(JoseJwkExport, Rfc7515A3PublicJsonRoundTripsExactly) {
  auto key = import(ec_jwk(true));
  ASSERT_TRUE(key);
  auto pub = key->public_json();
  EXPECT_EQ(pub.at("x").as_string(), kA3X);
  EXPECT_EQ(pub.at("y").as_string(), kA3Y);
  EXPECT_FALSE(pub.contains("d"));
}

TEST(JoseJwkExport, EdDsaPublicJsonShapeAndReimport) {
  Jwk key = Jwk::generate(Alg::EdDSA, "ed-1");
  auto pub = key.public_json();
  EXPECT_EQ(pub.at("kty").as_string(), "OKP");
  EXPECT_EQ(pub.at("crv").as_string(), "Ed25519");
  EXPECT_EQ(pub.at("alg").as_string(), "EdDSA");
  EXPECT_EQ(pub.at("use").as_string(), "sig");
  EXPECT_EQ(base64url_decode(pub.at("x").as_string())->size(), 32u);
  EXPECT_FALSE(pub.contains("y"));
  EXPECT_FALSE(pub.contains("d"));
  auto back = import(pub);
  ASSERT_TRUE(back);
  EXPECT_TRUE(jws_verify(jws_sign(key, "p"), always(back)));
}

// ---- PEM ---------------------------------------------------------------------------------

TEST(JosePem, PrivateAndPublicPemRoundTrip) {
  for (Alg alg : {Alg::ES256, Alg::EdDSA}) {
    Jwk key = Jwk::generate(alg, "pem");
    std::string priv_pem = key.private_pem(), pub_pem = key.public_pem();
    EXPECT_NE(priv_pem.find("BEGIN PRIVATE KEY"), std::string::npos);
    EXPECT_NE(pub_pem.find("BEGIN PUBLIC KEY"), std::string::npos);

    auto priv = Jwk::from_pem(alg, "pem", priv_pem);
    ASSERT_TRUE(priv);
    EXPECT_TRUE(priv->has_private());
    auto pub = Jwk::from_pem(alg, "pem", pub_pem);
    ASSERT_TRUE(pub);
    EXPECT_FALSE(pub->has_private());
    EXPECT_TRUE(jws_verify(jws_sign(*priv, "z"), always(std::make_shared<Jwk>(*pub))));
    EXPECT_EQ(json::serialize(pub->public_json()), json::serialize(key.public_json()));
  }
}

TEST(JosePem, KeyTypeMustMatchAlg) {
  Jwk ed = Jwk::generate(Alg::EdDSA, "x");
  Jwk es = Jwk::generate(Alg::ES256, "y");
  EXPECT_FALSE(Jwk::from_pem(Alg::ES256, "x", ed.private_pem()));
  EXPECT_FALSE(Jwk::from_pem(Alg::RS256, "x", ed.public_pem()));
  EXPECT_FALSE(Jwk::from_pem(Alg::EdDSA, "y", es.private_pem()));
  EXPECT_FALSE(Jwk::from_pem(Alg::EdDSA, "y", "not a pem"));
  EXPECT_FALSE(Jwk::from_pem(Alg::EdDSA, "y", ""));
}

}  // namespace
}  // namespace gatehouse::crypto

// ---- hardening: keys that must be refused ----
namespace gatehouse::crypto {
namespace {

// from_pem refuses RSA keys under 2048 bits (key_suits), from_json does not check at all:
// an RSA JWK with e = 1 is accepted, and with e = 1 anyone can "sign" any input (the
// signature is just the PKCS#1 v1.5 encoded digest).
TEST(JoseHardening, RsaJwkMustBeAtLeast2048BitsWithSaneExponent) {
  json::object small{{"kty", "RSA"}, {"n", base64url_encode(std::string(64, '\xff'))}, {"e", "AQAB"}};
  EXPECT_FALSE(Jwk::from_json(small)) << "512-bit modulus";
  json::object e1{{"kty", "RSA"}, {"n", base64url_encode(std::string(256, '\xc3'))}, {"e", "AQ"}};
  EXPECT_FALSE(Jwk::from_json(e1)) << "e = 1";
}

// A private JWK whose "d" does not belong to its "x"/"y" is accepted; every signature it
// makes then fails against the public key it advertises.
TEST(JoseHardening, PrivateJwkMustMatchItsPublicKey) {
  Jwk other_ed = Jwk::generate(Alg::EdDSA, "o");
  json::object ed{{"kty", "OKP"}, {"crv", "Ed25519"}, {"d", kEdD},
                  {"x", other_ed.public_json().at("x")}};
  EXPECT_FALSE(Jwk::from_json(ed)) << "Ed25519 d/x mismatch";
  Jwk other_ec = Jwk::generate(Alg::ES256, "o");
  auto pj = other_ec.public_json();
  json::object ec{{"kty", "EC"}, {"crv", "P-256"}, {"d", kA3D}, {"x", pj.at("x")}, {"y", pj.at("y")}};
  EXPECT_FALSE(Jwk::from_json(ec)) << "P-256 d/(x,y) mismatch";
}

}  // namespace
}  // namespace gatehouse::crypto
