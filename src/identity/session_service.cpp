#include "identity/session_service.hpp"

#include "core/clock.hpp"
#include "crypto/random.hpp"
#include "crypto/hash.hpp"
#include "core/metrics.hpp"
#include "identity/store.hpp"

namespace gatehouse::identity {

namespace {
Error invalid_credentials() { return Error::make(Errc::authentication, "Invalid credentials"); }
Error invalid_refresh() { return Error::make(Errc::authentication, "Invalid refresh token"); }
}  // namespace

TokenPair SessionService::start_session(store::Conn& c, const User& u, const Origin& o, int64_t now,
                                        std::vector<std::string>& evicted) {
  Session s{crypto::new_uuid_v7(), u.id, now, now, now + d_.cfg.refresh_token_ttl, o.ip,
            o.user_agent.substr(0, 512), std::nullopt};
  SessionStore(c).insert(s);
  std::string refresh = crypto::new_secret_token();
  RefreshStore(c).insert(crypto::token_hash(refresh), s.id, now, s.expires_at);
  if (int limit = d_.cfg.max_sessions_per_user; limit > 0) {
    auto active = SessionStore(c).active_of(u.id, now);  // oldest first
    for (std::size_t i = 0; i + limit < active.size(); ++i) {
      SessionStore(c).revoke(active[i].id, now, "session_limit");
      evicted.push_back(active[i].id);
      auto e = events::audit_event(o, "session.revoke", u.id, active[i].id);
      e.details["reason"] = "session_limit";
      events::record(c, e, now);
    }
  }
  return TokenPair{d_.tokens.issue(u, s.id, now, c), refresh, d_.cfg.access_token_ttl, s.id, u};
}

Result<TokenPair> SessionService::login(const std::string& login, const std::string& password,
                                        const Origin& o) {
  auto attempt = begin_login(login, o);
  if (!attempt) return attempt.error();
  return finish_login(*attempt, check_password(*attempt, password), o);
}

Result<LoginAttempt> SessionService::begin_login(const std::string& login, const Origin& o) {
  LoginAttempt a;
  a.login = normalize_login(login);
  if (auto s = rate_limit(d_.limiter, RateLimiter::address_key("login-ip", o.ip), d_.cfg.rl_login_ip); !s) return s.error();
  a.started_at = now_seconds();
  a.user = d_.db.with([&](store::Conn& c) { return UserStore(c).by_login(a.login); });
  // Per-account bucket, keyed by the account the login resolved to (any spelling of it
  // shares one bucket), charged on failures only but checked before any hashing.
  a.account_key = a.user ? "login-account:" + a.user->id : "login-unknown:" + a.login;
  if (int wait = d_.limiter.peek(a.account_key, d_.cfg.rl_login_account); wait > 0) {
    Error e = Error::make(Errc::rate_limited, "Too many failed attempts for this account, retry later");
    e.retry_after = wait;
    e.details["retry_after"] = wait;
    return e;
  }
  return a;
}

PasswordVerdict SessionService::check_password(const LoginAttempt& a, const std::string& password) const {
  PasswordVerdict v;
  if (a.user && !a.user->password_hash.empty()) {
    v.check = d_.hasher.verify(password, a.user->password_hash);
    if (v.check.ok && v.check.needs_rehash) v.new_hash = d_.hasher.hash(password);
  } else {
    d_.hasher.verify_dummy(password);  // same cost as a real check: no timing oracle
  }
  return v;
}

Result<TokenPair> SessionService::finish_login(const LoginAttempt& a, const PasswordVerdict& v, const Origin& o) {
  int64_t now = a.started_at;
  std::optional<User> user = a.user;  // a copy: its last login is set below
  bool ok = user && v.check.ok && !user->deleted;
  if (!ok) {
    d_.limiter.take(a.account_key, d_.cfg.rl_login_account);
    metrics().count("gatehouse_logins_total", "result=\"failure\"");
    d_.db.with([&](store::Conn& c) {
      auto e = events::audit_event(o, "auth.login", user ? std::optional(user->id) : std::nullopt);
      e.outcome = "failure";
      e.details["reason"] = !user ? "unknown_account" : user->deleted ? "deleted_account" : "bad_password";
      if (!user) e.details["login"] = a.login.substr(0, 254);
      events::record(c, e, now);
    });
    return invalid_credentials();
  }
  if (user->locked) {
    // Only after a correct password: a locked account is not revealed to guessers.
    metrics().count("gatehouse_logins_total", "result=\"locked\"");
    d_.db.with([&](store::Conn& c) {
      auto ev = events::audit_event(o, "auth.login", user->id);
      ev.outcome = "failure";
      ev.details["reason"] = "account_locked";
      events::record(c, ev, now);
    });
    Error e = Error::make(Errc::authorization, "This account is locked; contact an administrator");
    e.details["reason"] = "account_locked";
    return e;
  }
  if (d_.cfg.require_verified_email && !user->email_verified) {
    metrics().count("gatehouse_logins_total", "result=\"unverified\"");
    Error e = Error::make(Errc::authorization,
                          "Email address not verified: follow the link in the verification mail "
                          "or request a new one");
    e.details["reason"] = "email_not_verified";
    d_.db.with([&](store::Conn& c) {
      auto ev = events::audit_event(o, "auth.login", user->id);
      ev.outcome = "failure";
      ev.details["reason"] = "email_not_verified";
      events::record(c, ev, now);
    });
    return e;
  }
  boost::json::object hook{{"user_id", user->id}, {"email", user->email}, {"ip", o.ip}, {"user_agent", o.user_agent}};
  if (auto veto = d_.prehooks.check("pre_login", hook); !veto) {
    d_.db.with([&](store::Conn& c) {
      auto ev = events::audit_event(o, "auth.login", user->id);
      ev.outcome = "failure";
      ev.details["reason"] = veto.error().code == Errc::authorization ? "vetoed_by_hook" : "hook_unavailable";
      events::record(c, ev, now);
    });
    return veto.error();
  }
  std::vector<std::string> evicted;
  TokenPair pair = d_.db.transaction([&](store::Conn& c) {
    if (!v.new_hash.empty()) UserStore(c).set_password_hash(user->id, v.new_hash, now);
    UserStore(c).set_last_login(user->id, now);
    user->last_login_at = now;
    TokenPair p = start_session(c, *user, o, now, evicted);
    auto e = events::audit_event(o, "auth.login", user->id, p.session_id);
    if (!v.new_hash.empty()) e.details["rehashed"] = true;
    events::record(c, e, now);
    return p;
  });
  d_.tokens.revoked(evicted, now);
  d_.users.invalidate(user->id);
  metrics().count("gatehouse_logins_total", "result=\"success\"");
  return pair;
}

Result<TokenPair> SessionService::refresh(const std::string& token, const Origin& o) {
  if (auto s = rate_limit(d_.limiter, RateLimiter::address_key("refresh-ip", o.ip), d_.cfg.rl_refresh_ip); !s) return s.error();
  if (token.size() > 256) return invalid_refresh();
  int64_t now = now_seconds();
  std::string hash = crypto::token_hash(token);
  return d_.db.transaction([&](store::Conn& c, store::Tx& tx) -> Result<TokenPair> {
    auto row = RefreshStore(c).by_hash(hash);
    if (!row) return invalid_refresh();
    auto session = SessionStore(c).by_id(row->session_id);
    if (!session || session->revoked_at || session->expires_at <= now || row->expires_at <= now)
      return invalid_refresh();
    auto user = UserStore(c).by_id(session->user_id);
    if (!user || user->deleted || user->locked) return invalid_refresh();

    std::string next = crypto::new_secret_token();
    std::string next_hash = crypto::token_hash(next);
    if (!RefreshStore(c).mark_rotated(hash, next_hash, now)) {
      // Already rotated. A second use right after rotation, while its successor is still
      // unused, is two tabs racing; anything else is a replay: end the whole family.
      auto again = RefreshStore(c).by_hash(hash);
      auto successor = again && again->successor_hash ? RefreshStore(c).by_hash(*again->successor_hash)
                                                      : std::nullopt;
      int grace = d_.cfg.refresh_reuse_grace_seconds;
      bool race = grace > 0 && again && again->rotated_at && now - *again->rotated_at <= grace &&
                  successor && !successor->rotated_at;
      if (!race) {  // the revocation and its audit row must outlive the error returned
        SessionStore(c).revoke(session->id, now, "refresh_token_reused");
        auto e = events::audit_event(o, "auth.refresh_reuse", user->id, session->id);
        e.outcome = "failure";
        events::record(c, e, now);
        tx.keep_on_failure();
        tx.on_commit([this, id = session->id, now] {
          d_.tokens.revoked({id}, now);
          metrics().count("gatehouse_refresh_reuse_total");
        });
        Error err = Error::make(Errc::authentication,
                                "Refresh token reuse detected: the session has been revoked");
        err.details["reason"] = "refresh_token_reused";
        return err;
      }
    }
    RefreshStore(c).insert(next_hash, session->id, now, session->expires_at);
    SessionStore(c).touch(session->id, now);
    auto e = events::audit_event(o, "auth.refresh", user->id, session->id);
    events::record(c, e, now);
    return TokenPair{d_.tokens.issue(*user, session->id, now, c), next, d_.cfg.access_token_ttl,
                     session->id, *user};
  });
}

Status SessionService::logout(const Principal& p, const Origin& o) {
  int64_t now = now_seconds();
  d_.db.transaction([&](store::Conn& c) {
    SessionStore(c).revoke(p.session_id, now, "logout");
    events::record(c, events::audit_event(o, "auth.logout", p.user_id, p.session_id), now);
  });
  d_.tokens.revoked({p.session_id}, now);
  return ok();
}

Result<std::string> SessionService::reissue(const Principal& p) {
  int64_t now = now_seconds();
  return d_.db.with([&](store::Conn& c) -> Result<std::string> {
    auto s = SessionStore(c).by_id(p.session_id);
    auto u = UserStore(c).by_id(p.user_id);
    if (!s || s->revoked_at || !u || u->deleted) return Error::make(Errc::authentication, "Session has been revoked");
    return d_.tokens.issue(*u, s->id, now, c);
  });
}

Result<std::vector<Session>> SessionService::list(const Principal& p) {
  return d_.db.with([&](store::Conn& c) { return SessionStore(c).active_of(p.user_id, now_seconds()); });
}

Status SessionService::revoke(const Principal& p, const std::string& id, const Origin& o) {
  int64_t now = now_seconds();
  bool done = d_.db.transaction([&](store::Conn& c) {
    auto s = SessionStore(c).by_id(id);
    // Another user's session is reported exactly like a missing one.
    if (!s || s->user_id != p.user_id || s->revoked_at) return false;
    SessionStore(c).revoke(id, now, "user_revoked");
    events::record(c, events::audit_event(o, "session.revoke", p.user_id, id), now);
    return true;
  });
  if (!done) return Error::make(Errc::not_found, "Session not found");
  d_.tokens.revoked({id}, now);
  return ok();
}

Result<int> SessionService::revoke_others(const Principal& p, const Origin& o) {
  int64_t now = now_seconds();
  auto ids = d_.db.transaction([&](store::Conn& c) {
    auto ids = d_.tokens.end_user_sessions(c, p.user_id, now, "user_revoked_all", p.session_id);
    auto e = events::audit_event(o, "session.revoke", p.user_id);
    e.details["scope"] = "all_but_current";
    e.details["count"] = static_cast<int64_t>(ids.size());
    events::record(c, e, now);
    return ids;
  });
  d_.tokens.revoked(ids, now);
  return static_cast<int>(ids.size());
}

Result<boost::json::object> SessionService::stats(const Principal& p) {
  int64_t now = now_seconds();
  auto n = d_.db.with([&](store::Conn& c) { return SessionStore(c).counts(p.user_id, now); });
  auto t = [](const std::optional<int64_t>& x) {
    return x ? boost::json::value(iso8601(*x)) : boost::json::value(nullptr);
  };
  return boost::json::object{{"active", n.active},
                             {"total", n.total},
                             {"revoked", n.revoked},
                             {"expired", n.total - n.active - n.revoked},
                             {"limit", d_.cfg.max_sessions_per_user},
                             {"current_session_id", p.session_id},
                             {"oldest_active_at", t(n.oldest_active)},
                             {"newest_active_at", t(n.newest_active)}};
}

}  // namespace gatehouse::identity
