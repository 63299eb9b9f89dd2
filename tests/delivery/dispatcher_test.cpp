// The dispatcher on a real SQLite file, sending through the real HTTP senders
// to a loopback Beast server. Time is only ever the `now` passed in: a retry
// "later" is a call with a later now, never a sleep.
#include "delivery/dispatcher.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "delivery/delivery_fixture.hpp"
#include "support/http_test_server.hpp"
#include "support/test_pki.hpp"
#include "support/test_support.hpp"

namespace shd::delivery {
namespace {

using namespace std::chrono_literals;
using test::http_test_server;
using test::scripted_response;
using testing::insert_row;
using testing::read_row;
using testing::sample_notification;
using testing::webhook_channel;

const instant t0 = *parse_iso8601("2026-03-01T12:00:00Z");

class DispatcherTest : public ::testing::Test {
  protected:
    test::temp_dir dir;
    std::filesystem::path db_path = dir / "shd.sqlite";
    store::database db = open_db();
    http_test_server server;
    config::config cfg = make_config();

    store::database open_db() {
        auto opened = store::database::open(db_path);
        if (!opened)
            throw std::runtime_error(opened.error().text);
        return std::move(*opened);
    }

    config::config make_config() {
        auto c = config::default_config();
        c.account = "Acme Store";
        c.alerts.channels = {webhook_channel("ops", server.url("/hook/s3cret-path"))};
        return c;
    }

    // The policy is spelt out so the schedules below do not follow the default.
    static dispatch_options seeded() {
        dispatch_options o;
        o.seed = 42;
        o.policy = {std::chrono::seconds{30}, std::chrono::seconds{3600}};
        return o;
    }

    dispatch_summary deliver(dispatcher& d, instant now) {
        auto r = d.deliver_due(db, cfg, now);
        if (!r)
            throw std::runtime_error(r.error().text);
        return *r;
    }
};

TEST_F(DispatcherTest, DeliversOnceAndNeverTwice) {
    const auto id = insert_row(db, "ops", sample_notification("k-once"), t0);
    dispatcher d(seeded());
    const auto first = deliver(d, t0);
    EXPECT_EQ(first.delivered, 1u);
    EXPECT_EQ(first.retried, 0u);
    EXPECT_EQ(first.next_due, std::nullopt);

    const auto row = read_row(db, id);
    EXPECT_EQ(row.delivered_at, t0);
    EXPECT_EQ(row.attempts, 1);
    EXPECT_EQ(row.dead_at, std::nullopt);

    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].target, "/hook/s3cret-path");
    EXPECT_EQ(requests[0].header("Idempotency-Key"), "k-once");
    const auto body = nlohmann::json::parse(requests[0].body);
    EXPECT_EQ(body.at("idempotency_key"), "k-once");
    EXPECT_EQ(body.at("sent_at"), "2026-03-01T12:00:00Z");

    // Later calls, and a fresh dispatcher, find nothing to do.
    EXPECT_EQ(deliver(d, t0 + 10s).delivered, 0u);
    dispatcher again(seeded());
    EXPECT_EQ(deliver(again, t0 + 1h).delivered, 0u);
    EXPECT_EQ(server.request_count(), 1u);
}

TEST_F(DispatcherTest, NotBeforeInTheFutureWaits) {
    const auto id = insert_row(db, "ops", sample_notification(), t0, t0 + 8h);  // quiet hours
    dispatcher d(seeded());
    const auto early = deliver(d, t0 + 1h);
    EXPECT_EQ(early.delivered, 0u);
    EXPECT_EQ(early.next_due, t0 + 8h);
    EXPECT_EQ(server.request_count(), 0u);
    EXPECT_EQ(deliver(d, t0 + 8h).delivered, 1u);
    EXPECT_EQ(read_row(db, id).delivered_at, t0 + 8h);
}

