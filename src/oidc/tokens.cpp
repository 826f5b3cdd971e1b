#include "oidc/tokens.hpp"

#include <openssl/evp.h>

#include <boost/json.hpp>

#include "core/clock.hpp"
#include "crypto/random.hpp"
#include "crypto/encoding.hpp"
#include "crypto/hash.hpp"
#include "identity/users.hpp"
#include "oidc/client_store.hpp"
#include "oidc/store.hpp"

namespace gatehouse::oidc {
namespace json = boost::json;

namespace {
std::string str(const json::object& o, const char* k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}
int64_t num(const json::object& o, const char* k) {
  auto* v = o.if_contains(k);
  return v && v->is_int64() ? v->get_int64() : 0;
}

// OIDC Core §3.1.3.6: left half of the hash matching the ID token's alg.
std::string half_hash(const std::string& value, crypto::Alg alg) {
  std::string digest;
  if (alg == crypto::Alg::EdDSA) {
    unsigned char md[64];
    unsigned int len = 0;
    EVP_Digest(value.data(), value.size(), md, &len, EVP_sha512(), nullptr);
    digest.assign(reinterpret_cast<char*>(md), len);
  } else {
    digest = crypto::sha256(value);
  }
  return crypto::base64url_encode(digest.substr(0, digest.size() / 2));
}

}  // namespace

std::string OAuthTokens::issue_access(const Client& c, const std::string& subject, const std::string& scope,
                                      const std::string& grant_id, const std::string& session_id, int64_t now) const {
  json::object claims{{"iss", cfg_.issuer}, {"sub", subject}, {"aud", c.id}, {"client_id", c.id},
                      {"iat", now}, {"exp", now + access_ttl(c)}, {"jti", crypto::new_token_id()}};
  if (!scope.empty()) claims["scope"] = scope;
  if (!grant_id.empty()) claims["gid"] = grant_id;
  if (!session_id.empty()) claims["sid"] = session_id;
  return crypto::jws_sign(*keys_.signer(), json::serialize(claims), "at+jwt");
}

std::string OAuthTokens::issue_id_token(const Client& c, const IdTokenInput& in, int64_t now) const {
  auto alg = crypto::alg_from_name(c.id_token_alg).value_or(crypto::Alg::RS256);
  json::object claims{{"iss", cfg_.issuer}, {"sub", in.user_id}, {"aud", c.id}, {"azp", c.id},
                      {"iat", now}, {"exp", now + c.id_token_ttl.value_or(3600)}, {"auth_time", in.auth_time},
                      {"acr", "urn:gatehouse:acr:password"}, {"amr", json::array{json::string(in.amr)}}};
  if (!in.session_id.empty()) claims["sid"] = in.session_id;
  if (in.nonce) claims["nonce"] = *in.nonce;
  if (!in.access_token.empty()) claims["at_hash"] = half_hash(in.access_token, alg);
  for (auto& [k, v] : in.profile_claims) claims[k] = v;
  return crypto::jws_sign(*keys_.signer_for(alg), json::serialize(claims), "JWT");
}

bool OAuthTokens::is_revoked(const AccessClaims& a) const {
  if (!a.session_id.empty() && sessions_.session_revoked(a.session_id)) return true;
  if (a.sub != a.client_id && sessions_.user_revoked(a.sub)) return true;
  int64_t now = now_seconds();
  return (!a.grant_id.empty() && revoked_grants_.contains(a.grant_id, now)) || revoked_jtis_.contains(a.jti, now) ||
         revoked_clients_.contains(a.client_id, now);
}

std::optional<Result<AccessClaims>> OAuthTokens::verify_cached(const std::string& token) {
  int64_t now = now_seconds();
  auto hit = cache_.get(crypto::sha256(token), now);
  if (!hit) return std::nullopt;
  const AccessClaims& a = **hit;
  if (a.exp + cfg_.token_leeway_seconds <= now) return std::nullopt;
  if (is_revoked(a)) return Result<AccessClaims>(Error::make(Errc::authentication, "Token has been revoked"));
  return Result<AccessClaims>(a);
}

Result<AccessClaims> OAuthTokens::verify_access(const std::string& token) {
  if (auto hit = verify_cached(token)) return std::move(*hit);
  auto deny = [](const char* why) { return Error::make(Errc::authentication, why); };
  if (token.size() > 8192) return deny("Invalid token");
  auto parts = crypto::jws_verify(token, [this](const json::object& h) -> std::shared_ptr<const crypto::Jwk> {
    auto* kid = h.if_contains("kid");
    return kid && kid->is_string() ? keys_.find(std::string(kid->get_string())) : nullptr;
  });
  if (!parts) return deny("Invalid token");
  auto* typ = parts->header.if_contains("typ");
  if (!typ || !typ->is_string() || typ->get_string() != "at+jwt") return deny("Not an access token");
  boost::system::error_code ec;
  auto v = json::parse(parts->payload, ec);
  if (ec || !v.is_object()) return deny("Invalid token");
  auto& c = v.as_object();
  AccessClaims a{c, str(c, "sub"), str(c, "client_id"), str(c, "scope"), str(c, "jti"), str(c, "gid"), str(c, "sid"),
                 num(c, "exp"), num(c, "iat")};
  int64_t now = now_seconds();
  if (str(c, "iss") != cfg_.issuer || a.client_id.empty()) return deny("Invalid token");
  if (a.exp + cfg_.token_leeway_seconds <= now) return deny("Token expired");
  if (is_revoked(a)) return deny("Token has been revoked");
  bool live = db_.with([&](store::Conn& conn) {
    if (!ClientStore(conn).active(a.client_id)) return false;
    if (!a.grant_id.empty() && !GrantStore(conn).active(a.grant_id)) return false;
    if (a.sub != a.client_id) {  // a user's token: the account must still be usable
      if (!identity::Users(conn).active(a.sub)) return false;
    }
    if (!a.jti.empty() && RevokedJtiStore(conn).contains(a.jti)) return false;
    if (!a.session_id.empty() && !identity::Users(conn).session_live(a.session_id)) return false;
    return true;
  });
  if (!live) return deny("Token has been revoked");
  cache_.put(crypto::sha256(token), std::make_shared<const AccessClaims>(a), now);
  return a;
}

Result<json::object> OAuthTokens::verify_id_token_hint(const std::string& token) {
  auto parts = crypto::jws_verify(token, [this](const json::object& h) -> std::shared_ptr<const crypto::Jwk> {
    auto* kid = h.if_contains("kid");
    return kid && kid->is_string() ? keys_.find(std::string(kid->get_string())) : nullptr;
  });
  if (!parts) return Error::field("id_token_hint", "Not an ID token issued here");
  auto* typ = parts->header.if_contains("typ");
  if (!typ || !typ->is_string() || typ->get_string() != "JWT")  // ID tokens only, not access or permission tokens
    return Error::field("id_token_hint", "Not an ID token issued here");
  boost::system::error_code ec;
  auto v = json::parse(parts->payload, ec);
  if (ec || !v.is_object() || str(v.as_object(), "iss") != cfg_.issuer || str(v.as_object(), "azp").empty())
    return Error::field("id_token_hint", "Not an ID token issued here");
  return std::move(v.as_object());
}

void OAuthTokens::revoked_grants(const std::vector<std::string>& ids) {
  int64_t now = now_seconds();
  for (auto& i : ids) revoked_grants_.insert(i, forget_at(now), now);
}

void OAuthTokens::end_user_grants(store::Conn& c, const std::string& user_id, int64_t now) {
  auto ids = GrantStore(c).revoke_of_user(user_id, "", now);
  for (auto& i : ids) revoked_grants_.insert(i, forget_at(now), now);
}

void OAuthTokens::revoked_client(const std::string& client_id) {
  int64_t now = now_seconds();
  revoked_clients_.insert(client_id, forget_at(now), now);
}

void OAuthTokens::revoked_jti(const std::string& jti, int64_t exp) {
  int64_t now = now_seconds();
  revoked_jtis_.insert(jti, std::min(exp + cfg_.token_leeway_seconds + 1, forget_at(now)), now);
}

void OAuthTokens::load_revocations() {
  int64_t since = now_seconds() - kRecheckSeconds - 1;
  auto ids = db_.with([&](store::Conn& c) { return GrantStore(c).revoked_since(since); });
  revoked_grants(ids);
}

}  // namespace gatehouse::oidc
