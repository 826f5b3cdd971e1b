#pragma once
// Recently read users by id, for the GET /me fast path. Entries live a few seconds
// (picking up changes made by other nodes or the CLI) and are dropped on every local change.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "identity/models.hpp"

namespace gatehouse::identity {

class UserCache {
 public:
  explicit UserCache(std::size_t capacity = 100000, int ttl_seconds = 5)
      : capacity_(capacity), ttl_(ttl_seconds) {}
  std::optional<User> get(const std::string& id);
  void put(const User& u);
  void invalidate(const std::string& id);

 private:
  struct Entry {
    User user;
    std::chrono::steady_clock::time_point at;
  };
  std::size_t capacity_;
  std::chrono::seconds ttl_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace gatehouse::identity
