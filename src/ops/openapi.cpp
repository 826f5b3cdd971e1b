#include "ops/openapi.hpp"

#include "ops/openapi_parts.hpp"

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
using namespace openapi;

namespace {

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
