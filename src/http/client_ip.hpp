#pragma once
// Who the client is behind reverse proxies: X-Forwarded-For and X-Forwarded-Proto are
// believed only when the socket peer is one of the configured proxy networks.
#include <string>
#include <string_view>
#include <vector>

#include "core/ip_address.hpp"

namespace gatehouse::http {

struct ProxyTrust {
  std::vector<Cidr> proxies;  // empty: no proxy is trusted
  bool trusts(std::string_view peer) const;
  /// The client: walking X-Forwarded-For from the right, the first hop that is not a
  /// trusted proxy; the peer itself when it is not trusted or the header is absent/invalid.
  std::string client_ip(std::string_view peer, std::string_view forwarded_for) const;
};

}  // namespace gatehouse::http
