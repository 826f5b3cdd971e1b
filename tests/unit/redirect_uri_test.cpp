// Registered redirect URIs (RFC 6749 §3.1.2, RFC 8252 §7): parsed, never prefix-matched.
#include <gtest/gtest.h>

#include "oidc/clients.hpp"

namespace gatehouse::oidc {
namespace {

TEST(RedirectUri, Accepts) {
  for (const char* ok : {"https://rp.example/cb", "https://rp.example:8443/cb?x=1", "http://127.0.0.1/cb",
                         "http://127.0.0.1:51004/cb", "http://localhost:3000/cb", "http://[::1]:8080/cb",
                         "com.example.app:/oauth2redirect"})
    EXPECT_TRUE(valid_redirect_uri(ok)) << ok;
}

TEST(RedirectUri, RefusesUserinfoAndLookalikes) {
  for (const char* bad : {"http://127.0.0.1:1@evil.example/cb", "http://localhost:80@evil.example/cb",
                          "https://user:pw@rp.example/cb", "https://rp.example@evil.example/cb",
                          "http://localhost.evil.example/cb", "http://127.0.0.1.evil.example/cb",
                          "http://evil.example/cb", "https://rp.example/cb#frag", "javascript:alert(1)",
                          "data:text/html,x", "file:///etc/passwd", "/relative/cb", "https://", "https:///cb",
                          "https://rp.example/c b"})
    EXPECT_FALSE(valid_redirect_uri(bad)) << bad;
}

}  // namespace
}  // namespace gatehouse::oidc
