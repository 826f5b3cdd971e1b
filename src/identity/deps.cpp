#include "identity/deps.hpp"

#include <algorithm>

#include "core/clock.hpp"
#include "identity/store.hpp"

namespace gatehouse::identity {

std::string normalize_login(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool valid_email(const std::string& e) {
  if (e.size() > 254) return false;
  auto at = e.find('@');
  if (at == std::string::npos || at == 0 || at > 64 || e.find('@', at + 1) != std::string::npos)
    return false;
  for (unsigned char c : e.substr(0, at))
    if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == ',' || c == ';' || c == '"') return false;
  std::string domain = e.substr(at + 1);
  if (domain.empty() || domain.front() == '.' || domain.back() == '.' || domain.front() == '-' ||
      domain.find("..") != std::string::npos)
    return false;
  return std::all_of(domain.begin(), domain.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c >= 0x80;
  });
}

bool valid_username(const std::string& u) {
  return u.size() >= 3 && u.size() <= 32 && std::all_of(u.begin(), u.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '_' || c == '.' || c == '-';
         });
}

Status rate_limit(RateLimiter& limiter, const std::string& key, const RateRule& rule) {
  if (int wait = limiter.take(key, rule); wait > 0) {
    Error e = Error::make(Errc::rate_limited, "Too many requests, retry later");
    e.retry_after = wait;
    e.details["retry_after"] = wait;
    return e;
  }
  return ok();
}

Status delete_user(Deps& d, const std::string& user_id, const std::string& actor, const Origin& o) {
  int64_t now = now_seconds();
  return d.db.transaction([&](store::Conn& c, store::Tx& tx) -> Status {
    auto u = UserStore(c).by_id(user_id);
    if (!u || u->deleted) return Error::not_found("User");
    UserStore(c).soft_delete(user_id, now);
    auto ended = d.tokens.end_user_sessions(c, user_id, now, "account_deleted");
    events::record(c, events::audit_event(o, "user.delete", actor, user_id), now);
    tx.on_commit([&d, ended, user_id, now] {
      d.tokens.revoked(ended, now);
      d.tokens.user_disabled(user_id);
      d.users.invalidate(user_id);
      if (d.authz_changed) d.authz_changed();
    });
    return ok();
  });
}

}  // namespace gatehouse::identity
