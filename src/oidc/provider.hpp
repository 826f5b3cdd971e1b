#pragma once
// The OAuth 2.0 authorization server and OpenID Connect provider: authorization requests
// (RFC 6749 §4.1, PKCE RFC 7636, OIDC Core §3.1), the token endpoint with the
// authorization_code, refresh_token, client_credentials, device_code (RFC 8628) and
// (off by default) password grants, introspection (RFC 7662), revocation (RFC 7009),
// userinfo and consents. No HTTP types beyond the small Request; blocking unless noted.
#include <boost/json/object.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/expiring_set.hpp"
#include "identity/account_service.hpp"
#include "identity/session_service.hpp"
#include "oidc/clients.hpp"
#include "oidc/store.hpp"
#include "oidc/tokens.hpp"

namespace gatehouse::oidc {

using Form = std::map<std::string, std::string>;

/// What the token, introspection, revocation and device endpoints answer on success (the
/// JSON body of RFC 6749 §5.1, RFC 7662 §2.2, RFC 8628 §3.2); errors are Error values in
/// the OAuth dialect (Error::oauth_error), answered by http/oauth_envelope.cpp.
using TokenResponse = boost::json::object;

struct AuthorizeRequest {
  std::string client_id, redirect_uri, response_type, scope, state, nonce, code_challenge,
      code_challenge_method, prompt, response_mode, login_hint, ui_locales;
  std::optional<int64_t> max_age;
  std::vector<std::string> scopes;  // split scope
  Form raw;                         // every parameter, to rebuild the request after login/consent
};

/// What to do with an authorization request.
struct AuthorizeOutcome {
  enum class Kind { error_page, redirect_error, login, consent, code } kind;
  Error error;                             // error_page / redirect_error (OAuth dialect)
  std::shared_ptr<const Client> client;    // all but error_page
  std::string code;                        // code
};

struct Browser {  // the signed-in browser (SSO) session
  std::string session_id, user_id;
  int64_t auth_time = 0;
};

class Provider {
 public:
  Provider(const Config& cfg, store::Database& db, Clients& clients, OAuthTokens& tokens,
           identity::AccountService& accounts, identity::SessionService& sessions)
      : cfg_(cfg), db_(db), clients_(clients), tokens_(tokens), accounts_(accounts), sessions_(sessions) {}

  static AuthorizeRequest parse_authorize(const Form& f);
  /// Decides an authorization request for the (optional) signed-in browser. `consent_given`
  /// is the decision posted from the consent page (nullopt: not asked yet).
  AuthorizeOutcome authorize(AuthorizeRequest& r, const std::optional<Browser>& browser,
                             std::optional<bool> consent_given, bool remember_consent, bool fresh_login);

  /// Token endpoint: the token response or an OAuth error. The password grant runs inline
  /// here; the route uses its two halves below instead.
  Result<TokenResponse> token(const Credentials& creds, const Form& form, const Origin& o);
  /// The password grant (RFC 6749 §4.3) in two halves around the password check, so the
  /// route can run that check on the hashing pool (identity/login_steps.hpp): the client and
  /// scope first, the grant and its tokens after.
  struct PasswordGrant {
    std::shared_ptr<const Client> client;
    std::string scope;
  };
  Result<PasswordGrant> password_grant_begin(const Credentials& creds, const Form& form);
  Result<TokenResponse> password_grant_finish(const PasswordGrant& g,
                                                            const Result<identity::TokenPair>& login);
  /// client_credentials without the database, for the IO thread; nullopt when not possible.
  std::optional<Result<TokenResponse>> token_fast(const Credentials& creds, const Form& form);
  Result<TokenResponse> introspect(const Credentials& creds, const Form& form);
  /// Introspection from memory for the IO thread; nullopt when the database is needed.
  std::optional<Result<TokenResponse>> introspect_cached(const Credentials& creds, const Form& form);
  Result<TokenResponse> revoke(const Credentials& creds, const Form& form);
  Result<TokenResponse> device_authorization(const Credentials& creds, const Form& form);

  /// Userinfo claims for a verified access token (OIDC Core §5.3).
  Result<boost::json::object> userinfo(const std::string& access_token);
  /// Claims released for the scopes, from the user record (profile, email, org, roles).
  boost::json::object claims_for(const identity::User& u, const std::vector<std::string>& scopes);

  /// Device verification: approve or deny a user code for the signed-in browser.
  struct DeviceRequest {
    std::shared_ptr<const Client> client;
    std::vector<std::string> scopes;  // what the device asked for
  };
  Result<DeviceRequest> device_lookup(const std::string& user_code);
  Status device_decide(const std::string& user_code, bool approve, const Browser& b);

  boost::json::object discovery() const;

 private:
  using ClientPtr = std::shared_ptr<const Client>;
  /// Client authentication (RFC 6749 §2.3, RFC 7523). With `cached_only`, nullopt means the
  /// answer needs the database (unknown client, a rotated secret, a client assertion).
  std::optional<Result<ClientPtr>> authenticate(const Credentials& creds, bool cached_only);
  Result<ClientPtr> authenticate_client(const Credentials& creds) { return *authenticate(creds, false); }
  std::optional<Result<TokenResponse>> introspect_in(const Credentials& creds, const Form& form, bool cached_only);
  Result<TokenResponse> issue_for_user(const Client& c, const std::string& user_id,
                                                     const std::string& scope, const std::string& grant_id,
                                                     const std::string& session_id, int64_t auth_time,
                                                     const std::optional<std::string>& nonce, bool with_refresh);
  Result<TokenResponse> grant_code(const Client& c, const Form& f);
  Result<TokenResponse> grant_refresh(const Client& c, const Form& f);
  Result<TokenResponse> grant_client_credentials(const Client& c, const Form& f);
  Result<TokenResponse> grant_device(const Client& c, const Form& f);
  /// The checks every grant shares: grant_type known and enabled, the client authenticated
  /// and allowed to use it.
  Result<ClientPtr> token_client(const Credentials& creds, const Form& form);

  const Config& cfg_;
  store::Database& db_;
  Clients& clients_;
  OAuthTokens& tokens_;
  identity::AccountService& accounts_;
  identity::SessionService& sessions_;
  ExpiringSet seen_assertions_;  // private_key_jwt replay protection, until each assertion's exp
};

std::vector<std::string> split_scope(const std::string& scope);
std::string join_scope(const std::vector<std::string>& scopes);
bool has_scope(const std::vector<std::string>& scopes, const std::string& scope);
/// A form parameter, "" when absent.
std::string param(const Form& f, const char* key);

}  // namespace gatehouse::oidc
