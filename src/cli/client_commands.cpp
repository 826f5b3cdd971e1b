// gatehouse client create|list|update|delete|rotate-secret.
#include "cli/commands.hpp"

#include "app/app.hpp"

namespace gatehouse::cli {
namespace json = boost::json;

namespace {

struct ClientFlags {
  std::string id, name, auth_method, id_token_alg;
  std::vector<std::string> redirect_uris, post_logout_uris, grants, scopes;
  bool is_public = false, first_party = false;
  int access_ttl = 0, refresh_ttl = 0, id_ttl = 0;
};

oidc::ClientSpec spec_from(const ClientFlags& cf) {
  oidc::ClientSpec s;
  if (!cf.name.empty()) s.name = cf.name;
  if (cf.is_public) s.is_public = true;
  if (!cf.redirect_uris.empty()) s.redirect_uris = cf.redirect_uris;
  if (!cf.post_logout_uris.empty()) s.post_logout_redirect_uris = cf.post_logout_uris;
  if (!cf.grants.empty()) s.grant_types = cf.grants;
  if (!cf.scopes.empty()) {
    std::vector<std::string> all;
    for (auto& x : cf.scopes)
      for (auto& y : oidc::split_scope(x)) all.push_back(y);
    s.scopes = all;
  }
  if (!cf.auth_method.empty()) s.auth_method = cf.auth_method;
  if (!cf.id_token_alg.empty()) s.id_token_alg = cf.id_token_alg;
  if (cf.first_party) s.first_party = true;
  if (cf.access_ttl) s.access_token_ttl = std::optional<int>(cf.access_ttl);
  if (cf.refresh_ttl) s.refresh_token_ttl = std::optional<int>(cf.refresh_ttl);
  if (cf.id_ttl) s.id_token_ttl = std::optional<int>(cf.id_ttl);
  return s;
}

}  // namespace

void add_client_commands(CLI::App& cli, Globals& g) {
  auto& cf = g.keep<ClientFlags>();
  auto* client = cli.add_subcommand("client", "OAuth 2.0 / OpenID Connect clients");
  client->require_subcommand(1);
  auto add_client_flags = [&cf](CLI::App* sub, bool creating) {
    if (creating) sub->add_option("--name", cf.name, "Display name")->required();
    else sub->add_option("--name", cf.name, "Display name");
    sub->add_option("--redirect-uri", cf.redirect_uris, "Exact redirect URI (repeatable)");
    sub->add_option("--post-logout-redirect-uri", cf.post_logout_uris, "Post-logout redirect URI (repeatable)");
    sub->add_option("--grant", cf.grants, "Allowed grant type (repeatable)");
    sub->add_option("--scope", cf.scopes, "Allowed scopes (space-separated or repeatable)");
    sub->add_option("--auth-method", cf.auth_method, "client_secret_basic | client_secret_post | private_key_jwt | none");
    sub->add_option("--id-token-alg", cf.id_token_alg, "RS256 (default), ES256 or EdDSA");
    sub->add_flag("--first-party", cf.first_party, "Skip the consent screen");
    sub->add_option("--access-token-ttl", cf.access_ttl, "Seconds");
    sub->add_option("--refresh-token-ttl", cf.refresh_ttl, "Seconds");
    sub->add_option("--id-token-ttl", cf.id_ttl, "Seconds");
    if (creating) sub->add_flag("--public", cf.is_public, "Public client (no secret; PKCE required)");
  };
  auto* ccreate = client->add_subcommand("create", "Register a client (prints the secret once)");
  add_client_flags(ccreate, true);
  ccreate->callback([&g, &cf] {
    auto app = App::open(load_or_exit(g), true);
    app->load_keys();
    auto made = app->clients->create(spec_from(cf), "cli");
    if (!made) fail_with(made.error());
    auto o = oidc::to_json(made->first);
    o["client_secret"] = made->second.empty() ? json::value(nullptr) : json::value(made->second);
    print(g, o, "client_id:     " + made->first.id + (made->second.empty() ? "" : "\nclient_secret: " + made->second + "  (shown once)"));
  });
  client->add_subcommand("list", "List clients")->callback([&g, &cf] {
    auto app = App::open(load_or_exit(g), true);
    app->load_keys();
    json::array a;
    std::string human;
    for (auto& c : app->clients->list()) {
      a.push_back(oidc::to_json(c));
      human += c.id + "  " + c.name + (c.is_public ? "  public" : "") + "\n";
    }
    print(g, a, human.empty() ? "No clients" : human.substr(0, human.size() - 1));
  });
  auto* cupdate = client->add_subcommand("update", "Change a client");
  cupdate->add_option("client_id", cf.id)->required();
  add_client_flags(cupdate, false);
  cupdate->callback([&g, &cf] {
    auto app = App::open(load_or_exit(g), true);
    app->load_keys();
    auto c = app->clients->update(cf.id, spec_from(cf));
    if (!c) fail_with(c.error());
    print(g, oidc::to_json(*c), "Updated " + c->id);
  });
  auto* cdelete = client->add_subcommand("delete", "Delete a client and revoke its grants");
  cdelete->add_option("client_id", cf.id)->required();
  cdelete->callback([&g, &cf] {
    auto app = App::open(load_or_exit(g), true);
    app->load_keys();
    if (auto s = app->clients->remove(cf.id); !s) fail_with(s.error());
    print(g, json::object{{"client_id", cf.id}, {"deleted", true}}, "Deleted " + cf.id);
  });
  auto* crotate = client->add_subcommand("rotate-secret", "Issue a new secret (the old one stops working)");
  crotate->add_option("client_id", cf.id)->required();
  crotate->callback([&g, &cf] {
    auto app = App::open(load_or_exit(g), true);
    app->load_keys();
    auto c = app->clients->rotate_secret(cf.id);
    if (!c) fail_with(c.error());
    auto o = oidc::to_json(c->first);
    o["client_secret"] = c->second;
    print(g, o, "client_secret: " + c->second + "  (shown once)");
  });
}

}  // namespace gatehouse::cli
