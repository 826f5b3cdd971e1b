// BoundedCache and ExpiringSet: the memory bounds behind every request-path cache.
#include <gtest/gtest.h>

#include <string>

#include "core/bounded_cache.hpp"
#include "core/expiring_set.hpp"

namespace gatehouse {
namespace {

TEST(BoundedCache, GetPutExpire) {
  BoundedCache<std::string, int> c(10, 30);
  c.put("a", 1, 100);
  EXPECT_EQ(c.get("a", 100), 1);
  EXPECT_EQ(c.get("a", 129), 1);
  EXPECT_FALSE(c.get("a", 130)) << "entries live ttl seconds";
  EXPECT_EQ(c.size(), 0u) << "an expired entry found is dropped";
}

TEST(BoundedCache, SizeCapEvictsOldestWrite) {
  BoundedCache<std::string, int> c(3, 1000);
  for (int i = 0; i < 100; ++i) c.put("k" + std::to_string(i), i, 0);
  EXPECT_EQ(c.size(), 3u);
  EXPECT_FALSE(c.get("k96", 0));
  EXPECT_EQ(c.get("k99", 0), 99);
  c.put("k97", 7, 0);  // rewriting refreshes the position
  c.put("new", 1, 0);
  EXPECT_EQ(c.get("k97", 0), 7);
  EXPECT_FALSE(c.get("k98", 0));
}

TEST(BoundedCache, ZeroCapacityDisables) {
  BoundedCache<std::string, int> c(0, 30);
  c.put("a", 1, 0);
  EXPECT_FALSE(c.get("a", 0));
}

TEST(BoundedCache, EraseIf) {
  BoundedCache<std::string, int> c(10, 30);
  for (int i = 0; i < 6; ++i) c.put(std::to_string(i), i, 0);
  c.erase_if([](const int& v) { return v % 2 == 0; });
  EXPECT_EQ(c.size(), 3u);
  EXPECT_FALSE(c.get("2", 0));
  EXPECT_EQ(c.get("3", 0), 3);
}

TEST(ExpiringSet, MembersLeaveAtTheirExpiry) {
  ExpiringSet s;
  s.insert("a", 110, 100);
  s.insert("b", 200, 100);
  EXPECT_TRUE(s.contains("a", 109));
  EXPECT_FALSE(s.contains("a", 110));
  EXPECT_TRUE(s.contains("b", 150));
  s.insert("c", 300, 150);  // inserting prunes what has expired
  EXPECT_EQ(s.size(), 2u);
  s.insert("b", 400, 150);  // a later expiry extends
  s.insert("b", 160, 150);  // an earlier one is ignored
  EXPECT_TRUE(s.contains("b", 350));
}

TEST(ExpiringSet, SizeIsRateTimesLifetime) {
  ExpiringSet s;
  for (int64_t t = 0; t < 100000; ++t) s.insert("jti-" + std::to_string(t), t + 100, t);
  EXPECT_LE(s.size(), 101u);
}

}  // namespace
}  // namespace gatehouse
