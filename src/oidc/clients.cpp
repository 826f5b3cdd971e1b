#include "oidc/clients.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include "http/form.hpp"

#include "core/clock.hpp"
#include "core/json_util.hpp"
#include "crypto/random.hpp"
#include "crypto/encoding.hpp"
#include "crypto/hash.hpp"
#include "oidc/client_store.hpp"

namespace gatehouse::oidc {
namespace json = boost::json;

namespace {
bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}
json::array arr(const std::vector<std::string>& v) {
  json::array a;
  for (auto& s : v) a.push_back(json::string(s));
  return a;
}
const std::vector<std::string> kGrants = {"authorization_code", "refresh_token", "client_credentials",
                                          "urn:ietf:params:oauth:grant-type:device_code", "password"};
const std::vector<std::string> kMethods = {"client_secret_basic", "client_secret_post", "private_key_jwt", "none"};
// Exact, absolute redirect URIs without fragments (RFC 6749 §3.1.2): https anywhere, http
// only to loopback (RFC 8252 §7.3), and private-use schemes in reverse-domain form such as
// com.example.app:/cb (RFC 8252 §7.1) — never javascript:, data: or file:. Parsed with
// Boost.URL (RFC 3986), so the host is the real host: userinfo is refused everywhere, or
// http://127.0.0.1:1@evil.example/cb would pass for loopback.
bool valid_redirect(const std::string& u) {
  if (u.size() > 2048 || u.find_first_of(" \t\r\n<>\"\\") != std::string::npos) return false;
  auto parsed = boost::urls::parse_absolute_uri(u);  // absolute-URI: no fragment allowed
  if (!parsed) return false;
  const auto& url = *parsed;
  if (url.has_userinfo()) return false;
  // RFC 3986 §3.3: after an authority the path is empty or starts with "/". Boost.URL 1.81
  // parses http://127.0.0.1.evil.example/cb as host 127.0.0.1 + path ".evil.example/cb",
  // where a browser sees host 127.0.0.1.evil.example: refuse the disagreement.
  if (url.has_authority() && !url.encoded_path().empty() && url.encoded_path().front() != '/') return false;
  std::string scheme(url.scheme());
  for (auto& ch : scheme) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (scheme == "https") return url.has_authority() && !url.host().empty();
  if (scheme == "http") {
    if (!url.has_authority()) return false;
    std::string host = url.host();  // decoded; for IPv6 "[::1]" Boost.URL gives the bracketed form
    for (auto& ch : host) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return host == "127.0.0.1" || host == "localhost" || host == "[::1]";
  }
  return scheme.find('.') != std::string::npos;  // private-use scheme
}
}  // namespace

bool valid_redirect_uri(std::string_view uri) { return valid_redirect(std::string(uri)); }

bool Client::allows_grant(const std::string& g) const { return contains(grant_types, g); }
bool Client::allows_scope(const std::string& s) const { return contains(scopes, s); }
bool Client::has_redirect(const std::string& uri) const { return contains(redirect_uris, uri); }

json::object to_json(const Client& c) {
  auto ttl = [](const std::optional<int>& t) { return t ? json::value(*t) : json::value(nullptr); };
  return {{"client_id", c.id},
          {"name", c.name},
          {"public", c.is_public},
          {"redirect_uris", arr(c.redirect_uris)},
          {"post_logout_redirect_uris", arr(c.post_logout_redirect_uris)},
          {"grant_types", arr(c.grant_types)},
          {"scopes", arr(c.scopes)},
          {"token_endpoint_auth_method", c.auth_method},
          {"first_party", c.first_party},
          {"access_token_ttl", ttl(c.access_token_ttl)},
          {"refresh_token_ttl", ttl(c.refresh_token_ttl)},
          {"id_token_ttl", ttl(c.id_token_ttl)},
          {"id_token_signed_response_alg", c.id_token_alg},
          {"created_at", iso8601(c.created_at)},
          {"updated_at", iso8601(c.updated_at)}};
}

std::string Clients::hash_secret(const std::string& secret) const {
  return crypto::hex_encode(hmac_(secret));
}

bool Clients::secret_matches(const Client& c, const std::string& secret) const {
  return !c.secret_hash.empty() && crypto::constant_time_equal(hash_secret(secret), c.secret_hash);
}

