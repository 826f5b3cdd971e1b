#include "http/client_ip.hpp"

namespace gatehouse::http {

bool ProxyTrust::trusts(std::string_view peer) const {
  for (auto& c : proxies)
    if (c.contains(peer)) return true;
  return false;
}

std::string ProxyTrust::client_ip(std::string_view peer, std::string_view forwarded_for) const {
  if (forwarded_for.empty() || !trusts(peer)) return std::string(peer);
  std::string_view rest = forwarded_for;
  while (!rest.empty()) {
    auto comma = rest.rfind(',');
    auto hop = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
    while (!hop.empty() && hop.front() == ' ') hop.remove_prefix(1);
    while (!hop.empty() && hop.back() == ' ') hop.remove_suffix(1);
    if (!parse_address(hop)) return std::string(peer);  // garbage: believe only the socket
    if (!trusts(hop)) return std::string(hop);
  }
  return std::string(peer);  // every hop is one of our proxies
}

}  // namespace gatehouse::http
