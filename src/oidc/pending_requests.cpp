#include "oidc/pending_requests.hpp"

#include <boost/json.hpp>

#include "core/random.hpp"
#include "crypto/hash.hpp"

namespace gatehouse::oidc {
namespace json = boost::json;

std::string PendingRequests::save(const http::Form& params, int64_t now) {
  json::object o;
  for (auto& [k, v] : params) o[k] = v;
  std::string handle = new_secret_token();
  db_.with([&](store::Conn& c) {
    c.query("DELETE FROM oauth_pending_requests WHERE expires_at <= $1", {now});  // indexed: cheap
    c.query("INSERT INTO oauth_pending_requests (handle_hash, params, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            {crypto::token_hash(handle), json::serialize(o), now, now + kTtlSeconds});
  });
  return handle;
}

std::optional<PendingRequest> PendingRequests::load(const std::string& handle, int64_t now) {
  if (handle.empty() || handle.size() > 64) return std::nullopt;
  auto rows = db_.with([&](store::Conn& c) {
    return c.query("SELECT params, created_at, signed_in_session FROM oauth_pending_requests"
                   " WHERE handle_hash = $1 AND expires_at > $2",
                   {crypto::token_hash(handle), now});
  });
  if (rows.empty()) return std::nullopt;
  boost::system::error_code ec;
  auto v = json::parse(rows[0].str(0), ec);
  if (ec || !v.is_object()) return std::nullopt;
  PendingRequest p{{}, rows[0].i64(1), rows[0].opt(2).value_or("")};
  for (auto& [k, x] : v.as_object())
    if (x.is_string()) p.params.emplace(std::string(k), std::string(x.get_string()));
  return p;
}

void PendingRequests::signed_in(const std::string& handle, const std::string& session_id) {
  db_.with([&](store::Conn& c) {
    c.query("UPDATE oauth_pending_requests SET signed_in_session = $1 WHERE handle_hash = $2",
            {session_id, crypto::token_hash(handle)});
  });
}

std::string PendingRequests::handle_in(const std::string& return_to) {
  static const std::string prefix = "/oauth2/authorize?pending=";
  if (return_to.rfind(prefix, 0) != 0) return {};
  auto h = return_to.substr(prefix.size());
  return h.find_first_of("&#") == std::string::npos ? h : std::string{};
}

void PendingRequests::drop(const std::string& handle) {
  db_.with([&](store::Conn& c) {
    c.query("DELETE FROM oauth_pending_requests WHERE handle_hash = $1", {crypto::token_hash(handle)});
  });
}

}  // namespace gatehouse::oidc
