#include "identity/key_store.hpp"

namespace gatehouse::identity {

void KeyStore::insert(const std::string& kid, const std::string& alg, const std::string& public_pem,
                      const std::string& private_sealed, int64_t now, int64_t signs_from) {
  c_.query("INSERT INTO signing_keys (kid, alg, public_pem, private_sealed, created_at, signs_from)"
           " VALUES ($1, $2, $3, $4, $5, $6)",
           {kid, alg, public_pem, private_sealed, now, signs_from});
}

bool KeyStore::has_active(const std::string& alg) {
  return !c_.query("SELECT 1 FROM signing_keys WHERE alg = $1 AND retired_at IS NULL", {alg}).empty();
}

std::vector<KeyRow> KeyStore::published(int64_t now) {
  std::vector<KeyRow> out;
  for (auto& r : c_.query("SELECT kid, alg, private_sealed, created_at, COALESCE(signs_from, created_at),"
                          " retired_at, expires_at FROM signing_keys"
                          " WHERE expires_at IS NULL OR expires_at > $1 ORDER BY created_at DESC",
                          {now}))
    out.push_back({r.str(0), r.str(1), r.str(2), r.i64(3), r.i64(4), r.opt_i64(5), r.opt_i64(6)});
  return out;
}

std::vector<KeyRow> KeyStore::all() {
  std::vector<KeyRow> out;
  for (auto& r : c_.query("SELECT kid, alg, created_at, COALESCE(signs_from, created_at), retired_at, expires_at"
                          " FROM signing_keys ORDER BY created_at DESC"))
    out.push_back({r.str(0), r.str(1), "", r.i64(2), r.i64(3), r.opt_i64(4), r.opt_i64(5)});
  return out;
}

void KeyStore::retire_active(const std::string& alg, int64_t retire_at, int64_t expire_at) {
  c_.query("UPDATE signing_keys SET retired_at = $1, expires_at = $2 WHERE alg = $3 AND retired_at IS NULL",
           {retire_at, expire_at, alg});
}

}  // namespace gatehouse::identity
