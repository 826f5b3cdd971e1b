// Request schemas of the OpenAPI document: JSON bodies, forms and query parameters by
// "METHOD /path", written from the handlers, plus the schema helpers.
#include "ops/openapi_parts.hpp"

namespace gatehouse::ops::openapi {

json::object str_prop(const char* desc, int max, const char* format) {
  json::object o{{"type", "string"}, {"description", desc}};
  if (max) o["maxLength"] = max;
  if (format) o["format"] = format;
  return o;
}

json::object nullable_str(const char* desc, int max) {
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
json::object form(std::initializer_list<const char*> fields, std::initializer_list<const char*> required) {
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

json::object json_content(const json::object& schema) {
  return {{"application/json", {{"schema", schema}}}};
}

json::object any_of(std::initializer_list<const char*> names) {
  json::array a;
  for (auto* n : names) a.push_back(ref(n));
  return {{"anyOf", std::move(a)}};
}

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

}  // namespace gatehouse::ops::openapi
