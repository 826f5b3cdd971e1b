#pragma once
// Signing keys: generated on first start, private halves sealed at rest with AES-256-GCM
// under the master key, rotated by `gatehouse keys rotate`. A new key is published in the
// JWKS `publish_ahead` seconds before it signs (relying parties that cache the JWKS know it
// by then); the key it replaces signs until that moment. Retired keys stay in the JWKS until
// every token they signed has expired. Reads are lock-free snapshots.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "crypto/jose.hpp"
#include "store/db.hpp"

namespace gatehouse::identity {

struct KeyInfo {
  std::string kid;
  std::string alg;
  int64_t created_at = 0;  // published in the JWKS from then on
  int64_t signs_from = 0;  // signs new tokens from then on (publish-ahead)
  std::optional<int64_t> retired_at;  // signs no more from then on
  std::optional<int64_t> expires_at;  // leaves the JWKS then
  bool active = false;  // signs new tokens now, or will (not yet retired)
};

/// Reads the master key from config (base64) or its key file, creating the file (0600)
/// with a fresh random key when neither exists. Throws on a malformed key.
std::string load_or_create_master_key(const Config& cfg);

class KeyRing {
 public:
  KeyRing(store::Database& db, std::string master_key, crypto::Alg signing_alg,
          int64_t retire_grace_seconds, int64_t publish_ahead_seconds);

  /// Loads keys from the database; creates a signing key for the configured algorithm
  /// when none is active. Blocking (SQL).
  void load();
  /// Reloads when the last load is older than `min_age_seconds` (e.g. on an unknown kid).
  void reload_if_older(int min_age_seconds);
  /// Creates a new key for `alg`, published at once, signing after the publish-ahead delay
  /// (`immediately`: at once, for a key that must stop signing now); the old key signs until
  /// then and stays published for the retire grace after. Blocking (SQL).
  KeyInfo rotate(crypto::Alg alg, bool immediately = false);
  /// Whether the signing choice of the loaded snapshot has changed since (a published key's
  /// delay or a retiring key's last moment has passed): load() again.
  bool change_due() const;
  std::vector<KeyInfo> list();

  std::shared_ptr<const crypto::Jwk> signer() const;
  /// The active key of an algorithm (RS256 for ID tokens, per-client choices); every
  /// algorithm has one from the first start on.
  std::shared_ptr<const crypto::Jwk> signer_for(crypto::Alg alg) const;
  std::shared_ptr<const crypto::Jwk> find(const std::string& kid) const;
  /// Serialized JWKS document, cached.
  std::shared_ptr<const std::string> jwks() const;
  /// PEM of the active signing key's public half.
  std::shared_ptr<const std::string> public_pem() const;

 private:
  struct Snapshot {
    std::vector<std::shared_ptr<const crypto::Jwk>> keys;  // published
    std::shared_ptr<const crypto::Jwk> signer;
    std::map<crypto::Alg, std::shared_ptr<const crypto::Jwk>> by_alg;  // active key per algorithm
    std::shared_ptr<const std::string> jwks, pem;
    int64_t next_change_at = INT64_MAX;
  };
  KeyInfo create_key(store::Conn& c, crypto::Alg alg, int64_t now, int64_t signs_from);
  std::shared_ptr<const Snapshot> snap() const { return std::atomic_load(&snapshot_); }

  store::Database& db_;
  std::string seal_key_;    // HKDF(master, "signing-key seal"): seals private keys
  std::string legacy_key_;  // the raw master key, to open keys sealed before v1 derivation
  crypto::Alg alg_;
  int64_t retire_grace_;
  int64_t publish_ahead_;
  std::shared_ptr<const Snapshot> snapshot_ = std::make_shared<Snapshot>();
  std::mutex load_mu_;
  std::atomic<int64_t> loaded_at_{0};
};

}  // namespace gatehouse::identity