TEST_F(DispatcherTest, ServerErrorThenSuccessThroughBackoff) {
    server.script({scripted_response::with_status(500, "oops")});
    const auto id = insert_row(db, "ops", sample_notification("k-500"), t0);
    dispatcher d(seeded());

    const auto first = deliver(d, t0);
    EXPECT_EQ(first.delivered, 0u);
    EXPECT_EQ(first.retried, 1u);
    const auto after_failure = read_row(db, id);
    EXPECT_EQ(after_failure.attempts, 1);
    EXPECT_EQ(after_failure.delivered_at, std::nullopt);
    EXPECT_EQ(after_failure.last_error, "HTTP 500: oops");
    // First backoff step 30 s, jittered into [15 s, 30 s].
    EXPECT_GE(after_failure.not_before, t0 + 15s);
    EXPECT_LE(after_failure.not_before, t0 + 30s);
    EXPECT_EQ(first.next_due, after_failure.not_before);

    // Not due a second early.
    EXPECT_EQ(deliver(d, after_failure.not_before - 1s).delivered, 0u);
    EXPECT_EQ(server.request_count(), 1u);

    const auto second = deliver(d, after_failure.not_before);
    EXPECT_EQ(second.delivered, 1u);
    const auto done = read_row(db, id);
    EXPECT_EQ(done.delivered_at, after_failure.not_before);
    EXPECT_EQ(done.attempts, 2);

    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].header("Idempotency-Key"), requests[1].header("Idempotency-Key"));
}

TEST_F(DispatcherTest, BackoffGrowsWithEachFailure) {
    server.set_default(scripted_response::with_status(502));
    const auto id = insert_row(db, "ops", sample_notification(), t0);
    dispatcher d(seeded());
    instant now = t0;
    long long step = 30;
    for (int attempt = 1; attempt <= 9; ++attempt) {
        const auto s = deliver(d, now);
        ASSERT_EQ(s.retried, 1u) << attempt;
        const auto row = read_row(db, id);
        EXPECT_EQ(row.attempts, attempt);
        const auto wait = row.not_before - now;
        EXPECT_GE(wait, std::chrono::seconds{step / 2}) << attempt;
        EXPECT_LE(wait, std::chrono::seconds{step}) << attempt;
        step = std::min<long long>(step * 2, 3600);
        now = row.not_before;
    }
    EXPECT_EQ(server.request_count(), 9u);
}

TEST_F(DispatcherTest, RetryAfterOn429IsHonoured) {
    server.script({{429, {{"Retry-After", "120"}}, "slow down", false}});
    const auto id = insert_row(db, "ops", sample_notification(), t0);
    dispatcher d(seeded());
    deliver(d, t0);
    EXPECT_EQ(read_row(db, id).not_before, t0 + 120s);
    EXPECT_EQ(deliver(d, t0 + 119s).delivered, 0u);
    EXPECT_EQ(server.request_count(), 1u);
    EXPECT_EQ(deliver(d, t0 + 120s).delivered, 1u);
    EXPECT_EQ(server.request_count(), 2u);
}

TEST_F(DispatcherTest, RetryAfterDateOn503IsHonoured) {
    server.script({{503, {{"Retry-After", "Sun, 01 Mar 2026 12:10:00 GMT"}}, "", false}});
    const auto id = insert_row(db, "ops", sample_notification(), t0);
    dispatcher d(seeded());
    deliver(d, t0);
    EXPECT_EQ(read_row(db, id).not_before, t0 + 10min);
}

TEST_F(DispatcherTest, HangingReceiverTimesOutAndIsRetried) {
    server.script({scripted_response::hang_forever()});
    const auto id = insert_row(db, "ops", sample_notification(), t0);
    dispatcher d(seeded());
    const auto s = deliver(d, t0);
    EXPECT_EQ(s.retried, 1u);
    const auto row = read_row(db, id);
    EXPECT_EQ(row.attempts, 1);
    EXPECT_NE(row.last_error.find("timeout after 1s"), std::string::npos) << row.last_error;
    EXPECT_EQ(row.last_error.find("s3cret-path"), std::string::npos);
    EXPECT_EQ(deliver(d, row.not_before).delivered, 1u);
}

TEST_F(DispatcherTest, RejectionIsDeadLetteredAtOnce) {
    server.script({scripted_response::with_status(400, "invalid_payload")});
    const auto id = insert_row(db, "ops", sample_notification(), t0);
    dispatcher d(seeded());
    const auto s = deliver(d, t0);
    EXPECT_EQ(s.dead, 1u);
    const auto row = read_row(db, id);
    EXPECT_EQ(row.dead_at, t0);
    EXPECT_EQ(row.delivered_at, std::nullopt);
    EXPECT_EQ(row.attempts, 1);
    EXPECT_EQ(row.last_error, "HTTP 400: invalid_payload");
    EXPECT_EQ(deliver(d, t0 + 1h).delivered, 0u);
    EXPECT_EQ(server.request_count(), 1u);
}

