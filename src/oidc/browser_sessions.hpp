#pragma once
// The browser's single sign-on session: an opaque cookie (gh_session) whose hash maps to a
// core identity session, so ending that session (logout, revocation, password change)
// signs the browser out too. CSRF uses a double-submit cookie (gh_csrf, SameSite=Strict).
#include <optional>
#include <string>

#include "core/config.hpp"
#include "http/form.hpp"
#include "http/request.hpp"
#include "oidc/provider.hpp"
#include "store/db.hpp"

namespace gatehouse::oidc {

constexpr const char* kSessionCookie = "gh_session";
constexpr const char* kCsrfCookie = "gh_csrf";
/// The cookie's name as sent: on TLS with the __Host- prefix (RFC 6265bis §4.1.3.2), so no
/// sibling subdomain can set or shadow it (Secure, Path=/, no Domain are then enforced).
std::string cookie_name(const char* base, bool secure);

class BrowserSessions {
 public:
  BrowserSessions(const Config& cfg, store::Database& db) : cfg_(cfg), db_(db) {}
  /// Creates the browser session for an identity session; returns the Set-Cookie value.
  std::string start(const std::string& session_id, const std::string& user_id, int64_t auth_time);
  /// The signed-in browser, if its cookie maps to a live session. Blocking (SQL).
  std::optional<Browser> current(const http::Request& req);
  /// Forgets the cookie's session row; returns the Set-Cookie value that clears it.
  std::string end(const http::Request& req);
  bool secure() const { return cfg_.issuer.rfind("https://", 0) == 0; }

 private:
  const Config& cfg_;
  store::Database& db_;
};

/// The CSRF token for a page: the existing cookie's, or a new one (then *set_cookie is
/// filled with the header to send).
std::string csrf_token(const http::Request& req, bool secure, std::string* set_cookie);
/// True when the form's csrf field equals the cookie (constant time).
bool csrf_ok(const http::Request& req, const http::Form& form, bool secure);

}  // namespace gatehouse::oidc
