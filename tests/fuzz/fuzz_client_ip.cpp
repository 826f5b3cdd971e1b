// X-Forwarded-For behind trusted proxies: http::ProxyTrust::client_ip, and the address
// helpers every rate-limit key goes through (parse_address, Cidr::parse, address_bucket).
// Input: the X-Forwarded-For value (also tried as a CIDR and as an address).
// Invariants: the client is the socket peer or an untrusted hop that is an IP address; a
// bucket key is at most 64 bytes whatever the input (DESIGN.md §6: no unbounded keys); a
// parsed network contains its own address.
#include <cstdint>

#include "core/ip_address.hpp"
#include "fuzz_common.hpp"
#include "http/client_ip.hpp"

namespace {
using namespace gatehouse;

const http::ProxyTrust& trust() {
  static const http::ProxyTrust t{{*Cidr::parse("10.0.0.0/8"), *Cidr::parse("127.0.0.1"), *Cidr::parse("::1/128"),
                                   *Cidr::parse("fd00::/8")}};
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto in = fuzz::text(data, size);
  const http::ProxyTrust& t = trust();
  for (std::string_view peer : {"10.1.2.3", "fd00::7", "198.51.100.4"}) {
    std::string client = t.client_ip(peer, in);
    FUZZ_CHECK(parse_address(client).has_value(), "the client is an IP address");
    if (!t.trusts(peer)) FUZZ_CHECK(client == peer, "an untrusted peer is the client");
    if (client != peer) {
      FUZZ_CHECK(!t.trusts(client), "a forwarded client is not one of our proxies");
      FUZZ_CHECK(in.find(client) != std::string_view::npos, "a forwarded client comes from the header");
    }
  }
  FUZZ_CHECK(address_bucket(in).size() <= 64, "bucket keys are bounded");
  auto slash = in.find('/');
  if (auto c = Cidr::parse(in)) {
    FUZZ_CHECK(c->prefix >= 0 && c->prefix <= (c->v6 ? 128 : 32), "prefix in range");
    FUZZ_CHECK(c->contains(in.substr(0, slash)), "a network contains its own address");
  }
  return 0;
}