Result<Client> Clients::validate(Client c) {
  json::object d;
  if (c.name.empty() || c.name.size() > 128) d["name"] = "Required, at most 128 characters";
  if (c.grant_types.empty()) c.grant_types = {"authorization_code"};
  for (auto& g : c.grant_types)
    if (!contains(kGrants, g)) d["grant_types"] = "Unknown grant type: " + g;
  if (c.is_public) {
    c.auth_method = "none";
    c.secret_hash.clear();
    if (c.allows_grant("client_credentials")) d["grant_types"] = "Public clients cannot use client_credentials";
  } else if (c.auth_method == "none") {
    d["token_endpoint_auth_method"] = "Only public clients use none";
  }
  if (!contains(kMethods, c.auth_method)) d["token_endpoint_auth_method"] = "Unknown method";
  if (c.auth_method == "private_key_jwt") {
    boost::system::error_code ec;
    auto v = json::parse(c.jwks, ec);
    if (ec || !v.is_object() || !v.as_object().contains("keys")) d["jwks"] = "private_key_jwt needs a JWKS {\"keys\": [...]}";
  }
  bool needs_redirect = c.allows_grant("authorization_code");
  if (needs_redirect && c.redirect_uris.empty()) d["redirect_uris"] = "Required for the authorization_code grant";
  for (auto& u : c.redirect_uris)
    if (!valid_redirect(u)) d["redirect_uris"] = "Must be absolute URIs without fragments: " + u;
  for (auto& u : c.post_logout_redirect_uris)
    if (!valid_redirect(u)) d["post_logout_redirect_uris"] = "Must be absolute URIs without fragments: " + u;
  if (c.scopes.empty()) c.scopes = {"openid", "profile", "email"};
  if (c.id_token_alg != "RS256" && c.id_token_alg != "ES256" && c.id_token_alg != "EdDSA")
    d["id_token_signed_response_alg"] = "Must be RS256, ES256 or EdDSA";
  for (auto* t : {&c.refresh_token_ttl, &c.id_token_ttl})
    if (*t && (**t < 10 || **t > 365 * 86400)) d["ttl"] = "Lifetimes must be 10 s .. 365 days";
  if (c.access_token_ttl && (*c.access_token_ttl < 10 || *c.access_token_ttl > kMaxAccessTtl))
    d["access_token_ttl"] = "Access tokens live 10 s .. 1 day";
  if (!d.empty()) return Error::validation("Invalid client", d);
  return c;
}

namespace {
void apply(Client& c, const ClientSpec& s) {
  if (s.name) c.name = *s.name;
  if (s.is_public) c.is_public = *s.is_public;
  if (s.redirect_uris) c.redirect_uris = *s.redirect_uris;
  if (s.post_logout_redirect_uris) c.post_logout_redirect_uris = *s.post_logout_redirect_uris;
  if (s.grant_types) c.grant_types = *s.grant_types;
  if (s.scopes) c.scopes = *s.scopes;
  if (s.auth_method) c.auth_method = *s.auth_method;
  if (s.jwks) c.jwks = *s.jwks;
  if (s.first_party) c.first_party = *s.first_party;
  if (s.access_token_ttl) c.access_token_ttl = *s.access_token_ttl;
  if (s.refresh_token_ttl) c.refresh_token_ttl = *s.refresh_token_ttl;
  if (s.id_token_ttl) c.id_token_ttl = *s.id_token_ttl;
  if (s.id_token_alg) c.id_token_alg = *s.id_token_alg;
}

}  // namespace

namespace {
// 128 random bits, base64url, never starting with '-' or '_': an id that starts with '-'
// reads as an option on a command line (`gatehouse client rotate-secret -abc…` failed).
std::string new_client_id() {
  for (;;) {
    std::string id = crypto::base64url_encode(crypto::random_bytes(16));
    if (std::isalnum(static_cast<unsigned char>(id[0]))) return id;
  }
}
}  // namespace

Result<std::pair<Client, std::string>> Clients::create(const ClientSpec& spec, const std::string& created_by) {
  Client c;
  apply(c, spec);
  c.id = new_client_id();
  c.created_at = c.updated_at = now_seconds();
  std::string secret;
  if (!c.is_public && c.auth_method != "private_key_jwt") {
    secret = crypto::new_secret_token();
    c.secret_hash = hash_secret(secret);
  }
  auto v = validate(std::move(c));
  if (!v) return v.error();
  db_.with([&](store::Conn& conn) { ClientStore(conn).insert(*v, created_by); });
  return std::make_pair(*v, v->is_public ? std::string() : secret);
}

