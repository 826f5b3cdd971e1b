// Claims for the released scopes, userinfo (OIDC Core §5.3) and discovery (OIDC Discovery
// §3, RFC 8414).
#include <boost/json.hpp>

#include "authz/claims.hpp"
#include "identity/users.hpp"
#include "oidc/provider.hpp"

namespace gatehouse::oidc {
namespace json = boost::json;

json::object Provider::claims_for(const identity::User& u, const std::vector<std::string>& scopes) {
  json::object c;
  if (has_scope(scopes, "profile")) {
    if (u.name) c["name"] = *u.name;  // OIDC Core §5.3.2: absent claims are omitted, not null
    if (u.username) c["preferred_username"] = *u.username;
    c["updated_at"] = u.updated_at;
  }
  if (has_scope(scopes, "email")) {
    c["email"] = u.email;
    c["email_verified"] = u.email_verified;
  }
  if (has_scope(scopes, "org") || has_scope(scopes, "roles")) {
    db_.with([&](store::Conn& conn) {
      if (has_scope(scopes, "org")) authz::Claims::for_user(conn, u.id, c);
      if (has_scope(scopes, "roles")) {
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
  if (!has_scope(scopes, "openid")) return Error::oauth_error(OAuthErrc::insufficient_scope, "The token lacks the openid scope");
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
