// Every row of the lifecycle table in docs/alerts.md.
#include "alerts/lifecycle.hpp"

#include <gtest/gtest.h>

namespace shd::alerts {
namespace {

using metrics::metric_status;
using std::chrono::hours;
using std::chrono::minutes;

const instant T0 = *parse_iso8601("2026-03-01T00:00:00Z");

// Late dispatch: lower is better, warn 3 %.
observation ldr(metric_status status, std::optional<double> rate) {
    return observation{status, rate, 0.03, metric_direction::lower_is_better};
}
observation ok(double rate) {
    return ldr(metric_status::ok, rate);
}
observation at_risk(double rate = 0.032) {
    return ldr(metric_status::at_risk, rate);
}
observation breached(double rate = 0.045) {
    return ldr(metric_status::breached, rate);
}
observation no_data() {
    return ldr(metric_status::no_data, std::nullopt);
}

policy with(int for_evaluations = 1, std::chrono::seconds repeat = hours(12), double margin = 0) {
    return policy{for_evaluations, repeat, margin};
}

// A firing alert notified once, at `at`, with `sev`.
lifecycle firing_since(instant at, severity sev) {
    auto s = step(std::nullopt, sev == severity::breached ? breached() : at_risk(), with(), at);
    EXPECT_EQ(s.what, transition::firing);
    return *s.next;
}

TEST(Lifecycle, InactiveStaysInactiveWhenOkOrNoData) {
    for (const auto& o : {ok(0.01), no_data()}) {
        const auto s = step(std::nullopt, o, with(), T0);
        EXPECT_FALSE(s.next.has_value());
        EXPECT_EQ(s.what, transition::none);
    }
}

TEST(Lifecycle, InactiveFiresAtOnceWithForOne) {
    const auto s = step(std::nullopt, at_risk(), with(1), T0);
    ASSERT_TRUE(s.next.has_value());
    EXPECT_EQ(s.what, transition::firing);
    EXPECT_EQ(s.next->state, phase::firing);
    EXPECT_EQ(s.next->current, severity::at_risk);
    EXPECT_EQ(s.next->pending_count, 1);
    EXPECT_EQ(s.next->episode_start, T0);
    EXPECT_EQ(s.next->last_notified_at, T0);
    EXPECT_EQ(s.next->last_notified_severity, severity::at_risk);
    EXPECT_EQ(s.next->peak_notified_severity, severity::at_risk);
    EXPECT_EQ(s.next->notifications, 1);

    const auto b = step(std::nullopt, breached(), with(1), T0);
    EXPECT_EQ(b.what, transition::firing);
    EXPECT_EQ(b.next->current, severity::breached);
    EXPECT_EQ(b.next->peak_notified_severity, severity::breached);
}

TEST(Lifecycle, PendingUntilForEvaluationsHold) {
    const auto p = with(3);
    auto s1 = step(std::nullopt, at_risk(), p, T0);
    EXPECT_EQ(s1.what, transition::none);
    ASSERT_TRUE(s1.next.has_value());
    EXPECT_EQ(s1.next->state, phase::pending);
    EXPECT_EQ(s1.next->pending_count, 1);
    EXPECT_FALSE(s1.next->last_notified_at.has_value());
    EXPECT_EQ(s1.next->notifications, 0);

    // Severity follows the latest evaluation while pending; both count.
    auto s2 = step(s1.next, breached(), p, T0 + minutes(1));
    EXPECT_EQ(s2.what, transition::none);
    EXPECT_EQ(s2.next->pending_count, 2);
    EXPECT_EQ(s2.next->current, severity::breached);

    auto s3 = step(s2.next, at_risk(), p, T0 + minutes(2));
    EXPECT_EQ(s3.what, transition::firing);
    EXPECT_EQ(s3.next->state, phase::firing);
    EXPECT_EQ(s3.next->current, severity::at_risk);  // fires with the severity it has now
    EXPECT_EQ(s3.next->episode_start, T0);           // the episode began when it first held
    EXPECT_EQ(s3.next->last_notified_at, T0 + minutes(2));
}

TEST(Lifecycle, PendingEndsSilentlyWhenOkOrNoData) {
    const auto pending = step(std::nullopt, breached(), with(2), T0).next;
    ASSERT_TRUE(pending.has_value());
    for (const auto& o : {ok(0.029), no_data()}) {
        const auto s = step(pending, o, with(2), T0 + minutes(1));
        EXPECT_FALSE(s.next.has_value());
        EXPECT_EQ(s.what, transition::none);
    }
    // The count restarts: one more at_risk is pending again, not firing.
    const auto again = step(std::nullopt, at_risk(), with(2), T0 + minutes(2));
    EXPECT_EQ(again.what, transition::none);
    EXPECT_EQ(again.next->pending_count, 1);
}

TEST(Lifecycle, ForBelowOneActsAsOne) {
    EXPECT_EQ(step(std::nullopt, at_risk(), with(0), T0).what, transition::firing);
    EXPECT_EQ(step(std::nullopt, at_risk(), with(-5), T0).what, transition::firing);
}

TEST(Lifecycle, FiringRepeatsOnlyAfterRepeatInterval) {
    const lifecycle f = firing_since(T0, severity::at_risk);
    auto quiet = step(f, at_risk(), with(1, hours(12)), T0 + hours(12) - std::chrono::seconds(1));
    EXPECT_EQ(quiet.what, transition::none);
    EXPECT_EQ(quiet.next->last_notified_at, T0);

    auto repeat = step(quiet.next, at_risk(), with(1, hours(12)), T0 + hours(12));
    EXPECT_EQ(repeat.what, transition::repeat);
    EXPECT_EQ(repeat.next->last_notified_at, T0 + hours(12));
    EXPECT_EQ(repeat.next->notifications, 2);
    EXPECT_EQ(repeat.next->episode_start, T0);

    auto next = step(repeat.next, at_risk(), with(1, hours(12)), T0 + hours(23));
    EXPECT_EQ(next.what, transition::none);
    EXPECT_EQ(step(next.next, at_risk(), with(1, hours(12)), T0 + hours(24)).what,
              transition::repeat);
}

TEST(Lifecycle, RiseToBreachedEscalatesAtOnce) {
    const lifecycle f = firing_since(T0, severity::at_risk);
    const auto s = step(f, breached(), with(), T0 + minutes(1));
    EXPECT_EQ(s.what, transition::escalated);
    EXPECT_EQ(s.next->current, severity::breached);
    EXPECT_EQ(s.next->last_notified_severity, severity::breached);
    EXPECT_EQ(s.next->peak_notified_severity, severity::breached);
    EXPECT_EQ(s.next->last_notified_at, T0 + minutes(1));
    EXPECT_EQ(s.next->notifications, 2);
    // Still breached: nothing until the repeat.
    EXPECT_EQ(step(s.next, breached(), with(), T0 + minutes(2)).what, transition::none);
}

TEST(Lifecycle, FallToAtRiskWhileFiringIsSilent) {
    const lifecycle f = firing_since(T0, severity::breached);
    const auto down = step(f, at_risk(), with(), T0 + hours(1));
    EXPECT_EQ(down.what, transition::none);
    EXPECT_EQ(down.next->current, severity::at_risk);
    EXPECT_EQ(down.next->last_notified_severity, severity::breached);
    EXPECT_EQ(down.next->state, phase::firing);

    // Back up again before a repeat: nothing new was said, nothing is said.
    const auto up = step(down.next, breached(), with(), T0 + hours(2));
    EXPECT_EQ(up.what, transition::none);

    // A repeat while at_risk says at_risk; a rise after that escalates again.
    const auto repeat = step(down.next, at_risk(), with(), T0 + hours(12));
    EXPECT_EQ(repeat.what, transition::repeat);
    EXPECT_EQ(repeat.next->last_notified_severity, severity::at_risk);
    EXPECT_EQ(repeat.next->peak_notified_severity, severity::breached);
    const auto again = step(repeat.next, breached(), with(), T0 + hours(13));
    EXPECT_EQ(again.what, transition::escalated);
    EXPECT_EQ(again.next->notifications, 3);
}

TEST(Lifecycle, OkResolvesWithoutMargin) {
    const lifecycle f = firing_since(T0, severity::at_risk);
    const auto s = step(f, ok(0.0299), with(), T0 + hours(1));
    EXPECT_EQ(s.what, transition::resolved);
    EXPECT_FALSE(s.next.has_value());
}

TEST(Lifecycle, OkInsideTheMarginHoldsSilently) {
    const lifecycle f = firing_since(T0, severity::breached);
    const auto p = with(1, hours(12), 0.005);    // resolves below 2.5 %
    for (double rate : {0.029, 0.026, 0.025}) {  // 0.025 is not below 0.03 - 0.005
        const auto s = step(f, ok(rate), p, T0 + hours(1));
        EXPECT_EQ(s.what, transition::none) << rate;
        ASSERT_TRUE(s.next.has_value()) << rate;
        EXPECT_EQ(*s.next, f) << rate;
    }
    // Held past repeat_interval: still no repeat while the status is ok.
    EXPECT_EQ(step(f, ok(0.028), p, T0 + hours(30)).what, transition::none);
    EXPECT_EQ(step(f, ok(0.0249), p, T0 + hours(1)).what, transition::resolved);
}

TEST(Lifecycle, MarginForHigherIsBetter) {
    // Valid tracking: warn 97 %; with margin 0.01 it resolves above 98 %.
    const auto vtr = [](metric_status s, double rate) {
        return observation{s, rate, 0.97, metric_direction::higher_is_better};
    };
    auto fired = step(std::nullopt, vtr(metric_status::at_risk, 0.965), with(), T0);
    ASSERT_EQ(fired.what, transition::firing);
    const auto p = with(1, hours(12), 0.01);
    EXPECT_EQ(step(fired.next, vtr(metric_status::ok, 0.975), p, T0 + hours(1)).what,
              transition::none);
    EXPECT_EQ(step(fired.next, vtr(metric_status::ok, 0.98), p, T0 + hours(1)).what,
              transition::none);
    EXPECT_EQ(step(fired.next, vtr(metric_status::ok, 0.981), p, T0 + hours(1)).what,
              transition::resolved);
}

TEST(Lifecycle, NoDataResolvesAFiringAlert) {
    const lifecycle f = firing_since(T0, severity::at_risk);
    const auto s = step(f, no_data(), with(1, hours(12), 0.01), T0 + hours(1));
    EXPECT_EQ(s.what, transition::resolved);
    EXPECT_FALSE(s.next.has_value());
    // ok without a rate (stale-data style conditions) resolves too.
    EXPECT_EQ(
        step(f, ldr(metric_status::ok, std::nullopt), with(1, hours(12), 0.01), T0 + hours(1)).what,
        transition::resolved);
}

TEST(Lifecycle, ClearsResolveMargin) {
    EXPECT_TRUE(clears_resolve_margin(ok(0.0299), 0));
    EXPECT_FALSE(clears_resolve_margin(ok(0.03), 0));
    EXPECT_FALSE(clears_resolve_margin(ok(0.02), 0.01));
    EXPECT_TRUE(clears_resolve_margin(ok(0.0199), 0.01));
    EXPECT_TRUE(clears_resolve_margin(no_data(), 0.4));
}

TEST(Lifecycle, Names) {
    EXPECT_EQ(severity_name(severity::at_risk), "at_risk");
    EXPECT_EQ(severity_from_name("breached"), severity::breached);
    EXPECT_FALSE(severity_from_name("critical").has_value());
    EXPECT_EQ(phase_from_name(phase_name(phase::firing)), phase::firing);
    EXPECT_FALSE(phase_from_name("resolved").has_value());
    EXPECT_EQ(transition_name(transition::escalated), "escalated");
}

}  // namespace
}  // namespace shd::alerts