TEST_F(DispatcherTest, GivesUpAfterMaxDeliveryAge) {
    server.set_default(scripted_response::with_status(500));
    cfg.alerts.max_delivery_age = 6h;
    const auto id = insert_row(db, "ops", sample_notification("k-old"), t0);
    dispatcher d(seeded());
    deliver(d, t0);
    EXPECT_EQ(server.request_count(), 1u);

    // Just before the age: still pending (and due, so it is tried).
    const auto before = deliver(d, t0 + 6h - 1s);
    EXPECT_EQ(before.dead, 0u);
    EXPECT_EQ(server.request_count(), 2u);

    const auto at_age = deliver(d, t0 + 6h);
    EXPECT_EQ(at_age.dead, 1u);
    EXPECT_EQ(at_age.next_due, std::nullopt);
    const auto row = read_row(db, id);
    EXPECT_EQ(row.dead_at, t0 + 6h);
    EXPECT_EQ(row.delivered_at, std::nullopt);
    EXPECT_EQ(row.last_error, "HTTP 500");
    EXPECT_EQ(server.request_count(), 2u);  // not sent again
}

TEST_F(DispatcherTest, NextDueIncludesTheDeadLetterTime) {
    server.script({{429, {{"Retry-After", "86400"}}, "", false}});
    cfg.alerts.max_delivery_age = 6h;
    insert_row(db, "ops", sample_notification(), t0);
    dispatcher d(seeded());
    const auto s = deliver(d, t0);
    EXPECT_EQ(s.next_due, t0 + 6h);
}

TEST_F(DispatcherTest, RestartResumesPendingRows) {
    server.script({scripted_response::with_status(503)});
    const auto id = insert_row(db, "ops", sample_notification("k-restart"), t0);
    instant next;
    {
        dispatcher d(seeded());
        deliver(d, t0);
        next = read_row(db, id).not_before;
    }
    // The process ends: the connection closes, then a new one opens the file.
    db = open_db();
    dispatcher after_restart(seeded());
    EXPECT_EQ(deliver(after_restart, next - 1s).delivered, 0u);
    EXPECT_EQ(deliver(after_restart, next).delivered, 1u);
    EXPECT_EQ(read_row(db, id).attempts, 2);
    EXPECT_EQ(server.request_count(), 2u);
}

TEST_F(DispatcherTest, ClaimedRowIsNotSentByASecondDispatcher) {
    // Another dispatcher is sending it: claimed, its lease running to t0 + 71 s.
    const auto id = insert_row(db, "ops", sample_notification(), t0);
    {
        SQLite::Statement q(db.handle(),
                            "UPDATE outbox SET state = 'claimed', attempts = 1, claimed_at = ?1,"
                            " lease_until = ?2 WHERE id = ?3");
        q.bind(1, static_cast<std::int64_t>(to_unix(t0)));
        q.bind(2, static_cast<std::int64_t>(to_unix(t0 + 71s)));
        q.bind(3, id);
        q.exec();
    }
    dispatcher d(seeded());
    const auto waiting = deliver(d, t0 + 30s);
    EXPECT_EQ(waiting.delivered, 0u);
    EXPECT_EQ(waiting.next_due, t0 + 71s);
    // The lease ran out: the attempt was cut off, and it is sent again.
    const auto after = deliver(d, t0 + 71s);
    EXPECT_EQ(after.recovered, 1u);
    EXPECT_EQ(after.delivered, 1u);
    EXPECT_EQ(read_row(db, id).attempts, 2);
    EXPECT_EQ(read_row(db, id).state, "delivered");
}

