#include "authz/admin_service.hpp"

#include <boost/json.hpp>

#include "core/clock.hpp"
#include "events/audit.hpp"
#include "identity/store.hpp"

namespace gatehouse::authz {
namespace json = boost::json;
using identity::audit_event;

json::object to_json(const sql::UserRow& u) {
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
  bool admin = d_.db.with([&](store::Conn& c) { return is_admin(c, p.user_id); });
  if (!admin) return forbidden("Administrator role required");
  return ok();
}

Result<json::object> AdminService::search(const std::string& q, int page, int limit) {
  int64_t total = 0;
  auto rows = d_.db.with([&](store::Conn& c) { return sql::search_users(c, q, limit, (page - 1) * limit, &total); });
  json::array users;
  for (auto& u : rows) users.push_back(to_json(u));
  return json::object{{"users", std::move(users)},
                      {"meta", {{"page", page}, {"limit", limit}, {"total", total},
                                {"pages", (total + limit - 1) / limit}}}};
}

Result<json::object> AdminService::user(const std::string& id) {
  return d_.db.with([&](store::Conn& c) -> Result<json::object> {
    auto u = sql::user_row(c, id);
    if (!u) return not_found("User");
    auto o = to_json(*u);
    json::array roles;
    for (auto& r : sql::roles_of_user(c, id)) roles.push_back(json::string(r.name));
    o["roles"] = std::move(roles);
    o["active_sessions"] = static_cast<int64_t>(identity::sql::active_sessions(c, id, now_seconds()).size());
    return o;
  });
}

Result<json::object> AdminService::update(const std::string& id, const AdminUserChange& ch, const Principal& p,
                                          const Origin& o) {
  int64_t now = now_seconds();
  std::vector<std::string> ended;
  auto r = d_.db.transaction([&](store::Conn& c) -> Status {
    auto u = sql::user_row(c, id);
    if (!u || u->deleted) return not_found("User");
    json::object changed;
    if (ch.roles) {
      for (auto& name : *ch.roles)
        if (!sql::global_role(c, name)) return Error::field("roles", "Unknown role: " + name);
      if (id == p.user_id && std::find(ch.roles->begin(), ch.roles->end(), "admin") == ch.roles->end())
        return forbidden("Administrators cannot remove their own admin role");
      sql::set_user_roles(c, id, *ch.roles, p.user_id, now);
      json::array a;
      for (auto& n : *ch.roles) a.push_back(json::string(n));
      changed["roles"] = a;
      auto e = audit_event(o, "role.assigned", p.user_id, id);
      e.details["roles"] = a;
      events::record(c, e, now);
    }
    if (ch.locked) {
      if (id == p.user_id && *ch.locked) return forbidden("Administrators cannot lock themselves out");
      sql::set_locked(c, id, *ch.locked, now);
      changed["locked"] = *ch.locked;
      events::record(c, audit_event(o, *ch.locked ? "admin.user_locked" : "admin.user_unlocked", p.user_id, id), now);
    }
    if (ch.email_verified && *ch.email_verified && !u->email_verified) {
      identity::sql::set_email_verified(c, id, now);
      changed["email_verified"] = true;
      events::record(c, audit_event(o, "user.verify_email", p.user_id, id), now);
    }
    if (ch.force_logout || (ch.locked && *ch.locked)) {
      auto ids = tokens_.end_user_sessions(c, id, now, "admin_force_logout");
      ended.insert(ended.end(), ids.begin(), ids.end());
      auto e = audit_event(o, "session.revoke", p.user_id, id);
      e.details["scope"] = "all";
      e.details["count"] = static_cast<int64_t>(ids.size());
      events::record(c, e, now);
    }
    return ok();
  });
  if (!r) return r.error();
  tokens_.revoked(ended, now);
  if (ch.locked) tokens_.user_disabled(id, *ch.locked);
  users_.invalidate(id);
  d_.generation.bump();
  return user(id);
}

Status AdminService::remove(const std::string& id, const Principal& p, const Origin& o) {
  if (id == p.user_id) return forbidden("Administrators cannot delete themselves here; use DELETE /api/v1/users/me");
  int64_t now = now_seconds();
  std::vector<std::string> ended;
  auto r = d_.db.transaction([&](store::Conn& c) -> Status {
    auto u = sql::user_row(c, id);
    if (!u || u->deleted) return not_found("User");
    identity::sql::soft_delete_user(c, id, now);
    ended = tokens_.end_user_sessions(c, id, now, "account_deleted");
    events::record(c, audit_event(o, "user.delete", p.user_id, id), now);
    return ok();
  });
  if (r) {
    tokens_.revoked(ended, now);
    tokens_.user_disabled(id);
    users_.invalidate(id);
    d_.generation.bump();
  }
  return r;
}

Result<std::vector<GlobalRole>> AdminService::roles_of(const std::string& id) {
  return d_.db.with([&](store::Conn& c) -> Result<std::vector<GlobalRole>> {
    if (!sql::user_row(c, id)) return not_found("User");
    return sql::roles_of_user(c, id);
  });
}

Result<std::vector<GlobalRole>> AdminService::roles() {
  return d_.db.with([&](store::Conn& c) { return sql::global_roles(c); });
}

Result<json::array> AdminService::users_with_role(const std::string& name) {
  return d_.db.with([&](store::Conn& c) -> Result<json::array> {
    if (!sql::global_role(c, name)) return not_found("Role");
    json::array out;
    for (auto& id : sql::users_with_role(c, name))
      if (auto u = sql::user_row(c, id)) out.push_back(to_json(*u));
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

}  // namespace gatehouse::authz
