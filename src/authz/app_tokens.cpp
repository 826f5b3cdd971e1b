#include "authz/app_tokens.hpp"

#include <zlib.h>

#include "authz/store.hpp"
#include "identity/users.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "crypto/random.hpp"
#include "crypto/encoding.hpp"
#include "crypto/hash.hpp"
#include "events/audit.hpp"

namespace gatehouse::authz {
using events::audit_event;

namespace {
constexpr const char* kPrefix = "gha_";
constexpr std::size_t kRandomChars = 40, kChecksumChars = 6;
constexpr const char* kBase62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

std::string base62_checksum(const std::string& body) {
  uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
  std::string out(kChecksumChars, '0');
  for (std::size_t i = kChecksumChars; i-- > 0;) {
    out[i] = kBase62[crc % 62];
    crc /= 62;
  }
  return out;
}

std::string random_base62(std::size_t n) {
  std::string out;
  while (out.size() < n) {
    for (unsigned char b : crypto::random_bytes(64)) {
      if (b >= 248) continue;  // 248 = 4 * 62: reject to keep the distribution uniform
      out += kBase62[b % 62];
      if (out.size() == n) break;
    }
  }
  return out;
}

std::string today(int64_t now) { return iso8601(now).substr(0, 10); }
}  // namespace

AppTokens::AppTokens(AuthzDeps d, std::string hmac_key) : d_(d), hmac_(hmac_key) {}

AppTokens::~AppTokens() { stop(); }

bool AppTokens::well_formed(const std::string& t) {
  std::size_t p = std::char_traits<char>::length(kPrefix);
  if (t.size() != p + kRandomChars + kChecksumChars || t.compare(0, p, kPrefix) != 0) return false;
  std::string body = t.substr(p, kRandomChars);
  for (char c : t.substr(p))
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  return base62_checksum(body) == t.substr(p + kRandomChars);
}

std::string AppTokens::hash(const std::string& token) const {
  return crypto::hex_encode(hmac_(token));
}

Result<AppToken> AppTokens::owned(store::Conn& c, const std::string& id, const Principal& p) {
  auto t = AppTokenStore(c).by_id(id);
  if (!t) return Error::not_found("Token");
  auto s = ServiceStore(c).by_id(t->service_id);
  if ((!s || s->owner_id != p.user_id) && !identity::Users(c).is_admin(p.user_id))
    return Error::forbidden("Only the service's owner or an administrator may manage its tokens");
  return *t;
}

Result<NewAppToken> AppTokens::create(const std::string& service_id, const std::string& name,
                                      const std::vector<std::string>& scopes, std::optional<int64_t> expires_at,
                                      const Principal& p, const Origin& o) {
  int64_t now = now_seconds();
  if (expires_at && *expires_at <= now) return Error::field("expires_at", "Must be in the future");
  std::string body = random_base62(kRandomChars);
  std::string secret = kPrefix + body + base62_checksum(body);
  AppToken t{crypto::new_uuid(), service_id, name, secret.substr(0, 8), scopes, p.user_id, now, expires_at,
             std::nullopt, std::nullopt, 0};
  return d_.db.transaction([&](store::Conn& c) -> Result<NewAppToken> {
    auto s = ServiceStore(c).by_id(service_id);
    if (!s) return Error::not_found("Service");
    if (s->owner_id != p.user_id && !identity::Users(c).is_admin(p.user_id))
      return Error::forbidden("Only the service's owner or an administrator may create its tokens");
    AppTokenStore(c).insert(t, hash(secret));
    auto e = audit_event(o, "token.created", p.user_id, t.id);
    e.details["service_id"] = service_id;
    e.details["name"] = name;
    events::record(c, e, now);
    return NewAppToken{t, secret};
  });
}

Result<std::vector<AppToken>> AppTokens::of_service(const std::string& service_id, const Principal& p) {
  return d_.db.with([&](store::Conn& c) -> Result<std::vector<AppToken>> {
    auto s = ServiceStore(c).by_id(service_id);
    if (!s) return Error::not_found("Service");
    if (s->owner_id != p.user_id && !identity::Users(c).is_admin(p.user_id))
      return Error::forbidden("Only the service's owner or an administrator may list its tokens");
    return AppTokenStore(c).of_service(service_id);
  });
}

Result<AppToken> AppTokens::get(const std::string& id, const Principal& p) {
  flush_usage();
  return d_.db.with([&](store::Conn& c) { return owned(c, id, p); });
}

void AppTokens::forget(const std::string& id) {
  cache_.erase_if([&](const Cached& c) { return c.token.id == id; });
}

Status AppTokens::revoke(const std::string& id, const Principal& p, const Origin& o) {
  int64_t now = now_seconds();
  auto r = d_.db.transaction([&](store::Conn& c) -> Status {
    auto t = owned(c, id, p);
    if (!t) return t.error();
    if (!AppTokenStore(c).revoke(id, now)) return Error::make(Errc::conflict, "Token is already revoked");
    events::record(c, audit_event(o, "token.revoked", p.user_id, id), now);
    return ok();
  });
  if (r) forget(id);
  return r;
}

Status AppTokens::remove(const std::string& id, const Principal& p, const Origin& o) {
  int64_t now = now_seconds();
  flush_usage();
  auto r = d_.db.transaction([&](store::Conn& c) -> Status {
    auto t = owned(c, id, p);
    if (!t) return t.error();
    AppTokenStore(c).remove(id);
    events::record(c, audit_event(o, "token.deleted", p.user_id, id), now);
    return ok();
  });
  if (r) forget(id);
  return r;
}

Result<std::vector<std::pair<std::string, int64_t>>> AppTokens::usage(const std::string& id, const Principal& p,
                                                                      int days) {
  flush_usage();
  return d_.db.with([&](store::Conn& c) -> Result<std::vector<std::pair<std::string, int64_t>>> {
    if (auto t = owned(c, id, p); !t) return t.error();
    return AppTokenStore(c).usage(id, days);
  });
}

std::optional<Result<AppToken>> AppTokens::validate_cached(const std::string& token) {
  if (!well_formed(token)) return Result<AppToken>(Error::make(Errc::authentication, "Invalid application token"));
  std::string h = hash(token);
  int64_t now = now_seconds();
  auto cached = cache_.get(h, now);
  if (!cached || cached->generation != d_.generation.current()) return std::nullopt;
  std::optional<AppToken> hit = cached->token;
  if (hit->expires_at && *hit->expires_at <= now)
    return Result<AppToken>(Error::make(Errc::authentication, "Application token expired"));
  record_use(hit->id);
  return Result<AppToken>(*hit);
}

Result<AppToken> AppTokens::validate(const std::string& token) {
  if (auto hit = validate_cached(token)) return std::move(*hit);
  std::string h = hash(token);
  int64_t now = now_seconds();
  uint64_t gen = d_.generation.current();
  auto t = d_.db.with([&](store::Conn& c) -> std::optional<AppToken> {
    auto t = AppTokenStore(c).by_hash(h);
    if (!t || t->revoked_at || !ServiceStore(c).by_id(t->service_id)) return std::nullopt;
    return t;
  });
  if (!t) return Error::make(Errc::authentication, "Invalid or revoked application token");
  if (t->expires_at && *t->expires_at <= now) return Error::make(Errc::authentication, "Application token expired");
  cache_.put(h, Cached{*t, now, gen}, now);
  record_use(t->id);
  return *t;
}

void AppTokens::record_use(const std::string& id) {
  std::lock_guard g(mu_);
  auto& u = usage_[id];
  ++u.first;
  u.second = now_seconds();
}

void AppTokens::flush_usage() {
  std::unordered_map<std::string, std::pair<int64_t, int64_t>> batch;
  {
    std::lock_guard g(mu_);
    batch.swap(usage_);
  }
  if (batch.empty()) return;
  try {
    d_.db.transaction([&](store::Conn& c) {
      for (auto& [id, u] : batch)
        if (AppTokenStore(c).by_id(id)) AppTokenStore(c).add_usage(id, today(u.second), u.first, u.second);
    });
  } catch (const std::exception& ex) {
    log::warn("app token usage flush failed", {{"error", ex.what()}});
  }
}

void AppTokens::start() { flusher_.start(); }

void AppTokens::stop() {
  if (flusher_.stop()) flush_usage();  // counts gathered since the last pass
}

}  // namespace gatehouse::authz
