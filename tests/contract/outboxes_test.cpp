// Contract of the two outboxes, run on SQLite and on PostgreSQL: webhook endpoints and
// their deliveries (events/webhook_store.hpp) and the mail outbox (mail/outbox_store.hpp).
// Both are drained by every node at once, so claim() is raced here the way nodes race it.
// Columns the stores never return (mail_outbox.sent_at, failed_at, last_error) are read
// with plain SQL.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine_fixture.hpp"
#include "events/webhook_store.hpp"
#include "mail/outbox_store.hpp"

namespace gatehouse::contract {
namespace {

using events::DeliveryRow;
using events::DueDelivery;
using events::Webhook;
using events::WebhookStore;
using mail::OutboxRow;
using mail::OutboxStore;

class Outboxes : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    admin_ = add_user(c(), "admin@example.com", "admin");
  }

  Webhook add_hook(const std::string& id, int64_t created_at = kNow - 1000,
                   std::vector<std::string> events = {"*"},
                   std::optional<std::string> description = std::nullopt) {
    Webhook w{id, "https://hooks.example/" + id, std::move(events), std::move(description), admin_.id, created_at,
              true};
    WebhookStore(c()).insert(w, "sealed:" + id);
    return w;
  }
  void add_delivery(const std::string& id, const std::string& hook, int64_t created_at,
                    const std::string& type = "user.created") {
    WebhookStore(c()).add_delivery(id, hook, type, R"({"id":")" + id + R"("})", created_at);
  }
  std::optional<DeliveryRow> delivery(const std::string& hook, const std::string& id) {
    for (auto& d : WebhookStore(c()).deliveries_of(hook, 100))
      if (d.id == id) return d;
    return std::nullopt;
  }
  static std::vector<std::string> ids_of(const std::vector<DueDelivery>& rows) {
    std::vector<std::string> out;
    for (auto& r : rows) out.push_back(r.id);
    return out;
  }
  static std::vector<std::string> ids_of(const std::vector<OutboxRow>& rows) {
    std::vector<std::string> out;
    for (auto& r : rows) out.push_back(r.id);
    return out;
  }
  static std::vector<std::string> ids_of(const std::vector<Webhook>& rows) {
    std::vector<std::string> out;
    for (auto& r : rows) out.push_back(r.id);
    return out;
  }

  void add_mail(const std::string& id, int64_t created_at) {
    OutboxStore(c()).insert(id, id + "@example.com", "Subject " + id, "Body of " + id, created_at);
  }
  store::Row mail_row(const std::string& id) {
    return c().query("SELECT attempts, next_attempt_at, sent_at, failed_at, last_error FROM mail_outbox WHERE id = $1",
                     {id})[0];
  }

  identity::User admin_;
};
GATEHOUSE_CONTRACT_ENGINES(Outboxes);

// ---------------------------------------------------------------- WebhookStore: endpoints

TEST_P(Outboxes, WebhookInsertReadsBackOldestFirst) {
  add_hook("newer", kNow - 10, {"user.created", "user.deleted"}, "CRM sync");
  add_hook("older", kNow - 20);
  WebhookStore hooks(c());
  auto all = hooks.all();
  ASSERT_EQ(ids_of(all), (std::vector<std::string>{"older", "newer"})) << "by created_at, not insertion";
  EXPECT_EQ(all[1].url, "https://hooks.example/newer");
  EXPECT_EQ(all[1].event_types, (std::vector<std::string>{"user.created", "user.deleted"}));
  EXPECT_EQ(all[1].description, "CRM sync");
  EXPECT_EQ(all[1].created_by, admin_.id);
  EXPECT_EQ(all[1].created_at, kNow - 10);
  EXPECT_TRUE(all[1].active) << "a new endpoint is active";
  EXPECT_EQ(all[0].event_types, std::vector<std::string>{"*"});
  EXPECT_EQ(all[0].description, std::nullopt);
  EXPECT_EQ(ids_of(hooks.active()), (std::vector<std::string>{"older", "newer"}));
  EXPECT_TRUE(hooks.exists("newer"));
  EXPECT_FALSE(hooks.exists("missing"));
}

