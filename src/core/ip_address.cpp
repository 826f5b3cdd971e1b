#include "core/ip_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace gatehouse {

std::optional<std::pair<bool, std::array<unsigned char, 16>>> parse_address(std::string_view address) {
  if (address.empty() || address.size() > 45) return std::nullopt;
  std::string a(address);
  std::array<unsigned char, 16> out{};
  if (inet_pton(AF_INET, a.c_str(), out.data()) == 1) return std::pair{false, out};
  if (inet_pton(AF_INET6, a.c_str(), out.data()) == 1) {
    // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is that IPv4 address.
    static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(out.begin(), out.begin() + 12, kMapped)) {
      std::array<unsigned char, 16> v4{};
      std::copy(out.begin() + 12, out.end(), v4.begin());
      return std::pair{false, v4};
    }
    return std::pair{true, out};
  }
  return std::nullopt;
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
  auto slash = text.find('/');
  auto addr = parse_address(text.substr(0, slash));
  if (!addr) return std::nullopt;
  Cidr c;
  c.v6 = addr->first;
  c.net = addr->second;
  int max = c.v6 ? 128 : 32;
  c.prefix = max;
  if (slash != std::string_view::npos) {
    auto p = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), c.prefix);
    if (ec != std::errc{} || end != p.data() + p.size() || c.prefix < 0 || c.prefix > max) return std::nullopt;
  }
  return c;
}

bool Cidr::contains(std::string_view address) const {
  auto a = parse_address(address);
  if (!a || a->first != v6) return false;
  int full = prefix / 8, rest = prefix % 8;
  for (int i = 0; i < full; ++i)
    if (a->second[i] != net[i]) return false;
  if (rest == 0) return true;
  auto mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (a->second[full] & mask) == (net[full] & mask);
}

std::string address_bucket(std::string_view address) {
  auto a = parse_address(address);
  if (!a) return std::string(address.substr(0, 64));
  char buf[INET6_ADDRSTRLEN] = {};
  if (!a->first) {
    inet_ntop(AF_INET, a->second.data(), buf, sizeof buf);
    return buf;
  }
  std::array<unsigned char, 16> net{};
  std::copy(a->second.begin(), a->second.begin() + 8, net.begin());
  inet_ntop(AF_INET6, net.data(), buf, sizeof buf);
  return std::string(buf) + "/64";
}

}  // namespace gatehouse
