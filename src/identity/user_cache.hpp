#pragma once
// Recently read users by id, for the GET /me fast path. Entries live a few seconds
// (picking up changes made by other nodes or the CLI) and are dropped on every local change.
#include <optional>
#include <string>

#include "core/bounded_cache.hpp"
#include "identity/models.hpp"

namespace gatehouse::identity {

class UserCache {
 public:
  explicit UserCache(std::size_t capacity = 10000, int ttl_seconds = 5) : cache_(capacity, ttl_seconds) {}
  std::optional<User> get(const std::string& id);
  void put(const User& u);
  void invalidate(const std::string& id);

 private:
  BoundedCache<std::string, User> cache_;
};

}  // namespace gatehouse::identity