TEST_P(Outboxes, WebhookDuplicateIdIsAUniqueViolation) {
  add_hook("h");
  try {
    add_hook("h", kNow);
    ADD_FAILURE() << "a second endpoint with the same id was stored";
  } catch (const store::DbError& e) {
    EXPECT_EQ(e.kind, store::DbError::Kind::unique_violation) << e.what();
  }
  EXPECT_EQ(WebhookStore(c()).all().size(), 1u);
}

TEST_P(Outboxes, WebhookDeactivateKeepsRowAndFailsOnlyItsPendingDeliveries) {
  add_hook("h", kNow - 20);
  add_hook("other", kNow - 10);
  add_delivery("pending", "h", kNow - 5);
  add_delivery("delivered", "h", kNow - 4);
  add_delivery("failed", "h", kNow - 3);
  add_delivery("elsewhere", "other", kNow - 2);
  WebhookStore hooks(c());
  hooks.mark_delivered("delivered", 1, 204, kNow - 1);
  hooks.mark_attempt_failed("failed", true, 5, 500, "HTTP 500", kNow + 60);

  EXPECT_TRUE(hooks.deactivate("h"));
  EXPECT_EQ(ids_of(hooks.active()), std::vector<std::string>{"other"});
  auto all = hooks.all();
  ASSERT_EQ(ids_of(all), (std::vector<std::string>{"h", "other"})) << "the row stays for its delivery log";
  EXPECT_FALSE(all[0].active);
  EXPECT_TRUE(hooks.exists("h"));

  EXPECT_EQ(delivery("h", "pending")->status, "failed");
  EXPECT_EQ(delivery("h", "pending")->last_error, "webhook removed");
  EXPECT_EQ(delivery("h", "delivered")->status, "delivered") << "history is not rewritten";
  EXPECT_EQ(delivery("h", "delivered")->last_error, std::nullopt);
  EXPECT_EQ(delivery("h", "failed")->last_error, "HTTP 500") << "an earlier failure keeps its reason";
  EXPECT_EQ(delivery("other", "elsewhere")->status, "pending");
  EXPECT_EQ(ids_of(hooks.due(kNow)), std::vector<std::string>{"elsewhere"});

  EXPECT_FALSE(hooks.deactivate("h")) << "no longer active";
  EXPECT_FALSE(hooks.deactivate("missing"));
}

// ---------------------------------------------------------------- WebhookStore: deliveries

TEST_P(Outboxes, DeliveryAddIsPendingAndDueAtOnce) {
  add_hook("h");
  add_delivery("d1", "h", kNow, "org.updated");
  auto d = delivery("h", "d1");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->event_type, "org.updated");
  EXPECT_EQ(d->status, "pending");
  EXPECT_EQ(d->attempts, 0);
  EXPECT_EQ(d->last_status_code, std::nullopt);
  EXPECT_EQ(d->last_error, std::nullopt);
  EXPECT_EQ(d->created_at, kNow);
  EXPECT_EQ(d->delivered_at, std::nullopt);
  EXPECT_EQ(d->next_attempt_at, kNow) << "due at once";
  EXPECT_EQ(d->payload, R"({"id":"d1"})");

  WebhookStore hooks(c());
  EXPECT_TRUE(hooks.due(kNow - 1).empty()) << "not before it was made";
  auto due = hooks.due(kNow);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].id, "d1");
  EXPECT_EQ(due[0].webhook_id, "h");
  EXPECT_EQ(due[0].payload, R"({"id":"d1"})");
  EXPECT_EQ(due[0].attempts, 0);
  EXPECT_EQ(due[0].next_attempt_at, kNow);
  EXPECT_EQ(due[0].event_type, "org.updated");
  EXPECT_EQ(due[0].url, "https://hooks.example/h");
  EXPECT_EQ(due[0].secret_sealed, "sealed:h");
}

TEST_P(Outboxes, DeliveryToUnknownEndpointIsRefused) {
  // webhook_deliveries.webhook_id references webhooks(id): both engines enforce it.
  EXPECT_THROW(WebhookStore(c()).add_delivery("d1", "missing", "user.created", "{}", kNow), store::DbError);
  EXPECT_EQ(c().query("SELECT COUNT(*) FROM webhook_deliveries")[0].i64(0), 0);
}

