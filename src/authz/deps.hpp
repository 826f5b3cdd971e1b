#pragma once
// What the authorization services share. Wired once in app/app.cpp.
#include <atomic>
#include <string>

#include "core/config.hpp"
#include "identity/deps.hpp"
#include "mail/mailer.hpp"
#include "store/db.hpp"

namespace gatehouse::authz {


/// Bumped on every authorization change; caches compare generations to stay correct.
class Generation {
 public:
  uint64_t current() const { return g_.load(std::memory_order_acquire); }
  void bump() { g_.fetch_add(1, std::memory_order_acq_rel); }

 private:
  std::atomic<uint64_t> g_{1};
};

struct AuthzDeps {
  const Config& cfg;
  store::Database& db;
  mail::Mailer& mailer;
  RateLimiter& limiter;
  Generation& generation;
};

}  // namespace gatehouse::authz
