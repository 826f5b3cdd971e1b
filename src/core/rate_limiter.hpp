#pragma once
// In-memory token buckets for one node (DESIGN.md §1: Redis takes this over for many
// nodes). Keys are "scope:subject", e.g. "login-ip:127.0.0.1". Thread-safe.
//
// Memory is bounded: buckets live in 16 shards, each a map plus a least-recently-used list.
// A bucket that has refilled completely behaves exactly like a missing one, so it is
// dropped from the cold end of the list as new keys arrive (O(1) per call, no scans). Past
// `max_keys` live buckets the coldest is dropped even if not full: a flood of fresh keys
// can then forget old ones, which only ever makes a limit more lenient for a key not seen
// for the longest time, never blocks anyone.
#include <array>
#include <chrono>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/config.hpp"

namespace gatehouse {

class RateLimiter {
 public:
  explicit RateLimiter(bool enabled, std::size_t max_keys = 200000)
      : enabled_(enabled), max_per_shard_(std::max<std::size_t>(16, max_keys / kShards)) {}
  /// Takes one token. Returns 0 when allowed, else the seconds until one is available.
  int take(const std::string& key, const RateRule& rule);
  /// Seconds until a token is available without taking one (0: available now).
  int peek(const std::string& key, const RateRule& rule);
  bool enabled() const { return enabled_; }
  std::size_t size();

  /// "scope:address" with IPv6 grouped by /64 (one subscriber holds a whole /64).
  static std::string address_key(std::string_view scope, std::string_view ip);

 private:
  using Clock = std::chrono::steady_clock;
  struct Bucket {
    std::string key;
    double tokens;
    double burst;
    double rate;  // tokens per second
    Clock::time_point at;
    bool full_at(Clock::time_point now) const;
  };
  struct Shard {
    std::mutex mu;
    std::list<Bucket> lru;  // most recently used first
    std::unordered_map<std::string_view, std::list<Bucket>::iterator> index;
  };
  static constexpr std::size_t kShards = 16;
  int consume(const std::string& key, const RateRule& rule, bool take);
  void evict_cold(Shard& s, Clock::time_point now);

  bool enabled_;
  std::size_t max_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace gatehouse