TEST_F(DispatcherTest, ACutOffSendBlocksTheNewerNoticesOfItsChannel) {
    // A crash cut the trigger's send off: its row stays claimed. The resolve,
    // written later, must not overtake it.
    const auto trigger = insert_row(db, "ops", testing::notice_of("k-trigger", "a"), t0);
    const auto resolve =
        insert_row(db, "ops", testing::notice_of("k-resolve", "a", "resolved"), t0 + 10s);
    {
        SQLite::Statement q(db.handle(),
                            "UPDATE outbox SET state = 'claimed', attempts = 1, claimed_at = ?1,"
                            " lease_until = ?2 WHERE id = ?3");
        q.bind(1, static_cast<std::int64_t>(to_unix(t0)));
        q.bind(2, static_cast<std::int64_t>(to_unix(t0 + 2min)));
        q.bind(3, trigger);
        q.exec();
    }
    dispatcher d(seeded());
    EXPECT_EQ(deliver(d, t0 + 20s).delivered, 0u);
    EXPECT_EQ(server.request_count(), 0u);
    EXPECT_EQ(read_row(db, resolve).attempts, 0);

    // The next daemon holds the instance lock: it takes the claim over at once.
    dispatch_options o = seeded();
    o.take_over_claims = true;
    dispatcher restarted(o);
    EXPECT_EQ(deliver(restarted, t0 + 30s).delivered, 2u);
    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].header("Idempotency-Key"), "k-trigger");
    EXPECT_EQ(requests[1].header("Idempotency-Key"), "k-resolve");
}

TEST_F(DispatcherTest, RowsOfAFailingChannelWaitBehindItAndKeepTheirOrder) {
    server.script({scripted_response::with_status(500)});
    const auto first = insert_row(db, "ops", sample_notification("k-a"), t0);
    const auto second = insert_row(db, "ops", sample_notification("k-b"), t0);
    dispatcher d(seeded());
    const auto s = deliver(d, t0);
    EXPECT_EQ(s.retried, 1u);
    EXPECT_EQ(server.request_count(), 1u);  // one probe, not one per row
    const auto a = read_row(db, first);
    EXPECT_EQ(read_row(db, second).attempts, 0);
    EXPECT_EQ(s.next_due, a.not_before);

    // Written after the failure and due at once, it still waits its turn.
    const auto third = insert_row(db, "ops", sample_notification("k-c"), t0 + 5s);
    const auto waiting = deliver(d, t0 + 5s);
    EXPECT_EQ(waiting.delivered, 0u);
    EXPECT_EQ(waiting.next_due, a.not_before);
    EXPECT_EQ(server.request_count(), 1u);

    EXPECT_EQ(deliver(d, a.not_before).delivered, 3u);
    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 4u);
    EXPECT_EQ(requests[1].header("Idempotency-Key"), "k-a");
    EXPECT_EQ(requests[2].header("Idempotency-Key"), "k-b");
    EXPECT_EQ(requests[3].header("Idempotency-Key"), "k-c");
    EXPECT_EQ(read_row(db, third).delivered_at, a.not_before);
}

TEST_F(DispatcherTest, OlderRowHeldForQuietHoursDoesNotWaitBehindAFailure) {
    server.set_default(scripted_response::with_status(500));
    // Two different alerts: the held one owes nothing to the failing one.
    const auto held = insert_row(db, "ops", testing::notice_of("k-held", "a"), t0, t0 + 1h);
    const auto failing = insert_row(db, "ops", testing::notice_of("k-fail", "b"), t0);
    dispatcher d(seeded());
    deliver(d, t0);
    EXPECT_EQ(read_row(db, failing).attempts, 1);
    EXPECT_EQ(read_row(db, held).state, "held");
    // The held row's turn comes while the newer one is backing off: it is tried.
    server.set_default(scripted_response::with_status(200));
    SQLite::Statement push(db.handle(), "UPDATE outbox SET not_before = ?1 WHERE id = ?2");
    push.bind(1, static_cast<std::int64_t>(to_unix(t0 + 2h)));
    push.bind(2, failing);
    push.exec();
    EXPECT_EQ(deliver(d, t0 + 1h).delivered, 1u);
    EXPECT_EQ(read_row(db, held).delivered_at, t0 + 1h);
    EXPECT_EQ(read_row(db, failing).delivered_at, std::nullopt);
}

