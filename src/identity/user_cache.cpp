#include "identity/user_cache.hpp"

#include "core/clock.hpp"

namespace gatehouse::identity {

std::optional<User> UserCache::get(const std::string& id) { return cache_.get(id, now_seconds()); }

void UserCache::put(const User& u) { cache_.put(u.id, u, now_seconds()); }

void UserCache::invalidate(const std::string& id) { cache_.erase(id); }

}  // namespace gatehouse::identity
