// Introspection (RFC 7662) and revocation (RFC 7009).
#include <algorithm>
#include <boost/json.hpp>

#include "core/clock.hpp"
#include "crypto/hash.hpp"
#include "oidc/provider.hpp"

namespace gatehouse::oidc {
namespace json = boost::json;

namespace {
Result<json::object> inactive() { return json::object{{"active", false}}; }
}  // namespace

Result<json::object> Provider::introspect(const Credentials& creds, const Form& form) {
  return *introspect_in(creds, form, false);
}

std::optional<Result<json::object>> Provider::introspect_cached(const Credentials& creds, const Form& form) {
  return introspect_in(creds, form, true);
}

std::optional<Result<json::object>> Provider::introspect_in(const Credentials& creds, const Form& form,
                                                            bool cached_only) {
  auto authenticated = authenticate(creds, cached_only);
  if (!authenticated) return std::nullopt;
  auto& client = *authenticated;
  if (!client) return client.error();
  if ((*client)->is_public) return (Error::oauth_error(OAuthErrc::invalid_client, "Public clients cannot introspect"));
  std::string token = param(form, "token");
  if (token.empty()) return (Error::oauth_error(OAuthErrc::invalid_request, "token is required"));
  if (std::count(token.begin(), token.end(), '.') == 2) {
    std::optional<Result<AccessClaims>> a;
    if (cached_only) {
      a = tokens_.verify_cached(token);
      if (!a) return std::nullopt;
    } else {
      a = tokens_.verify_access(token);
    }
    if (!*a) return inactive();
    auto& c = (*a)->claims;
    json::object out{{"active", true}, {"token_type", "Bearer"}};
    for (const char* k : {"scope", "client_id", "sub", "exp", "iat", "iss", "aud", "jti", "sid"})
      if (auto* v = c.if_contains(k)) out[k] = *v;
    return out;
  }
  if (cached_only) return std::nullopt;
  int64_t now = now_seconds();
  auto r = db_.with([&](store::Conn& c) -> std::optional<RefreshRow> {
    auto row = RefreshStore(c).by_hash(crypto::token_hash(token));
    if (!row || row->rotated_at || row->expires_at <= now || !GrantStore(c).active(row->grant_id)) return std::nullopt;
    return row;
  });
  if (!r) return inactive();
  return json::object{{"active", true}, {"token_type", "refresh_token"}, {"scope", r->scope},
                            {"client_id", r->client_id}, {"sub", r->user_id}, {"exp", r->expires_at},
                            {"iss", cfg_.issuer}};
}

Result<json::object> Provider::revoke(const Credentials& creds, const Form& form) {
  auto client = authenticate_client(creds);
  if (!client) return client.error();
  const Client& c = **client;
  std::string token = param(form, "token");
  if (token.empty()) return (Error::oauth_error(OAuthErrc::invalid_request, "token is required"));
  int64_t now = now_seconds();
  if (std::count(token.begin(), token.end(), '.') == 2) {
    auto a = tokens_.verify_access(token);
    if (a && a->client_id == c.id) {
      db_.with([&](store::Conn& conn) { RevokedJtiStore(conn).add(a->jti, a->exp); });
      tokens_.revoked_jti(a->jti, a->exp);
      tokens_.forget(token);
    }
    return json::object{};
  }
  // A refresh token: revoke its whole grant (RFC 7009 §2.1 permits and OAuth BCP advises).
  auto grant = db_.with([&](store::Conn& conn) -> std::optional<std::string> {
    auto row = RefreshStore(conn).by_hash(crypto::token_hash(token));
    if (!row || row->client_id != c.id) return std::nullopt;
    GrantStore(conn).revoke(row->grant_id, now);
    return row->grant_id;
  });
  if (grant) tokens_.revoked_grants({*grant});
  return json::object{};  // unknown tokens too: the answer reveals nothing
}

}  // namespace gatehouse::oidc