TEST_F(DispatcherTest, AHeldNoticeIsSupersededByANewerOneOfTheSameAlert) {
    // 23:00 at risk, held until 07:00; 02:00 the same alert resolves (its
    // resolve held as well): at 07:00 only the resolve leaves.
    const auto morning = t0 + 8h;
    const auto trigger =
        insert_row(db, "ops", testing::notice_of("k-trigger", "a"), morning, morning);
    {
        SQLite::Statement q(db.handle(),
                            "UPDATE outbox SET state = 'held', created_at = ?1 WHERE id = ?2");
        q.bind(1, static_cast<std::int64_t>(to_unix(morning)));
        q.bind(2, trigger);
        q.exec();
    }
    const auto resolve =
        insert_row(db, "ops", testing::notice_of("k-resolve", "a", "resolved"), t0 + 3h, morning);
    dispatcher d(seeded());
    const auto night = deliver(d, t0 + 3h);
    EXPECT_EQ(night.superseded, 1u);
    EXPECT_EQ(night.delivered, 0u);
    EXPECT_EQ(night.next_due, morning);
    EXPECT_EQ(read_row(db, trigger).state, "superseded");
    EXPECT_EQ(deliver(d, morning).delivered, 1u);
    ASSERT_EQ(server.request_count(), 1u);
    EXPECT_EQ(server.requests()[0].header("Idempotency-Key"), "k-resolve");
    EXPECT_EQ(read_row(db, resolve).state, "delivered");
}

TEST_F(DispatcherTest, AHeldNoticeLeavesBeforeAnUrgentNewerOneOfItsAlerts) {
    // a and b at risk, held; then a breaches (not held): the held notice
    // cannot be superseded (b has nothing newer), so it leaves first, at once.
    auto both = testing::notice_of("k-both", "a");
    both.alerts.push_back(both.alerts[0]);
    both.alerts[1].fingerprint = "b";
    const auto held = insert_row(db, "ops", both, t0, t0 + 8h);
    const auto breach =
        insert_row(db, "ops", testing::notice_of("k-breach", "a", "firing", "breached"), t0 + 1h);
    dispatcher d(seeded());
    EXPECT_EQ(deliver(d, t0 + 1h).delivered, 2u);
    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].header("Idempotency-Key"), "k-both");
    EXPECT_EQ(requests[1].header("Idempotency-Key"), "k-breach");
    EXPECT_EQ(read_row(db, held).state, "delivered");
    EXPECT_EQ(read_row(db, breach).state, "delivered");
}

TEST_F(DispatcherTest, AResultTheBusyDatabaseCannotTakeIsKeptAndNeverResent) {
    // The connection gives up on a lock after 50 ms; during the send another
    // connection takes the write lock and keeps it, as a long import does.
    auto short_wait = store::database::open(db_path, {false, 50});
    ASSERT_TRUE(short_wait) << short_wait.error().text;
    const auto id = insert_row(db, "ops", sample_notification("k-busy"), t0);
    SQLite::Database importer(db_path.string(), SQLite::OPEN_READWRITE);
    dispatch_options o = seeded();
    o.sender_factory = [&](const std::string& type) -> std::unique_ptr<sender> {
        struct locking_sender : sender {
            std::unique_ptr<sender> real;
            SQLite::Database* other;
            send_outcome send(const config::alert_channel& c, const alerts::notification& n,
                              instant now) override {
                auto outcome = real->send(c, n, now);
                other->exec("BEGIN IMMEDIATE");
                return outcome;
            }
        };
        auto s = std::make_unique<locking_sender>();
        s->real = make_sender(type);
        s->other = &importer;
        return s;
    };
    dispatcher d(o);
    auto busy = d.deliver_due(*short_wait, cfg, t0);
    EXPECT_FALSE(busy);
    EXPECT_EQ(d.kept_results(), 1u);
    EXPECT_EQ(server.request_count(), 1u);
    // Still busy: nothing else happens, nothing is sent again.
    EXPECT_FALSE(d.deliver_due(*short_wait, cfg, t0 + 5min));
    EXPECT_EQ(server.request_count(), 1u);
    importer.exec("COMMIT");
    // The lock is free: the kept result goes in first.
    auto after = d.deliver_due(*short_wait, cfg, t0 + 10min);
    ASSERT_TRUE(after) << after.error().text;
    EXPECT_EQ(d.kept_results(), 0u);
    EXPECT_EQ(server.request_count(), 1u);
    const auto row = read_row(db, id);
    EXPECT_EQ(row.state, "delivered");
    EXPECT_EQ(row.delivered_at, t0);
}

