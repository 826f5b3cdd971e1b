// gatehouse keys list|rotate.
#include "cli/commands.hpp"

#include <iostream>

#include "app/app.hpp"
#include "core/clock.hpp"
#include "events/audit.hpp"

namespace gatehouse::cli {
namespace json = boost::json;

namespace {
json::object key_json(const identity::KeyInfo& k) {
  auto t = [](const std::optional<int64_t>& x) { return x ? json::value(iso8601(*x)) : json::value(nullptr); };
  return json::object{{"kid", k.kid}, {"alg", k.alg}, {"created_at", iso8601(k.created_at)},
                      {"signs_from", iso8601(k.signs_from)}, {"retired_at", t(k.retired_at)}, {"expires_at", t(k.expires_at)}, {"active", k.active}};
}
}  // namespace

void add_keys_commands(CLI::App& cli, Globals& g) {
  struct Flags {
    std::string rotate_alg;
    bool rotate_now = false;
  };
  auto& f = g.keep<Flags>();
  auto* keys = cli.add_subcommand("keys", "Signing keys");
  keys->require_subcommand(1);
  keys->add_subcommand("list", "List signing keys")->callback([&g, &f] {
    auto app = App::open(load_or_exit(g), true);
    app->load_keys();
    json::array a;
    std::string human;
    for (auto& k : app->keys->list()) {
      a.push_back(key_json(k));
      human += k.kid + "  " + k.alg + "  " + (k.active ? "active" : "retired") + "  created " + iso8601(k.created_at) + "\n";
    }
    print(g, a, human.substr(0, human.size() - 1));
  });
  auto* rotate = keys->add_subcommand("rotate", "Create a new key; it signs after key_publish_ahead_seconds, the old one until then");
  rotate->add_option("--alg", f.rotate_alg, "ES256, EdDSA or RS256 (default: the configured token_alg)");
  rotate->add_flag("--now", f.rotate_now, "Sign with the new key at once (a leaked key): relying parties "
                                        "that cached the JWKS refuse new tokens until they fetch it again");
  rotate->callback([&g, &f] {
    auto app = App::open(load_or_exit(g), true);
    app->load_keys();
    auto alg = crypto::alg_from_name(f.rotate_alg.empty() ? app->cfg.token_alg : f.rotate_alg);
    if (!alg) { std::cerr << "gatehouse: --alg must be ES256, EdDSA or RS256\n"; std::exit(1); }
    auto k = app->keys->rotate(*alg, f.rotate_now);
    app->db->with([&](store::Conn& c) {
      auto e = events::audit_event(kCliOrigin, "keys.rotate", std::nullopt, k.kid);
      e.details["alg"] = k.alg;
      e.details["signs_from"] = k.signs_from;
      events::record(c, e, now_seconds());
    });
    print(g, key_json(k), "New signing key " + k.kid + " (" + k.alg + "), published now (servers pick it up within "
                          "10 seconds), signing from " + iso8601(k.signs_from));
  });
}

}  // namespace gatehouse::cli