Result<Client> Clients::update(const std::string& id, const ClientSpec& spec) {
  auto cur = find(id);
  if (!cur) return Error::make(Errc::not_found, "Client not found");
  Client c = *cur;
  bool was_public = c.is_public;
  apply(c, spec);
  if (was_public != c.is_public) return Error::field("public", "A client cannot switch between public and confidential");
  c.updated_at = now_seconds();
  auto v = validate(std::move(c));
  if (!v) return v.error();
  db_.with([&](store::Conn& conn) { ClientStore(conn).update(*v); });
  forget(id);
  return *v;
}

Status Clients::remove(const std::string& id) {
  bool removed = db_.transaction([&](store::Conn& conn) { return ClientStore(conn).remove(id, now_seconds()); });
  if (!removed) return Error::not_found("Client");
  forget(id);
  return ok();
}

Result<std::pair<Client, std::string>> Clients::rotate_secret(const std::string& id) {
  auto cur = find(id);
  if (!cur) return Error::make(Errc::not_found, "Client not found");
  if (cur->is_public) return Error::field("client_id", "Public clients have no secret");
  std::string secret = crypto::new_secret_token();
  Client c = *cur;
  c.secret_hash = hash_secret(secret);
  c.updated_at = now_seconds();
  db_.with([&](store::Conn& conn) { ClientStore(conn).set_secret_hash(id, c.secret_hash, c.updated_at); });
  forget(id);
  return std::make_pair(c, secret);
}

std::vector<Client> Clients::list() {
  return db_.with([](store::Conn& conn) { return ClientStore(conn).all(); });
}

std::shared_ptr<const Client> Clients::find_cached(const std::string& id) {
  return cache_.get(id, now_seconds()).value_or(nullptr);
}

std::shared_ptr<const Client> Clients::find(const std::string& id) {
  if (auto c = find_cached(id)) return c;
  if (id.empty() || id.size() > 128) return nullptr;
  auto row = db_.with([&](store::Conn& conn) { return ClientStore(conn).by_id(id); });
  if (!row) return nullptr;
  auto c = std::make_shared<const Client>(std::move(*row));
  cache_.put(id, c, now_seconds());  // only clients that exist: unknown ids are not cached
  return c;
}

void Clients::forget(const std::string& id) { cache_.erase(id); }

std::shared_ptr<const Client> Clients::reload(const std::string& id) {
  forget(id);
  return find(id);
}

Credentials credentials_of(std::string_view auth, const std::map<std::string, std::string>& form) {
  Credentials c;
  int methods = 0;
  if (auth.size() > 6 && (auth.substr(0, 6) == "Basic " || auth.substr(0, 6) == "basic ")) {
    ++methods;
    auto decoded = crypto::base64_decode(auth.substr(6));
    if (decoded) {
      auto colon = decoded->find(':');
      if (colon != std::string::npos) {
        // RFC 6749 §2.3.1: both parts are form-urlencoded before base64. A part that does not
        // decode leaves the id empty, so authentication fails (invalid_client).
        auto id = http::form_decode(std::string_view(*decoded).substr(0, colon));
        auto secret = http::form_decode(std::string_view(*decoded).substr(colon + 1));
        if (id && secret) {
          c.client_id = std::move(*id);
          c.secret = std::move(*secret);
        }
        c.method = "client_secret_basic";
      }
    }
  }
  auto get = [&](const char* k) -> std::optional<std::string> {
    auto it = form.find(k);
    return it == form.end() ? std::nullopt : std::optional(it->second);
  };
  if (auto s = get("client_secret")) {
    ++methods;
    c.secret = *s;
    c.method = "client_secret_post";
  }
  if (auto a = get("client_assertion")) {
    ++methods;
    c.assertion = *a;
    c.method = get("client_assertion_type").value_or("") == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
                   ? "private_key_jwt" : "invalid";
  }
  if (auto id = get("client_id")) {
    if (!c.client_id.empty() && c.client_id != *id) c.conflicting = true;
    if (c.client_id.empty()) c.client_id = *id;
  }
  if (methods == 0) c.method = "none";
  c.conflicting |= methods > 1;
  return c;
}

}  // namespace gatehouse::oidc
