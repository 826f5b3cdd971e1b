#include "core/rate_limiter.hpp"

#include <cmath>

namespace gatehouse {

int RateLimiter::take(const std::string& key, const RateRule& rule) { return consume(key, rule, true); }
int RateLimiter::peek(const std::string& key, const RateRule& rule) { return consume(key, rule, false); }

int RateLimiter::consume(const std::string& key, const RateRule& rule, bool take) {
  if (!enabled_ || rule.burst < 1 || rule.period_seconds <= 0) return 0;
  auto now = std::chrono::steady_clock::now();
  double rate = rule.burst / rule.period_seconds;  // tokens per second
  std::lock_guard g(mu_);
  // Occasionally drop buckets that have refilled completely, so memory stays bounded by
  // the set of recently active keys.
  if (++ops_ % 4096 == 0) {
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      double secs = std::chrono::duration<double>(now - it->second.at).count();
      it = secs > 3600 ? buckets_.erase(it) : std::next(it);
    }
  }
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{rule.burst, now});
  Bucket& b = it->second;
  if (!fresh) {
    double secs = std::chrono::duration<double>(now - b.at).count();
    b.tokens = std::min(rule.burst, b.tokens + secs * rate);
    b.at = now;
  }
  if (b.tokens >= 1.0) {
    if (take) b.tokens -= 1.0;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / rate)));
}

}  // namespace gatehouse