TEST_P(Outboxes, DeliveriesOfIsNewestFirstLimitedAndPerEndpoint) {
  add_hook("h");
  add_hook("other");
  add_delivery("b-mid", "h", kNow - 5);
  add_delivery("c-new", "h", kNow);
  add_delivery("a-old", "h", kNow - 10);
  add_delivery("z-tie", "h", kNow - 5);  // same second as b-mid: id breaks the tie
  add_delivery("x", "other", kNow + 1);
  std::vector<std::string> ids;
  for (auto& d : WebhookStore(c()).deliveries_of("h", 10)) ids.push_back(d.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"c-new", "b-mid", "z-tie", "a-old"}));
  ids.clear();
  for (auto& d : WebhookStore(c()).deliveries_of("h", 2)) ids.push_back(d.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"c-new", "b-mid"}));
  EXPECT_TRUE(WebhookStore(c()).deliveries_of("missing", 10).empty());
}

TEST_P(Outboxes, DueSkipsLaterDoneAndInactiveAndTakesTheOldest20) {
  add_hook("h");
  add_hook("gone");
  WebhookStore hooks(c());
  // Inserted newest first, so only ORDER BY created_at puts them in order.
  for (int i = 24; i >= 0; --i) add_delivery("d" + std::to_string(100 + i), "h", kNow - 100 + i);
  add_delivery("later", "h", kNow - 200);
  hooks.mark_attempt_failed("later", false, 1, 503, "HTTP 503", kNow + 1);  // retry scheduled after now
  add_delivery("done", "h", kNow - 199);
  hooks.mark_delivered("done", 1, 200, kNow - 198);
  add_delivery("dead", "h", kNow - 197);
  hooks.mark_attempt_failed("dead", true, 8, std::nullopt, "connection refused", kNow - 190);
  add_delivery("orphan", "gone", kNow - 196);
  ASSERT_TRUE(hooks.deactivate("gone"));
  // An inactive endpoint's delivery that is somehow still pending is not sent either.
  c().query("UPDATE webhook_deliveries SET status = 'pending' WHERE id = 'orphan'");

  auto due = hooks.due(kNow);
  ASSERT_EQ(due.size(), 20u) << "one batch is 20";
  EXPECT_EQ(due.front().id, "d100");
  EXPECT_EQ(due.back().id, "d119");
  for (std::size_t i = 1; i < due.size(); ++i) EXPECT_LT(due[i - 1].id, due[i].id) << "oldest first";

  auto later = hooks.due(kNow + 1);
  EXPECT_EQ(later.front().id, "later") << "due exactly at next_attempt_at, and the oldest";
  EXPECT_EQ(later.front().attempts, 1);
}

TEST_P(Outboxes, DeliveryClaimIsTrueOnceThenFalse) {
  add_hook("h");
  add_delivery("d1", "h", kNow);
  WebhookStore hooks(c());
  auto seen = hooks.due(kNow).at(0).next_attempt_at;
  EXPECT_TRUE(hooks.claim("d1", seen, kNow + 300));
  EXPECT_FALSE(hooks.claim("d1", seen, kNow + 300)) << "another worker took it";
  EXPECT_TRUE(hooks.due(kNow + 299).empty()) << "leased";
  auto again = hooks.due(kNow + 300);
  ASSERT_EQ(again.size(), 1u) << "a sender that died mid-attempt only delays it";
  EXPECT_EQ(again[0].next_attempt_at, kNow + 300);
  EXPECT_FALSE(hooks.claim("missing", kNow, kNow + 300));

  hooks.mark_delivered("d1", 1, 200, kNow + 1);
  EXPECT_FALSE(hooks.claim("d1", kNow + 300, kNow + 600)) << "no longer pending";
  add_delivery("d2", "h", kNow);
  hooks.fail_unreadable_secret("d2");
  EXPECT_FALSE(hooks.claim("d2", kNow, kNow + 300)) << "failed is not pending";
}

TEST_P(Outboxes, DeliveryClaimRaceHasExactlyOneWinner) {
  add_hook("h");
  add_delivery("d1", "h", kNow);
  int won = winners(db(), 4, [](Conn& conn, int i) { return WebhookStore(conn).claim("d1", kNow, kNow + 300 + i); });
  EXPECT_EQ(won, 1) << "a delivery seen by every node is sent by one";
}

