#include "identity/account_service.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "crypto/random.hpp"
#include "crypto/hash.hpp"
#include "core/json_util.hpp"
#include "identity/password_policy.hpp"
#include "identity/store.hpp"

namespace gatehouse::identity {

namespace {
constexpr const char* kVerify = "verify_email";
constexpr const char* kReset = "reset_password";

// Passwords longer than the policy allows are refused before any hashing work.
bool too_long(const std::string& password, const Config& cfg) {
  return utf8_length(password) > static_cast<std::size_t>(cfg.password_max_length);
}

Error conflict(const char* field, const char* msg) {
  Error e = Error::make(Errc::conflict, msg);
  e.details[field] = msg;
  return e;
}
}  // namespace

Status AccountService::rate_limit_password_check(const std::string& user_id) {
  // Re-entering a password on an authenticated endpoint is guessable too: failures share
  // the per-account login budget.
  if (int wait = d_.limiter.peek("password-check:" + user_id, d_.cfg.rl_login_account); wait > 0) {
    Error e = Error::make(Errc::rate_limited, "Too many wrong passwords, retry later");
    e.retry_after = wait;
    e.details["retry_after"] = wait;
    return e;
  }
  return ok();
}

void AccountService::send_verification(store::Conn& c, const User& u, int64_t now) {
  std::string token = crypto::new_secret_token();
  EmailTokenStore(c).invalidate(u.id, kVerify, now);
  EmailTokenStore(c).insert(crypto::token_hash(token), u.id, kVerify, now, now + d_.cfg.verify_token_ttl);
  std::string link = d_.cfg.issuer + "/api/v1/auth/verify-email/" + token;
  d_.mailer.enqueue(c, {u.email, "Verify your email address",
                        "Hello,\r\n\r\nConfirm your email address for Gatehouse by opening this link:\r\n\r\n" +
                            link + "\r\n\r\nToken: " + token + "\r\n\r\nThe link expires in " +
                            std::to_string(d_.cfg.verify_token_ttl / 3600) +
                            " hours. If you did not create an account, ignore this mail.\r\n"});
}

// An unverified account does not own its address. Once its verification window has
// passed without a verification, a new registration of the address takes it: the old
// account keeps its data under a placeholder address and loses its sessions and grants, so
// a squatter who registered someone else's address cannot keep it from its owner.
Status AccountService::evict_unverified_holder(store::Conn& c, const std::string& email_norm, const Origin& o,
                                               int64_t now) {
  auto holder = UserStore(c).by_email(email_norm);
  if (!holder || holder->deleted || holder->email_verified || holder->created_at > now - d_.cfg.verify_token_ttl)
    return ok();
  std::string placeholder = "unclaimed-" + holder->id + "@unclaimed.invalid";  // RFC 2606 .invalid
  if (auto moved = UserStore(c).set_email(holder->id, placeholder, placeholder, now); !moved) return moved;
  EmailTokenStore(c).invalidate(holder->id, kVerify, now);
  d_.tokens.revoked(d_.tokens.end_user_sessions(c, holder->id, now, "email_claimed_by_owner"), now);
  auto e = events::audit_event(o, "user.email_evicted", std::nullopt, holder->id);
  e.details["reason"] = "unverified_address_registered_again";
  events::record(c, e, now);
  return ok();
}

Result<User> AccountService::add_user(User u, bool send_mail, const Origin& o, const char* action) {
  std::string email_norm = normalize_login(u.email);
  std::optional<std::string> uname_norm;
  if (u.username) uname_norm = normalize_login(*u.username);
  int64_t now = now_seconds();
  u.id = crypto::new_uuid();
  u.created_at = u.updated_at = now;
  return d_.db.transaction([&](store::Conn& c) -> Result<User> {
    UserStore users(c);
    if (send_mail)
      if (auto evicted = evict_unverified_holder(c, email_norm, o, now); !evicted) return evicted.error();
    if (users.email_taken(email_norm)) return conflict("email", "Email address is already registered");
    if (uname_norm && users.username_taken(*uname_norm, "")) return conflict("username", "Username is already taken");
    if (!users.insert(u, email_norm, uname_norm))  // lost a race to a concurrent sign-up
      return conflict("email", "Email address or username is already registered");
    if (send_mail) send_verification(c, u, now);
    auto e = events::audit_event(o, action, u.id, u.id);
    if (u.is_admin) e.details["admin"] = true;
    events::record(c, e, now);
    return u;
  });
}

Result<User> AccountService::create_user(const Registration& r, bool verified, bool admin,
                                         const Origin& o) {
  User u;
  u.email = r.email;
  u.username = r.username;
  u.name = r.name;
  u.password_hash = d_.hasher.hash(r.password);
  u.email_verified = verified;
  u.is_admin = admin;
  return add_user(std::move(u), !verified, o, "user.register");
}

Result<User> AccountService::import_user(const std::string& email, const std::optional<std::string>& username,
                                         const std::string& hash, bool verified, const Origin& o) {
  if (!valid_email(email)) return Error::field("email", "Must be a valid email address");
  if (username && !valid_username(*username)) return Error::field("username", "Invalid username");
  if (!crypto::PasswordHasher::is_bcrypt(hash) && hash.rfind("$argon2id$", 0) != 0)
    return Error::field("password_hash", "Must be a bcrypt ($2a$/$2b$/$2y$) or Argon2id hash");
  User u;
  u.email = email;
  u.username = username;
  u.password_hash = hash;
  u.email_verified = verified;
  return add_user(std::move(u), false, o, "user.import");
}

Status AccountService::admit_registration(const Origin& o) {
  return rate_limit(d_.limiter, RateLimiter::address_key("register-ip", o.ip), d_.cfg.rl_register_ip);
}

Result<User> AccountService::register_user(const Registration& r, const Origin& o) {
  boost::json::object hook{{"email", r.email}, {"ip", o.ip}, {"user_agent", o.user_agent}};
  hook["username"] = r.username ? boost::json::value(*r.username) : boost::json::value(nullptr);
  if (auto veto = d_.prehooks.check("pre_register", hook); !veto) return veto.error();
  auto u = create_user(r, false, false, o);
  if (u) d_.mailer.kick();
  return u;
}

Result<User> AccountService::verify_email(const std::string& token, const Origin& o) {
  if (auto s = rate_limit(d_.limiter, RateLimiter::address_key("verify-ip", o.ip), d_.cfg.rl_verify_ip); !s) return s.error();
  int64_t now = now_seconds();
  auto r = d_.db.transaction([&](store::Conn& c) -> Result<User> {
    auto uid = token.size() <= 256 ? EmailTokenStore(c).consume(crypto::token_hash(token), kVerify, now)
                                   : std::nullopt;
    auto u = uid ? UserStore(c).by_id(*uid) : std::nullopt;
    if (!u || u->deleted) return Error::field("token", "Verification link is invalid, expired or already used");
    UserStore(c).set_email_verified(u->id, now);
    events::record(c, events::audit_event(o, "user.verify_email", u->id, u->id), now);
    u->email_verified = true;
    return *u;
  });
  if (r) d_.users.invalidate(r->id);
  return r;
}

Status AccountService::resend_verification(const std::string& email, const Origin& o) {
  if (auto s = rate_limit(d_.limiter, RateLimiter::address_key("verify-ip", o.ip), d_.cfg.rl_verify_ip); !s) return s.error();
  std::string norm = normalize_login(email);
  if (d_.limiter.take("resend-account:" + norm, d_.cfg.rl_forgot_account) > 0) return ok();  // silently
  int64_t now = now_seconds();
  bool sent = d_.db.transaction([&](store::Conn& c) {
    auto u = UserStore(c).by_email(norm);
    if (!u || u->deleted || u->email_verified) return false;
    send_verification(c, *u, now);
    return true;
  });
  if (sent) d_.mailer.kick();
  return ok();
}

Result<User> AccountService::get(const std::string& user_id) {
  if (auto cached = d_.users.get(user_id)) return *cached;
  auto u = d_.db.with([&](store::Conn& c) { return UserStore(c).by_id(user_id); });
  if (!u || u->deleted) return Error::make(Errc::authentication, "Account no longer exists");
  d_.users.put(*u);
  return *u;
}

Result<User> AccountService::update_profile(const Principal& p, const ProfileChange& ch, const Origin& o) {
  int64_t now = now_seconds();
  std::optional<std::string> uname, uname_norm;
  if (ch.username && *ch.username) {
    uname = **ch.username;
    uname_norm = normalize_login(*uname);
  }
  auto r = d_.db.transaction([&](store::Conn& c) -> Result<User> {
    UserStore users(c);
    if (uname_norm && users.username_taken(*uname_norm, p.user_id))
      return conflict("username", "Username is already taken");
    if (!users.update_profile(p.user_id, uname, uname_norm, ch.name ? *ch.name : std::nullopt,
                              ch.username.has_value(), ch.name.has_value(), now))
      return conflict("username", "Username is already taken");  // lost a race
    auto e = events::audit_event(o, "user.update", p.user_id, p.user_id);
    boost::json::array fields;
    if (ch.username) fields.push_back("username");
    if (ch.name) fields.push_back("name");
    e.details["fields"] = std::move(fields);
    events::record(c, e, now);
    auto u = users.by_id(p.user_id);
    if (!u || u->deleted) return Error::make(Errc::authentication, "Account no longer exists");
    return *u;
  });
  d_.users.invalidate(p.user_id);
  return r;
}

Status AccountService::change_password(const Principal& p, const std::string& current,
                                       const std::string& next, const Origin& o) {
  auto u = d_.db.with([&](store::Conn& c) { return UserStore(c).by_id(p.user_id); });
  if (!u || u->deleted) return Error::make(Errc::authentication, "Account no longer exists");
  int64_t now = now_seconds();
  if (auto s = rate_limit_password_check(u->id); !s) return s.error();
  if (too_long(current, d_.cfg) || !d_.hasher.verify(current, u->password_hash).ok) {
    d_.limiter.take("password-check:" + u->id, d_.cfg.rl_login_account);
    d_.db.with([&](store::Conn& c) {
      auto e = events::audit_event(o, "user.password_change", u->id, u->id);
      e.outcome = "failure";
      e.details["reason"] = "bad_current_password";
      events::record(c, e, now);
    });
    return Error::field("current_password", "Current password is incorrect");
  }
  if (auto why = check_password(d_.cfg, next, {u->email, u->username.value_or("")}))
    return Error::field("new_password", *why);
  std::string hash = d_.hasher.hash(next);
  auto ended = d_.db.transaction([&](store::Conn& c) {
    UserStore(c).set_password_hash(u->id, hash, now);
    auto ids = d_.tokens.end_user_sessions(c, u->id, now, "password_changed", p.session_id);
    auto e = events::audit_event(o, "user.password_change", u->id, u->id);
    e.details["sessions_ended"] = static_cast<int64_t>(ids.size());
    events::record(c, e, now);
    return ids;
  });
  d_.tokens.revoked(ended, now);
  return ok();
}

Status AccountService::delete_account(const Principal& p, const std::optional<std::string>& password,
                                      const Origin& o) {
  auto u = d_.db.with([&](store::Conn& c) { return UserStore(c).by_id(p.user_id); });
  if (!u || u->deleted) return Error::make(Errc::authentication, "Account no longer exists");
  if (password) {
    if (auto s = rate_limit_password_check(u->id); !s) return s.error();
    if (too_long(*password, d_.cfg) || !d_.hasher.verify(*password, u->password_hash).ok) {
      d_.limiter.take("password-check:" + u->id, d_.cfg.rl_login_account);
      return Error::field("password", "Password is incorrect");
    }
  }
  return delete_user(d_, u->id, u->id, o);
}

Status AccountService::forgot_password(const std::string& email, const Origin& o) {
  if (auto s = rate_limit(d_.limiter, RateLimiter::address_key("forgot-ip", o.ip), d_.cfg.rl_forgot_ip); !s) return s.error();
  std::string norm = normalize_login(email);
  // Per-account limit is silent: answering 429 only for real accounts would enumerate them.
  if (d_.limiter.take("forgot-account:" + norm, d_.cfg.rl_forgot_account) > 0) return ok();
  int64_t now = now_seconds();
  bool sent = d_.db.transaction([&](store::Conn& c) {
    auto u = UserStore(c).by_email(norm);
    if (!u || u->deleted) return false;
    std::string token = crypto::new_secret_token();
    EmailTokenStore(c).invalidate(u->id, kReset, now);
    EmailTokenStore(c).insert(crypto::token_hash(token), u->id, kReset, now, now + d_.cfg.reset_token_ttl);
    d_.mailer.enqueue(c, {u->email, "Reset your password",
                          "Hello,\r\n\r\nSomeone asked to reset the Gatehouse password for this address.\r\n"
                          "To choose a new password, open:\r\n\r\n" + d_.cfg.issuer + "/ui/reset?token=" + token +
                              "\r\n\r\n(API clients: POST the token to /api/v1/password/reset.)\r\n\r\nToken: " + token +
                              "\r\n\r\nIt expires in " + std::to_string(d_.cfg.reset_token_ttl / 60) +
                              " minutes and works once. If this was not you, ignore this mail.\r\n"});
    auto e = events::audit_event(o, "user.password_reset_request", u->id, u->id);
    events::record(c, e, now);
    return true;
  });
  if (sent) d_.mailer.kick();
  return ok();
}

Status AccountService::reset_password(const std::string& token, const std::string& password,
                                      const Origin& o) {
  if (auto s = rate_limit(d_.limiter, RateLimiter::address_key("reset-ip", o.ip), d_.cfg.rl_reset_ip); !s) return s.error();
  int64_t now = now_seconds();
  std::string token_hash = crypto::token_hash(token);
  // Look first (without consuming) so a weak password does not burn the token.
  auto user = d_.db.with([&](store::Conn& c) -> std::optional<User> {
    auto uid = EmailTokenStore(c).peek(token_hash, kReset, now);
    return uid ? UserStore(c).by_id(*uid) : std::nullopt;
  });
  if (!user || user->deleted) return Error::field("token", "Reset token is invalid, expired or already used");
  if (auto why = check_password(d_.cfg, password, {user->email, user->username.value_or("")}))
    return Error::field("password", *why);
  std::string hash = d_.hasher.hash(password);
  auto r = d_.db.transaction([&](store::Conn& c) -> Result<std::vector<std::string>> {
    auto uid = EmailTokenStore(c).consume(token_hash, kReset, now);
    if (!uid) return Error::field("token", "Reset token is invalid, expired or already used");
    UserStore(c).set_password_hash(*uid, hash, now);
    // Proving control of the mailbox also verifies it.
    if (!user->email_verified) UserStore(c).set_email_verified(*uid, now);
    auto ids = d_.tokens.end_user_sessions(c, *uid, now, "password_reset");
    auto e = events::audit_event(o, "user.password_reset", *uid, *uid);
    e.details["sessions_ended"] = static_cast<int64_t>(ids.size());
    events::record(c, e, now);
    return ids;
  });
  if (!r) return r.error();
  d_.tokens.revoked(*r, now);
  d_.users.invalidate(user->id);
  return ok();
}

Status AccountService::set_password(const std::string& email, const std::string& password,
                                    const Origin& o) {
  int64_t now = now_seconds();
  std::string hash = d_.hasher.hash(password);
  bool found = d_.db.transaction([&](store::Conn& c) {
    auto u = UserStore(c).by_email(normalize_login(email));
    if (!u || u->deleted) return false;
    UserStore(c).set_password_hash(u->id, hash, now);
    d_.tokens.end_user_sessions(c, u->id, now, "password_set_by_admin");
    events::record(c, events::audit_event(o, "user.password_set", std::nullopt, u->id), now);
    return true;
  });
  if (!found) return Error::make(Errc::not_found, "No such user");
  return ok();
}

Result<std::vector<events::AuditRecord>> AccountService::audit(const Principal& p, int limit,
                                                               std::optional<int64_t> before) {
  events::AuditFilter f;
  f.user_id = p.user_id;
  f.limit = limit;
  f.before_id = before;
  auto rows = d_.db.with([&](store::Conn& c) { return events::query(c, f); });
  // The feed shows what was done to the user too (an admin's lock, an owner's removal):
  // where someone else acted from is theirs, not this user's, to see.
  for (auto& r : rows)
    if (r.event.actor_id != p.user_id) {
      r.event.ip.clear();
      r.event.user_agent.clear();
    }
  return rows;
}

}  // namespace gatehouse::identity
