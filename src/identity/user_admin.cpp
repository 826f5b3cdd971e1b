#include "identity/user_admin.hpp"

#include <boost/json.hpp>

#include "core/clock.hpp"
#include "events/audit.hpp"

namespace gatehouse::identity {
namespace json = boost::json;


json::object to_json(const UserRow& u) {
  return {{"id", u.id},
          {"email", u.email},
          {"username", u.username ? json::value(*u.username) : json::value(nullptr)},
          {"name", u.name ? json::value(*u.name) : json::value(nullptr)},
          {"email_verified", u.email_verified},
          {"locked", u.locked},
          {"deleted", u.deleted},
          {"created_at", iso8601(u.created_at)},
          {"last_login_at", u.last_login_at ? json::value(iso8601(*u.last_login_at)) : json::value(nullptr)}};
}

Status AdminService::require_admin(const Principal& p) {
  bool admin = d_.db.with([&](store::Conn& c) { return RoleStore(c).is_admin(p.user_id); });
  if (!admin) return Error::forbidden("Administrator role required");
  return ok();
}

Result<json::object> AdminService::search(const std::string& q, int page, int limit) {
  int64_t total = 0;
  auto rows = d_.db.with([&](store::Conn& c) { return UserStore(c).search(q, limit, (page - 1) * limit, &total); });
  json::array users;
  for (auto& u : rows) users.push_back(to_json(u));
  return json::object{{"users", std::move(users)},
                      {"meta", {{"page", page}, {"limit", limit}, {"total", total},
                                {"pages", (total + limit - 1) / limit}}}};
}

Result<json::object> AdminService::user(const std::string& id) {
  return d_.db.with([&](store::Conn& c) -> Result<json::object> {
    auto u = UserStore(c).row(id);
    if (!u) return Error::not_found("User");
    auto o = to_json(*u);
    json::array roles;
    for (auto& r : RoleStore(c).of_user(id)) roles.push_back(json::string(r.name));
    o["roles"] = std::move(roles);
    o["active_sessions"] = static_cast<int64_t>(SessionStore(c).active_of(id, now_seconds()).size());
    return o;
  });
}

Result<json::object> AdminService::update(const std::string& id, const AdminUserChange& ch, const Principal& p,
                                          const Origin& o) {
  int64_t now = now_seconds();
  std::vector<std::string> ended;
  auto r = d_.db.transaction([&](store::Conn& c) -> Status {
    auto u = UserStore(c).row(id);
    if (!u || u->deleted) return Error::not_found("User");
    json::object changed;
    if (ch.roles) {
      for (auto& name : *ch.roles)
        if (!RoleStore(c).find(name)) return Error::field("roles", "Unknown role: " + name);
      if (id == p.user_id && std::find(ch.roles->begin(), ch.roles->end(), "admin") == ch.roles->end())
        return Error::forbidden("Administrators cannot remove their own admin role");
      RoleStore(c).set_for_user(id, *ch.roles, p.user_id, now);
      json::array a;
      for (auto& n : *ch.roles) a.push_back(json::string(n));
      changed["roles"] = a;
      auto e = events::audit_event(o, "role.assigned", p.user_id, id);
      e.details["roles"] = a;
      events::record(c, e, now);
    }
    if (ch.locked) {
      if (id == p.user_id && *ch.locked) return Error::forbidden("Administrators cannot lock themselves out");
      UserStore(c).set_locked(id, *ch.locked, now);
      changed["locked"] = *ch.locked;
      events::record(c, events::audit_event(o, *ch.locked ? "admin.user_locked" : "admin.user_unlocked", p.user_id, id), now);
    }
    if (ch.email_verified && *ch.email_verified && !u->email_verified) {
      UserStore(c).set_email_verified(id, now);
      changed["email_verified"] = true;
      events::record(c, events::audit_event(o, "user.verify_email", p.user_id, id), now);
    }
    if (ch.force_logout || (ch.locked && *ch.locked)) {
      auto ids = d_.tokens.end_user_sessions(c, id, now, "admin_force_logout");
      ended.insert(ended.end(), ids.begin(), ids.end());
      auto e = events::audit_event(o, "session.revoke", p.user_id, id);
      e.details["scope"] = "all";
      e.details["count"] = static_cast<int64_t>(ids.size());
      events::record(c, e, now);
    }
    return ok();
  });
  if (!r) return r.error();
  d_.tokens.revoked(ended, now);
  if (ch.locked) d_.tokens.user_disabled(id, *ch.locked);
  d_.users.invalidate(id);
  d_.authz_changed();
  return user(id);
}

Status AdminService::remove(const std::string& id, const Principal& p, const Origin& o) {
  if (id == p.user_id) return Error::forbidden("Administrators cannot delete themselves here; use DELETE /api/v1/users/me");
  return delete_user(d_, id, p.user_id, o);
}

Result<std::vector<GlobalRole>> AdminService::roles_of(const std::string& id) {
  return d_.db.with([&](store::Conn& c) -> Result<std::vector<GlobalRole>> {
    if (!UserStore(c).row(id)) return Error::not_found("User");
    return RoleStore(c).of_user(id);
  });
}

Result<std::vector<GlobalRole>> AdminService::roles() {
  return d_.db.with([&](store::Conn& c) { return RoleStore(c).all(); });
}

Result<json::array> AdminService::users_with_role(const std::string& name) {
  return d_.db.with([&](store::Conn& c) -> Result<json::array> {
    if (!RoleStore(c).find(name)) return Error::not_found("Role");
    json::array out;
    for (auto& id : RoleStore(c).holders(name))
      if (auto u = UserStore(c).row(id)) out.push_back(to_json(*u));
    return out;
  });
}

Result<json::object> AdminService::audit(const events::AuditFilter& f) {
  auto rows = d_.db.with([&](store::Conn& c) { return events::query(c, f); });
  json::array out;
  for (auto& r : rows) out.push_back(events::to_json(r));
  json::object meta{{"limit", f.limit}};
  meta["next_cursor"] = static_cast<int>(rows.size()) == f.limit ? json::value(rows.back().id) : json::value(nullptr);
  return json::object{{"events", std::move(out)}, {"meta", std::move(meta)}};
}

}  // namespace gatehouse::identity
