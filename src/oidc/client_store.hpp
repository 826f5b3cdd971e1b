#pragma once
// oauth_clients, and the only place its SQL lives. A view over the connection it is given.
#include <optional>
#include <string>
#include <vector>

#include "oidc/client.hpp"
#include "store/db.hpp"

namespace gatehouse::oidc {

class ClientStore {
 public:
  explicit ClientStore(store::Conn& c) : c_(c) {}
  void insert(const Client& c, const std::string& created_by);
  /// Every registered field except public, secret_hash and created_at, which never change here.
  void update(const Client& c);
  /// Soft-deletes the client and revokes its grants; false when there was none.
  bool remove(const std::string& id, int64_t now);
  void set_secret_hash(const std::string& id, const std::string& hash, int64_t now);
  std::optional<Client> by_id(const std::string& id);  // not deleted
  std::vector<Client> all();                           // not deleted, oldest first
  bool active(const std::string& id);

 private:
  store::Conn& c_;
};

}  // namespace gatehouse::oidc
