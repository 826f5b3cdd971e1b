#include "oidc/client_store.hpp"

#include "core/json_util.hpp"

namespace gatehouse::oidc {
namespace {

constexpr const char* kCols =
    "id, name, secret_hash, public, redirect_uris, post_logout_redirect_uris, grant_types, scopes, auth_method,"
    " jwks, first_party, access_token_ttl, refresh_token_ttl, id_token_ttl, id_token_alg, created_at, updated_at";

Client client_from(const store::Row& r) {
  Client c;
  c.id = r.str(0);
  c.name = r.str(1);
  c.secret_hash = r.str(2);
  c.is_public = r.flag(3);
  c.redirect_uris = strings_from_json_text(r.str(4));
  c.post_logout_redirect_uris = strings_from_json_text(r.str(5));
  c.grant_types = strings_from_json_text(r.str(6));
  c.scopes = strings_from_json_text(r.str(7));
  c.auth_method = r.str(8);
  c.jwks = r.str(9);
  c.first_party = r.flag(10);
  auto ttl = [&](std::size_t i) { return r.is_null(i) ? std::nullopt : std::optional<int>(static_cast<int>(r.i64(i))); };
  c.access_token_ttl = ttl(11);
  c.refresh_token_ttl = ttl(12);
  c.id_token_ttl = ttl(13);
  c.id_token_alg = r.str(14);
  c.created_at = r.i64(15);
  c.updated_at = r.i64(16);
  return c;
}

store::Params params_of(const Client& c) {
  auto ttl = [](const std::optional<int>& t) { return t ? store::Value(*t) : store::Value(nullptr); };
  return {c.id, c.name, c.secret_hash.empty() ? store::Value(nullptr) : store::Value(c.secret_hash), c.is_public,
          to_json_text(c.redirect_uris), to_json_text(c.post_logout_redirect_uris), to_json_text(c.grant_types),
          to_json_text(c.scopes), c.auth_method, c.jwks.empty() ? store::Value(nullptr) : store::Value(c.jwks),
          c.first_party, ttl(c.access_token_ttl), ttl(c.refresh_token_ttl), ttl(c.id_token_ttl), c.id_token_alg,
          c.created_at, c.updated_at};
}

}  // namespace

void ClientStore::insert(const Client& c, const std::string& created_by) {
  auto p = params_of(c);
  p.push_back(created_by);
  c_.query(std::string("INSERT INTO oauth_clients (") + kCols +
               ", created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
           p);
}

void ClientStore::update(const Client& c) {
  auto p = params_of(c);  // $1 id .. $17 updated_at; public, secret and created_at stay
  c_.query("UPDATE oauth_clients SET name = $2, redirect_uris = $3, post_logout_redirect_uris = $4, grant_types = $5,"
           " scopes = $6, auth_method = $7, jwks = $8, first_party = $9, access_token_ttl = $10,"
           " refresh_token_ttl = $11, id_token_ttl = $12, id_token_alg = $13, updated_at = $14 WHERE id = $1",
           {p[0], p[1], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[16]});
}

bool ClientStore::remove(const std::string& id, int64_t now) {
  if (c_.query("UPDATE oauth_clients SET deleted = 1, updated_at = $1 WHERE id = $2 AND deleted = 0", {now, id})
          .affected == 0)
    return false;
  c_.query("UPDATE oauth_grants SET revoked_at = $1 WHERE client_id = $2 AND revoked_at IS NULL", {now, id});
  return true;
}

void ClientStore::set_secret_hash(const std::string& id, const std::string& hash, int64_t now) {
  c_.query("UPDATE oauth_clients SET secret_hash = $1, updated_at = $2 WHERE id = $3", {hash, now, id});
}

std::optional<Client> ClientStore::by_id(const std::string& id) {
  auto rows = c_.query(std::string("SELECT ") + kCols + " FROM oauth_clients WHERE id = $1 AND deleted = 0", {id});
  if (rows.empty()) return std::nullopt;
  return client_from(rows[0]);
}

std::vector<Client> ClientStore::all() {
  std::vector<Client> out;
  for (auto& r : c_.query(std::string("SELECT ") + kCols + " FROM oauth_clients WHERE deleted = 0 ORDER BY created_at"))
    out.push_back(client_from(r));
  return out;
}

bool ClientStore::active(const std::string& id) {
  return !c_.query("SELECT 1 FROM oauth_clients WHERE id = $1 AND deleted = 0", {id}).empty();
}

}  // namespace gatehouse::oidc
