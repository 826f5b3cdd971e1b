#include "identity/store.hpp"

namespace gatehouse::identity {
namespace {

constexpr const char* kUserCols =
    "id, email, username, name, password_hash, email_verified, is_admin, deleted, created_at,"
    " updated_at, last_login_at, deleted_at, locked";

User user_from(const store::Row& r) {
  User u;
  u.id = r.str(0);
  u.email = r.str(1);
  u.username = r.opt(2);
  u.name = r.opt(3);
  u.password_hash = r.str(4);
  u.email_verified = r.flag(5);
  u.is_admin = r.flag(6);
  u.deleted = r.flag(7);
  u.created_at = r.i64(8);
  u.updated_at = r.i64(9);
  u.last_login_at = r.opt_i64(10);
  u.deleted_at = r.opt_i64(11);
  u.locked = r.flag(12);
  return u;
}

std::optional<User> one_user(const store::Rows& rows) {
  if (rows.empty()) return std::nullopt;
  return user_from(rows[0]);
}

constexpr const char* kSessionCols =
    "id, user_id, created_at, last_used_at, expires_at, ip, user_agent, revoked_at";

Session session_from(const store::Row& r) {
  return Session{r.str(0), r.str(1), r.i64(2), r.i64(3), r.i64(4), r.str(5), r.str(6), r.opt_i64(7)};
}

}  // namespace

Status UserStore::insert(const User& u, const std::string& email_norm,
                         const std::optional<std::string>& username_norm) {
  auto inserted = store::unique_or_conflict([&] {
    c_.query(
        "INSERT INTO users (id, email, email_normalized, username, username_normalized, name,"
        " password_hash, email_verified, email_verified_at, is_admin, deleted, created_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $11)",
        {u.id, u.email, email_norm, u.username, username_norm, u.name, u.password_hash,
         u.email_verified, u.email_verified ? store::Value(u.created_at) : store::Value(nullptr),
         u.is_admin, u.created_at});
  }, "Email address or username is already registered");
  if (!inserted) return inserted;
  // Everyone holds the global "user" role; administrators also "admin".
  c_.query("INSERT INTO user_roles (user_id, role_name, assigned_at) VALUES ($1, 'user', $2)", {u.id, u.created_at});
  if (u.is_admin)
    c_.query("INSERT INTO user_roles (user_id, role_name, assigned_at) VALUES ($1, 'admin', $2)", {u.id, u.created_at});
  return ok();
}

std::optional<User> UserStore::by_id(const std::string& id) {
  return one_user(c_.query(std::string("SELECT ") + kUserCols + " FROM users WHERE id = $1", {id}));
}

std::optional<User> UserStore::by_login(const std::string& login) {
  return one_user(c_.query(std::string("SELECT ") + kUserCols +
                              " FROM users WHERE email_normalized = $1 OR username_normalized = $1"
                              " ORDER BY deleted LIMIT 1",
                          {login}));
}

std::optional<User> UserStore::by_email(const std::string& email_norm) {
  return one_user(c_.query(
      std::string("SELECT ") + kUserCols + " FROM users WHERE email_normalized = $1", {email_norm}));
}

Status UserStore::set_email(const std::string& user_id, const std::string& email, const std::string& email_norm,
                            int64_t now) {
  return store::unique_or_conflict([&] {
    c_.query("UPDATE users SET email = $1, email_normalized = $2, email_verified = 0, updated_at = $3 WHERE id = $4",
             {email, email_norm, now, user_id});
  }, "Email address is already registered");
}

bool UserStore::email_taken(const std::string& email_norm) {
  return !c_.query("SELECT 1 FROM users WHERE email_normalized = $1", {email_norm}).empty();
}

bool UserStore::username_taken(const std::string& username_norm, const std::string& except_user) {
  return !c_.query("SELECT 1 FROM users WHERE username_normalized = $1 AND id <> $2",
                   {username_norm, except_user})
              .empty();
}

void UserStore::set_password_hash(const std::string& user_id, const std::string& hash, int64_t now) {
  c_.query("UPDATE users SET password_hash = $1, password_changed_at = $2, updated_at = $2 WHERE id = $3",
           {hash, now, user_id});
}

void UserStore::set_email_verified(const std::string& user_id, int64_t now) {
  c_.query("UPDATE users SET email_verified = 1, email_verified_at = $1, updated_at = $1 WHERE id = $2",
           {now, user_id});
}

void UserStore::set_last_login(const std::string& user_id, int64_t now) {
  c_.query("UPDATE users SET last_login_at = $1 WHERE id = $2", {now, user_id});
}

Status UserStore::update_profile(const std::string& user_id, const std::optional<std::string>& username,
                                 const std::optional<std::string>& username_norm,
                                 const std::optional<std::string>& name, bool set_username, bool set_name,
                                 int64_t now) {
  if (set_username) {
    auto renamed = store::unique_or_conflict([&] {
      c_.query("UPDATE users SET username = $1, username_normalized = $2, updated_at = $3 WHERE id = $4",
               {username, username_norm, now, user_id});
    }, "Username is already taken");
    if (!renamed) return renamed;
  }
  if (set_name)
    c_.query("UPDATE users SET name = $1, updated_at = $2 WHERE id = $3", {name, now, user_id});
  return ok();
}

void UserStore::soft_delete(const std::string& user_id, int64_t now) {
  c_.query("UPDATE users SET deleted = 1, deleted_at = $1, updated_at = $1 WHERE id = $2",
           {now, user_id});
}

std::vector<User> UserStore::list(int limit, int offset) {
  std::vector<User> out;
  for (auto& r : c_.query(std::string("SELECT ") + kUserCols +
                             " FROM users ORDER BY created_at, id LIMIT $1 OFFSET $2",
                         {limit, offset}))
    out.push_back(user_from(r));
  return out;
}

bool UserStore::any_admin() {
  return !c_.query("SELECT 1 FROM users WHERE is_admin = 1 AND deleted = 0 LIMIT 1").empty();
}

void SessionStore::insert(const Session& s) {
  c_.query("INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, ip, user_agent)"
          " VALUES ($1, $2, $3, $4, $5, $6, $7)",
          {s.id, s.user_id, s.created_at, s.last_used_at, s.expires_at, s.ip, s.user_agent});
}

std::optional<Session> SessionStore::by_id(const std::string& id) {
  auto rows = c_.query(std::string("SELECT ") + kSessionCols + " FROM sessions WHERE id = $1", {id});
  if (rows.empty()) return std::nullopt;
  return session_from(rows[0]);
}

std::vector<Session> SessionStore::active_of(const std::string& user_id, int64_t now) {
  std::vector<Session> out;
  for (auto& r : c_.query(std::string("SELECT ") + kSessionCols +
                             " FROM sessions WHERE user_id = $1 AND revoked_at IS NULL"
                             " AND expires_at > $2 ORDER BY created_at, id",
                         {user_id, now}))
    out.push_back(session_from(r));
  return out;
}

std::vector<std::string> SessionStore::revoke_all_of(const std::string& user_id, int64_t now,
                                                     const std::string& reason, const std::string& except) {
  std::vector<std::string> ids;
  for (auto& r : c_.query("SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND id <> $2",
                          {user_id, except}))
    ids.push_back(r.str(0));
  c_.query("UPDATE sessions SET revoked_at = $1, revoke_reason = $2"
          " WHERE user_id = $3 AND revoked_at IS NULL AND id <> $4",
          {now, reason, user_id, except});
  return ids;
}

bool SessionStore::revoke(const std::string& id, int64_t now, const std::string& reason) {
  return c_.query("UPDATE sessions SET revoked_at = $1, revoke_reason = $2"
                 " WHERE id = $3 AND revoked_at IS NULL",
                 {now, reason, id})
             .affected > 0;
}

void SessionStore::touch(const std::string& id, int64_t now) {
  c_.query("UPDATE sessions SET last_used_at = $1 WHERE id = $2 AND last_used_at < $1", {now, id});
}

SessionCounts SessionStore::counts(const std::string& user_id, int64_t now) {
  auto r = c_.query(
      "SELECT COUNT(*),"
      " SUM(CASE WHEN revoked_at IS NULL AND expires_at > $2 THEN 1 ELSE 0 END),"
      " SUM(CASE WHEN revoked_at IS NOT NULL THEN 1 ELSE 0 END),"
      " MIN(CASE WHEN revoked_at IS NULL AND expires_at > $2 THEN created_at END),"
      " MAX(CASE WHEN revoked_at IS NULL AND expires_at > $2 THEN created_at END)"
      " FROM sessions WHERE user_id = $1",
      {user_id, now});
  return {r[0].i64(0), r[0].i64(1), r[0].i64(2), r[0].opt_i64(3), r[0].opt_i64(4)};
}

std::vector<std::pair<std::string, int64_t>> SessionStore::revoked_since(int64_t since) {
  std::vector<std::pair<std::string, int64_t>> out;
  for (auto& r : c_.query("SELECT id, revoked_at FROM sessions WHERE revoked_at > $1", {since}))
    out.emplace_back(r.str(0), r.i64(1));
  return out;
}

void RefreshStore::insert(const std::string& hash, const std::string& session_id, int64_t now,
                          int64_t expires_at) {
  c_.query("INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at)"
          " VALUES ($1, $2, $3, $4)",
          {hash, session_id, now, expires_at});
}

std::optional<RefreshRow> RefreshStore::by_hash(const std::string& hash) {
  auto rows = c_.query("SELECT token_hash, session_id, expires_at, rotated_at, successor_hash"
                      " FROM refresh_tokens WHERE token_hash = $1",
                      {hash});
  if (rows.empty()) return std::nullopt;
  auto& r = rows[0];
  return RefreshRow{r.str(0), r.str(1), r.i64(2), r.opt_i64(3), r.opt(4)};
}

bool RefreshStore::mark_rotated(const std::string& hash, const std::string& successor, int64_t now) {
  return c_.query("UPDATE refresh_tokens SET rotated_at = $1, successor_hash = $2"
                 " WHERE token_hash = $3 AND rotated_at IS NULL",
                 {now, successor, hash})
             .affected == 1;
}

void EmailTokenStore::insert(const std::string& hash, const std::string& user_id,
                             const std::string& purpose, int64_t now, int64_t expires_at) {
  c_.query("INSERT INTO email_tokens (token_hash, user_id, purpose, created_at, expires_at)"
          " VALUES ($1, $2, $3, $4, $5)",
          {hash, user_id, purpose, now, expires_at});
}

std::optional<std::string> EmailTokenStore::peek(const std::string& hash,
                                                 const std::string& purpose, int64_t now) {
  auto rows = c_.query("SELECT user_id FROM email_tokens WHERE token_hash = $1 AND purpose = $2"
                      " AND used_at IS NULL AND expires_at > $3",
                      {hash, purpose, now});
  if (rows.empty()) return std::nullopt;
  return rows[0].str(0);
}

std::optional<std::string> EmailTokenStore::consume(const std::string& hash,
                                                    const std::string& purpose, int64_t now) {
  auto uid = EmailTokenStore(c_).peek(hash, purpose, now);
  if (!uid) return std::nullopt;
  auto claimed = c_.query("UPDATE email_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
                          {now, hash});
  if (claimed.affected != 1) return std::nullopt;  // a concurrent request consumed it
  return uid;
}

void EmailTokenStore::invalidate(const std::string& user_id, const std::string& purpose,
                                 int64_t now) {
  c_.query("UPDATE email_tokens SET used_at = $1 WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL",
           {now, user_id, purpose});
}

}  // namespace gatehouse::identity
