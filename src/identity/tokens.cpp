#include "identity/tokens.hpp"

#include <boost/json.hpp>

#include "core/clock.hpp"
#include "crypto/random.hpp"
#include "crypto/hash.hpp"
#include "identity/store.hpp"

namespace gatehouse::identity {
namespace json = boost::json;

TokenService::TokenService(const Config& cfg, KeyRing& keys, store::Database& db)
    : cfg_(cfg), keys_(keys), db_(db) {
  std::size_t per_shard = cfg.token_cache_entries == 0 ? 0 : std::max<std::size_t>(1, cfg.token_cache_entries / kShards);
  for (std::size_t i = 0; i < kShards; ++i)
    shards_.push_back(std::make_unique<BoundedCache<std::string, Principal>>(per_shard, kRecheckSeconds));
}

std::string TokenService::issue(const User& u, const std::string& sid, int64_t now, store::Conn& conn) const {
  json::object c;
  c["iss"] = cfg_.issuer;
  c["sub"] = u.id;
  c["aud"] = cfg_.token_audience;
  c["iat"] = now;
  c["nbf"] = now;
  c["exp"] = now + cfg_.access_token_ttl;
  c["jti"] = crypto::new_token_id();
  c["sid"] = sid;
  c["email"] = u.email;
  c["email_verified"] = u.email_verified;
  if (claims_hook_) claims_hook_(conn, u.id, c);
  return crypto::jws_sign(*keys_.signer(), json::serialize(c), "at+jwt");
}

bool TokenService::is_revoked(const std::string& sid) const { return revoked_sessions_.contains(sid, now_seconds()); }

void TokenService::revoked(const std::vector<std::string>& ids, int64_t now) {
  // Remembered only while a cached verification could still answer without the database:
  // every cache miss reads the session row, and cache entries live kRecheckSeconds.
  int64_t forget = now + kRecheckSeconds + 1;
  for (auto& id : ids) revoked_sessions_.insert(id, forget, now);
}

std::vector<std::string> TokenService::end_user_sessions(store::Conn& c, const std::string& user_id, int64_t now,
                                                        const std::string& reason, const std::string& except) {
  auto ids = SessionStore(c).revoke_all_of(user_id, now, reason, except);
  if (sign_out_hook_) sign_out_hook_(c, user_id, now);
  return ids;
}

void TokenService::user_disabled(const std::string& user_id, bool disabled) {
  std::unique_lock g(disabled_mu_);
  if (disabled) disabled_users_.insert(user_id);
  else disabled_users_.erase(user_id);
}

bool TokenService::user_revoked(const std::string& user_id) const {
  std::shared_lock g(disabled_mu_);
  return disabled_users_.count(user_id) > 0;
}

void TokenService::load_revocations() {
  int64_t now = now_seconds();
  auto rows = db_.with([&](store::Conn& c) {
    return SessionStore(c).revoked_since(now - kRecheckSeconds - 1);
  });
  std::vector<std::string> ids;
  for (auto& [id, _] : rows) ids.push_back(id);
  revoked(ids, now);
}

namespace {
std::string cache_key(const std::string& token) { return crypto::sha256(token); }
}  // namespace

void TokenService::remember(const std::string& token, const Principal& p) {
  auto key = cache_key(token);
  shards_[std::hash<std::string>{}(key) % kShards]->put(key, p, now_seconds());
}

std::optional<Result<Principal>> TokenService::authenticate_cached(std::string_view token) {
  if (token.empty()) return Result<Principal>(Error::make(Errc::authentication, "Missing access token"));
  auto key = cache_key(std::string(token));
  int64_t now = now_seconds();
  auto hit = shards_[std::hash<std::string>{}(key) % kShards]->get(key, now);
  if (!hit) return std::nullopt;
  if (hit->expires_at + cfg_.token_leeway_seconds <= now) return std::nullopt;
  if (is_revoked(hit->session_id))
    return Result<Principal>(Error::make(Errc::authentication, "Session has been revoked"));
  return Result<Principal>(*hit);
}

Result<Principal> TokenService::authenticate(std::string_view token) {
  if (auto cached = authenticate_cached(token)) return std::move(*cached);
  return verify(std::string(token));
}

Result<Principal> TokenService::verify(const std::string& token) {
  auto deny = [](const char* why) { return Error::make(Errc::authentication, why); };
  if (token.size() > 8192) return deny("Invalid access token");
  auto lookup = [this](const json::object& h) -> std::shared_ptr<const crypto::Jwk> {
    auto* kid = h.if_contains("kid");
    if (!kid || !kid->is_string()) return nullptr;
    std::string k(kid->get_string());
    if (auto key = keys_.find(k)) return key;
    keys_.reload_if_older(5);  // a key rotated by another node or the CLI
    return keys_.find(k);
  };
  auto parts = crypto::jws_verify(token, lookup);
  if (!parts) return deny("Invalid access token");
  // Only an access token is an access token: not an ID token, not a permission token.
  auto* typ = parts->header.if_contains("typ");
  if (!typ || !typ->is_string() || typ->get_string() != "at+jwt") return deny("Not an access token");
  boost::system::error_code ec;
  auto v = json::parse(parts->payload, ec);
  if (ec || !v.is_object()) return deny("Invalid access token");
  auto& c = v.as_object();
  auto str = [&](const char* n) -> std::string {
    auto* x = c.if_contains(n);
    return x && x->is_string() ? std::string(x->get_string()) : std::string{};
  };
  auto num = [&](const char* n) -> std::optional<int64_t> {
    auto* x = c.if_contains(n);
    if (x && x->is_int64()) return x->get_int64();
    if (x && x->is_uint64()) return static_cast<int64_t>(x->get_uint64());
    return std::nullopt;
  };
  int64_t now = now_seconds();
  int leeway = cfg_.token_leeway_seconds;
  if (str("iss") != cfg_.issuer) return deny("Invalid token issuer");
  bool aud_ok = str("aud") == cfg_.token_audience;
  if (auto* a = c.if_contains("aud"); a && a->is_array())
    for (auto& x : a->as_array()) aud_ok |= x.is_string() && x.get_string() == cfg_.token_audience;
  if (!aud_ok) return deny("Invalid token audience");
  auto exp = num("exp");
  if (!exp || *exp + leeway <= now) return deny("Access token expired");
  if (auto nbf = num("nbf"); nbf && *nbf - leeway > now) return deny("Access token not yet valid");
  Principal p{str("sub"), str("sid"), *exp};
  if (p.user_id.empty() || p.session_id.empty() || c.contains("client_id")) return deny("Invalid access token");
  if (is_revoked(p.session_id)) return deny("Session has been revoked");
  auto session = db_.with([&](store::Conn& conn) { return SessionStore(conn).by_id(p.session_id); });
  if (!session || session->revoked_at || session->expires_at <= now || session->user_id != p.user_id)
    return deny("Session has been revoked");
  remember(token, p);
  return p;
}

}  // namespace gatehouse::identity
