#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace gatehouse {

/// Seconds since the Unix epoch (wall clock); every stored timestamp uses this unit.
inline int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// RFC 3339 UTC form of a Unix time, e.g. 2026-11-24T20:00:00Z.
std::string iso8601(int64_t unix_seconds);

}  // namespace gatehouse
