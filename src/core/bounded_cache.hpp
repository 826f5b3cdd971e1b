#pragma once
// The one cache primitive: a map with a size cap and one lifetime for every entry; each
// write drops what has expired, and the least recently written entry when still full, so
// the size is min(capacity, write rate x lifetime). Everything kept in memory on a request path goes
// through it (or through ExpiringSet), so nothing grows with traffic (DESIGN.md §6).
// Thread-safe; values are copied out, so keep them small or behind a shared_ptr.
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>

namespace gatehouse {

template <class K, class V, class Hash = std::hash<K>>
class BoundedCache {
 public:
  /// At most `capacity` entries (0 disables the cache), each alive `ttl_seconds` after put.
  BoundedCache(std::size_t capacity, int64_t ttl_seconds) : capacity_(capacity), ttl_(ttl_seconds) {}

  /// The value when present and not expired at `now`.
  std::optional<V> get(const K& key, int64_t now) {
    std::lock_guard g(mu_);
    auto it = index_.find(key);
    if (it == index_.end()) return std::nullopt;
    if (it->second->expires_at <= now) {
      order_.erase(it->second);
      index_.erase(it);
      return std::nullopt;
    }
    return it->second->value;
  }

  void put(const K& key, V value, int64_t now) {
    if (capacity_ == 0) return;
    std::lock_guard g(mu_);
    if (auto it = index_.find(key); it != index_.end()) {
      order_.erase(it->second);
      index_.erase(it);
    }
    // Every entry has the same lifetime, so write order is expiry order: what has expired
    // sits at the back and goes first (amortised O(1)); then, if still full, the oldest.
    while (!order_.empty() && order_.back().expires_at <= now) {
      index_.erase(order_.back().key);
      order_.pop_back();
    }
    while (index_.size() >= capacity_) {
      index_.erase(order_.back().key);
      order_.pop_back();
    }
    order_.push_front(Entry{key, std::move(value), now + ttl_});
    index_.emplace(key, order_.begin());
  }

  void erase(const K& key) {
    std::lock_guard g(mu_);
    if (auto it = index_.find(key); it != index_.end()) {
      order_.erase(it->second);
      index_.erase(it);
    }
  }

  /// Drops every entry whose value matches (O(n): for rare invalidations only).
  void erase_if(const std::function<bool(const V&)>& pred) {
    std::lock_guard g(mu_);
    for (auto it = order_.begin(); it != order_.end();) {
      if (pred(it->value)) {
        index_.erase(it->key);
        it = order_.erase(it);
      } else {
        ++it;
      }
    }
  }

  void clear() {
    std::lock_guard g(mu_);
    index_.clear();
    order_.clear();
  }

  std::size_t size() const {
    std::lock_guard g(mu_);
    return index_.size();
  }

 private:
  struct Entry {
    K key;
    V value;
    int64_t expires_at;
  };
  std::size_t capacity_;
  int64_t ttl_;
  mutable std::mutex mu_;
  std::list<Entry> order_;  // most recent write first
  std::unordered_map<K, typename std::list<Entry>::iterator, Hash> index_;
};

}  // namespace gatehouse
