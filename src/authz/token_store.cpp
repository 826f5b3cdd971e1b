#include "authz/store.hpp"
#include "core/json_util.hpp"

namespace gatehouse::authz {
namespace {
constexpr const char* kCols =
    "id, service_id, name, token_prefix, scopes, created_by, created_at, expires_at, revoked_at, last_used_at, use_count";
AppToken token_from(const store::Row& r) {
  return {r.str(0), r.str(1), r.str(2), r.str(3), strings_from_json_text(r.str(4)), r.str(5), r.i64(6),
          r.opt_i64(7), r.opt_i64(8), r.opt_i64(9), r.i64(10)};
}
}  // namespace

void AppTokenStore::insert(const AppToken& t, const std::string& hash) {
  c_.query("INSERT INTO app_tokens (id, service_id, name, token_prefix, token_hash, scopes, created_by, created_at,"
          " expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
          {t.id, t.service_id, t.name, t.prefix, hash, to_json_text(t.scopes), t.created_by, t.created_at,
           t.expires_at});
}

std::optional<AppToken> AppTokenStore::by_id(const std::string& id) {
  auto rows = c_.query(std::string("SELECT ") + kCols + " FROM app_tokens WHERE id = $1", {id});
  if (rows.empty()) return std::nullopt;
  return token_from(rows[0]);
}

std::optional<AppToken> AppTokenStore::by_hash(const std::string& hash) {
  auto rows = c_.query(std::string("SELECT ") + kCols + " FROM app_tokens WHERE token_hash = $1", {hash});
  if (rows.empty()) return std::nullopt;
  return token_from(rows[0]);
}

std::vector<AppToken> AppTokenStore::of_service(const std::string& service_id) {
  std::vector<AppToken> out;
  for (auto& r : c_.query(std::string("SELECT ") + kCols + " FROM app_tokens WHERE service_id = $1 ORDER BY created_at DESC",
                          {service_id}))
    out.push_back(token_from(r));
  return out;
}

bool AppTokenStore::revoke(const std::string& id, int64_t now) {
  return c_.query("UPDATE app_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", {now, id}).affected > 0;
}

bool AppTokenStore::remove(const std::string& id) {
  c_.query("DELETE FROM app_token_usage WHERE token_id = $1", {id});
  return c_.query("DELETE FROM app_tokens WHERE id = $1", {id}).affected > 0;
}

void AppTokenStore::add_usage(const std::string& id, const std::string& day, int64_t count, int64_t last_used) {
  c_.query("INSERT INTO app_token_usage (token_id, day, count) VALUES ($1, $2, $3)"
          " ON CONFLICT (token_id, day) DO UPDATE SET count = app_token_usage.count + excluded.count",
          {id, day, count});
  c_.query("UPDATE app_tokens SET use_count = use_count + $1, last_used_at = $2 WHERE id = $3", {count, last_used, id});
}

std::vector<std::pair<std::string, int64_t>> AppTokenStore::usage(const std::string& id, int days) {
  std::vector<std::pair<std::string, int64_t>> out;
  for (auto& r : c_.query("SELECT day, count FROM app_token_usage WHERE token_id = $1 ORDER BY day DESC LIMIT $2",
                          {id, days}))
    out.emplace_back(r.str(0), r.i64(1));
  return out;
}

}  // namespace gatehouse::authz
