#include "identity/models.hpp"

#include "core/clock.hpp"

namespace gatehouse::identity {
namespace json = boost::json;

static json::value opt_time(const std::optional<int64_t>& t) {
  return t ? json::value(iso8601(*t)) : json::value(nullptr);
}

json::object to_json(const User& u) {
  json::object o;
  o["id"] = u.id;
  o["email"] = u.email;
  o["username"] = u.username ? json::value(*u.username) : json::value(nullptr);
  o["name"] = u.name ? json::value(*u.name) : json::value(nullptr);
  o["email_verified"] = u.email_verified;
  o["is_admin"] = u.is_admin;
  o["created_at"] = iso8601(u.created_at);
  o["updated_at"] = iso8601(u.updated_at);
  o["last_login_at"] = opt_time(u.last_login_at);
  return o;
}

json::object to_json(const Session& s, const std::string& current) {
  json::object o;
  o["id"] = s.id;
  o["created_at"] = iso8601(s.created_at);
  o["last_used_at"] = iso8601(s.last_used_at);
  o["expires_at"] = iso8601(s.expires_at);
  o["ip"] = s.ip;
  o["user_agent"] = s.user_agent;
  o["current"] = s.id == current;
  o["revoked_at"] = opt_time(s.revoked_at);
  return o;
}

json::object to_json(const GlobalRole& r) {
  return {{"name", r.name},
          {"description", r.description ? json::value(*r.description) : json::value(nullptr)},
          {"level", r.level}};
}

json::object to_json(const TokenPair& t) {
  json::object o;
  o["access_token"] = t.access_token;
  o["refresh_token"] = t.refresh_token;
  o["token_type"] = "Bearer";
  o["expires_in"] = t.expires_in;
  o["session_id"] = t.session_id;
  o["user"] = to_json(t.user);
  return o;
}

}  // namespace gatehouse::identity
