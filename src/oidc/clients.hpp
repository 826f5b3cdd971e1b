#pragma once
// OAuth 2.0 clients: registration (admin API and CLI), secrets, lookup with a cache, and
// client authentication at the token, introspection and revocation endpoints
// (client_secret_basic, client_secret_post, private_key_jwt, none for public clients).
// Secrets are 256-bit random strings stored as HMAC-SHA-256 under a key derived from the
// master key: a slow hash adds nothing for random secrets and would cap client_credentials
// at the hash rate.
#include <boost/json/object.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/config.hpp"
#include "crypto/hash.hpp"
#include "core/bounded_cache.hpp"
#include "core/error.hpp"
#include "oidc/client.hpp"
#include "store/db.hpp"

namespace gatehouse::oidc {

/// Fields of a new or changed client; unset optionals keep the current value.
struct ClientSpec {
  std::optional<std::string> name;
  std::optional<bool> is_public;
  std::optional<std::vector<std::string>> redirect_uris, post_logout_redirect_uris, grant_types, scopes;
  std::optional<std::string> auth_method;
  std::optional<std::string> jwks;
  std::optional<bool> first_party;
  std::optional<std::optional<int>> access_token_ttl, refresh_token_ttl, id_token_ttl;
  std::optional<std::string> id_token_alg;
};

class Clients {
 public:
  Clients(store::Database& db, std::string hmac_key) : db_(db), hmac_(hmac_key) {}

  /// Creates a client; returns it with the generated secret (empty for public clients).
  Result<std::pair<Client, std::string>> create(const ClientSpec& spec, const std::string& created_by);
  Result<Client> update(const std::string& id, const ClientSpec& spec);
  Status remove(const std::string& id);
  Result<std::pair<Client, std::string>> rotate_secret(const std::string& id);
  std::vector<Client> list();
  /// Cached lookup (entries live 30 s; dropped on local change). Blocking on a miss.
  std::shared_ptr<const Client> find(const std::string& id);
  /// Cache-only lookup for the IO thread.
  std::shared_ptr<const Client> find_cached(const std::string& id);
  /// Read from the database, replacing the cached entry: for a cached client that refused a
  /// secret, which another process (the CLI) may have rotated meanwhile.
  std::shared_ptr<const Client> reload(const std::string& id);

  bool secret_matches(const Client& c, const std::string& secret) const;

 private:
  Result<Client> validate(Client c);
  void forget(const std::string& id);
  std::string hash_secret(const std::string& secret) const;

  store::Database& db_;
  crypto::HmacSha256 hmac_;
  BoundedCache<std::string, std::shared_ptr<const Client>> cache_{10000, 30};
};

/// Client credentials presented with a request, per RFC 6749 §2.3 / RFC 7523.
struct Credentials {
  std::string client_id;
  std::optional<std::string> secret;     // basic or post
  std::optional<std::string> assertion;  // private_key_jwt
  std::string method;                    // client_secret_basic | client_secret_post | private_key_jwt | none
  bool conflicting = false;              // more than one method used
};
/// The client's credentials from the Authorization header's value (Basic) and the form
/// (client_secret_post, client_assertion, client_id).
Credentials credentials_of(std::string_view authorization, const std::map<std::string, std::string>& form);

/// Whether a redirect or post-logout redirect URI may be registered: absolute, no fragment,
/// https anywhere, http only to loopback (RFC 8252 §7.3), private-use schemes (§7.1).
bool valid_redirect_uri(std::string_view uri);

}  // namespace gatehouse::oidc
