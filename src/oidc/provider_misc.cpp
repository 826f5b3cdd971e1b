// Introspection (RFC 7662), revocation (RFC 7009), device authorization (RFC 8628 §3.1-3.3),
// userinfo (OIDC Core §5.3) and discovery (OIDC Discovery §3, RFC 8414).
#include <algorithm>
#include <boost/json.hpp>

#include "authz/claims.hpp"
#include "core/clock.hpp"
#include "crypto/random.hpp"
#include "crypto/hash.hpp"
#include "identity/users.hpp"
#include "oidc/provider.hpp"

namespace gatehouse::oidc {
namespace json = boost::json;

namespace {
std::string get(const Form& f, const char* k) {
  auto it = f.find(k);
  return it == f.end() ? std::string() : it->second;
}
bool has(const std::vector<std::string>& v, const char* x) { return std::find(v.begin(), v.end(), x) != v.end(); }
Result<json::object> inactive() { return json::object{{"active", false}}; }

// XXXX-XXXX from an alphabet without vowels or look-alikes (RFC 8628 §6.1).
std::string new_user_code() {
  static const char* alphabet = "BCDFGHJKLMNPQRSTVWXZ";
  std::string out;
  for (unsigned char b : crypto::random_bytes(16)) {
    if (b >= 240) continue;  // 240 = 12 * 20: keeps the choice uniform
    out += alphabet[b % 20];
    if (out.size() == 4) out += '-';
    if (out.size() == 9) break;
  }
  return out.size() == 9 ? out : new_user_code();
}
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
  std::string token = get(form, "token");
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
  std::string token = get(form, "token");
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

Result<json::object> Provider::device_authorization(const Credentials& creds, const Form& form) {
  auto client = authenticate_client(creds);
  if (!client) return client.error();
  const Client& c = **client;
  if (!c.allows_grant("urn:ietf:params:oauth:grant-type:device_code"))
    return (Error::oauth_error(OAuthErrc::unauthorized_client, "Client may not use the device flow"));
  auto scopes = split_scope(get(form, "scope"));
  for (auto& s : scopes)
    if (!c.allows_scope(s)) return (Error::oauth_error(OAuthErrc::invalid_scope, "Scope not allowed: " + s));
  std::string device_code = crypto::new_secret_token();
  std::string user_code = new_user_code();
  int64_t now = now_seconds();
  db_.with([&](store::Conn& conn) {
    DeviceStore(conn).insert({crypto::token_hash(device_code), user_code, c.id, join_scope(scopes), "pending",
                              now + cfg_.device_code_ttl, cfg_.device_poll_interval, std::nullopt, std::nullopt,
                              std::nullopt, std::nullopt},
                       now);
  });
  std::string uri = cfg_.issuer + "/ui/device";
  return json::object{{"device_code", device_code}, {"user_code", user_code}, {"verification_uri", uri},
                            {"verification_uri_complete", uri + "?user_code=" + user_code},
                            {"expires_in", cfg_.device_code_ttl}, {"interval", cfg_.device_poll_interval}};
}

Result<Provider::DeviceRequest> Provider::device_lookup(const std::string& user_code) {
  std::string code = user_code;
  for (auto& ch : code) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (code.size() == 8) code.insert(4, "-");
  auto d = db_.with([&](store::Conn& c) { return DeviceStore(c).by_user_code(code); });
  if (!d || d->status != "pending" || d->expires_at <= now_seconds())
    return Error::field("user_code", "That code is not valid or has expired");
  auto client = clients_.find(d->client_id);
  if (!client) return Error::field("user_code", "That code is not valid or has expired");
  return DeviceRequest{client, split_scope(d->scope)};
}

Status Provider::device_decide(const std::string& user_code, bool approve, const Browser& b) {
  std::string code = user_code;
  for (auto& ch : code) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (code.size() == 8) code.insert(4, "-");
  if (auto c = device_lookup(code); !c) return c.error();
  bool done = db_.with([&](store::Conn& c) { return DeviceStore(c).decide(code, approve, b.user_id, b.session_id, b.auth_time); });
  if (!done) return Error::field("user_code", "That code is not valid or has expired");
  return ok();
}

json::object Provider::claims_for(const identity::User& u, const std::vector<std::string>& scopes) {
  json::object c;
  if (has(scopes, "profile")) {
    if (u.name) c["name"] = *u.name;  // OIDC Core §5.3.2: absent claims are omitted, not null
    if (u.username) c["preferred_username"] = *u.username;
    c["updated_at"] = u.updated_at;
  }
  if (has(scopes, "email")) {
    c["email"] = u.email;
    c["email_verified"] = u.email_verified;
  }
  if (has(scopes, "org") || has(scopes, "roles")) {
    db_.with([&](store::Conn& conn) {
      if (has(scopes, "org")) authz::Claims::for_user(conn, u.id, c);
      if (has(scopes, "roles")) {
        json::array roles;
        for (auto& r : identity::Users(conn).role_names(u.id)) roles.push_back(json::string(r));
        c["roles"] = std::move(roles);
      }
    });
  }
  return c;
}

Result<json::object> Provider::userinfo(const std::string& access_token) {
  auto a = tokens_.verify_access(access_token);
  if (!a) return Error::oauth_error(OAuthErrc::invalid_token, a.error().public_message);
  auto scopes = split_scope(a->scope);
  if (!has(scopes, "openid")) return Error::oauth_error(OAuthErrc::insufficient_scope, "The token lacks the openid scope");
  auto u = db_.with([&](store::Conn& c) { return identity::Users(c).active(a->sub); });
  if (!u) return Error::oauth_error(OAuthErrc::invalid_token, "The user is no longer active");
  json::object out = claims_for(*u, scopes);
  out["sub"] = u->id;
  return out;
}

json::object Provider::discovery() const {
  const std::string& i = cfg_.issuer;
  auto arr = [](std::initializer_list<const char*> v) {
    json::array a;
    for (auto* s : v) a.push_back(json::string(s));
    return a;
  };
  return {{"issuer", i},
          {"authorization_endpoint", i + "/oauth2/authorize"},
          {"token_endpoint", i + "/oauth2/token"},
          {"userinfo_endpoint", i + "/oauth2/userinfo"},
          {"jwks_uri", i + "/.well-known/jwks.json"},
          {"introspection_endpoint", i + "/oauth2/introspect"},
          {"revocation_endpoint", i + "/oauth2/revoke"},
          {"end_session_endpoint", i + "/oauth2/logout"},
          {"device_authorization_endpoint", i + "/oauth2/device_authorization"},
          {"scopes_supported", arr({"openid", "profile", "email", "offline_access", "org", "roles"})},
          {"response_types_supported", arr({"code"})},
          {"response_modes_supported", arr({"query", "form_post"})},
          {"grant_types_supported", arr({"authorization_code", "refresh_token", "client_credentials",
                                         "urn:ietf:params:oauth:grant-type:device_code"})},
          {"subject_types_supported", arr({"public"})},
          {"id_token_signing_alg_values_supported", arr({"RS256", "ES256", "EdDSA"})},
          {"token_endpoint_auth_methods_supported",
           arr({"client_secret_basic", "client_secret_post", "private_key_jwt", "none"})},
          {"token_endpoint_auth_signing_alg_values_supported", arr({"RS256", "ES256", "EdDSA"})},
          {"introspection_endpoint_auth_methods_supported", arr({"client_secret_basic", "client_secret_post", "private_key_jwt"})},
          {"revocation_endpoint_auth_methods_supported", arr({"client_secret_basic", "client_secret_post", "private_key_jwt", "none"})},
          {"code_challenge_methods_supported", arr({"S256"})},
          {"claims_supported", arr({"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid", "azp",
                                    "at_hash", "name", "preferred_username", "updated_at", "email", "email_verified",
                                    "orgs", "org_id", "roles"})},
          {"prompt_values_supported", arr({"none", "login", "consent", "select_account"})},
          {"claims_parameter_supported", false},
          {"request_parameter_supported", false},
          {"request_uri_parameter_supported", false},
          {"authorization_response_iss_parameter_supported", true},
          {"frontchannel_logout_supported", false},
          {"backchannel_logout_supported", false}};
}

}  // namespace gatehouse::oidc
