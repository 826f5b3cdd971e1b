// The device authorization grant's endpoint and verification (RFC 8628 §3.1-3.3); the
// polling half is grant_device in provider_token.cpp.
#include <boost/json.hpp>

#include "core/clock.hpp"
#include "crypto/hash.hpp"
#include "crypto/random.hpp"
#include "oidc/provider.hpp"

namespace gatehouse::oidc {
namespace json = boost::json;

namespace {
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

Result<json::object> Provider::device_authorization(const Credentials& creds, const Form& form) {
  auto client = authenticate_client(creds);
  if (!client) return client.error();
  const Client& c = **client;
  if (!c.allows_grant("urn:ietf:params:oauth:grant-type:device_code"))
    return (Error::oauth_error(OAuthErrc::unauthorized_client, "Client may not use the device flow"));
  auto scopes = split_scope(param(form, "scope"));
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

}  // namespace gatehouse::oidc
