#pragma once
// In-memory token buckets for one node (DESIGN.md §1: Redis takes this over for many
// nodes). Keys are "scope:subject", e.g. "login-ip:127.0.0.1". Thread-safe.
#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/config.hpp"

namespace gatehouse {

class RateLimiter {
 public:
  explicit RateLimiter(bool enabled) : enabled_(enabled) {}
  /// Takes one token. Returns 0 when allowed, else the seconds until one is available.
  int take(const std::string& key, const RateRule& rule);
  /// Seconds until a token is available without taking one (0: available now).
  int peek(const std::string& key, const RateRule& rule);
  bool enabled() const { return enabled_; }

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point at;
  };
  int consume(const std::string& key, const RateRule& rule, bool take);
  bool enabled_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::size_t ops_ = 0;
};

}  // namespace gatehouse
