#include "identity/keys.hpp"

#include "crypto/hash.hpp"

#include <sys/stat.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/clock.hpp"
#include "crypto/random.hpp"
#include "crypto/aead.hpp"
#include "crypto/encoding.hpp"
#include "identity/key_store.hpp"

namespace gatehouse::identity {
namespace json = boost::json;

std::string load_or_create_master_key(const Config& cfg) {
  auto decode = [](const std::string& b64, const std::string& where) {
    std::string trimmed = b64;
    while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) trimmed.pop_back();
    auto raw = crypto::base64_decode(trimmed);
    if (!raw || raw->size() != 32)
      throw std::runtime_error(where + ": master key must be base64 of 32 bytes");
    return *raw;
  };
  if (!cfg.master_key.empty()) return decode(cfg.master_key, "GATEHOUSE_MASTER_KEY");
  namespace fs = std::filesystem;
  fs::path p = cfg.master_key_file;
  if (fs::exists(p)) {
    // Like ssh with its private keys: a master key others may read is not a secret any more.
    auto perms = fs::status(p).permissions();
    if ((perms & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none)
      throw std::runtime_error(p.string() + ": master key file is readable by group or others; chmod 600 it");
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return decode(ss.str(), p.string());
  }
  if (p.has_parent_path()) fs::create_directories(p.parent_path());
  std::string key = crypto::random_bytes(32);
  {
    auto old = umask(077);
    std::ofstream out(p);
    umask(old);
    out << crypto::base64_encode(key) << "\n";
    if (!out) throw std::runtime_error("cannot write master key file " + p.string());
  }
  fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
  return key;
}

KeyRing::KeyRing(store::Database& db, std::string master_key, crypto::Alg alg, int64_t grace, int64_t ahead)
    : db_(db), seal_key_(crypto::hkdf_sha256(master_key, "gatehouse signing-key seal v1")),
      legacy_key_(std::move(master_key)), alg_(alg), retire_grace_(grace), publish_ahead_(ahead) {}

KeyInfo KeyRing::create_key(store::Conn& c, crypto::Alg alg, int64_t now, int64_t signs_from) {
  std::string kid = crypto::base64url_encode(crypto::random_bytes(12));
  auto key = crypto::Jwk::generate(alg, kid);
  std::string sealed = crypto::base64_encode(crypto::aead_seal(seal_key_, key.private_pem(), kid));
  KeyStore(c).insert(kid, crypto::alg_name(alg), key.public_pem(), sealed, now, signs_from);
  return KeyInfo{kid, crypto::alg_name(alg), now, signs_from, std::nullopt, std::nullopt, true};
}

void KeyRing::load() {
  std::lock_guard g(load_mu_);
  int64_t now = now_seconds();
  db_.transaction([&](store::Conn& c) {
    // Every algorithm keeps one active key: access tokens use the configured one, ID tokens
    // RS256 (OIDC's mandatory algorithm) or a client's choice.
    for (auto alg : {crypto::Alg::ES256, crypto::Alg::EdDSA, crypto::Alg::RS256}) {
      if (!KeyStore(c).has_active(crypto::alg_name(alg))) create_key(c, alg, now, now);
    }
  });
  auto snap = std::make_shared<Snapshot>();
  json::array keys;
  // Per algorithm, the signer is the newest key that still signs (not retired, or retiring
  // later) and whose publish-ahead delay is over; without one, the oldest key that still
  // signs (a rotation's two keys meet at one instant, so this only bridges clock steps).
  std::map<crypto::Alg, std::shared_ptr<const crypto::Jwk>> fallback;
  auto note_change = [&](int64_t at) {
    if (at > now) snap->next_change_at = std::min(snap->next_change_at, at);
  };
  for (auto& r : db_.with([&](store::Conn& c) { return KeyStore(c).published(now); })) {
    const std::string& kid = r.kid;
    auto alg = crypto::alg_from_name(r.alg);
    auto sealed = crypto::base64_decode(r.private_sealed);
    if (!alg || !sealed) throw std::runtime_error("signing key " + kid + " is corrupt");
    // Keys sealed before per-purpose keys existed open with the raw master key.
    auto pem = crypto::aead_open(seal_key_, *sealed, kid);
    if (!pem) pem = crypto::aead_open(legacy_key_, *sealed, kid);
    if (!pem) throw std::runtime_error("signing key " + kid + " does not decrypt: wrong master key?");
    auto jwk = crypto::Jwk::from_pem(*alg, kid, *pem);
    if (!jwk) throw std::runtime_error("signing key " + kid + " is invalid");
    auto shared = std::make_shared<const crypto::Jwk>(std::move(*jwk));
    snap->keys.push_back(shared);
    keys.push_back(shared->public_json());
    auto retired_at = r.retired_at;
    int64_t signs_from = r.signs_from;
    if (retired_at) note_change(*retired_at);
    note_change(signs_from);
    if (retired_at && *retired_at <= now) continue;  // no longer signs
    fallback[*alg] = shared;  // rows are newest first: the last one seen is the oldest
    if (signs_from <= now && !snap->by_alg.count(*alg)) snap->by_alg[*alg] = shared;
  }
  for (auto& [alg, key] : fallback)
    if (!snap->by_alg.count(alg)) snap->by_alg[alg] = key;
  if (snap->by_alg.count(alg_)) snap->signer = snap->by_alg[alg_];
  if (!snap->signer) throw std::runtime_error("no active signing key");
  json::object doc;
  doc["keys"] = std::move(keys);
  snap->jwks = std::make_shared<const std::string>(json::serialize(doc));
  snap->pem = std::make_shared<const std::string>(snap->signer->public_pem());
  std::atomic_store(&snapshot_, std::shared_ptr<const Snapshot>(std::move(snap)));
  loaded_at_.store(now);
}

void KeyRing::reload_if_older(int min_age) {
  if (now_seconds() - loaded_at_.load() >= min_age) load();
}

bool KeyRing::change_due() const { return now_seconds() >= snap()->next_change_at; }

KeyInfo KeyRing::rotate(crypto::Alg alg, bool immediately) {
  int64_t now = now_seconds();
  int64_t ahead = immediately ? 0 : publish_ahead_;
  KeyInfo info = db_.transaction([&](store::Conn& c) {
    // The old key signs until the new one may.
    KeyStore(c).retire_active(crypto::alg_name(alg), now + ahead, now + ahead + retire_grace_);
    return create_key(c, alg, now, now + ahead);
  });
  load();
  return info;
}

std::vector<KeyInfo> KeyRing::list() {
  std::vector<KeyInfo> out;
  for (auto& k : db_.with([](store::Conn& c) { return KeyStore(c).all(); }))
    out.push_back({k.kid, k.alg, k.created_at, k.signs_from, k.retired_at, k.expires_at, !k.retired_at});
  return out;
}

std::shared_ptr<const crypto::Jwk> KeyRing::signer() const { return snap()->signer; }

std::shared_ptr<const crypto::Jwk> KeyRing::signer_for(crypto::Alg alg) const {
  auto s = snap();
  auto it = s->by_alg.find(alg);
  return it == s->by_alg.end() ? s->signer : it->second;
}

std::shared_ptr<const crypto::Jwk> KeyRing::find(const std::string& kid) const {
  for (auto& k : snap()->keys)
    if (k->kid() == kid) return k;
  return nullptr;
}

std::shared_ptr<const std::string> KeyRing::jwks() const { return snap()->jwks; }
std::shared_ptr<const std::string> KeyRing::public_pem() const { return snap()->pem; }

}  // namespace gatehouse::identity
