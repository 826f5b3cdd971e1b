// IP addresses, networks and the trusted-proxy walk over X-Forwarded-For.
#include <gtest/gtest.h>

#include "core/ip_address.hpp"
#include "http/client_ip.hpp"

namespace gatehouse {
namespace {

TEST(Cidr, ParsesAndMatches) {
  auto net = Cidr::parse("10.0.0.0/8");
  ASSERT_TRUE(net);
  EXPECT_TRUE(net->contains("10.1.2.3"));
  EXPECT_FALSE(net->contains("11.0.0.1"));
  EXPECT_FALSE(net->contains("::1"));
  auto v6 = Cidr::parse("2001:db8::/32");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains("2001:db8:ffff::1"));
  EXPECT_FALSE(v6->contains("2001:db9::1"));
  auto odd = Cidr::parse("192.168.0.0/23");
  ASSERT_TRUE(odd);
  EXPECT_TRUE(odd->contains("192.168.1.255"));
  EXPECT_FALSE(odd->contains("192.168.2.0"));
  EXPECT_TRUE(Cidr::parse("127.0.0.1"));
}

TEST(Cidr, RefusesGarbage) {
  for (const char* bad : {"", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "::1/129", "300.1.1.1", "a.b.c.d", "10.0.0.0/8/8"})
    EXPECT_FALSE(Cidr::parse(bad)) << bad;
}

TEST(ProxyTrust, UntrustedPeerIsTheClient) {
  http::ProxyTrust t{{*Cidr::parse("10.0.0.0/8")}};
  EXPECT_EQ(t.client_ip("203.0.113.5", "198.51.100.1"), "203.0.113.5");
  EXPECT_EQ(t.client_ip("10.0.0.2", ""), "10.0.0.2");
}

TEST(ProxyTrust, RightMostUntrustedHopWins) {
  http::ProxyTrust t{{*Cidr::parse("10.0.0.0/8")}};
  EXPECT_EQ(t.client_ip("10.0.0.2", "198.51.100.1"), "198.51.100.1");
  // a client-supplied fake first hop is ignored; our second proxy is skipped
  EXPECT_EQ(t.client_ip("10.0.0.2", "1.2.3.4, 198.51.100.1, 10.0.0.9"), "198.51.100.1");
  // garbage in the header: believe only the socket
  EXPECT_EQ(t.client_ip("10.0.0.2", "not-an-ip"), "10.0.0.2");
  EXPECT_EQ(t.client_ip("10.0.0.2", "10.0.0.3"), "10.0.0.2");
}

TEST(AddressBucket, GroupsIpv6By64) {
  EXPECT_EQ(address_bucket("2001:db8:1:2::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(address_bucket("192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(address_bucket("::ffff:192.0.2.1"), "192.0.2.1");
}

}  // namespace
}  // namespace gatehouse
