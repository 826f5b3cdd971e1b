#pragma once
// signing_keys, and the only place its SQL lives. Private keys arrive here already sealed
// (AEAD under a key derived from the master key); the store never sees them in clear.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"

namespace gatehouse::identity {

struct KeyRow {
  std::string kid, alg;
  std::string private_sealed;  // base64 of the sealed PEM
  int64_t created_at = 0;
  int64_t signs_from = 0;      // created_at for keys older than publish-ahead
  std::optional<int64_t> retired_at, expires_at;
};

class KeyStore {
 public:
  explicit KeyStore(store::Conn& c) : c_(c) {}
  void insert(const std::string& kid, const std::string& alg, const std::string& public_pem,
              const std::string& private_sealed, int64_t now, int64_t signs_from);
  /// True when the algorithm has a key with no retirement scheduled (a key that retires
  /// later, after a rotation, no longer counts: its successor is the active one).
  bool has_active(const std::string& alg);
  /// Keys still published (not expired at `now`), newest first, with their sealed private part.
  std::vector<KeyRow> published(int64_t now);
  /// Every key ever made, newest first, without private parts.
  std::vector<KeyRow> all();
  /// Schedules the algorithm's active key to stop signing at `retire_at` and vanish at `expire_at`.
  void retire_active(const std::string& alg, int64_t retire_at, int64_t expire_at);

 private:
  store::Conn& c_;
};

}  // namespace gatehouse::identity
