#pragma once
// A set whose members leave at their own expiry: revoked sessions, grants and token ids
// need remembering only until the last token they could affect has expired. Pruning is
// amortised O(log n) per insert, so the set's size is (insert rate x lifetime), never more.
// Thread-safe (readers share a lock).
#include <cstdint>
#include <map>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace gatehouse {

class ExpiringSet {
 public:
  /// Adds `key` until `expires_at` (a later expiry extends, an earlier one is ignored).
  void insert(const std::string& key, int64_t expires_at, int64_t now) {
    std::unique_lock g(mu_);
    prune(now);
    auto [it, fresh] = members_.try_emplace(key, expires_at);
    if (!fresh) {
      if (it->second >= expires_at) return;
      erase_from_queue(key, it->second);
      it->second = expires_at;
    }
    by_expiry_.emplace(expires_at, key);
  }

  /// Adds `key` unless it is a live member already; true when it was added (replay checks).
  bool insert_new(const std::string& key, int64_t expires_at, int64_t now) {
    std::unique_lock g(mu_);
    prune(now);
    if (!members_.try_emplace(key, expires_at).second) return false;
    by_expiry_.emplace(expires_at, key);
    return true;
  }

  bool contains(const std::string& key, int64_t now) const {
    std::shared_lock g(mu_);
    auto it = members_.find(key);
    return it != members_.end() && it->second > now;
  }

  std::size_t size() const {
    std::shared_lock g(mu_);
    return members_.size();
  }

 private:
  void prune(int64_t now) {
    while (!by_expiry_.empty() && by_expiry_.begin()->first <= now) {
      members_.erase(by_expiry_.begin()->second);
      by_expiry_.erase(by_expiry_.begin());
    }
  }
  void erase_from_queue(const std::string& key, int64_t at) {
    auto [lo, hi] = by_expiry_.equal_range(at);
    for (auto it = lo; it != hi; ++it)
      if (it->second == key) {
        by_expiry_.erase(it);
        return;
      }
  }
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, int64_t> members_;
  std::multimap<int64_t, std::string> by_expiry_;
};

}  // namespace gatehouse
