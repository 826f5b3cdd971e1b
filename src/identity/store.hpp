#pragma once
// SQL for the identity domain, and nothing else. Every function takes the connection (or
// transaction) to run on; unique violations surface as store::DbError.
#include <optional>
#include <string>
#include <vector>

#include "identity/models.hpp"
#include "store/db.hpp"

namespace gatehouse::identity::sql {

using store::Conn;

// users
void insert_user(Conn& c, const User& u, const std::string& email_norm,
                 const std::optional<std::string>& username_norm);
std::optional<User> user_by_id(Conn& c, const std::string& id);
/// Looks up by lower-cased email or username; includes soft-deleted accounts.
std::optional<User> user_by_login(Conn& c, const std::string& login_norm);
std::optional<User> user_by_email(Conn& c, const std::string& email_norm);
bool email_taken(Conn& c, const std::string& email_norm);
bool username_taken(Conn& c, const std::string& username_norm, const std::string& except_user);
void set_password_hash(Conn& c, const std::string& user_id, const std::string& hash, int64_t now);
void set_email_verified(Conn& c, const std::string& user_id, int64_t now);
/// Replaces the address (unverified); `email_norm` is its normalized form.
void set_email(Conn& c, const std::string& user_id, const std::string& email, const std::string& email_norm, int64_t now);
void set_last_login(Conn& c, const std::string& user_id, int64_t now);
void update_profile(Conn& c, const std::string& user_id, const std::optional<std::string>& username,
                    const std::optional<std::string>& username_norm,
                    const std::optional<std::string>& name, bool set_username, bool set_name,
                    int64_t now);
void soft_delete_user(Conn& c, const std::string& user_id, int64_t now);
std::vector<User> list_users(Conn& c, int limit, int offset);
bool any_admin(Conn& c);

// sessions
void insert_session(Conn& c, const Session& s);
std::optional<Session> session_by_id(Conn& c, const std::string& id);
std::vector<Session> active_sessions(Conn& c, const std::string& user_id, int64_t now);
/// Revokes and returns the ids it revoked. `except` keeps one session alive.
std::vector<std::string> revoke_user_sessions(Conn& c, const std::string& user_id, int64_t now,
                                              const std::string& reason,
                                              const std::string& except = {});
bool revoke_session(Conn& c, const std::string& id, int64_t now, const std::string& reason);
void touch_session(Conn& c, const std::string& id, int64_t now);
struct SessionCounts {
  int64_t total = 0, active = 0, revoked = 0;
  std::optional<int64_t> oldest_active, newest_active;
};
SessionCounts session_counts(Conn& c, const std::string& user_id, int64_t now);
/// Sessions revoked after `since` (to seed the in-memory revocation set at start).
std::vector<std::pair<std::string, int64_t>> sessions_revoked_since(Conn& c, int64_t since);

// refresh tokens (one family per session)
struct RefreshRow {
  std::string token_hash;
  std::string session_id;
  int64_t expires_at = 0;
  std::optional<int64_t> rotated_at;
  std::optional<std::string> successor_hash;
};
void insert_refresh(Conn& c, const std::string& hash, const std::string& session_id, int64_t now,
                    int64_t expires_at);
std::optional<RefreshRow> refresh_by_hash(Conn& c, const std::string& hash);
/// Marks the token rotated; false when someone else rotated it first.
bool mark_rotated(Conn& c, const std::string& hash, const std::string& successor, int64_t now);

// one-time email tokens (verify_email, reset_password)
void insert_email_token(Conn& c, const std::string& hash, const std::string& user_id,
                        const std::string& purpose, int64_t now, int64_t expires_at);
/// User id of a valid token without consuming it.
std::optional<std::string> peek_email_token(Conn& c, const std::string& hash,
                                            const std::string& purpose, int64_t now);
/// Consumes a valid token (unused, unexpired, right purpose); returns its user id.
std::optional<std::string> consume_email_token(Conn& c, const std::string& hash,
                                               const std::string& purpose, int64_t now);
void invalidate_email_tokens(Conn& c, const std::string& user_id, const std::string& purpose,
                             int64_t now);

}  // namespace gatehouse::identity::sql
