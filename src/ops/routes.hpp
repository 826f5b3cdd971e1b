#pragma once
// Operational and discovery endpoints: health, readiness, metrics, route listing, OpenAPI,
// and the public signing keys (JWKS, PEM).
#include <atomic>

#include "http/router.hpp"
#include "identity/keys.hpp"
#include "store/db.hpp"

namespace gatehouse::ops {

struct OpsApi {
  const http::Router& router;
  store::Database& db;
  identity::KeyRing& keys;
  std::string issuer;
  const std::atomic<bool>& ready;
  std::string metrics_token;  // empty: /metrics answers loopback peers only
};

void register_ops_routes(http::Router& r, OpsApi api);

}  // namespace gatehouse::ops
