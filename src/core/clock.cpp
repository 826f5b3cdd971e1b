#include "core/clock.hpp"

#include <algorithm>

#include <cstdio>
#include <ctime>

namespace gatehouse {

std::string iso8601(int64_t t) {
  // RFC 3339 has four-digit years: clamp to 0000..9999 rather than print what gmtime_r
  // cannot represent (it fails silently past its range and leaves tm as it was).
  constexpr int64_t kMin = -62167219200, kMax = 253402300799;  // 0000-01-01, 9999-12-31T23:59:59Z
  std::time_t tt = static_cast<std::time_t>(std::clamp(t, kMin, kMax));
  std::tm tm{};
  if (!gmtime_r(&tt, &tm)) return "9999-12-31T23:59:59Z";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec);  // strftime's %Y drops leading zeros
  return buf;
}

}  // namespace gatehouse
