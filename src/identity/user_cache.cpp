#include "identity/user_cache.hpp"

namespace gatehouse::identity {

std::optional<User> UserCache::get(const std::string& id) {
  std::lock_guard g(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return std::nullopt;
  if (std::chrono::steady_clock::now() - it->second.at > ttl_) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.user;
}

void UserCache::put(const User& u) {
  std::lock_guard g(mu_);
  if (entries_.size() >= capacity_) entries_.clear();
  entries_[u.id] = Entry{u, std::chrono::steady_clock::now()};
}

void UserCache::invalidate(const std::string& id) {
  std::lock_guard g(mu_);
  entries_.erase(id);
}

}  // namespace gatehouse::identity
