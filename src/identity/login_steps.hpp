#pragma once
// A password login as pool steps, for routes: the account lookup on the database pool, the
// password check on the hashing pool, the writes on the database pool again. No worker waits
// for another pool, so a login flood fills only the short hashing queue and is answered 503
// there, while refreshes and token checks keep the database pool (DESIGN.md §4).
#include <functional>
#include <string>

#include "http/router.hpp"
#include "identity/session_service.hpp"

namespace gatehouse::identity {

/// Turns the login's outcome into the route's answer (runs on the database pool).
using LoginAnswer = std::function<http::Response(Result<TokenPair>)>;

/// The first step runs on the caller's thread (a database worker); the rest are returned as
/// steps for the server to schedule.
http::Step login_steps(SessionService& sessions, const std::string& login, std::string password, Origin origin,
                       LoginAnswer answer);

}  // namespace gatehouse::identity
