#include "oidc/browser_sessions.hpp"

#include "core/clock.hpp"
#include "crypto/random.hpp"
#include "crypto/hash.hpp"
#include "http/form.hpp"
#include "oidc/store.hpp"

namespace gatehouse::oidc {

std::string cookie_name(const char* base, bool secure) { return secure ? std::string("__Host-") + base : base; }

std::string BrowserSessions::start(const std::string& session_id, const std::string& user_id, int64_t auth_time) {
  std::string token = crypto::new_secret_token();
  int64_t now = now_seconds();
  db_.with([&](store::Conn& c) {
    BrowserStore(c).insert(crypto::token_hash(token), {session_id, user_id, auth_time}, now);
  });
  return http::set_cookie(cookie_name(kSessionCookie, secure()), token, cfg_.refresh_token_ttl, secure());
}

std::optional<Browser> BrowserSessions::current(const http::Request& req) {
  auto token = http::cookie(req, cookie_name(kSessionCookie, secure()));
  if (!token || token->size() > 128) return std::nullopt;
  auto row = db_.with([&](store::Conn& c) { return BrowserStore(c).by_hash(crypto::token_hash(*token), now_seconds()); });
  if (!row) return std::nullopt;
  return Browser{row->session_id, row->user_id, row->auth_time};
}

std::string BrowserSessions::end(const http::Request& req) {
  if (auto token = http::cookie(req, cookie_name(kSessionCookie, secure())))
    db_.with([&](store::Conn& c) { BrowserStore(c).remove(crypto::token_hash(*token)); });
  return http::set_cookie(cookie_name(kSessionCookie, secure()), "", 0, secure());
}

std::string csrf_token(const http::Request& req, bool secure, std::string* set_cookie) {
  if (auto existing = http::cookie(req, cookie_name(kCsrfCookie, secure)); existing && existing->size() == 43)
    return *existing;
  std::string token = crypto::new_secret_token();
  *set_cookie = http::set_cookie(cookie_name(kCsrfCookie, secure), token, 86400, secure, "Strict");
  return token;
}

bool csrf_ok(const http::Request& req, const http::Form& form, bool secure) {
  auto c = http::cookie(req, cookie_name(kCsrfCookie, secure));
  auto it = form.find("csrf");
  return c && it != form.end() && c->size() == 43 && crypto::constant_time_equal(*c, it->second);
}

}  // namespace gatehouse::oidc
