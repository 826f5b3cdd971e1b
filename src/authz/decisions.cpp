#include "authz/decisions.hpp"

#include "authz/store.hpp"
#include "core/clock.hpp"
#include "identity/users.hpp"

namespace gatehouse::authz {

Decisions::Decisions(AuthzDeps d, std::size_t capacity)
    : d_(d), grants_(capacity, kTtlSeconds), services_(capacity, kTtlSeconds) {}

namespace {
std::string key_of(const std::string& subject, const std::string& service_id, const std::optional<std::string>& org) {
  return subject + '\x1f' + service_id + '\x1f' + org.value_or("");
}
}  // namespace

std::optional<std::string> Decisions::cached_service(const std::string& ref) {
  auto hit = services_.get(ref, now_seconds());
  if (!hit || hit->first != d_.generation.current()) return std::nullopt;
  return hit->second;
}

std::optional<std::string> Decisions::resolve_service(const std::string& ref) {
  if (auto id = cached_service(ref)) return id->empty() ? std::nullopt : std::optional(*id);
  uint64_t gen = d_.generation.current();
  auto s = d_.db.with([&](store::Conn& c) {
    auto by_id = ServiceStore(c).by_id(ref);
    return by_id ? by_id : ServiceStore(c).by_name(ref);
  });
  services_.put(ref, {gen, s ? s->id : ""}, now_seconds());
  return s ? std::optional(s->id) : std::nullopt;
}

std::optional<Decisions::Grants> Decisions::cached(const std::string& key) {
  auto hit = grants_.get(key, now_seconds());
  if (!hit || hit->generation != d_.generation.current()) return std::nullopt;
  return hit;
}

Result<Decisions::Grants> Decisions::load(const std::string& subject, const std::string& service_id,
                                          const std::optional<std::string>& org) {
  std::string key = key_of(subject, service_id, org);
  if (auto g = cached(key)) return *g;
  Grants g;
  g.generation = d_.generation.current();  // read before the data: a concurrent change re-invalidates
  d_.db.with([&](store::Conn& c) {
    auto user = identity::Users(c).existing(subject);
    if (!user) g.denial = "subject not found";
    else if (user->locked) g.denial = "subject is locked";
    else if (org && !OrgStore(c).by_id(*org)) g.denial = "organization not found";
    else if (org && !OrgStore(c).member_role(*org, subject)) g.denial = "subject is not a member of the organization";
    else g.perms = ServiceStore(c).granted_permissions(subject, service_id, org);
  });
  grants_.put(key, g, now_seconds());
  return g;
}

Decision Decisions::decide(const Grants& g, const std::string& permission) {
  if (!g.denial.empty()) return {false, g.denial};
  if (auto it = g.perms.find(permission); it != g.perms.end()) return {true, "granted by role " + it->second};
  // Wildcards: "resource:*" grants every action on the resource, "*:*" everything.
  auto colon = permission.find(':');
  std::string resource_wildcard = permission.substr(0, colon) + ":*";
  for (const auto& w : {resource_wildcard, std::string("*:*")})
    if (auto it = g.perms.find(w); it != g.perms.end()) return {true, "granted by role " + it->second + " (" + w + ")"};
  return {false, g.perms.empty() ? "no roles in this service" : "permission not granted"};
}

std::optional<Result<Decision>> Decisions::check_cached(const CheckRequest& r) {
  auto service_id = cached_service(r.service);
  if (!service_id) return std::nullopt;
  if (service_id->empty()) return Result<Decision>(Error::not_found("Service"));
  auto g = cached(key_of(r.subject, *service_id, r.org));
  if (!g) return std::nullopt;
  return Result<Decision>(decide(*g, r.permission));
}

Result<Decision> Decisions::check(const CheckRequest& r) {
  if (auto hit = check_cached(r)) return std::move(*hit);
  auto service_id = resolve_service(r.service);
  if (!service_id) return Error::not_found("Service");
  auto g = load(r.subject, *service_id, r.org);
  if (!g) return g.error();
  return decide(*g, r.permission);
}

Result<std::vector<std::string>> Decisions::permissions(const std::string& subject, const std::string& service,
                                                        const std::optional<std::string>& org) {
  auto service_id = resolve_service(service);
  if (!service_id) return Error::not_found("Service");
  auto g = load(subject, *service_id, org);
  if (!g) return g.error();
  std::vector<std::string> out;
  for (auto& [p, _] : g->perms) out.push_back(p);
  return out;
}

}  // namespace gatehouse::authz
