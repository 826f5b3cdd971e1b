#pragma once
// IP addresses and networks as the rate limiter and the proxy rules need them.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace gatehouse {

/// The address in 16-byte form: {is_v6, bytes} (IPv4, and IPv4-mapped IPv6, as 4 bytes +
/// zero padding); nullopt when it is not an address.
std::optional<std::pair<bool, std::array<unsigned char, 16>>> parse_address(std::string_view address);

/// An IPv4 or IPv6 network ("10.0.0.0/8", "::1/128", or a bare address).
struct Cidr {
  bool v6 = false;
  std::array<unsigned char, 16> net{};
  int prefix = 0;

  static std::optional<Cidr> parse(std::string_view text);
  bool contains(std::string_view address) const;
};

/// The key a per-address limit should use: the address for IPv4, its /64 for IPv6 (one
/// subscriber usually holds a whole /64, so per-/128 keys would be free to multiply).
std::string address_bucket(std::string_view address);

}  // namespace gatehouse
