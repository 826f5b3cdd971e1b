#pragma once
// Application tokens for service-to-service calls. Format: "gha_" + 40 base62 random
// characters + 6 base62 characters of CRC-32 over them, so secret scanners can recognise
// a leaked token and reject typos offline. Stored only as HMAC-SHA-256 under a key derived
// from the master key (a slow hash adds nothing for 238 random bits). Validation is served
// from a cache that revocation clears; usage counts are batched to the database.
#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "authz/deps.hpp"
#include "core/bounded_cache.hpp"
#include "authz/models.hpp"
#include "crypto/hash.hpp"
#include "core/periodic.hpp"

namespace gatehouse::authz {

struct NewAppToken {
  AppToken token;
  std::string secret;  // shown once
};

class AppTokens {
 public:
  AppTokens(AuthzDeps d, std::string hmac_key);
  ~AppTokens();

  /// True when the text looks like one of our tokens (prefix, length, checksum).
  static bool well_formed(const std::string& token);

  Result<NewAppToken> create(const std::string& service_id, const std::string& name,
                             const std::vector<std::string>& scopes, std::optional<int64_t> expires_at,
                             const Principal& p, const Origin& o);
  Result<std::vector<AppToken>> of_service(const std::string& service_id, const Principal& p);
  Result<AppToken> get(const std::string& id, const Principal& p);
  Status revoke(const std::string& id, const Principal& p, const Origin& o);
  Status remove(const std::string& id, const Principal& p, const Origin& o);
  Result<std::vector<std::pair<std::string, int64_t>>> usage(const std::string& id, const Principal& p, int days);

  /// Validates a presented token: active, unexpired, service alive. Blocking on a cache miss.
  Result<AppToken> validate(const std::string& token);
  /// Cache-only validation for the IO thread; nullopt when the database is needed.
  std::optional<Result<AppToken>> validate_cached(const std::string& token);

  /// Starts / stops the background flush of usage counters.
  void start();
  void stop();

 private:
  struct Cached {
    AppToken token;
    int64_t verified_at;
    uint64_t generation;
  };
  std::string hash(const std::string& token) const;
  Result<AppToken> owned(store::Conn& c, const std::string& id, const Principal& p);
  void record_use(const std::string& id);
  void flush_usage();
  void forget(const std::string& id);

  AuthzDeps d_;
  crypto::HmacSha256 hmac_;
  static constexpr int64_t kRecheckSeconds = 30;  // revocations by other nodes are seen within it
  BoundedCache<std::string, Cached> cache_{20000, kRecheckSeconds};  // HMAC -> token
  std::mutex mu_;  // usage_
  std::unordered_map<std::string, std::pair<int64_t, int64_t>> usage_;  // id -> (count, last used)
  PeriodicWorker flusher_{"app token usage flush", std::chrono::seconds(10), [this] { flush_usage(); }};
};

}  // namespace gatehouse::authz
