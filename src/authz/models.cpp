#include "authz/models.hpp"

#include <boost/json.hpp>

#include "core/clock.hpp"

namespace gatehouse::authz {
namespace json = boost::json;
namespace {
json::value opt(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }
json::value opt_time(const std::optional<int64_t>& t) { return t ? json::value(iso8601(*t)) : json::value(nullptr); }
json::array strings(const std::vector<std::string>& v) {
  json::array a;
  for (auto& s : v) a.push_back(json::string(s));
  return a;
}
}  // namespace

json::object to_json(const Organization& o) {
  return {{"id", o.id}, {"name", o.name}, {"description", opt(o.description)}, {"created_by", o.created_by},
          {"created_at", iso8601(o.created_at)}, {"updated_at", iso8601(o.updated_at)}};
}
json::object to_json(const Member& m) {
  return {{"org_id", m.org_id}, {"user_id", m.user_id}, {"role", m.role}, {"email", m.email},
          {"username", opt(m.username)}, {"joined_at", iso8601(m.created_at)}};
}
json::object to_json(const OrgRole& r) {
  return {{"id", r.id}, {"org_id", r.org_id}, {"name", r.name}, {"description", opt(r.description)},
          {"permissions", strings(r.permissions)}, {"created_at", iso8601(r.created_at)}};
}
json::object to_json(const Invitation& i) {
  return {{"id", i.id}, {"org_id", i.org_id}, {"email", i.email}, {"role", i.role}, {"invited_by", i.invited_by},
          {"created_at", iso8601(i.created_at)}, {"expires_at", iso8601(i.expires_at)},
          {"accepted_at", opt_time(i.accepted_at)}};
}
json::object to_json(const Service& s) {
  return {{"id", s.id}, {"name", s.name}, {"description", opt(s.description)}, {"owner_id", s.owner_id},
          {"created_at", iso8601(s.created_at)}, {"updated_at", iso8601(s.updated_at)}};
}
json::object to_json(const Permission& p) {
  return {{"id", p.id}, {"service_id", p.service_id}, {"name", p.name}, {"description", opt(p.description)}};
}
json::object to_json(const ServiceRole& r) {
  return {{"id", r.id}, {"service_id", r.service_id}, {"name", r.name}, {"description", opt(r.description)},
          {"permissions", strings(r.permissions)}, {"created_at", iso8601(r.created_at)},
          {"updated_at", iso8601(r.updated_at)}};
}
json::object to_json(const Assignment& a) {
  return {{"user_id", a.user_id}, {"service_id", a.service_id}, {"role_id", a.role_id}, {"role", a.role_name},
          {"org_id", a.org_id.empty() ? json::value(nullptr) : json::value(a.org_id)},
          {"assigned_at", iso8601(a.assigned_at)}};
}
json::object to_json(const AppToken& t) {
  return {{"id", t.id}, {"service_id", t.service_id}, {"name", t.name}, {"prefix", t.prefix},
          {"scopes", strings(t.scopes)}, {"created_by", t.created_by}, {"created_at", iso8601(t.created_at)},
          {"expires_at", opt_time(t.expires_at)}, {"revoked_at", opt_time(t.revoked_at)},
          {"last_used_at", opt_time(t.last_used_at)}, {"use_count", t.use_count},
          {"active", !t.revoked_at && (!t.expires_at || *t.expires_at > now_seconds())}};
}

bool valid_permission_name(const std::string& p) {
  auto colon = p.find(':');
  if (p.empty() || p.size() > 128 || colon == std::string::npos || colon == 0 || colon + 1 == p.size())
    return false;
  for (std::size_t i = 0; i < p.size(); ++i) {
    unsigned char c = p[i];
    if (i == colon) continue;
    if (!(std::islower(c) || std::isdigit(c) || c == '_' || c == '-' || c == '.' || c == '*' || c == ':'))
      return false;
  }
  return true;
}

}  // namespace gatehouse::authz
