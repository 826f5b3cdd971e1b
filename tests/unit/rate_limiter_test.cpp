// RateLimiter: token buckets. Rules use long periods so refill during a test is negligible
// and no assertion depends on timing.
#include <gtest/gtest.h>

#include <string>

#include "core/rate_limiter.hpp"

namespace gatehouse {
namespace {

TEST(RateLimiter, BurstThenRefusalWithRetrySeconds) {
  RateLimiter rl(true);
  EXPECT_TRUE(rl.enabled());
  RateRule rule{3, 3600};  // 3 at once, one token back every 1200 s
  EXPECT_EQ(rl.take("login-ip:10.0.0.1", rule), 0);
  EXPECT_EQ(rl.take("login-ip:10.0.0.1", rule), 0);
  EXPECT_EQ(rl.take("login-ip:10.0.0.1", rule), 0);
  int retry = rl.take("login-ip:10.0.0.1", rule);
  EXPECT_GT(retry, 0);
  EXPECT_LE(retry, 1200);
  EXPECT_GT(retry, 1100) << "the next token is ~1200 s away";
  // Refusals do not consume anything and keep refusing.
  for (int i = 0; i < 10; ++i) EXPECT_GT(rl.take("login-ip:10.0.0.1", rule), 0);
}

TEST(RateLimiter, SingleTokenRule) {
  RateLimiter rl(true);
  RateRule rule{1, 60};
  EXPECT_EQ(rl.take("k", rule), 0);
  int retry = rl.take("k", rule);
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 60);
}

TEST(RateLimiter, KeysAreIndependent) {
  RateLimiter rl(true);
  RateRule rule{2, 3600};
  EXPECT_EQ(rl.take("login-ip:1.1.1.1", rule), 0);
  EXPECT_EQ(rl.take("login-ip:1.1.1.1", rule), 0);
  EXPECT_GT(rl.take("login-ip:1.1.1.1", rule), 0);
  EXPECT_EQ(rl.take("login-ip:2.2.2.2", rule), 0);
  EXPECT_EQ(rl.take("register-ip:1.1.1.1", rule), 0);
}

TEST(RateLimiter, PeekDoesNotConsume) {
  RateLimiter rl(true);
  RateRule rule{2, 3600};
  for (int i = 0; i < 20; ++i) EXPECT_EQ(rl.peek("acct:a", rule), 0);
  EXPECT_EQ(rl.take("acct:a", rule), 0);
  EXPECT_EQ(rl.peek("acct:a", rule), 0);
  EXPECT_EQ(rl.take("acct:a", rule), 0);
  int p = rl.peek("acct:a", rule);
  EXPECT_GT(p, 0);
  EXPECT_GT(rl.take("acct:a", rule), 0);
  EXPECT_GT(rl.peek("acct:a", rule), 0);
}

TEST(RateLimiter, ManyKeysStayCorrect) {
  // Crosses the periodic clean-up (every 4096 operations); active buckets must survive it.
  RateLimiter rl(true);
  RateRule rule{1, 3600};
  EXPECT_EQ(rl.take("hot", rule), 0);
  for (int i = 0; i < 5000; ++i) {
    std::string key = "k";
    key.append(std::to_string(i));  // (not "k" + ...: GCC 12 -Wstringop-overflow false positive)
    EXPECT_EQ(rl.take(key, rule), 0);
  }
  EXPECT_GT(rl.take("hot", rule), 0);
  EXPECT_GT(rl.take("k0", rule), 0);
}

TEST(RateLimiter, DisabledAlwaysAllows) {
  RateLimiter rl(false);
  EXPECT_FALSE(rl.enabled());
  RateRule rule{1, 3600};
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(rl.take("k", rule), 0);
    EXPECT_EQ(rl.peek("k", rule), 0);
  }
}

TEST(RateLimiter, MemoryIsBoundedUnderAFloodOfKeys) {
  RateLimiter rl(true, 1600);  // 100 per shard
  RateRule rule{5, 3600};
  for (int i = 0; i < 50000; ++i) rl.take("login-account:attacker-" + std::to_string(i), rule);
  EXPECT_LE(rl.size(), 1600u);
}

TEST(RateLimiter, RefilledBucketsAreDroppedWithoutChangingAnswers) {
  RateLimiter rl(true, 1600);
  RateRule fast{1, 0.000001};  // refills at once: every bucket is full by the next call
  for (int i = 0; i < 5000; ++i) EXPECT_EQ(rl.take("k" + std::to_string(i), fast), 0);
  EXPECT_LT(rl.size(), 200u) << "full buckets leave as new keys arrive";
}

TEST(RateLimiter, PeekAtUnknownKeyStoresNothing) {
  RateLimiter rl(true);
  RateRule rule{2, 3600};
  for (int i = 0; i < 100; ++i) EXPECT_EQ(rl.peek("p" + std::to_string(i), rule), 0);
  EXPECT_EQ(rl.size(), 0u);
}

TEST(RateLimiter, Ipv6AddressesShareTheirSlash64) {
  EXPECT_EQ(RateLimiter::address_key("login-ip", "2001:db8:1:2::1"),
            RateLimiter::address_key("login-ip", "2001:db8:1:2:ffff:ffff:ffff:ffff"));
  EXPECT_NE(RateLimiter::address_key("login-ip", "2001:db8:1:2::1"),
            RateLimiter::address_key("login-ip", "2001:db8:1:3::1"));
  EXPECT_EQ(RateLimiter::address_key("login-ip", "192.0.2.7"), "login-ip:192.0.2.7");
  EXPECT_EQ(RateLimiter::address_key("login-ip", "::ffff:192.0.2.7"), "login-ip:192.0.2.7");
}

}  // namespace
}  // namespace gatehouse
