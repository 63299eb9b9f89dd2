// The outbox's state machine as pure functions: every legal transition and
// a refusal for illegal ones, and the plan's ordering, superseding and
// recovery rules on hand-built rows. No database, no clock.
#include "delivery/outbox_state.hpp"

#include <gtest/gtest.h>

#include <map>

namespace shd::delivery {
namespace {

using namespace std::chrono_literals;
using k = outbox_event::kind;
using S = outbox_state;

const instant t0 = *parse_iso8601("2026-03-01T12:00:00Z");

outbox_row row(std::int64_t id, S state, std::vector<std::string> alerts = {"a"},
               std::string channel = "ops") {
    outbox_row r;
    r.id = id;
    r.channel = std::move(channel);
    r.state = state;
    r.created_at = t0;
    r.not_before = t0;
    r.alerts = std::move(alerts);
    if (state == S::claimed) {
        r.attempts = 1;
        r.claimed_at = t0;
        r.lease_until = t0 + 2min;
    }
    return r;
}

outbox_event ev(k what, instant at, std::optional<instant> until = std::nullopt,
                std::optional<std::int64_t> by = std::nullopt) {
    return {what, at, until, "detail", by};
}

TEST(OutboxTransition, TheHappyPath) {
    auto r = row(1, S::pending);
    auto claimed = transition(r, ev(k::claim, t0, t0 + 1min));
    ASSERT_TRUE(claimed);
    EXPECT_EQ(claimed->state, S::claimed);
    EXPECT_EQ(claimed->attempts, 1);
    EXPECT_EQ(claimed->claimed_at, t0);
    EXPECT_EQ(claimed->lease_until, t0 + 1min);
    auto delivered = transition(*claimed, ev(k::accepted, t0 + 2s));
    ASSERT_TRUE(delivered);
    EXPECT_EQ(delivered->state, S::delivered);
    EXPECT_EQ(delivered->delivered_at, t0 + 2s);
    EXPECT_FALSE(delivered->lease_until);
}

TEST(OutboxTransition, FailureRetriesAndEachClaimIsAnAttempt) {
    auto claimed = transition(row(1, S::pending), ev(k::claim, t0, t0 + 1min));
    auto retry = transition(*claimed, ev(k::failed, t0 + 1s, t0 + 30s));
    ASSERT_TRUE(retry);
    EXPECT_EQ(retry->state, S::retry);
    EXPECT_EQ(retry->not_before, t0 + 30s);
    EXPECT_EQ(retry->last_error, "detail");
    EXPECT_FALSE(transition(*retry, ev(k::claim, t0 + 29s, t0 + 2min)));  // not due yet
    auto again = transition(*retry, ev(k::claim, t0 + 30s, t0 + 2min));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->attempts, 2);
}

TEST(OutboxTransition, RejectedAndExpiredAreDead) {
    auto claimed = transition(row(1, S::pending), ev(k::claim, t0, t0 + 1min));
    auto dead = transition(*claimed, ev(k::rejected, t0 + 1s));
    ASSERT_TRUE(dead);
    EXPECT_EQ(dead->state, S::dead);
    EXPECT_EQ(dead->dead_at, t0 + 1s);
    for (auto s : {S::pending, S::held, S::retry}) {
        auto expired = transition(row(1, s), ev(k::expired, t0 + 1h));
        ASSERT_TRUE(expired) << to_string(s);
        EXPECT_EQ(expired->state, S::dead);
    }
    EXPECT_FALSE(transition(row(1, S::claimed), ev(k::expired, t0 + 1h)));
}

TEST(OutboxTransition, HeldRowsWaitForTheMorningOrAreSuperseded) {
    auto held = row(1, S::held);
    held.not_before = t0 + 8h;
    EXPECT_FALSE(transition(held, ev(k::quiet_hours_over, t0 + 7h)));
    EXPECT_FALSE(transition(held, ev(k::claim, t0 + 8h, t0 + 9h)));  // pending first
    auto morning = transition(held, ev(k::quiet_hours_over, t0 + 8h));
    ASSERT_TRUE(morning);
    EXPECT_EQ(morning->state, S::pending);
    auto released = transition(held, ev(k::released, t0 + 1h));
    ASSERT_TRUE(released);
    EXPECT_EQ(released->not_before, t0 + 1h);
    auto superseded = transition(held, ev(k::superseded, t0 + 1h, std::nullopt, 2));
    ASSERT_TRUE(superseded);
    EXPECT_EQ(superseded->state, S::superseded);
    EXPECT_EQ(superseded->superseded_by, 2);
    // Only by a newer row, and only while held.
    EXPECT_FALSE(transition(held, ev(k::superseded, t0, std::nullopt, 1)));
    EXPECT_FALSE(transition(row(1, S::pending), ev(k::superseded, t0, std::nullopt, 2)));
}

TEST(OutboxTransition, ACutOffClaimBecomesARetryDueAtOnce) {
    auto lost = transition(row(1, S::claimed), ev(k::lease_lost, t0 + 5min));
    ASSERT_TRUE(lost);
    EXPECT_EQ(lost->state, S::retry);
    EXPECT_EQ(lost->not_before, t0 + 5min);
    EXPECT_EQ(lost->attempts, 1);
}

TEST(OutboxTransition, FinishedRowsTakeNoEvent) {
    for (auto s : {S::delivered, S::dead, S::superseded}) {
        for (auto e : {k::quiet_hours_over, k::released, k::superseded, k::claim, k::accepted,
                       k::failed, k::rejected, k::lease_lost, k::expired, k::unreadable}) {
            EXPECT_FALSE(transition(row(1, s), ev(e, t0 + 1h, t0 + 2h, 5)))
                << to_string(s) << " " << to_string(e);
        }
    }
}

std::optional<channel_facts> any_channel(const std::string& name) {
    if (name == "gone")
        return std::nullopt;
    return channel_facts{};
}

std::map<std::int64_t, k> steps_of(const outbox_plan& p) {
    std::map<std::int64_t, k> out;
    for (const auto& [id, e] : p.steps)
        out[id] = e.what;
    return out;
}

TEST(OutboxPlan, OneRowPerChannelOldestFirst) {
    const auto p = plan(
        {row(1, S::pending, {"a"}), row(2, S::pending, {"b"}), row(3, S::pending, {"a"}, "other")},
        t0, {}, any_channel);
    EXPECT_EQ(p.sendable, (std::vector<std::int64_t>{1, 3}));
    EXPECT_EQ(p.next_due, t0);
}

TEST(OutboxPlan, AResolveNeverOvertakesAHeldTrigger) {
    // Held trigger of a, then a breached (unheld) notice of a and b: the held
    // one cannot be superseded only when it holds an alert the newer lacks.
    auto held = row(1, S::held, {"a", "c"});
    held.not_before = t0 + 8h;
    const auto p = plan({held, row(2, S::pending, {"a", "b"})}, t0 + 1h, {}, any_channel);
    EXPECT_EQ(steps_of(p).at(1), k::released);
    EXPECT_EQ(p.sendable, (std::vector<std::int64_t>{1}));
}

TEST(OutboxPlan, AHeldRowWhoseAlertsAllHaveNewerNoticesIsSuperseded) {
    auto held = row(1, S::held, {"a", "b"});
    held.not_before = t0 + 8h;
    auto newer_held = row(3, S::held, {"b"});
    newer_held.not_before = t0 + 8h;
    const auto p = plan({held, row(2, S::pending, {"a"}), newer_held}, t0 + 1h, {}, any_channel);
    EXPECT_EQ(steps_of(p).at(1), k::superseded);
    EXPECT_EQ(p.steps.at(0).second.by, 3);
    EXPECT_EQ(p.sendable, (std::vector<std::int64_t>{2}));
}

TEST(OutboxPlan, AHeldRowDoesNotHoldBackOtherAlerts) {
    auto held = row(1, S::held, {"a"});
    held.not_before = t0 + 8h;
    const auto p = plan({held, row(2, S::pending, {"b"})}, t0 + 1h, {}, any_channel);
    EXPECT_TRUE(p.steps.empty());
    EXPECT_EQ(p.sendable, (std::vector<std::int64_t>{2}));
}

TEST(OutboxPlan, AClaimedRowBlocksItsChannelUntilItsLeaseEnds) {
    const std::vector<outbox_row> rows{row(1, S::claimed, {"a"}), row(2, S::pending, {"b"})};
    const auto during = plan(rows, t0 + 1min, {}, any_channel);
    EXPECT_TRUE(during.sendable.empty());
    EXPECT_EQ(during.next_due, t0 + 2min);
    const auto after = plan(rows, t0 + 2min, {}, any_channel);
    EXPECT_EQ(steps_of(after).at(1), k::lease_lost);
    EXPECT_EQ(after.sendable, (std::vector<std::int64_t>{1}));
    // The owner of the instance lock knows the claimant is dead.
    plan_options take_over;
    take_over.take_over_claims = true;
    const auto restarted = plan(rows, t0 + 1min, take_over, any_channel);
    EXPECT_EQ(restarted.sendable, (std::vector<std::int64_t>{1}));
}

TEST(OutboxPlan, ABackingOffRowBlocksItsChannelButNotOthers) {
    auto retry = row(1, S::retry, {"a"});
    retry.attempts = 1;
    retry.not_before = t0 + 30s;
    const auto p = plan({retry, row(2, S::pending, {"b"}), row(3, S::pending, {"c"}, "other")}, t0,
                        {}, any_channel);
    EXPECT_EQ(p.sendable, (std::vector<std::int64_t>{3}));
    EXPECT_EQ(p.next_due, t0);
}

TEST(OutboxPlan, TooOldRowsAreDeadAndOrphansAreLeftAlone) {
    plan_options o;
    o.max_delivery_age = 6h;
    const auto p = plan({row(1, S::pending, {"a"}), row(2, S::pending, {"a"}, "gone")}, t0 + 6h, o,
                        any_channel);
    EXPECT_EQ(steps_of(p).at(1), k::expired);
    EXPECT_EQ(p.steps.size(), 1u);
    EXPECT_EQ(p.orphaned, (std::vector<std::int64_t>{2}));
    EXPECT_TRUE(p.sendable.empty());
}

TEST(OutboxPlan, SlackPacingWaitsWithoutSending) {
    auto paced = [](const std::string&) -> std::optional<channel_facts> {
        return channel_facts{1s, t0};
    };
    const auto p = plan({row(1, S::pending)}, t0, {}, paced);
    EXPECT_TRUE(p.sendable.empty());
    EXPECT_EQ(p.next_due, t0 + 1s);
}

TEST(OutboxNormalise, FutureTimesBeyondTheStateAreNow) {
    auto pending = row(1, S::pending);
    pending.not_before = pending.created_at = t0 + days(30);
    EXPECT_EQ(normalise_times(pending, t0, 5min),
              (std::vector<std::string>{"not_before", "created_at"}));
    EXPECT_EQ(pending.not_before, t0);

    auto held = row(2, S::held);
    held.not_before = held.created_at = t0 + 9h;  // tonight's quiet hours: fine
    EXPECT_TRUE(normalise_times(held, t0, 5min).empty());
    EXPECT_EQ(held.not_before, t0 + 9h);

    auto retry = row(3, S::retry);
    retry.not_before = t0 + days(1);  // a long Retry-After: fine
    retry.claimed_at = t0 - 1min;
    EXPECT_TRUE(normalise_times(retry, t0, 5min).empty());
    retry.claimed_at = t0 + days(2);  // the attempt's clock was ahead
    EXPECT_FALSE(normalise_times(retry, t0, 5min).empty());
    EXPECT_EQ(retry.not_before, t0);

    auto claimed = row(4, S::claimed);
    claimed.claimed_at = t0 + days(3);
    claimed.lease_until = t0 + days(3) + 2min;
    EXPECT_FALSE(normalise_times(claimed, t0, 5min).empty());
    EXPECT_EQ(claimed.lease_until, t0);
}

}  // namespace
}  // namespace shd::delivery