TEST_F(DispatcherTest, TheClockIsReadForEachClaimAndEachResult) {
    // A clock that moves a minute each time it is read: the lease starts at
    // the claim, and delivered_at is the time the answer came.
    struct ticking : Clock {
        mutable instant t;
        instant now() const override {
            const auto r = t;
            t += 1min;
            return r;
        }
    } clock;
    clock.t = t0;
    const auto a = insert_row(db, "ops", testing::notice_of("k-a", "a"), t0);
    const auto b = insert_row(db, "ops", testing::notice_of("k-b", "b"), t0);
    dispatcher d(seeded());
    auto r = d.deliver_due(db, cfg, clock);
    ASSERT_TRUE(r) << r.error().text;
    EXPECT_EQ(r->delivered, 2u);
    const auto first = read_row(db, a);
    const auto second = read_row(db, b);
    ASSERT_TRUE(first.delivered_at && second.delivered_at);
    EXPECT_GT(*first.delivered_at, t0);
    EXPECT_GT(*second.delivered_at, *first.delivered_at);
}

TEST_F(DispatcherTest, FutureTimesFromAClockThatWasAheadAreTreatedAsNow) {
    // Written while the clock was a year ahead: not held, yet due next year.
    const auto id = insert_row(db, "ops", sample_notification("k-future"), t0 + days(365));
    dispatcher d(seeded());
    const auto s = deliver(d, t0);
    EXPECT_EQ(s.delivered, 1u);
    EXPECT_EQ(read_row(db, id).delivered_at, t0);
}

TEST_F(DispatcherTest, OneFailingChannelDoesNotHoldAnother) {
    http_test_server other;
    cfg.alerts.channels.push_back(webhook_channel("backup", other.url("/b")));
    server.set_default(scripted_response::with_status(500));
    insert_row(db, "ops", sample_notification("k-1"), t0);
    const auto backup_id = insert_row(db, "backup", sample_notification("k-1"), t0);
    dispatcher d(seeded());
    const auto s = deliver(d, t0);
    EXPECT_EQ(s.retried, 1u);
    EXPECT_EQ(s.delivered, 1u);
    EXPECT_EQ(read_row(db, backup_id).delivered_at, t0);
}

TEST_F(DispatcherTest, RowsOfAChannelNoLongerConfiguredAreLeftAlone) {
    cfg.alerts.max_delivery_age = 1h;
    const auto id = insert_row(db, "removed", sample_notification(), t0);
    dispatcher d(seeded());
    const auto s = deliver(d, t0 + 2h);
    EXPECT_EQ(s.orphaned, 1u);
    EXPECT_EQ(s.dead, 0u);
    EXPECT_EQ(s.next_due, std::nullopt);
    const auto row = read_row(db, id);
    EXPECT_EQ(row.attempts, 0);
    EXPECT_EQ(row.not_before, t0);
    EXPECT_EQ(row.dead_at, std::nullopt);
    EXPECT_EQ(server.request_count(), 0u);

    // The channel comes back (a reload): the age rule applies before any send.
    cfg.alerts.channels.push_back(webhook_channel("removed", server.url()));
    EXPECT_EQ(deliver(d, t0 + 2h).dead, 1u);
    EXPECT_EQ(server.request_count(), 0u);
}

