// What each operation answers (status codes, kind of body, success schema) and the
// component schemas those answers refer to, written from the handlers.
#include "ops/openapi_parts.hpp"

namespace gatehouse::ops::openapi {

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

}  // namespace gatehouse::ops::openapi
