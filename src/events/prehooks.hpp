#pragma once
// Pre-action hooks (the fifth seed's pre_register / pre_login): an optional synchronous
// webhook that may veto a registration or login. The hook receives
//   {"event": "pre_register"|"pre_login", "data": {...}}  (signed like webhooks when a
// secret is set) and answers 2xx {"allow": true|false, "reason": "..."}. On timeout or
// error the configured policy decides: fail closed (default, 503) or fail open.
#include <boost/json/object.hpp>
#include <string>

#include "core/config.hpp"
#include "core/error.hpp"

namespace gatehouse::events {

class PreHooks {
 public:
  explicit PreHooks(const Config& cfg) : cfg_(cfg) {}
  /// ok() when allowed (or no hook configured); 403 with the hook's reason on a veto.
  /// Blocking (outbound HTTP, bounded by the configured timeout).
  Status check(const std::string& event, const boost::json::object& data) const;

 private:
  const Config& cfg_;
};

}  // namespace gatehouse::events