TEST_P(Outboxes, DeliveryMarkAttemptFailedThenDelivered) {
  add_hook("h");
  add_delivery("d1", "h", kNow);
  add_delivery("d2", "h", kNow);
  WebhookStore hooks(c());
  hooks.mark_attempt_failed("d1", false, 1, std::nullopt, "timeout", kNow + 30);
  auto d = delivery("h", "d1");
  EXPECT_EQ(d->status, "pending") << "not given up: retried";
  EXPECT_EQ(d->attempts, 1);
  EXPECT_EQ(d->last_status_code, std::nullopt) << "no HTTP answer came";
  EXPECT_EQ(d->last_error, "timeout");
  EXPECT_EQ(d->next_attempt_at, kNow + 30);
  EXPECT_EQ(ids_of(hooks.due(kNow + 29)), std::vector<std::string>{"d2"});

  hooks.mark_attempt_failed("d1", false, 2, 502, "HTTP 502", kNow + 90);
  EXPECT_EQ(delivery("h", "d1")->last_status_code, 502);
  hooks.mark_delivered("d1", 3, 202, kNow + 95);
  d = delivery("h", "d1");
  EXPECT_EQ(d->status, "delivered");
  EXPECT_EQ(d->attempts, 3);
  EXPECT_EQ(d->last_status_code, 202);
  EXPECT_EQ(d->delivered_at, kNow + 95);
  EXPECT_EQ(d->last_error, std::nullopt) << "a success clears the last failure";
  EXPECT_EQ(ids_of(hooks.due(kNow + 1000)), std::vector<std::string>{"d2"});
  EXPECT_EQ(delivery("h", "d2")->attempts, 0) << "only that delivery";
}

TEST_P(Outboxes, DeliveryGivenUpOrUnreadableIsFailedForGood) {
  add_hook("h");
  add_delivery("d1", "h", kNow);
  add_delivery("d2", "h", kNow + 1);
  add_delivery("d3", "h", kNow + 2);
  WebhookStore hooks(c());
  hooks.mark_attempt_failed("d1", true, 8, 410, "HTTP 410", kNow + 3600);
  hooks.fail_unreadable_secret("d2");
  EXPECT_EQ(delivery("h", "d1")->status, "failed");
  EXPECT_EQ(delivery("h", "d1")->attempts, 8);
  EXPECT_EQ(delivery("h", "d2")->status, "failed");
  EXPECT_EQ(delivery("h", "d2")->last_error, "webhook secret unreadable");
  EXPECT_EQ(delivery("h", "d2")->attempts, 0) << "it was never sent";
  EXPECT_EQ(ids_of(hooks.due(kNow + 100000)), std::vector<std::string>{"d3"}) << "never retried";
  hooks.fail_unreadable_secret("missing");  // nothing to do, not an error
}

// ---------------------------------------------------------------- OutboxStore (mail)

TEST_P(Outboxes, MailInsertIsDueAtOnceWithEveryField) {
  add_mail("m1", kNow);
  OutboxStore outbox(c());
  EXPECT_TRUE(outbox.due(kNow - 1, 10).empty()) << "not before it was written";
  auto due = outbox.due(kNow, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].id, "m1");
  EXPECT_EQ(due[0].recipient, "m1@example.com");
  EXPECT_EQ(due[0].subject, "Subject m1");
  EXPECT_EQ(due[0].body, "Body of m1");
  EXPECT_EQ(due[0].attempts, 0);
  EXPECT_EQ(due[0].next_attempt_at, kNow);
  auto row = mail_row("m1");
  EXPECT_TRUE(row.is_null(2)) << "not sent";
  EXPECT_TRUE(row.is_null(3)) << "not given up";
  EXPECT_TRUE(row.is_null(4));
}

