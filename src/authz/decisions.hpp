#pragma once
// The decision API's engine: "may subject S do permission P in service X (in org O)?".
// Grants per (subject, service, org) are computed from the database once and kept in a
// bounded in-memory cache that every authorization change invalidates (Generation), so
// repeated checks cost a hash lookup. Thread-safe.
#include <map>
#include <mutex>

#include "core/bounded_cache.hpp"
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "authz/deps.hpp"

namespace gatehouse::authz {

struct Decision {
  bool allowed = false;
  std::string reason;
};

struct CheckRequest {
  std::string subject;                // user id
  std::string service;                // service id or name
  std::string permission;             // resource:action
  std::optional<std::string> org;     // organization id
};

class Decisions {
 public:
  Decisions(AuthzDeps d, std::size_t capacity = 20000);
  /// Blocking on a cache miss (SQL); 404 when the service does not exist.
  Result<Decision> check(const CheckRequest& r);
  /// Cache-only answer for the IO thread; nullopt when the database is needed.
  std::optional<Result<Decision>> check_cached(const CheckRequest& r);
  /// Permission names the subject holds in the service. Blocking on a miss.
  Result<std::vector<std::string>> permissions(const std::string& subject, const std::string& service,
                                               const std::optional<std::string>& org);
  /// The service id for an id or name (cached). Blocking on a miss.
  std::optional<std::string> resolve_service(const std::string& ref);

 private:
  struct Grants {
    uint64_t generation = 0;
    std::string denial;                          // non-empty: subject cannot hold anything here
    std::map<std::string, std::string> perms;    // permission -> granting role
  };
  std::optional<Grants> cached(const std::string& key);
  Result<Grants> load(const std::string& subject, const std::string& service_id, const std::optional<std::string>& org);
  static Decision decide(const Grants& g, const std::string& permission);
  std::optional<std::string> cached_service(const std::string& ref);

  AuthzDeps d_;
  // Both bounded (DESIGN.md §6): refs and subjects come from requests. Entries also carry
  // the generation they were read at; a change anywhere makes them stale at once.
  static constexpr int64_t kTtlSeconds = 30;
  BoundedCache<std::string, Grants> grants_;
  BoundedCache<std::string, std::pair<uint64_t, std::string>> services_;  // ref -> (generation, id or "")
};

}  // namespace gatehouse::authz
