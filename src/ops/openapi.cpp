#include "ops/openapi.hpp"

#include <boost/json.hpp>
#include <map>

namespace gatehouse::ops {
namespace json = boost::json;

namespace {

json::object str_prop(const char* desc, int max = 0, const char* format = nullptr) {
  json::object o{{"type", "string"}, {"description", desc}};
  if (max) o["maxLength"] = max;
  if (format) o["format"] = format;
  return o;
}

json::object str_array(const char* desc) {
  return {{"type", "array"}, {"items", {{"type", "string"}}}, {"description", desc}};
}

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

// Request bodies by "METHOD /path".
const std::map<std::string, json::object>& request_schemas() {
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
      {"POST /api/v1/auth/refresh", schema({{"refresh_token", str_prop("Opaque refresh token")}}, {"refresh_token"})},
      {"PATCH /api/v1/users/me", schema({{"username", str_prop("New username or null", 32)},
                                         {"name", str_prop("Display name or null", 128)}},
                                        {})},
      {"POST /api/v1/users/me/password",
       schema({{"current_password", str_prop("Current password")},
               {"new_password", str_prop("New password")},
               {"confirm_password", str_prop("Must equal new_password when given")}},
              {"current_password", "new_password"})},
      {"DELETE /api/v1/users/me", schema({{"password", str_prop("Checked when given")}}, {})},
      {"POST /api/v1/password/forgot", schema({{"email", str_prop("Email address", 254)}}, {"email"})},
      {"POST /api/v1/password/reset",
       schema({{"token", str_prop("Token from the reset mail")},
               {"password", str_prop("New password")},
               {"confirm_password", str_prop("Must equal password when given")}},
              {"token", "password"})},
      {"POST /api/v1/organizations", schema({{"name", str_prop("Organization name", 128)},
                                              {"description", str_prop("Description", 1024)}},
                                             {"name"})},
      {"PATCH /api/v1/organizations/{id}", schema({{"name", str_prop("Organization name", 128)},
                                                   {"description", str_prop("Description or null", 1024)}},
                                                  {})},
      {"POST /api/v1/organizations/{id}/members",
       schema({{"user_id", str_prop("User id (or give email)")}, {"email", str_prop("Email of an existing user")},
               {"role", str_prop("owner, admin, member or a custom role id; default member")}},
              {})},
      {"PATCH /api/v1/organizations/{id}/members/{userId}/role", schema({{"role", str_prop("New role")}}, {"role"})},
      {"POST /api/v1/organizations/{id}/roles",
       schema({{"name", str_prop("Role name", 64)}, {"description", str_prop("Description", 512)},
               {"permissions", str_array("Organization permissions from the catalogue")}},
              {"name", "permissions"})},
      {"POST /api/v1/organizations/{id}/invitations",
       schema({{"email", str_prop("Invitee email", 254)}, {"role", str_prop("Role on acceptance; default member")}},
              {"email"})},
      {"POST /api/v1/auth/switch-organization", schema({{"org_id", str_prop("Organization id, or null to clear")}}, {"org_id"})},
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
        {"properties", {{"checks", {{"type", "array"}, {"maxItems", 100}, {"items", {{"type", "object"}}}}}}}}},
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

bool is_product_api(const std::string& path) { return path.rfind("/api/", 0) == 0; }

bool needs_auth(const std::string& method, const std::string& path) {
  static const char* open[] = {"/api/v1/auth/register", "/api/v1/auth/verify-email", "/api/v1/auth/login",
                               "/api/v1/auth/refresh", "/api/v1/password/", "/api/health",
                               "/api/v1/tokens/validate"};
  if (path == "/api/v1" || path == "/api/v1/openapi.json" || !is_product_api(path)) return false;
  for (auto* p : open)
    if (path.rfind(p, 0) == 0) return false;
  return true;
}

}  // namespace

json::object openapi_document(const http::Router& router, const std::string& server_url) {
  json::object paths;
  for (const auto& r : router.routes()) {
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
                                      {"schema", {{"type", "string"}}}});
    if (!params.empty()) op["parameters"] = std::move(params);
    if (auto it = request_schemas().find(r.method + " " + r.pattern); it != request_schemas().end())
      op["requestBody"] = {{"required", r.method != "DELETE"},
                           {"content", {{"application/json", {{"schema", it->second}}}}}};
    json::object responses;
    if (is_product_api(r.pattern)) {
      json::object env{{"$ref", "#/components/schemas/Envelope"}};
      json::object err{{"$ref", "#/components/schemas/ErrorEnvelope"}};
      responses[r.method == "POST" && r.pattern == "/api/v1/auth/register" ? "201" : "200"] =
          {{"description", "Success"}, {"content", {{"application/json", {{"schema", env}}}}}};
      responses["4XX"] = {{"description", "Client error"}, {"content", {{"application/json", {{"schema", err}}}}}};
      responses["5XX"] = {{"description", "Server error"}, {"content", {{"application/json", {{"schema", err}}}}}};
    } else {
      responses["200"] = {{"description", "Success"}};
    }
    op["responses"] = std::move(responses);
    if (needs_auth(r.method, r.pattern)) op["security"] = json::array{json::object{{"bearerAuth", json::array{}}}};
    std::string method = r.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto& entry = paths[r.pattern];
    if (!entry.is_object()) entry.emplace_object();
    entry.as_object()[method] = std::move(op);
  }
  json::object envelope = schema({{"version", str_prop("Envelope version, 1.0")},
                                  {"message", str_prop("Human-readable summary")},
                                  {"request_id", str_prop("Same as X-Request-ID")}},
                                 {"version", "success", "code", "message", "request_id"});
  envelope["properties"].as_object()["success"] = {{"type", "boolean"}};
  envelope["properties"].as_object()["code"] = {{"type", "integer"}};
  envelope["properties"].as_object()["data"] = json::object{};
  envelope["properties"].as_object()["meta"] = {{"type", "object"}};
  json::object error_env = envelope;
  error_env["properties"].as_object().erase("data");
  error_env["properties"].as_object()["error"] =
      {{"type", "object"},
       {"properties", {{"type", {{"type", "string"},
                                 {"enum", {"VALIDATION_ERROR", "BAD_REQUEST", "AUTHENTICATION_ERROR",
                                           "AUTHORIZATION_ERROR", "NOT_FOUND", "METHOD_NOT_ALLOWED",
                                           "CONFLICT", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE",
                                           "RATE_LIMITED", "INTERNAL_ERROR", "SERVICE_UNAVAILABLE"}}}},
                       {"details", {{"type", "object"}}}}}};
  return {{"openapi", "3.1.0"},
          {"info", {{"title", "Gatehouse API"}, {"version", GATEHOUSE_VERSION},
                    {"description", "Central identity provider: registration, login, tokens, sessions."}}},
          {"servers", json::array{json::object{{"url", server_url}}}},
          {"paths", std::move(paths)},
          {"components",
           {{"securitySchemes", {{"bearerAuth", {{"type", "http"}, {"scheme", "bearer"}, {"bearerFormat", "JWT"}}}}},
            {"schemas", {{"Envelope", std::move(envelope)}, {"ErrorEnvelope", std::move(error_env)}}}}}};
}

}  // namespace gatehouse::ops
