#include "authz/claims.hpp"

#include <boost/json.hpp>

#include "authz/store.hpp"

namespace gatehouse::authz {

void Claims::for_user(store::Conn& c, const std::string& user_id, boost::json::object& claims) {
  OrgStore orgs(c);
  boost::json::array list;
  for (auto& [org, role] : orgs.of_user(user_id))
    list.push_back(boost::json::object{{"id", org.id}, {"name", org.name}, {"role", role}});
  claims["orgs"] = std::move(list);
  if (auto active = orgs.active_org(user_id)) claims["org_id"] = *active;
}

}  // namespace gatehouse::authz
