#include "core/rate_limiter.hpp"

#include <cmath>
#include <functional>

#include "core/ip_address.hpp"

namespace gatehouse {

int RateLimiter::take(const std::string& key, const RateRule& rule) { return consume(key, rule, true); }
int RateLimiter::peek(const std::string& key, const RateRule& rule) { return consume(key, rule, false); }

std::string RateLimiter::address_key(std::string_view scope, std::string_view ip) {
  return std::string(scope) + ":" + address_bucket(ip);
}

bool RateLimiter::Bucket::full_at(Clock::time_point now) const {
  return tokens + std::chrono::duration<double>(now - at).count() * rate >= burst;
}

std::size_t RateLimiter::size() {
  std::size_t n = 0;
  for (auto& s : shards_) {
    std::lock_guard g(s.mu);
    n += s.index.size();
  }
  return n;
}

void RateLimiter::evict_cold(Shard& s, Clock::time_point now) {
  // Two steps at most per call keep the cost constant; refilled buckets go for free.
  for (int i = 0; i < 2 && !s.lru.empty(); ++i) {
    auto& cold = s.lru.back();
    if (!cold.full_at(now) && s.index.size() < max_per_shard_) break;
    s.index.erase(cold.key);
    s.lru.pop_back();
  }
}

int RateLimiter::consume(const std::string& key, const RateRule& rule, bool take) {
  if (!enabled_ || rule.burst < 1 || rule.period_seconds <= 0) return 0;
  auto now = Clock::now();
  double rate = rule.burst / rule.period_seconds;
  Shard& s = shards_[std::hash<std::string>{}(key) % kShards];
  std::lock_guard g(s.mu);
  evict_cold(s, now);
  Bucket* b;
  if (auto it = s.index.find(key); it != s.index.end()) {
    s.lru.splice(s.lru.begin(), s.lru, it->second);  // now the most recently used
    b = &*it->second;
    double secs = std::chrono::duration<double>(now - b->at).count();
    b->tokens = std::min(rule.burst, b->tokens + secs * rate);
    b->burst = rule.burst;
    b->rate = rate;
    b->at = now;
  } else {
    if (!take) return 0;  // a peek at an unknown key changes nothing and stores nothing
    s.lru.push_front(Bucket{key, rule.burst, rule.burst, rate, now});
    b = &s.lru.front();
    s.index.emplace(std::string_view(b->key), s.lru.begin());
  }
  if (b->tokens >= 1.0) {
    if (take) b->tokens -= 1.0;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1.0 - b->tokens) / rate)));
}

}  // namespace gatehouse
