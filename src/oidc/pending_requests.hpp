#pragma once
// Authorization requests waiting for the user. When the authorization endpoint needs a
// sign-in or a consent first, the whole request is kept here and only a random handle
// travels through the login and consent pages: nothing (prompt, max_age, scope, PKCE) can
// be dropped or edited on the way, and "signed in after the request was made" is known
// from the stored time, not from a parameter the browser could skip.
#include <optional>
#include <string>

#include "http/form.hpp"
#include "store/db.hpp"

namespace gatehouse::oidc {

struct PendingRequest {
  http::Form params;                // the authorization request as received
  int64_t created_at;
  std::string signed_in_session;    // a sign-in made for this request (meets prompt=login, max_age)
};

class PendingRequests {
 public:
  static constexpr int64_t kTtlSeconds = 600;
  explicit PendingRequests(store::Database& db) : db_(db) {}
  /// Stores the request; returns the handle (256-bit random, only its hash is stored).
  std::string save(const http::Form& params, int64_t now);
  /// The live request behind a handle; nullopt when unknown or expired. Blocking (SQL).
  std::optional<PendingRequest> load(const std::string& handle, int64_t now);
  /// Records that the user signed in for this request, starting `session_id`.
  void signed_in(const std::string& handle, const std::string& session_id);
  /// The handle inside a return_to of the form /oauth2/authorize?pending=H ("" otherwise).
  static std::string handle_in(const std::string& return_to);
  /// Ends a request once answered (a code or an error went back to the client).
  void drop(const std::string& handle);

 private:
  store::Database& db_;
};

}  // namespace gatehouse::oidc
