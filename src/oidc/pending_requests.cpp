#include "oidc/pending_requests.hpp"

#include <boost/json.hpp>

#include "crypto/random.hpp"
#include "crypto/hash.hpp"
#include "oidc/store.hpp"

namespace gatehouse::oidc {
namespace json = boost::json;

std::string PendingRequests::save(const http::Form& params, int64_t now) {
  json::object o;
  for (auto& [k, v] : params) o[k] = v;
  std::string handle = crypto::new_secret_token();
  db_.with([&](store::Conn& c) {
    PendingRequestStore(c).insert(crypto::token_hash(handle), json::serialize(o), now, now + kTtlSeconds);
  });
  return handle;
}

std::optional<PendingRequest> PendingRequests::load(const std::string& handle, int64_t now) {
  if (handle.empty() || handle.size() > 64) return std::nullopt;
  auto row = db_.with([&](store::Conn& c) { return PendingRequestStore(c).by_hash(crypto::token_hash(handle), now); });
  if (!row) return std::nullopt;
  boost::system::error_code ec;
  auto v = json::parse(row->params_json, ec);
  if (ec || !v.is_object()) return std::nullopt;
  PendingRequest p{{}, row->created_at, row->signed_in_session.value_or("")};
  for (auto& [k, x] : v.as_object())
    if (x.is_string()) p.params.emplace(std::string(k), std::string(x.get_string()));
  return p;
}

void PendingRequests::signed_in(const std::string& handle, const std::string& session_id) {
  db_.with([&](store::Conn& c) { PendingRequestStore(c).set_signed_in(crypto::token_hash(handle), session_id); });
}

std::string PendingRequests::handle_in(const std::string& return_to) {
  static const std::string prefix = "/oauth2/authorize?pending=";
  if (return_to.rfind(prefix, 0) != 0) return {};
  auto h = return_to.substr(prefix.size());
  return h.find_first_of("&#") == std::string::npos ? h : std::string{};
}

void PendingRequests::drop(const std::string& handle) {
  db_.with([&](store::Conn& c) { PendingRequestStore(c).remove(crypto::token_hash(handle)); });
}

}  // namespace gatehouse::oidc