TEST_F(DispatcherTest, SlackIsPacedToOneMessagePerSecondWithoutSleeping) {
    config::alert_channel slack;
    slack.name = "team-slack";
    slack.type = "slack";
    slack.url = server.url("/services/T0/B0/x");
    slack.timeout = 1s;
    cfg.alerts.channels = {slack};
    const auto a = insert_row(db, "team-slack", sample_notification("s-1"), t0);
    const auto b = insert_row(db, "team-slack", sample_notification("s-2"), t0);
    const auto c = insert_row(db, "team-slack", sample_notification("s-3"), t0);
    dispatcher d(seeded());

    auto s = deliver(d, t0);
    EXPECT_EQ(s.delivered, 1u);
    EXPECT_EQ(s.next_due, t0 + 1s);
    EXPECT_EQ(deliver(d, t0).delivered, 0u);  // same second: still paced

    // A new dispatcher (a restart) paces from the outbox, not from memory.
    dispatcher restarted(seeded());
    EXPECT_EQ(deliver(restarted, t0).delivered, 0u);

    s = deliver(restarted, t0 + 1s);
    EXPECT_EQ(s.delivered, 1u);
    EXPECT_EQ(s.next_due, t0 + 2s);
    EXPECT_EQ(deliver(restarted, t0 + 2s).delivered, 1u);
    EXPECT_EQ(read_row(db, a).delivered_at, t0);
    EXPECT_EQ(read_row(db, b).delivered_at, t0 + 1s);
    EXPECT_EQ(read_row(db, c).delivered_at, t0 + 2s);
    EXPECT_EQ(server.request_count(), 3u);
}

TEST_F(DispatcherTest, WebhooksAreNotPaced) {
    for (int i = 0; i < 3; ++i)
        insert_row(db, "ops", sample_notification("w-" + std::to_string(i)), t0);
    dispatcher d(seeded());
    EXPECT_EQ(deliver(d, t0).delivered, 3u);
}

TEST_F(DispatcherTest, StopsAtMaxSendsAndAsksToBeCalledAgain) {
    for (int i = 0; i < 5; ++i)
        insert_row(db, "ops", sample_notification("m-" + std::to_string(i)), t0);
    auto options = seeded();
    options.max_sends = 2;
    dispatcher d(options);
    auto s = deliver(d, t0);
    EXPECT_EQ(s.delivered, 2u);
    EXPECT_EQ(s.next_due, t0);
    s = deliver(d, t0);
    EXPECT_EQ(s.delivered, 2u);
    s = deliver(d, t0);
    EXPECT_EQ(s.delivered, 1u);
    EXPECT_EQ(s.next_due, std::nullopt);
}

TEST_F(DispatcherTest, UnreadablePayloadIsDeadLettered) {
    const auto id = insert_row(db, "ops", sample_notification(), t0);
    {
        SQLite::Statement q(db.handle(), "UPDATE outbox SET payload = '{not json' WHERE id = ?1");
        q.bind(1, id);
        q.exec();
    }
    dispatcher d(seeded());
    EXPECT_EQ(deliver(d, t0).dead, 1u);
    const auto row = read_row(db, id);
    EXPECT_EQ(row.dead_at, t0);
    EXPECT_NE(row.last_error.find("unreadable payload"), std::string::npos);
    EXPECT_EQ(server.request_count(), 0u);
}

// A scripted sender: dispatcher behaviour with outcomes no HTTP server gives
// on its own (an email-like "rejected" with a reason, for instance).
class scripted_sender final : public sender {
  public:
    explicit scripted_sender(std::vector<send_outcome> outcomes) : outcomes_(std::move(outcomes)) {}
    send_outcome send(const config::alert_channel&, const alerts::notification&, instant) override {
        ++calls;
        if (outcomes_.empty())
            return send_outcome::delivered_ok("ok");
        auto next = outcomes_.front();
        outcomes_.erase(outcomes_.begin());
        return next;
    }
    int calls = 0;

  private:
    std::vector<send_outcome> outcomes_;
};

TEST_F(DispatcherTest, EmailChannelsGoThroughTheirSender) {
    config::alert_channel mail;
    mail.name = "mail";
    mail.type = "email";
    cfg.alerts.channels = {mail};
    scripted_sender* fake = nullptr;
    auto options = seeded();
    options.sender_factory = [&](const std::string& type) -> std::unique_ptr<sender> {
        EXPECT_EQ(type, "email");
        auto s = std::make_unique<scripted_sender>(std::vector<send_outcome>{
            {send_outcome::kind::retry, "SMTP 451", std::nullopt},
            {send_outcome::kind::rejected, "SMTP 550 no such user", std::nullopt}});
        fake = s.get();
        return s;
    };
    const auto id = insert_row(db, "mail", sample_notification(), t0);
    dispatcher d(options);
    deliver(d, t0);
    const auto after_retry = read_row(db, id);
    EXPECT_EQ(after_retry.last_error, "SMTP 451");
    deliver(d, after_retry.not_before);
    const auto row = read_row(db, id);
    EXPECT_EQ(row.dead_at, after_retry.not_before);
    EXPECT_EQ(row.last_error, "SMTP 550 no such user");
    ASSERT_NE(fake, nullptr);
    EXPECT_EQ(fake->calls, 2);
}

