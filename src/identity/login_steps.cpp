#include "identity/login_steps.hpp"

namespace gatehouse::identity {

using http::Pool;
using http::Step;

Step login_steps(SessionService& sessions, const std::string& login, std::string password, Origin origin,
                 LoginAnswer answer) {
  auto attempt = sessions.begin_login(login, origin);
  if (!attempt) return answer(attempt.error());
  return Step::then(Pool::hash, [&sessions, a = std::move(*attempt), password = std::move(password),
                                 origin = std::move(origin), answer = std::move(answer)] {
    PasswordVerdict verdict = sessions.check_password(a, password);
    return Step::then(Pool::db, [&sessions, a, verdict = std::move(verdict), origin, answer] {
      return answer(sessions.finish_login(a, verdict, origin));
    });
  });
}

}  // namespace gatehouse::identity
