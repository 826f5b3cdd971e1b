#include "oidc/store.hpp"
#include "oidc/clients.hpp"

#include "core/json_util.hpp"

namespace gatehouse::oidc {

void GrantStore::insert(const std::string& id, const std::string& client_id,
                        const std::optional<std::string>& user_id, const std::optional<std::string>& session_id,
                        const std::string& scope, int64_t now) {
  c_.query("INSERT INTO oauth_grants (id, client_id, user_id, session_id, scope, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
           {id, client_id, user_id, session_id, scope, now});
}

bool GrantStore::revoke(const std::string& id, int64_t now) {
  return c_.query("UPDATE oauth_grants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", {now, id}).affected > 0;
}

bool GrantStore::active(const std::string& id) {
  return !c_.query("SELECT 1 FROM oauth_grants g JOIN oauth_clients cl ON cl.id = g.client_id"
                  " WHERE g.id = $1 AND g.revoked_at IS NULL AND cl.deleted = 0",
                  {id})
              .empty();
}

std::optional<std::string> GrantStore::session_of(const std::string& grant_id) {
  auto rows = c_.query("SELECT session_id FROM oauth_grants WHERE id = $1", {grant_id});
  if (rows.empty()) return std::nullopt;
  return rows[0].opt(0);
}

std::vector<std::string> GrantStore::revoked_since(int64_t since) {
  std::vector<std::string> out;
  for (auto& r : c_.query("SELECT id FROM oauth_grants WHERE revoked_at > $1", {since})) out.push_back(r.str(0));
  return out;
}

std::vector<GrantRow> GrantStore::live_of(const std::string& user_id, int64_t now) {
  std::vector<GrantRow> out;
  for (auto& r : c_.query(
           "SELECT g.id, g.client_id, cl.name, g.scope, g.created_at,"
           " (SELECT MAX(t.expires_at) FROM oauth_refresh_tokens t WHERE t.grant_id = g.id"
           "  AND t.rotated_at IS NULL AND t.expires_at > $2)"
           " FROM oauth_grants g JOIN oauth_clients cl ON cl.id = g.client_id"
           " WHERE g.user_id = $1 AND g.revoked_at IS NULL AND cl.deleted = 0"
           " AND (g.created_at > $3 OR EXISTS (SELECT 1 FROM oauth_refresh_tokens t WHERE t.grant_id = g.id"
           "  AND t.rotated_at IS NULL AND t.expires_at > $2))"
           " ORDER BY g.created_at, g.id",
           {user_id, now, now - kMaxAccessTtl}))
    out.push_back({r.str(0), r.str(1), r.str(2), r.str(3), r.i64(4), r.opt_i64(5)});
  return out;
}

std::vector<std::string> GrantStore::revoke_of_user(const std::string& user_id, const std::string& grant_id,
                                                    int64_t now) {
  std::vector<std::string> ids;
  for (auto& r : c_.query("SELECT id FROM oauth_grants WHERE user_id = $1 AND ($2 = '' OR id = $2)"
                         " AND revoked_at IS NULL",
                         {user_id, grant_id}))
    ids.push_back(r.str(0));
  c_.query("UPDATE oauth_grants SET revoked_at = $1 WHERE user_id = $2 AND ($3 = '' OR id = $3) AND revoked_at IS NULL",
           {now, user_id, grant_id});
  return ids;
}

void CodeStore::insert(const std::string& hash, const CodeRow& r, int64_t now) {
  c_.query("INSERT INTO oauth_codes (code_hash, grant_id, client_id, user_id, redirect_uri, scope, nonce, code_challenge,"
          " code_challenge_method, auth_time, amr, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
          " $10, $11, $12, $13)",
          {hash, r.grant_id, r.client_id, r.user_id, r.redirect_uri, r.scope, r.nonce, r.code_challenge,
           r.code_challenge_method, r.auth_time, r.amr, now, r.expires_at});
}

std::optional<CodeRow> CodeStore::by_hash(const std::string& hash) {
  auto rows = c_.query("SELECT k.grant_id, k.client_id, k.user_id, k.redirect_uri, k.scope, k.nonce, k.code_challenge,"
                      " k.code_challenge_method, k.auth_time, k.amr, k.expires_at, k.used_at, g.session_id"
                      " FROM oauth_codes k JOIN oauth_grants g ON g.id = k.grant_id WHERE k.code_hash = $1",
                      {hash});
  if (rows.empty()) return std::nullopt;
  auto& r = rows[0];
  return CodeRow{r.str(0), r.str(1), r.str(2), r.str(3), r.str(4), r.opt(5), r.opt(6), r.opt(7),
                 r.i64(8), r.str(9), r.i64(10), r.opt_i64(11), r.opt(12)};
}

bool CodeStore::mark_used(const std::string& hash, int64_t now) {
  return c_.query("UPDATE oauth_codes SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL", {now, hash}).affected == 1;
}

void RefreshStore::insert(const std::string& hash, const RefreshRow& r, int64_t now) {
  c_.query("INSERT INTO oauth_refresh_tokens (token_hash, grant_id, client_id, user_id, scope, auth_time, created_at,"
          " expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
          {hash, r.grant_id, r.client_id, r.user_id, r.scope, r.auth_time, now, r.expires_at});
}

std::optional<RefreshRow> RefreshStore::by_hash(const std::string& hash) {
  auto rows = c_.query("SELECT grant_id, client_id, user_id, scope, auth_time, expires_at, rotated_at, successor_hash"
                      " FROM oauth_refresh_tokens WHERE token_hash = $1",
                      {hash});
  if (rows.empty()) return std::nullopt;
  auto& r = rows[0];
  return RefreshRow{r.str(0), r.str(1), r.str(2), r.str(3), r.i64(4), r.i64(5), r.opt_i64(6), r.opt(7)};
}

bool RefreshStore::mark_rotated(const std::string& hash, const std::string& successor, int64_t now) {
  return c_.query("UPDATE oauth_refresh_tokens SET rotated_at = $1, successor_hash = $2"
                 " WHERE token_hash = $3 AND rotated_at IS NULL",
                 {now, successor, hash})
             .affected == 1;
}

std::optional<std::vector<std::string>> ConsentStore::find(const std::string& user_id, const std::string& client_id) {
  auto rows = c_.query("SELECT scope FROM oauth_consents WHERE user_id = $1 AND client_id = $2", {user_id, client_id});
  if (rows.empty()) return std::nullopt;
  return strings_from_json_text(rows[0].str(0));
}

void ConsentStore::save(const std::string& user_id, const std::string& client_id,
                        const std::vector<std::string>& scopes, int64_t now) {
  c_.query("INSERT INTO oauth_consents (user_id, client_id, scope, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)"
          " ON CONFLICT (user_id, client_id) DO UPDATE SET scope = excluded.scope, updated_at = excluded.updated_at",
          {user_id, client_id, to_json_text(scopes), now});
}

std::vector<ConsentRow> ConsentStore::of_user(const std::string& user_id) {
  std::vector<ConsentRow> out;
  for (auto& r : c_.query("SELECT k.client_id, cl.name, k.scope, k.created_at, k.updated_at FROM oauth_consents k"
                         " JOIN oauth_clients cl ON cl.id = k.client_id WHERE k.user_id = $1 AND cl.deleted = 0"
                         " ORDER BY k.created_at",
                         {user_id}))
    out.push_back({r.str(0), r.str(1), strings_from_json_text(r.str(2)), r.i64(3), r.i64(4)});
  return out;
}

int64_t ConsentStore::remove(const std::string& user_id, const std::string& client_id, int64_t now,
                             std::vector<std::string>* revoked) {
  // Grants go whether or not a consent row backed them: first-party clients and consents
  // given without "remember" have none, and their user must still be able to end them.
  auto n = c_.query("DELETE FROM oauth_consents WHERE user_id = $1 AND ($2 = '' OR client_id = $2)", {user_id, client_id})
               .affected;
  for (auto& r : c_.query("SELECT id FROM oauth_grants WHERE user_id = $1 AND ($2 = '' OR client_id = $2)"
                         " AND revoked_at IS NULL",
                         {user_id, client_id}))
    revoked->push_back(r.str(0));
  c_.query("UPDATE oauth_grants SET revoked_at = $1 WHERE user_id = $2 AND ($3 = '' OR client_id = $3)"
          " AND revoked_at IS NULL",
          {now, user_id, client_id});
  return n;
}

void DeviceStore::insert(const DeviceRow& d, int64_t now) {
  c_.query("INSERT INTO oauth_device_codes (device_code_hash, user_code, client_id, scope, created_at, expires_at,"
          " interval_seconds) VALUES ($1, $2, $3, $4, $5, $6, $7)",
          {d.device_code_hash, d.user_code, d.client_id, d.scope, now, d.expires_at, d.interval});
}

namespace {
constexpr const char* kDeviceCols =
    "device_code_hash, user_code, client_id, scope, status, expires_at, interval_seconds, last_poll_at, auth_time,"
    " user_id, session_id";
DeviceRow device_from(const store::Row& r) {
  return {r.str(0), r.str(1), r.str(2), r.str(3), r.str(4), r.i64(5), r.i64(6), r.opt_i64(7), r.opt_i64(8),
          r.opt(9), r.opt(10)};
}
}  // namespace

std::optional<DeviceRow> DeviceStore::by_hash(const std::string& hash) {
  auto rows = c_.query(std::string("SELECT ") + kDeviceCols + " FROM oauth_device_codes WHERE device_code_hash = $1", {hash});
  if (rows.empty()) return std::nullopt;
  return device_from(rows[0]);
}

std::optional<DeviceRow> DeviceStore::by_user_code(const std::string& user_code) {
  auto rows = c_.query(std::string("SELECT ") + kDeviceCols + " FROM oauth_device_codes WHERE user_code = $1", {user_code});
  if (rows.empty()) return std::nullopt;
  return device_from(rows[0]);
}

void DeviceStore::set_poll(const std::string& hash, int64_t now, int64_t interval) {
  c_.query("UPDATE oauth_device_codes SET last_poll_at = $1, interval_seconds = $2 WHERE device_code_hash = $3",
           {now, interval, hash});
}

bool DeviceStore::decide(const std::string& user_code, bool approve, const std::string& user_id,
                         const std::string& session_id, int64_t auth_time) {
  return c_.query("UPDATE oauth_device_codes SET status = $1, user_id = $2, session_id = $3, auth_time = $4"
                 " WHERE user_code = $5 AND status = 'pending'",
                 {approve ? "approved" : "denied", user_id, session_id, auth_time, user_code})
             .affected == 1;
}

bool DeviceStore::mark_used(const std::string& hash) {
  return c_.query("UPDATE oauth_device_codes SET status = 'used' WHERE device_code_hash = $1 AND status = 'approved'", {hash})
             .affected == 1;
}

void BrowserStore::insert(const std::string& hash, const BrowserRow& b, int64_t now) {
  c_.query("INSERT INTO browser_sessions (token_hash, session_id, user_id, auth_time, csrf_secret, created_at)"
          " VALUES ($1, $2, $3, $4, '', $5)",
          {hash, b.session_id, b.user_id, b.auth_time, now});
}

std::optional<BrowserRow> BrowserStore::by_hash(const std::string& hash, int64_t now) {
  auto rows = c_.query("SELECT b.session_id, b.user_id, b.auth_time FROM browser_sessions b"
                      " JOIN sessions s ON s.id = b.session_id JOIN users u ON u.id = b.user_id"
                      " WHERE b.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.deleted = 0"
                      " AND u.locked = 0",
                      {hash, now});
  if (rows.empty()) return std::nullopt;
  return BrowserRow{rows[0].str(0), rows[0].str(1), rows[0].i64(2)};
}

void BrowserStore::remove(const std::string& hash) {
  c_.query("DELETE FROM browser_sessions WHERE token_hash = $1", {hash});
}

void RevokedJtiStore::add(const std::string& jti, int64_t expires_at) {
  c_.query("INSERT INTO oauth_revoked_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING", {jti, expires_at});
}

bool RevokedJtiStore::contains(const std::string& jti) {
  return !c_.query("SELECT 1 FROM oauth_revoked_tokens WHERE jti = $1", {jti}).empty();
}

void PendingRequestStore::insert(const std::string& hash, const std::string& params_json, int64_t now,
                                 int64_t expires_at) {
  c_.query("DELETE FROM oauth_pending_requests WHERE expires_at <= $1", {now});
  c_.query("INSERT INTO oauth_pending_requests (handle_hash, params, created_at, expires_at) VALUES ($1, $2, $3, $4)",
           {hash, params_json, now, expires_at});
}

std::optional<PendingRow> PendingRequestStore::by_hash(const std::string& hash, int64_t now) {
  auto rows = c_.query("SELECT params, created_at, signed_in_session FROM oauth_pending_requests"
                       " WHERE handle_hash = $1 AND expires_at > $2",
                       {hash, now});
  if (rows.empty()) return std::nullopt;
  return PendingRow{rows[0].str(0), rows[0].i64(1), rows[0].opt(2)};
}

void PendingRequestStore::set_signed_in(const std::string& hash, const std::string& session_id) {
  c_.query("UPDATE oauth_pending_requests SET signed_in_session = $1 WHERE handle_hash = $2", {session_id, hash});
}

void PendingRequestStore::remove(const std::string& hash) {
  c_.query("DELETE FROM oauth_pending_requests WHERE handle_hash = $1", {hash});
}

}  // namespace gatehouse::oidc
