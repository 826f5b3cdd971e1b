#pragma once
// What the OAuth provider reads of a user's organizations for the "org" scope, inside its
// own connection: the provider never reads authz's tables itself.
#include <boost/json/object.hpp>
#include <string>

#include "store/db.hpp"

namespace gatehouse::authz {

struct Claims {
  /// Adds "orgs" (id, name and the user's role in each) and "org_id" (the active one, when set).
  static void for_user(store::Conn& c, const std::string& user_id, boost::json::object& claims);
};

}  // namespace gatehouse::authz
