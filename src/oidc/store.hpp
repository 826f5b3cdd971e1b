#pragma once
// SQL for the OAuth 2.0 / OIDC provider, and nothing else.
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"

namespace gatehouse::oidc::sql {

using store::Conn;

void insert_grant(Conn& c, const std::string& id, const std::string& client_id,
                  const std::optional<std::string>& user_id, const std::optional<std::string>& session_id,
                  const std::string& scope, int64_t now);
/// Revokes a grant; returns true when it was active.
bool revoke_grant(Conn& c, const std::string& id, int64_t now);
bool grant_active(Conn& c, const std::string& id);
bool client_active(Conn& c, const std::string& client_id);
/// The browser session a grant came from, if any.
std::optional<std::string> grant_session(Conn& c, const std::string& grant_id);
std::vector<std::string> grants_revoked_since(Conn& c, int64_t since);

/// A user's live authorization of a client: not revoked, and either holding a refresh
/// token that still works or young enough for its access tokens to be alive.
struct GrantRow {
  std::string id, client_id, client_name, scope;
  int64_t created_at = 0;
  std::optional<int64_t> refresh_expires_at;
};
std::vector<GrantRow> live_grants_of(Conn& c, const std::string& user_id, int64_t now);
/// Revokes the user's grants: all (grant_id empty) or one, which must be the user's.
/// Returns the revoked grant ids.
std::vector<std::string> revoke_user_grants(Conn& c, const std::string& user_id, const std::string& grant_id,
                                            int64_t now);

struct CodeRow {
  std::string grant_id, client_id, user_id, redirect_uri, scope;
  std::optional<std::string> nonce, code_challenge, code_challenge_method;
  int64_t auth_time = 0;
  std::string amr;
  int64_t expires_at = 0;
  std::optional<int64_t> used_at;
  std::optional<std::string> session_id;
};
void insert_code(Conn& c, const std::string& hash, const CodeRow& r, int64_t now);
std::optional<CodeRow> code_by_hash(Conn& c, const std::string& hash);
bool mark_code_used(Conn& c, const std::string& hash, int64_t now);

struct RefreshRow {
  std::string grant_id, client_id, user_id, scope;
  int64_t auth_time = 0, expires_at = 0;
  std::optional<int64_t> rotated_at;
  std::optional<std::string> successor_hash;
};
void insert_refresh(Conn& c, const std::string& hash, const RefreshRow& r, int64_t now);
std::optional<RefreshRow> refresh_by_hash(Conn& c, const std::string& hash);
bool mark_refresh_rotated(Conn& c, const std::string& hash, const std::string& successor, int64_t now);

std::optional<std::vector<std::string>> consent(Conn& c, const std::string& user_id, const std::string& client_id);
void save_consent(Conn& c, const std::string& user_id, const std::string& client_id,
                  const std::vector<std::string>& scopes, int64_t now);
struct ConsentRow {
  std::string client_id, client_name;
  std::vector<std::string> scopes;
  int64_t created_at = 0, updated_at = 0;
};
std::vector<ConsentRow> consents_of(Conn& c, const std::string& user_id);
/// Deletes consents (all when client_id is empty) and revokes the grants they backed;
/// returns the number of consents and fills `revoked` with the grant ids.
int64_t delete_consents(Conn& c, const std::string& user_id, const std::string& client_id, int64_t now,
                        std::vector<std::string>* revoked);

struct DeviceRow {
  std::string device_code_hash, user_code, client_id, scope, status;
  int64_t expires_at = 0, interval = 5;
  std::optional<int64_t> last_poll_at, auth_time;
  std::optional<std::string> user_id, session_id;
};
void insert_device(Conn& c, const DeviceRow& d, int64_t now);
std::optional<DeviceRow> device_by_hash(Conn& c, const std::string& hash);
std::optional<DeviceRow> device_by_user_code(Conn& c, const std::string& user_code);
void set_device_poll(Conn& c, const std::string& hash, int64_t now, int64_t interval);
bool decide_device(Conn& c, const std::string& user_code, bool approve, const std::string& user_id,
                   const std::string& session_id, int64_t auth_time);
bool mark_device_used(Conn& c, const std::string& hash);

struct BrowserRow {
  std::string session_id, user_id;
  int64_t auth_time = 0;
};
void insert_browser(Conn& c, const std::string& hash, const BrowserRow& b, int64_t now);
/// The browser session when its identity session is still live.
std::optional<BrowserRow> browser_by_hash(Conn& c, const std::string& hash, int64_t now);
void delete_browser(Conn& c, const std::string& hash);

void revoke_jti(Conn& c, const std::string& jti, int64_t expires_at);
bool jti_revoked(Conn& c, const std::string& jti);

}  // namespace gatehouse::oidc::sql
