#pragma once
// Records of the authorization domain.
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "identity/models.hpp"

namespace gatehouse::authz {

struct Organization {
  std::string id;
  std::string name;
  std::optional<std::string> description;
  std::string created_by;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  bool deleted = false;
};

struct Member {
  std::string org_id;
  std::string user_id;
  std::string role;  // owner | admin | member | custom role id
  int64_t created_at = 0;
  std::string email;                       // joined from users for listings
  std::optional<std::string> username;
};

struct OrgRole {  // custom organization role
  std::string id;
  std::string org_id;
  std::string name;
  std::optional<std::string> description;
  std::vector<std::string> permissions;
  int64_t created_at = 0;
};

struct Invitation {
  std::string id;
  std::string org_id;
  std::string email;
  std::string role;
  std::string invited_by;
  int64_t created_at = 0;
  int64_t expires_at = 0;
  std::optional<int64_t> accepted_at;
};

struct Service {
  std::string id;
  std::string name;
  std::optional<std::string> description;
  std::string owner_id;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct Permission {
  std::string id;
  std::string service_id;
  std::string name;  // resource:action
  std::optional<std::string> description;
};

struct ServiceRole {
  std::string id;
  std::string service_id;
  std::string name;
  std::optional<std::string> description;
  std::vector<std::string> permissions;  // names
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct Assignment {
  std::string user_id;
  std::string service_id;
  std::string role_id;
  std::string role_name;
  std::string org_id;  // "" when global
  int64_t assigned_at = 0;
};

using identity::GlobalRole;

struct AppToken {
  std::string id;
  std::string service_id;
  std::string name;
  std::string prefix;
  std::vector<std::string> scopes;
  std::string created_by;
  int64_t created_at = 0;
  std::optional<int64_t> expires_at;
  std::optional<int64_t> revoked_at;
  std::optional<int64_t> last_used_at;
  int64_t use_count = 0;
};

boost::json::object to_json(const Organization& o);
boost::json::object to_json(const Member& m);
boost::json::object to_json(const OrgRole& r);
boost::json::object to_json(const Invitation& i);
boost::json::object to_json(const Service& s);
boost::json::object to_json(const Permission& p);
boost::json::object to_json(const ServiceRole& r);
boost::json::object to_json(const Assignment& a);
boost::json::object to_json(const AppToken& t);

/// "resource:action" with lowercase letters, digits, '_', '-', '.', '*' on each side.
bool valid_permission_name(const std::string& p);

/// JWS `typ` of the seed-4 service permission tokens (GET /auth/authorize).
inline constexpr const char* kPermissionTokenType = "gh-permissions+jwt";
/// Their audience: a namespace of its own, keyed by the service id, never a bare name.
inline std::string permission_audience(const std::string& service_id) {
  return "urn:gatehouse:service:" + service_id;
}

}  // namespace gatehouse::authz
