#include "authz/routes.hpp"
#include "http/envelope.hpp"
#include "identity/routes.hpp"

namespace gatehouse::authz {

std::optional<std::string> app_token_of(const http::Request& req) {
  if (auto t = req.bearer(); t.substr(0, 4) == "gha_") return std::string(t);
  if (auto t = req.header("x-app-token"); !t.empty()) return std::string(t);
  if (auto t = req.header("x-api-key"); !t.empty()) return std::string(t);
  return std::nullopt;
}

std::optional<Result<Caller>> caller_cached(AuthzApi& api, const http::Request& req) {
  if (auto t = app_token_of(req)) {
    auto v = api.app_tokens.validate_cached(*t);
    if (!v) return std::nullopt;
    if (!*v) return Result<Caller>(v->error());
    return Result<Caller>(Caller{std::nullopt, **v});
  }
  auto p = api.tokens.authenticate_cached(identity::access_token_of(req));
  if (!p) return std::nullopt;
  if (!*p) return Result<Caller>(p->error());
  return Result<Caller>(Caller{**p, std::nullopt});
}

Result<Caller> caller_of(AuthzApi& api, const http::Request& req) {
  if (auto t = app_token_of(req)) {
    auto v = api.app_tokens.validate(*t);
    if (!v) return v.error();
    return Caller{std::nullopt, *v};
  }
  auto p = api.tokens.authenticate(identity::access_token_of(req));
  if (!p) return p.error();
  return Caller{*p, std::nullopt};
}

http::Handler admin_only(AuthzApi api, std::function<http::Response(http::Request&, const Principal&)> h) {
  return identity::admin_only(api.tokens, api.admin, std::move(h));
}

}  // namespace gatehouse::authz