TEST_F(DispatcherTest, SeededJitterIsReproducible) {
    server.set_default(scripted_response::with_status(500));
    const auto id = insert_row(db, "ops", sample_notification(), t0);
    instant first_run;
    {
        dispatcher d(seeded());
        deliver(d, t0);
        first_run = read_row(db, id).not_before;
    }
    SQLite::Statement reset(db.handle(), "UPDATE outbox SET not_before = ?1, attempts = 0");
    reset.bind(1, static_cast<std::int64_t>(to_unix(t0)));
    reset.exec();
    dispatcher d(seeded());
    deliver(d, t0);
    EXPECT_EQ(read_row(db, id).not_before, first_run);
}

TEST_F(DispatcherTest, HttpsWebhookWithPrivateCa) {
    test::test_ca ca("dispatcher CA");
    const auto leaf = ca.issue({{"localhost"}, {"127.0.0.1"}});
    http_test_server tls_server(test::tls_server_options{leaf.cert_pem, leaf.key_pem});
    auto channel = webhook_channel("secure", tls_server.url("/in", "localhost"));
    channel.ca_file = ca.write_cert(dir / "ca.pem");
    channel.secret = "sign-me";
    cfg.alerts.channels = {channel};
    const auto id = insert_row(db, "secure", sample_notification(), t0);
    dispatcher d(seeded());
    EXPECT_EQ(deliver(d, t0).delivered, 1u);
    EXPECT_EQ(read_row(db, id).delivered_at, t0);
    const auto requests = tls_server.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_TRUE(requests[0].header("X-Signature-SHA256"));
}

TEST_F(DispatcherTest, UntrustedHttpsIsRetriedNotDelivered) {
    test::test_ca ca("unknown CA");
    const auto leaf = ca.issue({{"localhost"}, {"127.0.0.1"}});
    http_test_server tls_server(test::tls_server_options{leaf.cert_pem, leaf.key_pem});
    cfg.alerts.channels = {webhook_channel("secure", tls_server.url("/in", "localhost"))};
    const auto id = insert_row(db, "secure", sample_notification(), t0);
    dispatcher d(seeded());
    EXPECT_EQ(deliver(d, t0).retried, 1u);
    const auto row = read_row(db, id);
    EXPECT_EQ(row.delivered_at, std::nullopt);
    EXPECT_NE(row.last_error.find("certificate verify failed"), std::string::npos)
        << row.last_error;
    EXPECT_EQ(tls_server.request_count(), 0u);
}

TEST_F(DispatcherTest, LogLinesNameTheChannelNeverItsSecrets) {
    std::ostringstream captured;
    auto previous = spdlog::default_logger();
    auto capture = std::make_shared<spdlog::logger>(
        "capture", std::make_shared<spdlog::sinks::ostream_sink_st>(captured));
    spdlog::set_default_logger(capture);

    cfg.alerts.channels[0].secret = "HMACSECRET";
    server.script({scripted_response::with_status(503, "busy at /hook/s3cret-path"),
                   scripted_response::with_status(404, "unknown hook /hook/s3cret-path")});
    const auto id = insert_row(db, "ops", sample_notification(), t0);
    dispatcher d(seeded());
    deliver(d, t0);
    deliver(d, read_row(db, id).not_before);
    spdlog::set_default_logger(previous);

    const std::string logs = captured.str();
    EXPECT_NE(logs.find("channel ops"), std::string::npos) << logs;
    EXPECT_NE(logs.find("HTTP 503"), std::string::npos) << logs;
    EXPECT_NE(logs.find("HTTP 404"), std::string::npos) << logs;
    for (const char* secret : {"s3cret-path", "HMACSECRET"})
        EXPECT_EQ(logs.find(secret), std::string::npos) << secret << " in " << logs;
    EXPECT_EQ(read_row(db, id).last_error.find("s3cret-path"), std::string::npos);
}

}  // namespace
}  // namespace shd::delivery
