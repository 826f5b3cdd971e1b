#include "ops/openapi.hpp"

#include <boost/json.hpp>
#include <map>
#include <set>

// The OpenAPI document: paths and methods come from the live router; what each operation
// answers (status codes, content types, schemas) comes from the tables below, written from
// the handlers. Checked against the running server by schemathesis (tests/schemathesis).
//
// Answers every operation can give, whatever its handler does (http/server.cpp):
//   400  a NUL or invalid UTF-8 in the path, query or headers (error envelope)
//   413  body over max_body_bytes, 431 headers over max_header_bytes (error envelope)
//   500  an exception escaped the handler (error envelope)
//   503  the worker pool's queue is full (routes not served on the IO thread; error envelope)
// Routes with their own refusal (the OAuth token, introspection, revocation and device
// endpoints) answer that 400 and 503 in RFC 6749 form (OAuthError) instead.
// Not per operation: 404 for paths no route matches, 405 (with Allow) for a method a path
// does not have, 501 for a method the HTTP parser does not know (all error envelopes).

namespace gatehouse::ops {
namespace json = boost::json;

namespace {

json::object str_prop(const char* desc, int max = 0, const char* format = nullptr) {
  json::object o{{"type", "string"}, {"description", desc}};
  if (max) o["maxLength"] = max;
  if (format) o["format"] = format;
  return o;
}

json::object nullable_str(const char* desc, int max = 0) {
  json::object o{{"type", json::array{"string", "null"}}, {"description", desc}};
  if (max) o["maxLength"] = max;
  return o;
}

json::object str_array(const char* desc) {
  return {{"type", "array"}, {"items", {{"type", "string"}}}, {"description", desc}};
}

json::object ref(const std::string& name) { return {{"$ref", "#/components/schemas/" + name}}; }

json::object schema(std::initializer_list<std::pair<const char*, json::object>> props,
                    std::initializer_list<const char*> required) {
  json::object p;
  for (auto& [k, v] : props) p[k] = v;
  json::array req;
  for (auto* r : required) req.push_back(json::string(r));
  json::object o{{"type", "object"}, {"properties", std::move(p)}};
  if (!req.empty()) o["required"] = std::move(req);
  return o;
}

// A form (application/x-www-form-urlencoded) of string fields.
json::object form(std::initializer_list<const char*> fields, std::initializer_list<const char*> required = {}) {
  json::object p;
  for (auto* f : fields) p[f] = json::object{{"type", "string"}};
  json::array req;
  for (auto* r : required) req.push_back(json::string(r));
  json::object o{{"type", "object"}, {"properties", std::move(p)}};
  if (!req.empty()) o["required"] = std::move(req);
  return o;
}

// ---------------------------------------------------------------- request bodies

// JSON request bodies of the product API, by "METHOD /path".
const std::map<std::string, json::object>& json_bodies() {
  static const std::map<std::string, json::object> m = {
      {"POST /api/v1/auth/register",
       schema({{"email", str_prop("Email address", 254, "email")},
               {"username", str_prop("Optional unique username", 32)},
               {"name", str_prop("Display name", 128)},
               {"password", str_prop("8..256 characters, zxcvbn-checked")},
               {"confirm_password", str_prop("Must equal password when given")}},
              {"email", "password"})},
      {"POST /api/v1/auth/verify-email/resend", schema({{"email", str_prop("Email address", 254)}}, {"email"})},
      {"POST /api/v1/auth/login",
       schema({{"email", str_prop("Email (or use username / login)", 254)},
               {"username", str_prop("Username", 254)},
               {"login", str_prop("Email or username", 254)},
               {"password", str_prop("Password")}},
              {"password"})},
      {"POST /api/v1/auth/refresh", schema({{"refresh_token", str_prop("Opaque refresh token", 512)}}, {"refresh_token"})},
      {"PATCH /api/v1/users/me", schema({{"username", nullable_str("New username or null", 32)},
                                         {"name", nullable_str("Display name or null", 128)}},
                                        {})},
      {"POST /api/v1/users/me/password",
       schema({{"current_password", str_prop("Current password")},
               {"new_password", str_prop("New password")},
               {"confirm_password", str_prop("Must equal new_password when given")}},
              {"current_password", "new_password"})},
      {"DELETE /api/v1/users/me", schema({{"password", str_prop("Checked when given")}}, {})},
      {"POST /api/v1/password/forgot", schema({{"email", str_prop("Email address", 254)}}, {"email"})},
      {"POST /api/v1/password/reset",
       schema({{"token", str_prop("Token from the reset mail", 256)},
               {"password", str_prop("New password (new_password is accepted too)")},
               {"confirm_password", str_prop("Must equal password when given")}},
              {"token", "password"})},
      {"POST /api/v1/organizations", schema({{"name", str_prop("Organization name", 128)},
                                              {"description", str_prop("Description", 1024)}},
                                             {"name"})},
      {"PATCH /api/v1/organizations/{id}", schema({{"name", str_prop("Organization name", 128)},
                                                   {"description", nullable_str("Description or null", 1024)}},
                                                  {})},
      {"POST /api/v1/organizations/{id}/members",
       schema({{"user_id", str_prop("User id (or give email)", 64)}, {"email", str_prop("Email of an existing user", 254)},
               {"role", str_prop("owner, admin, member or a custom role id; default member", 64)}},
              {})},
      {"PATCH /api/v1/organizations/{id}/members/{userId}/role", schema({{"role", str_prop("New role", 64)}}, {"role"})},
      {"POST /api/v1/organizations/{id}/roles",
       schema({{"name", str_prop("Role name", 64)}, {"description", str_prop("Description", 512)},
               {"permissions", str_array("Organization permissions from the catalogue")}},
              {"name", "permissions"})},
      {"POST /api/v1/organizations/{id}/invitations",
       schema({{"email", str_prop("Invitee email", 254)}, {"role", str_prop("Role on acceptance; default member", 64)}},
              {"email"})},
      {"POST /api/v1/auth/switch-organization",
       schema({{"org_id", nullable_str("Organization id, or null to clear", 64)}}, {"org_id"})},
      {"POST /api/v1/services", schema({{"name", str_prop("Unique service name", 128)},
                                        {"description", str_prop("Description", 1024)}},
                                       {"name"})},
      {"PUT /api/v1/services/{id}", schema({{"name", str_prop("Unique service name", 128)},
                                            {"description", str_prop("Description", 1024)}},
                                           {"name"})},
      {"POST /api/v1/services/{id}/roles",
       schema({{"name", str_prop("Role name", 64)}, {"description", str_prop("Description", 512)},
               {"permissions", str_array("resource:action names; created when new")}},
              {"name"})},
      {"PUT /api/v1/roles/{id}",
       schema({{"name", str_prop("Role name", 64)}, {"description", str_prop("Description", 512)},
               {"permissions", str_array("Replaces the role's permissions")}},
              {})},
      {"POST /api/v1/authz/check",
       schema({{"subject", str_prop("User id")}, {"service", str_prop("Service id or name")},
               {"permission", str_prop("resource:action")}, {"org", str_prop("Organization id (optional)")}},
              {"subject", "service", "permission"})},
      {"POST /api/v1/authz/check/batch",
       {{"type", "object"}, {"required", {"checks"}},
        {"properties", {{"checks", {{"type", "array"}, {"minItems", 1}, {"maxItems", 100},
                                    {"items", ref("CheckRequest")}}}}}}},
      {"POST /api/v1/tokens",
       schema({{"service_id", str_prop("Service id or name")}, {"name", str_prop("Token name", 128)},
               {"scopes", str_array("Scopes")}, {"expires_in_days", {{"type", "integer"}, {"minimum", 1}}},
               {"expires_in", {{"type", "integer"}, {"minimum", 1}, {"description", "Seconds"}}}},
              {"service_id", "name"})},
      {"PATCH /api/v1/admin/users/{public_id}",
       schema({{"locked", {{"type", "boolean"}}}, {"email_verified", {{"type", "boolean"}}},
               {"force_logout", {{"type", "boolean"}}}, {"roles", str_array("Global role names (replaces)")}},
              {})},
      {"POST /api/v1/admin/webhooks",
       schema({{"url", str_prop("http(s) endpoint", 2048)}, {"secret", str_prop("Signing secret (generated when absent)")},
               {"event_types", str_array("Event types, or [\"*\"]")}, {"description", str_prop("Description", 512)}},
              {"url"})},
  };
  return m;
}

json::object client_spec(bool creating) {
  json::object ttl{{"type", json::array{"integer", "null"}}, {"description", "Seconds, or null for the default"}};
  json::object list{{"type", "array"}, {"items", {{"type", "string"}}}};
  json::object o = schema({{"name", str_prop("Client name", 128)},
                           {"public", {{"type", "boolean"}, {"description", "Public client (no secret; PKCE)"}}},
                           {"first_party", {{"type", "boolean"}, {"description", "Skips the consent page"}}},
                           {"token_endpoint_auth_method",
                            str_prop("client_secret_basic, client_secret_post, private_key_jwt or none", 64)},
                           {"id_token_signed_response_alg", str_prop("ID token signing algorithm", 16)},
                           {"redirect_uris", list}, {"post_logout_redirect_uris", list},
                           {"grant_types", list}, {"scopes", list},
                           {"jwks", {{"type", "object"}, {"description", "JWKS for private_key_jwt"}}},
                           {"access_token_ttl", ttl}, {"refresh_token_ttl", ttl}, {"id_token_ttl", ttl}},
                          {});
  if (creating) o["required"] = json::array{"name"};
  return o;
}

// Form bodies (application/x-www-form-urlencoded) of the OAuth endpoints and the login UI.
const std::map<std::string, json::object>& form_bodies() {
  static const std::map<std::string, json::object> m = {
      {"POST /oauth2/authorize",
       form({"response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "code_challenge",
             "code_challenge_method", "prompt", "max_age", "response_mode", "login_hint", "ui_locales", "pending"})},
      {"POST /oauth2/token",
       form({"grant_type", "code", "redirect_uri", "code_verifier", "refresh_token", "device_code", "scope",
             "client_id", "client_secret", "client_assertion_type", "client_assertion", "username", "password"},
            {"grant_type"})},
      {"POST /oauth2/introspect", form({"token", "token_type_hint", "client_id", "client_secret",
                                        "client_assertion_type", "client_assertion"}, {"token"})},
      {"POST /oauth2/revoke", form({"token", "token_type_hint", "client_id", "client_secret",
                                    "client_assertion_type", "client_assertion"}, {"token"})},
      {"POST /oauth2/device_authorization", form({"client_id", "scope", "client_secret"}, {"client_id"})},
      {"POST /oauth2/userinfo", form({"access_token"})},
      {"POST /oauth2/logout", form({"id_token_hint", "client_id", "post_logout_redirect_uri", "state", "decision", "csrf"})},
      {"POST /ui/login", form({"csrf", "login", "password", "return_to"})},
      {"POST /ui/register", form({"csrf", "email", "username", "password", "confirm_password", "return_to"})},
      {"POST /ui/forgot", form({"csrf", "email"})},
      {"POST /ui/reset", form({"csrf", "token", "password", "confirm_password"})},
      {"POST /ui/consent", form({"csrf", "pending", "decision", "remember"})},
      {"POST /ui/device", form({"csrf", "user_code", "decision"})},
      {"POST /ui/account/grants/revoke", form({"csrf", "grant_id"})},
  };
  return m;
}

// Query parameters (all optional strings unless said) by "METHOD /path".
const std::map<std::string, std::vector<std::pair<const char*, json::object>>>& query_params() {
  json::object s{{"type", "string"}};
  json::object i{{"type", "integer"}};
  static const std::map<std::string, std::vector<std::pair<const char*, json::object>>> m = {
      {"GET /api/v1/users/me/audit", {{"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 200}}}, {"before", i}}},
      {"GET /api/v1/admin/users", {{"q", s}, {"page", {{"type", "integer"}, {"minimum", 1}}},
                                   {"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 200}}}}},
      {"GET /api/v1/admin/audit", {{"user", s}, {"action", s}, {"since", i}, {"until", i}, {"cursor", i},
                                   {"limit", {{"type", "integer"}, {"minimum", 1}}}}},
      {"GET /api/v1/permissions", {{"service", s}}},
      {"GET /api/v1/authz/permissions", {{"service", s}, {"org", s}}},
      {"GET /api/v1/tokens/{id}/usage", {{"days", i}}},
      {"POST /api/v1/users/{uid}/services/{sid}/roles/{rid}", {{"org", s}}},
      {"DELETE /api/v1/users/{uid}/services/{sid}/roles/{rid}", {{"org", s}}},
      {"GET /auth/check", {{"jwt", s}, {"next", s}}},
      {"GET /auth/authorize", {{"jwt", s}, {"service", s}}},
      {"POST /auth/update", {{"jwt", s}, {"username", s}}},
      {"GET /oauth2/authorize", {{"response_type", s}, {"client_id", s}, {"redirect_uri", s}, {"scope", s},
                                 {"state", s}, {"nonce", s}, {"code_challenge", s}, {"code_challenge_method", s},
                                 {"prompt", s}, {"max_age", s}, {"response_mode", s}, {"login_hint", s},
                                 {"pending", s}}},
      {"GET /oauth2/logout", {{"id_token_hint", s}, {"client_id", s}, {"post_logout_redirect_uri", s}, {"state", s}}},
      {"GET /ui/login", {{"return_to", s}, {"login_hint", s}}},
      {"GET /ui/register", {{"return_to", s}}},
      {"GET /ui/reset", {{"token", s}}},
      {"GET /ui/device", {{"user_code", s}}},
  };
  return m;
}

// ---------------------------------------------------------------- answers

// How an operation answers.
enum class Kind {
  envelope,   // product API: Envelope / ErrorEnvelope
  oauth,      // RFC 6749 §5.2 JSON errors (token, introspect, revoke, device_authorization)
  userinfo,   // RFC 6750 §3 bearer errors
  html,       // login UI pages and the authorization / logout endpoints
  compat,     // the seed service's JSON shapes (no envelope)
  plain,      // a fixed JSON or text document
};

struct Answers {
  Kind kind;
  std::vector<int> codes;  // besides the ones every operation has (see the top of the file)
  const char* success_schema = nullptr;  // component schema of the 2xx answer, when more precise
};

bool is_product_api(const std::string& path) { return path.rfind("/api/", 0) == 0; }

const std::map<std::string, Answers>& answers() {
  using K = Kind;
  static const std::map<std::string, Answers> m = {
      // identity
      {"POST /api/v1/auth/register", {K::envelope, {201, 403, 409, 429}, "UserEnvelope"}},
      {"GET /api/v1/auth/verify-email/{token}", {K::envelope, {200, 429}, "UserEnvelope"}},
      {"POST /api/v1/auth/verify-email/{token}", {K::envelope, {200, 429}, "UserEnvelope"}},
      {"POST /api/v1/auth/verify-email/resend", {K::envelope, {200, 429}}},
      {"POST /api/v1/auth/login", {K::envelope, {200, 401, 403, 429}, "TokenPairEnvelope"}},
      {"POST /api/v1/auth/refresh", {K::envelope, {200, 401, 429}, "TokenPairEnvelope"}},
      {"POST /api/v1/auth/logout", {K::envelope, {200}}},
      {"GET /api/v1/auth/me", {K::envelope, {200}, "UserEnvelope"}},
      {"GET /api/v1/users/me", {K::envelope, {200}, "UserEnvelope"}},
      {"PATCH /api/v1/users/me", {K::envelope, {200, 409}, "UserEnvelope"}},
      {"DELETE /api/v1/users/me", {K::envelope, {200, 429}}},
      {"GET /api/v1/auth/sessions", {K::envelope, {200}}},
      {"DELETE /api/v1/auth/sessions", {K::envelope, {200}}},
      {"GET /api/v1/auth/sessions/stats", {K::envelope, {200}}},
      {"DELETE /api/v1/auth/sessions/{id}", {K::envelope, {200, 404}}},
      {"POST /api/v1/users/me/password", {K::envelope, {200, 429}}},
      {"GET /api/v1/users/me/audit", {K::envelope, {200}}},
      {"POST /api/v1/password/forgot", {K::envelope, {200, 429}}},
      {"POST /api/v1/password/reset", {K::envelope, {200, 429}}},
      // organizations
      {"POST /api/v1/organizations", {K::envelope, {201}}},
      {"GET /api/v1/organizations/{id}", {K::envelope, {200, 403, 404}}},
      {"PATCH /api/v1/organizations/{id}", {K::envelope, {200, 403, 404}}},
      {"DELETE /api/v1/organizations/{id}", {K::envelope, {200, 403, 404}}},
      {"GET /api/v1/organizations/{id}/members", {K::envelope, {200, 403, 404}}},
      {"POST /api/v1/organizations/{id}/members", {K::envelope, {201, 403, 404, 409}}},
      {"DELETE /api/v1/organizations/{id}/members/{userId}", {K::envelope, {200, 403, 404, 409}}},
      {"PATCH /api/v1/organizations/{id}/members/{userId}/role", {K::envelope, {200, 403, 404, 409}}},
      {"GET /api/v1/organizations/{id}/roles", {K::envelope, {200, 403, 404}}},
      {"POST /api/v1/organizations/{id}/roles", {K::envelope, {201, 403, 404, 409}}},
      {"DELETE /api/v1/organizations/{id}/roles/{roleId}", {K::envelope, {200, 403, 404, 409}}},
      {"POST /api/v1/organizations/{id}/invitations", {K::envelope, {201, 403, 404, 429}}},
      {"GET /api/v1/organizations/{id}/invitations", {K::envelope, {200, 403, 404}}},
      {"DELETE /api/v1/organizations/{id}/invitations/{invitationId}", {K::envelope, {200, 403, 404}}},
      {"POST /api/v1/invitations/{token}/accept", {K::envelope, {200, 403, 404}}},
      {"GET /api/v1/users/me/organizations", {K::envelope, {200}}},
      {"POST /api/v1/auth/switch-organization", {K::envelope, {200, 403, 404}}},
      // services, roles, permissions, decisions
      {"GET /api/v1/services", {K::envelope, {200}}},
      {"POST /api/v1/services", {K::envelope, {201, 409}}},
      {"GET /api/v1/services/mine", {K::envelope, {200}}},
      {"GET /api/v1/services/{id}", {K::envelope, {200, 404}}},
      {"PUT /api/v1/services/{id}", {K::envelope, {200, 403, 404, 409}}},
      {"DELETE /api/v1/services/{id}", {K::envelope, {200, 403, 404}}},
      {"GET /api/v1/services/{id}/roles", {K::envelope, {200, 404}}},
      {"POST /api/v1/services/{id}/roles", {K::envelope, {201, 403, 404, 409}}},
      {"PUT /api/v1/roles/{id}", {K::envelope, {200, 403, 404, 409}}},
      {"DELETE /api/v1/roles/{id}", {K::envelope, {200, 403, 404}}},
      {"GET /api/v1/services/{id}/permissions", {K::envelope, {200, 404}}},
      {"GET /api/v1/permissions", {K::envelope, {200, 404}}},
      {"GET /api/v1/users/{uid}/services/{sid}/roles", {K::envelope, {200, 403, 404}}},
      {"POST /api/v1/users/{uid}/services/{sid}/roles/{rid}", {K::envelope, {201, 403, 404, 409}}},
      {"DELETE /api/v1/users/{uid}/services/{sid}/roles/{rid}", {K::envelope, {200, 403, 404}}},
      {"POST /api/v1/authz/check", {K::envelope, {200, 403, 404}}},
      {"POST /api/v1/authz/check/batch", {K::envelope, {200, 403}}},
      {"GET /api/v1/authz/permissions", {K::envelope, {200, 403, 404}}},
      // application tokens
      {"POST /api/v1/tokens", {K::envelope, {201, 403, 404}}},
      {"GET /api/v1/tokens/service/{sid}", {K::envelope, {200, 403, 404}}},
      {"POST /api/v1/tokens/{id}/revoke", {K::envelope, {200, 403, 404, 409}}},
      {"DELETE /api/v1/tokens/{id}", {K::envelope, {200, 403, 404}}},
      {"GET /api/v1/tokens/{id}/usage", {K::envelope, {200, 403, 404}}},
      {"GET /api/v1/tokens/validate", {K::envelope, {200, 401}}},
      // administration
      {"GET /api/v1/admin/users", {K::envelope, {200, 403}}},
      {"GET /api/v1/admin/users/{public_id}", {K::envelope, {200, 403, 404}}},
      {"PATCH /api/v1/admin/users/{public_id}", {K::envelope, {200, 403, 404}}},
      {"DELETE /api/v1/admin/users/{public_id}", {K::envelope, {200, 403, 404}}},
      {"GET /api/v1/admin/users/{public_id}/roles", {K::envelope, {200, 403, 404}}},
      {"GET /api/v1/admin/audit", {K::envelope, {200, 403}}},
      {"GET /api/v1/roles", {K::envelope, {200}}},
      {"GET /api/v1/users/me/roles", {K::envelope, {200}}},
      {"GET /api/v1/roles/{name}/users", {K::envelope, {200, 403, 404}}},
      {"GET /api/v1/admin/webhooks", {K::envelope, {200, 403}}},
      {"POST /api/v1/admin/webhooks", {K::envelope, {201, 403}}},
      {"DELETE /api/v1/admin/webhooks/{id}", {K::envelope, {200, 403, 404}}},
      {"GET /api/v1/admin/webhooks/{id}/deliveries", {K::envelope, {200, 403, 404}}},
      {"GET /api/v1/admin/clients", {K::envelope, {200, 403}}},
      {"POST /api/v1/admin/clients", {K::envelope, {201, 403}}},
      {"GET /api/v1/admin/clients/{id}", {K::envelope, {200, 403, 404}}},
      {"PATCH /api/v1/admin/clients/{id}", {K::envelope, {200, 403, 404}}},
      {"DELETE /api/v1/admin/clients/{id}", {K::envelope, {200, 403, 404}}},
      {"POST /api/v1/admin/clients/{id}/rotate-secret", {K::envelope, {200, 403, 404}}},
      // the caller's OAuth consents and grants
      {"GET /api/v1/users/me/consents", {K::envelope, {200}}},
      {"DELETE /api/v1/users/me/consents", {K::envelope, {200, 404}}},
      {"DELETE /api/v1/users/me/consents/{client_id}", {K::envelope, {200, 404}}},
      {"GET /api/v1/users/me/grants", {K::envelope, {200}}},
      {"DELETE /api/v1/users/me/grants", {K::envelope, {200}}},
      {"DELETE /api/v1/users/me/grants/{id}", {K::envelope, {200, 404}}},
      // seed compatibility (authz/compat_routes.cpp)
      {"GET /auth/check", {K::compat, {200}, "CompatCheck"}},
      {"GET /auth/authorize", {K::compat, {200, 401, 403, 404}, "CompatPermissionToken"}},
      {"POST /auth/update", {K::compat, {200, 401, 409}, "CompatResult"}},
      // OAuth 2.0 / OpenID Connect
      {"GET /.well-known/openid-configuration", {K::plain, {200}, "ProviderMetadata"}},
      {"GET /.well-known/oauth-authorization-server", {K::plain, {200}, "ProviderMetadata"}},
      {"GET /oauth2/authorize", {K::html, {200, 302}}},
      {"POST /oauth2/authorize", {K::html, {200, 302}}},
      {"POST /oauth2/token", {K::oauth, {200, 401}, "TokenResponse"}},
      {"POST /oauth2/introspect", {K::oauth, {200, 401}, "IntrospectionResponse"}},
      {"POST /oauth2/revoke", {K::oauth, {200, 401}}},
      {"POST /oauth2/device_authorization", {K::oauth, {200, 401, 429}, "DeviceAuthorizationResponse"}},
      {"GET /oauth2/userinfo", {K::userinfo, {200, 401, 403}, "UserInfo"}},
      {"POST /oauth2/userinfo", {K::userinfo, {200, 401, 403}, "UserInfo"}},
      {"GET /oauth2/logout", {K::html, {200}}},
      {"POST /oauth2/logout", {K::html, {200, 303, 403}}},
      // login UI (ui/routes.cpp)
      {"GET /ui/static/style.css", {K::plain, {200}}},
      {"GET /", {K::html, {303}}},
      {"GET /favicon.ico", {K::plain, {204}}},
      {"GET /ui/login", {K::html, {200}}},
      {"POST /ui/login", {K::html, {303, 401, 403, 429}}},
      {"GET /ui/register", {K::html, {200}}},
      {"POST /ui/register", {K::html, {303, 403, 429}}},
      {"GET /ui/forgot", {K::html, {200}}},
      {"POST /ui/forgot", {K::html, {200, 403, 429}}},
      {"GET /ui/reset", {K::html, {200}}},
      {"POST /ui/reset", {K::html, {200, 403}}},
      {"POST /ui/consent", {K::html, {200, 302, 303, 403}}},
      {"GET /ui/device", {K::html, {200, 303, 429}}},
      {"POST /ui/device", {K::html, {200, 303, 403, 429}}},
      {"GET /ui/account", {K::html, {200, 303}}},
      {"POST /ui/account/grants/revoke", {K::html, {303, 403, 404}}},
      // operations (ops/routes.cpp)
      {"GET /healthz", {K::plain, {200}, "Status"}},
      {"GET /readyz", {K::plain, {200}, "Status"}},
      {"GET /api/health", {K::envelope, {200}}},
      {"GET /metrics", {K::plain, {200, 403}}},
      {"GET /.well-known/jwks.json", {K::plain, {200}, "JWKS"}},
      {"GET /auth/public-key", {K::plain, {200}}},
      {"GET /api/v1", {K::envelope, {200}}},
      {"GET /api/v1/openapi.json", {K::plain, {200}}},
  };
  return m;
}

const char* reason(int code) {
  switch (code) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 302: return "Found: redirect (Location)";
    case 303: return "See Other: redirect (Location)";
    case 400: return "Bad request or validation error";
    case 401: return "Not authenticated";
    case 403: return "Forbidden";
    case 404: return "Not found";
    case 409: return "Conflict";
    case 413: return "Request body too large";
    case 415: return "Unsupported Content-Type";
    case 429: return "Too many requests (Retry-After)";
    case 431: return "Request headers too large";
    case 500: return "Internal error";
    case 503: return "Unavailable, retry shortly (Retry-After)";
  }
  return "Answer";
}

json::object json_content(const json::object& schema) {
  return {{"application/json", {{"schema", schema}}}};
}

json::object any_of(std::initializer_list<const char*> names) {
  json::array a;
  for (auto* n : names) a.push_back(ref(n));
  return {{"anyOf", std::move(a)}};
}

json::object retry_after_header() {
  return {{"Retry-After", {{"description", "Seconds to wait"}, {"schema", {{"type", "integer"}}}}}};
}

// The answer `code` of an operation of kind `k` on `path` (`route_local`: the handler gives
// this code itself, as opposed to the server around it).
json::object response(const std::string& method, const std::string& path, Kind k, int code, bool route_local,
                      const char* success_schema) {
  json::object r{{"description", reason(code)}};
  if (code == 302 || code == 303) {
    r["headers"] = {{"Location", {{"required", true}, {"schema", {{"type", "string"}}}}}};
    return r;
  }
  if (code == 204) return r;
  bool ok = code < 300;
  std::string key = method + " " + path;
  if (!route_local) {  // the server's own answers are error envelopes on every route
    r["content"] = json_content(ref("ErrorEnvelope"));
  } else {
    switch (k) {
      case Kind::envelope:
        r["content"] = json_content(ok ? ref(success_schema ? success_schema : "Envelope") : ref("ErrorEnvelope"));
        break;
      case Kind::oauth:
        if (ok && key == "POST /oauth2/revoke") {  // RFC 7009 §2.2: an empty body
          r["description"] = "Revoked, or the token was unknown (empty body)";
          return r;
        }
        if (ok)
          r["content"] = json_content(ref(success_schema));
        else if (code == 400)  // the handler's OAuth error, or the server's envelope
          r["content"] = json_content(any_of({"OAuthError", "ErrorEnvelope"}));
        else
          r["content"] = json_content(ref("OAuthError"));
        break;
      case Kind::userinfo:
        if (ok) r["content"] = json_content(ref(success_schema));
        else r["content"] = json_content(code == 400 ? any_of({"BearerError", "ErrorEnvelope"}) : ref("BearerError"));
        if (code == 401 || code == 403)
          r["headers"] = {{"WWW-Authenticate", {{"required", true}, {"schema", {{"type", "string"}}}}}};
        break;
      case Kind::html:
        r["content"] = {{"text/html", {{"schema", {{"type", "string"}}}}}};
        if (code == 400)  // malformed text in the request is refused before the page handler
          r["content"].as_object()["application/json"] = {{"schema", ref("ErrorEnvelope")}};
        break;
      case Kind::compat:
        if (ok) {
          r["content"] = json_content(ref(success_schema));
        } else if (key == "POST /auth/update") {
          r["content"] = json_content(code == 400 ? any_of({"CompatResult", "ErrorEnvelope"}) : ref("CompatResult"));
        } else {
          r["content"] = json_content(ref("ErrorEnvelope"));
        }
        break;
      case Kind::plain:
        if (path == "/ui/static/style.css") r["content"] = {{"text/css", {{"schema", {{"type", "string"}}}}}};
        else if (path == "/auth/public-key") r["content"] = {{"application/x-pem-file", {{"schema", {{"type", "string"}}}}}};
        else if (path == "/metrics" && ok) r["content"] = {{"text/plain", {{"schema", {{"type", "string"}}}}}};
        else if (!ok) r["content"] = json_content(ref("ErrorEnvelope"));
        else r["content"] = json_content(success_schema ? ref(success_schema) : json::object{{"type", "object"}});
        break;
    }
  }
  if (code == 429 || code == 503) r["headers"] = retry_after_header();
  if (code == 401 && k == Kind::envelope)
    r["headers"] = {{"WWW-Authenticate", {{"required", true}, {"schema", {{"type", "string"}}}}}};
  return r;
}

bool needs_bearer(const std::string& path) {
  static const char* open[] = {"/api/v1/auth/register", "/api/v1/auth/verify-email", "/api/v1/auth/login",
                               "/api/v1/auth/refresh", "/api/v1/password/", "/api/health",
                               "/api/v1/tokens/validate"};
  if (path == "/api/v1" || path == "/api/v1/openapi.json" || !is_product_api(path)) return false;
  for (auto* p : open)
    if (path.rfind(p, 0) == 0) return false;
  return true;
}

// ---------------------------------------------------------------- component schemas

json::object components_schemas() {
  json::object envelope = schema({{"version", {{"type", "string"}, {"const", "1.0"}}},
                                  {"success", {{"type", "boolean"}, {"const", true}}},
                                  {"code", {{"type", "integer"}, {"minimum", 200}, {"maximum", 299}}},
                                  {"message", str_prop("Human-readable summary")},
                                  {"request_id", str_prop("Same as X-Request-ID")},
                                  {"data", json::object{{"description", "The answer; shape depends on the operation"}}},
                                  {"meta", {{"type", "object"}}}},
                                 {"version", "success", "code", "message", "request_id", "data", "meta"});
  auto with_data = [&](const char* schema_name) {
    json::object e = envelope;
    e["properties"].as_object()["data"] = ref(schema_name);
    return e;
  };
  json::object error_env = schema(
      {{"version", {{"type", "string"}, {"const", "1.0"}}},
       {"success", {{"type", "boolean"}, {"const", false}}},
       {"code", {{"type", "integer"}, {"minimum", 400}, {"maximum", 599}}},
       {"message", str_prop("Human-readable summary")},
       {"request_id", str_prop("Same as X-Request-ID")},
       {"error", schema({{"type", {{"type", "string"},
                                   {"enum", {"VALIDATION_ERROR", "BAD_REQUEST", "AUTHENTICATION_ERROR",
                                             "AUTHORIZATION_ERROR", "NOT_FOUND", "METHOD_NOT_ALLOWED", "CONFLICT",
                                             "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE",
                                             "REQUEST_HEADER_FIELDS_TOO_LARGE", "RATE_LIMITED", "INTERNAL_ERROR",
                                             "NOT_IMPLEMENTED", "SERVICE_UNAVAILABLE"}}}},
                         {"details", {{"type", "object"}, {"description", "Per-field messages for VALIDATION_ERROR"}}}},
                        {"type", "details"})}},
      {"version", "success", "code", "message", "request_id", "error"});
  json::object user = schema({{"id", str_prop("User id")}, {"email", str_prop("Email address")},
                              {"username", nullable_str("Username")}, {"name", nullable_str("Display name")},
                              {"email_verified", {{"type", "boolean"}}}, {"is_admin", {{"type", "boolean"}}},
                              {"created_at", str_prop("ISO 8601", 0, "date-time")},
                              {"updated_at", str_prop("ISO 8601", 0, "date-time")},
                              {"last_login_at", nullable_str("ISO 8601 or null")}},
                             {"id", "email", "username", "name", "email_verified", "is_admin", "created_at",
                              "updated_at", "last_login_at"});
  json::object pair = schema({{"access_token", str_prop("JWT access token (typ at+jwt)")},
                              {"refresh_token", str_prop("Opaque refresh token")},
                              {"token_type", {{"type", "string"}, {"const", "Bearer"}}},
                              {"expires_in", {{"type", "integer"}}},
                              {"session_id", str_prop("Session id")},
                              {"user", ref("User")}},
                             {"access_token", "refresh_token", "token_type", "expires_in", "session_id", "user"});
  json::object oauth_error = schema({{"error", str_prop("RFC 6749 §5.2 error code")},
                                     {"error_description", str_prop("Human-readable description")}},
                                    {"error"});
  json::object bearer_error = schema({{"error", str_prop("RFC 6750 §3.1 error code")},
                                      {"error_description", str_prop("Human-readable description")}},
                                     {});
  bearer_error["description"] = "Empty object when the request carried no token (RFC 6750 §3.1)";
  json::object token = schema({{"access_token", str_prop("Access token")},
                               {"token_type", str_prop("Bearer or DPoP")},
                               {"expires_in", {{"type", "integer"}}},
                               {"refresh_token", str_prop("Refresh token")},
                               {"id_token", str_prop("OpenID Connect ID token")},
                               {"scope", str_prop("Granted scope")}},
                              {"access_token", "token_type"});
  json::object introspection = schema({{"active", {{"type", "boolean"}}}, {"scope", str_prop("Scope")},
                                       {"client_id", str_prop("Client")}, {"token_type", str_prop("Token type")},
                                       {"sub", str_prop("Subject")}, {"exp", {{"type", "integer"}}}},
                                      {"active"});
  json::object device = schema({{"device_code", str_prop("Device code")}, {"user_code", str_prop("User code")},
                                {"verification_uri", str_prop("Where the user enters the code")},
                                {"verification_uri_complete", str_prop("With the code filled in")},
                                {"expires_in", {{"type", "integer"}}}, {"interval", {{"type", "integer"}}}},
                               {"device_code", "user_code", "verification_uri", "expires_in"});
  json::object userinfo = schema({{"sub", str_prop("Subject")}}, {"sub"});
  json::object metadata = schema({{"issuer", str_prop("Issuer")},
                                  {"authorization_endpoint", str_prop("Authorization endpoint")},
                                  {"token_endpoint", str_prop("Token endpoint")},
                                  {"jwks_uri", str_prop("JWKS")},
                                  {"response_types_supported", str_array("Response types")},
                                  {"subject_types_supported", str_array("Subject types")},
                                  {"id_token_signing_alg_values_supported", str_array("ID token algorithms")}},
                                 {"issuer", "authorization_endpoint", "token_endpoint", "jwks_uri",
                                  "response_types_supported", "subject_types_supported",
                                  "id_token_signing_alg_values_supported"});
  json::object jwks = schema({{"keys", {{"type", "array"}, {"items", schema({{"kty", str_prop("Key type")},
                                                                              {"kid", str_prop("Key id")}},
                                                                             {"kty"})}}}},
                             {"keys"});
  json::object status = schema({{"status", str_prop("ok / ready / not_ready")}}, {"status"});
  json::object compat_check = schema({{"authenticated", {{"type", "boolean"}}},
                                      {"profile", {{"type", "object"}}},
                                      {"providers", {{"type", "object"}}},
                                      {"next", {{"type", "string"}}}},
                                     {"authenticated"});
  json::object compat_token = schema({{"token", str_prop("Permission token (typ gh-permissions+jwt)")},
                                      {"userid", str_prop("User id")},
                                      {"permissions", {{"type", "object"}, {"additionalProperties", {{"type", "boolean"}}}}},
                                      {"service", str_prop("Service as asked")}},
                                     {"token", "userid", "permissions", "service"});
  json::object compat_result = schema({{"success", {{"type", "boolean"}}}, {"error", str_prop("Why not")}},
                                      {"success"});
  json::object check = schema({{"subject", str_prop("User id")}, {"service", str_prop("Service id or name")},
                               {"permission", str_prop("resource:action")}, {"org", str_prop("Organization id")}},
                              {"subject", "service", "permission"});
  return {{"Envelope", std::move(envelope)},
          {"UserEnvelope", with_data("User")},
          {"TokenPairEnvelope", with_data("TokenPair")},
          {"ErrorEnvelope", std::move(error_env)},
          {"User", std::move(user)},
          {"TokenPair", std::move(pair)},
          {"CheckRequest", std::move(check)},
          {"OAuthError", std::move(oauth_error)},
          {"BearerError", std::move(bearer_error)},
          {"TokenResponse", std::move(token)},
          {"IntrospectionResponse", std::move(introspection)},
          {"DeviceAuthorizationResponse", std::move(device)},
          {"UserInfo", std::move(userinfo)},
          {"ProviderMetadata", std::move(metadata)},
          {"JWKS", std::move(jwks)},
          {"Status", std::move(status)},
          {"CompatCheck", std::move(compat_check)},
          {"CompatPermissionToken", std::move(compat_token)},
          {"CompatResult", std::move(compat_result)}};
}

}  // namespace

json::object openapi_document(const http::Router& router, const std::string& server_url) {
  json::object paths;
  for (const auto& r : router.routes()) {
    const std::string key = r.method + " " + r.pattern;
    json::object op;
    op["summary"] = r.summary;
    std::string op_id = r.method;
    for (char c : r.pattern) op_id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    op["operationId"] = op_id;

    json::array params;
    for (auto& seg : r.segments)
      if (seg.size() > 2 && seg.front() == '{')
        params.push_back(json::object{{"name", seg.substr(1, seg.size() - 2)},
                                      {"in", "path"},
                                      {"required", true},
                                      {"schema", {{"type", "string"}, {"minLength", 1}}}});
    if (auto it = query_params().find(key); it != query_params().end())
      for (auto& [name, s] : it->second)
        params.push_back(json::object{{"name", name}, {"in", "query"}, {"required", false}, {"schema", s}});
    if (!params.empty()) op["parameters"] = std::move(params);

    bool json_body = false, form_body = false;
    if (auto it = json_bodies().find(key); it != json_bodies().end()) {
      json_body = true;
      op["requestBody"] = {{"required", r.method != "DELETE"},
                           {"content", {{"application/json", {{"schema", it->second}}}}}};
    } else if (key == "POST /api/v1/admin/clients" || key == "PATCH /api/v1/admin/clients/{id}") {
      json_body = true;
      op["requestBody"] = {{"required", true},
                           {"content", {{"application/json", {{"schema", client_spec(r.method == "POST")}}}}}};
    } else if (auto f = form_bodies().find(key); f != form_bodies().end()) {
      form_body = true;
      op["requestBody"] = {{"required", r.method != "POST" || key != "POST /oauth2/userinfo"},
                           {"content", {{"application/x-www-form-urlencoded", {{"schema", f->second}}}}}};
    }

    json::object responses;
    auto a = answers().find(key);
    if (a != answers().end()) {
      const Answers& ans = a->second;
      std::set<int> local(ans.codes.begin(), ans.codes.end());
      if (ans.kind == Kind::envelope && needs_bearer(r.pattern)) local.insert(401);
      if (json_body) local.insert(415);
      // Handlers refuse bad input themselves (validation, malformed JSON or form); 400 from
      // the server (NUL or invalid UTF-8) is an error envelope, documented with it.
      bool handler_400 = json_body || form_body || ans.kind == Kind::envelope || ans.kind == Kind::oauth ||
                         ans.kind == Kind::userinfo || ans.kind == Kind::compat || key == "GET /oauth2/authorize" ||
                         key == "GET /oauth2/logout" || key == "GET /ui/device";
      if (handler_400 && r.pattern != "/api/v1" && r.pattern != "/api/health") local.insert(400);
      std::set<int> all = local;
      for (int c : {400, 413, 431, 500}) all.insert(c);
      if (r.pool != http::Pool::io) all.insert(503);
      if (key == "GET /readyz") local.insert(503);
      if (key == "GET /api/health") local.insert(503);
      for (int c : all) {
        bool is_local = local.count(c) > 0;
        json::object resp = response(r.method, r.pattern, ans.kind, c, is_local, ans.success_schema);
        if (r.refuse && (c == 400 || c == 503))  // the route answers the server's refusals itself
          resp["content"] = json_content(ref("OAuthError"));
        if (key == "GET /readyz" && c == 503)  // not ready, or the pool's queue is full
          resp["content"] = json_content(any_of({"Status", "ErrorEnvelope"}));
        if (key == "GET /oauth2/authorize" || key == "POST /oauth2/authorize" || key == "POST /ui/consent")
          if (c == 500)  // an impossible authorization state is answered with an error page
            resp["content"].as_object()["text/html"] = {{"schema", {{"type", "string"}}}};
        responses[std::to_string(c)] = std::move(resp);
      }
    } else if (is_product_api(r.pattern)) {
      // Not yet described here: the envelope is certain, the exact codes are not.
      op["description"] = "Answers not yet curated in ops/openapi.cpp: any 2xx envelope or 4xx/5xx error envelope.";
      responses["2XX"] = {{"description", "Success"}, {"content", json_content(ref("Envelope"))}};
      responses["4XX"] = {{"description", "Client error"}, {"content", json_content(ref("ErrorEnvelope"))}};
      responses["5XX"] = {{"description", "Server error"}, {"content", json_content(ref("ErrorEnvelope"))}};
    } else {
      op["description"] = "Answers not yet curated in ops/openapi.cpp.";
      responses["default"] = {{"description", "Any answer"}};
    }
    op["responses"] = std::move(responses);

    if (needs_bearer(r.pattern)) {
      json::array sec{json::object{{"bearerAuth", json::array{}}}};
      if (r.pattern.rfind("/api/v1/authz/check", 0) == 0)  // services ask with their app token
        sec = {json::object{{"bearerAuth", json::array{}}}, json::object{{"appToken", json::array{}}},
               json::object{{"apiKey", json::array{}}}};
      op["security"] = std::move(sec);
    } else if (r.pattern == "/api/v1/tokens/validate") {
      op["security"] = json::array{json::object{{"bearerAuth", json::array{}}}, json::object{{"appToken", json::array{}}},
                                   json::object{{"apiKey", json::array{}}}};
    } else if (r.pattern == "/oauth2/userinfo" || r.pattern == "/auth/authorize" || r.pattern == "/auth/update") {
      op["security"] = json::array{json::object{{"bearerAuth", json::array{}}}};
    }

    std::string method = r.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto& entry = paths[r.pattern];
    if (!entry.is_object()) entry.emplace_object();
    entry.as_object()[method] = std::move(op);
  }

  return {{"openapi", "3.1.0"},
          {"info", {{"title", "Gatehouse API"}, {"version", GATEHOUSE_VERSION},
                    {"description",
                     "Central identity provider: registration, login, tokens, sessions. Product API answers "
                     "(/api/...) use the envelope; OAuth 2.0 / OpenID Connect endpoints (/oauth2/*, "
                     "/.well-known/*) follow their RFCs. Every path may also answer 404 (no such endpoint), "
                     "405 with Allow (method not offered on the path) and 501 (method unknown to the server) "
                     "with an error envelope."}}},
          {"servers", json::array{json::object{{"url", server_url}}}},
          {"paths", std::move(paths)},
          {"components",
           {{"securitySchemes",
             {{"bearerAuth", {{"type", "http"}, {"scheme", "bearer"}, {"bearerFormat", "JWT"}}},
              {"appToken", {{"type", "apiKey"}, {"in", "header"}, {"name", "X-App-Token"}}},
              {"apiKey", {{"type", "apiKey"}, {"in", "header"}, {"name", "X-API-Key"}}}}},
            {"schemas", components_schemas()}}}};
}

}  // namespace gatehouse::ops