TEST_P(Outboxes, MailDueIsOldestFirstLimitedAndSkipsSentFailedAndLater) {
  add_mail("c", kNow - 10);
  add_mail("a", kNow - 30);
  add_mail("b", kNow - 20);
  add_mail("sent", kNow - 40);
  add_mail("given-up", kNow - 50);
  add_mail("retry-later", kNow - 60);
  OutboxStore outbox(c());
  outbox.mark_sent("sent", kNow - 39);
  outbox.mark_attempt_failed("given-up", 5, "550 no such user", kNow - 45, kNow - 49);
  outbox.mark_attempt_failed("retry-later", 1, "421 try again", kNow + 5, std::nullopt);

  EXPECT_EQ(ids_of(outbox.due(kNow, 10)), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(ids_of(outbox.due(kNow, 2)), (std::vector<std::string>{"a", "b"})) << "the limit keeps the oldest";
  EXPECT_EQ(ids_of(outbox.due(kNow + 5, 10)), (std::vector<std::string>{"retry-later", "a", "b", "c"}))
      << "a retry is ordered by when the mail was written";
  EXPECT_EQ(outbox.due(kNow + 5, 10)[0].attempts, 1);
}

TEST_P(Outboxes, MailClaimIsTrueOnceThenFalse) {
  add_mail("m1", kNow);
  OutboxStore outbox(c());
  auto seen = outbox.due(kNow, 10).at(0).next_attempt_at;
  EXPECT_TRUE(outbox.claim("m1", seen, kNow + 300));
  EXPECT_FALSE(outbox.claim("m1", seen, kNow + 300)) << "another node took it";
  EXPECT_TRUE(outbox.due(kNow + 299, 10).empty()) << "leased";
  EXPECT_EQ(ids_of(outbox.due(kNow + 300, 10)), std::vector<std::string>{"m1"}) << "a crashed sender only delays it";
  EXPECT_FALSE(outbox.claim("missing", kNow, kNow + 300));

  outbox.mark_sent("m1", kNow + 1);
  EXPECT_FALSE(outbox.claim("m1", kNow + 300, kNow + 600)) << "sent mail is never claimed again";
}

TEST_P(Outboxes, MailClaimRaceHasExactlyOneWinner) {
  add_mail("m1", kNow);
  int won = winners(db(), 4, [](Conn& conn, int i) { return OutboxStore(conn).claim("m1", kNow, kNow + 300 + i); });
  EXPECT_EQ(won, 1) << "a message seen by every node is sent once";
}

TEST_P(Outboxes, MailMarkSentCountsTheAttempt) {
  add_mail("m1", kNow);
  add_mail("m2", kNow);
  OutboxStore outbox(c());
  outbox.mark_attempt_failed("m1", 2, "timeout", kNow, std::nullopt);
  outbox.mark_sent("m1", kNow + 7);
  auto row = mail_row("m1");
  EXPECT_EQ(row.i64(0), 3) << "the successful attempt counts too";
  EXPECT_EQ(row.opt_i64(2), kNow + 7);
  EXPECT_TRUE(row.is_null(3));
  EXPECT_EQ(ids_of(outbox.due(kNow + 100000, 10)), std::vector<std::string>{"m2"});
  EXPECT_EQ(mail_row("m2").i64(0), 0) << "only that message";
}

TEST_P(Outboxes, MailMarkAttemptFailedRetriesOrGivesUp) {
  add_mail("m1", kNow);
  OutboxStore outbox(c());
  outbox.mark_attempt_failed("m1", 1, "421 busy", kNow + 60, std::nullopt);
  auto row = mail_row("m1");
  EXPECT_EQ(row.i64(0), 1);
  EXPECT_EQ(row.i64(1), kNow + 60);
  EXPECT_TRUE(row.is_null(3)) << "no failed_at: retried";
  EXPECT_EQ(row.opt(4), "421 busy");
  EXPECT_TRUE(outbox.due(kNow + 59, 10).empty());
  ASSERT_EQ(outbox.due(kNow + 60, 10).size(), 1u);
  EXPECT_EQ(outbox.due(kNow + 60, 10)[0].attempts, 1);

  outbox.mark_attempt_failed("m1", 2, "550 rejected", kNow + 120, kNow + 60);
  row = mail_row("m1");
  EXPECT_EQ(row.i64(0), 2);
  EXPECT_EQ(row.opt_i64(3), kNow + 60);
  EXPECT_EQ(row.opt(4), "550 rejected");
  EXPECT_TRUE(row.is_null(2)) << "given up is not sent";
  EXPECT_TRUE(outbox.due(kNow + 100000, 10).empty()) << "given up: never due again";
}

}  // namespace
}  // namespace gatehouse::contract
