#pragma once
// A registered OAuth 2.0 client, as the provider and its store see it.
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gatehouse::oidc {

struct Client {
  std::string id;
  std::string name;
  std::string secret_hash;  // empty for public clients
  bool is_public = false;
  std::vector<std::string> redirect_uris;
  std::vector<std::string> post_logout_redirect_uris;
  std::vector<std::string> grant_types;
  std::vector<std::string> scopes;
  std::string auth_method = "client_secret_basic";
  std::string jwks;  // JSON, for private_key_jwt
  bool first_party = false;
  std::optional<int> access_token_ttl, refresh_token_ttl, id_token_ttl;
  std::string id_token_alg = "RS256";
  int64_t created_at = 0, updated_at = 0;

  bool allows_grant(const std::string& g) const;
  bool allows_scope(const std::string& s) const;
  bool has_redirect(const std::string& uri) const;
};

boost::json::object to_json(const Client& c);

/// No access token lives longer than this (a client's access_token_ttl is capped to it), so
/// in-memory revocations can be forgotten after it.
constexpr int64_t kMaxAccessTtl = 86400;

}  // namespace gatehouse::oidc
