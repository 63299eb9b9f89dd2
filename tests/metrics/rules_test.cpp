// The pure arithmetic: window bounds, day buckets, status at the exact
// boundaries, headroom in both directions, low volume.
#include "metrics/rules.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace shd::metrics {
namespace {

constexpr auto lower = metric_direction::lower_is_better;
constexpr auto higher = metric_direction::higher_is_better;

instant at(const char* text) {
    return *parse_iso8601(text);
}

TEST(Rules, WindowIsHalfOpenAndEndsLagDaysBeforeT) {
    const auto w = window_for(at("2026-03-01T00:00:00Z"), 60, 14);
    EXPECT_EQ(format_iso8601(w.start), "2025-12-17T00:00:00Z");
    EXPECT_EQ(format_iso8601(w.end), "2026-02-15T00:00:00Z");
    EXPECT_FALSE(w.contains(w.start));
    EXPECT_TRUE(w.contains(w.start + std::chrono::seconds(1)));
    EXPECT_TRUE(w.contains(w.end));
    EXPECT_FALSE(w.contains(w.end + std::chrono::seconds(1)));
}

TEST(Rules, BreachClearsWhenEnoughOldBadEventsLeave) {
    const instant T = at("2026-03-01T00:00:00Z");
    // 10-day window, 100 orders, target 4%: 6 late (6%) must lose 3 to be under 4%
    // (3%: not breached; 4% exactly is breached). Buckets newest first: 1 late in
    // bucket 2, 2 in bucket 5, 1 in bucket 8, 2 in bucket 9 (the oldest).
    const std::vector<std::int64_t> bad{0, 0, 1, 0, 0, 2, 0, 0, 1, 2};
    // Bucket 9 leaves after 1 day (6 -> 4: 4% is still breached), bucket 8 after 2 (-> 3%).
    EXPECT_EQ(clears_by(lower, 6, 100, 0.04, 0.03, bad, T), T + days(2));
    // Not breached: nothing to clear.
    EXPECT_EQ(clears_by(lower, 3, 100, 0.04, 0.03, bad, T), std::nullopt);
    // Higher is better (valid tracking 95%): 90 of 100 valid, 10 invalid; leaving
    // invalid ones are replaced by valid ones: 96% needs 6 gone.
    const std::vector<std::int64_t> invalid{4, 0, 0, 0, 0, 0, 0, 3, 0, 3};
    EXPECT_EQ(clears_by(higher, 90, 100, 0.95, 0.96, invalid, T), T + days(3));
    // Bad events newest only: the breach clears only when they leave, at the far end.
    EXPECT_EQ(clears_by(lower, 6, 100, 0.04, 0.03, {6, 0, 0, 0, 0, 0, 0, 0, 0, 0}, T),
              T + days(10));
}

TEST(Rules, WindowRefusesNonsense) {
    EXPECT_THROW(window_for(at("2026-03-01T00:00:00Z"), 0, 0), std::logic_error);
    EXPECT_THROW(window_for(at("2026-03-01T00:00:00Z"), 7, -1), std::logic_error);
}

TEST(Rules, DayBucketsTileTheWindows) {
    const auto t = at("2026-03-01T00:00:00Z");
    EXPECT_EQ(day_bucket(t, t), 0);
    EXPECT_EQ(day_bucket(t, t - days(1) + std::chrono::seconds(1)), 0);
    EXPECT_EQ(day_bucket(t, t - days(1)), 1);  // (T-2d, T-1d]
    EXPECT_EQ(day_bucket(t, t - days(7)), 7);  // just outside a 7-day window [0, 7)
    EXPECT_THROW(day_bucket(t, t + std::chrono::seconds(1)), std::logic_error);
    // For every window, t in window <=> its bucket in [lag, lag + window).
    for (int lag : {0, 3, 14}) {
        for (int window : {1, 7, 10}) {
            const auto w = window_for(t, window, lag);
            for (long long s = 0; s < 30LL * 86400; s += 3601) {
                const instant x = t - std::chrono::seconds(s);
                const auto j = day_bucket(t, x);
                EXPECT_EQ(w.contains(x), j >= lag && j < lag + window) << s;
            }
            for (auto x : {w.start, w.end, w.start + std::chrono::seconds(1)}) {
                const auto j = day_bucket(t, x);
                EXPECT_EQ(w.contains(x), j >= lag && j < lag + window);
            }
        }
    }
}

TEST(Rules, NoDataWithoutDenominator) {
    EXPECT_EQ(status_for(lower, 0, 0, 0.01, 0.0075), metric_status::no_data);
    EXPECT_EQ(status_for(higher, 0, 0, 0.95, 0.97), metric_status::no_data);
    EXPECT_EQ(rate_of(0, 0), std::nullopt);
    EXPECT_EQ(headroom_for(lower, 0, 0, 0.01), std::nullopt);
    EXPECT_EQ(headroom_for(higher, 0, 0, 0.95), std::nullopt);
}

TEST(Rules, LowerIsBetterStatusAtExactBoundaries) {
    // cancellation: target 0.025, warn 0.02
    EXPECT_EQ(status_for(lower, 1, 51, 0.025, 0.02), metric_status::ok);        // 0.0196
    EXPECT_EQ(status_for(lower, 1, 50, 0.025, 0.02), metric_status::at_risk);   // exactly warn
    EXPECT_EQ(status_for(lower, 1, 41, 0.025, 0.02), metric_status::at_risk);   // 0.0244
    EXPECT_EQ(status_for(lower, 1, 40, 0.025, 0.02), metric_status::breached);  // exactly target
    EXPECT_EQ(status_for(lower, 3, 100, 0.04, 0.03), metric_status::at_risk);   // exactly warn
    EXPECT_EQ(status_for(lower, 4, 100, 0.04, 0.03), metric_status::breached);  // exactly target
    EXPECT_EQ(status_for(lower, 0, 5, 0.01, 0.0075), metric_status::ok);
}

TEST(Rules, HigherIsBetterStatusAtExactBoundaries) {
    // valid tracking: target 0.95, warn 0.97
    EXPECT_EQ(status_for(higher, 98, 100, 0.95, 0.97), metric_status::ok);
    EXPECT_EQ(status_for(higher, 97, 100, 0.95, 0.97), metric_status::at_risk);  // exactly warn
    EXPECT_EQ(status_for(higher, 96, 100, 0.95, 0.97), metric_status::at_risk);
    EXPECT_EQ(status_for(higher, 95, 100, 0.95, 0.97), metric_status::breached);  // exactly target
    EXPECT_EQ(status_for(higher, 9, 10, 0.90, 0.95), metric_status::breached);    // 0.9 == 0.90
    EXPECT_EQ(status_for(higher, 0, 3, 0.90, 0.95), metric_status::breached);
}

TEST(Rules, HeadroomLowerIsBetter) {
    EXPECT_EQ(headroom_for(lower, 3, 412, 0.01), 1);  // 4/412 < 1%, 5/412 is not
    EXPECT_EQ(headroom_for(lower, 0, 100, 0.01), 0);  // 1/100 == target is breached
    EXPECT_EQ(headroom_for(lower, 0, 101, 0.01), 1);  // 1/101 < 1%, 2/101 is not
    EXPECT_EQ(headroom_for(lower, 1, 179, 0.01), 0);  // worked example
    EXPECT_EQ(headroom_for(lower, 1, 109, 0.04), 3);  // worked example
    EXPECT_EQ(headroom_for(lower, 0, 1, 0.04), 0);
    EXPECT_EQ(headroom_for(lower, 1, 25, 0.025), 0);   // breached
    EXPECT_EQ(headroom_for(lower, 40, 100, 0.04), 0);  // far past
}

TEST(Rules, HeadroomHigherIsBetter) {
    EXPECT_EQ(headroom_for(higher, 59, 63, 0.90), 2);   // 59/65 > 0.9, 59/66 is not
    EXPECT_EQ(headroom_for(higher, 96, 100, 0.95), 1);  // 96/101 > 0.95, 96/102 is not
    EXPECT_EQ(headroom_for(higher, 19, 19, 0.95), 0);   // 19/20 == target is breached
    EXPECT_EQ(headroom_for(higher, 20, 20, 0.95), 1);   // 20/21 > 0.95, 20/22 is not
    EXPECT_EQ(headroom_for(higher, 10, 11, 0.90), 0);   // worked example, at_risk with 0 left
    EXPECT_EQ(headroom_for(higher, 95, 100, 0.95), 0);  // breached
    EXPECT_EQ(headroom_for(higher, 1000, 1000, 0.95), 52);
}

TEST(Rules, HeadroomAgreesWithStatusEverywhere) {
    // Headroom k: k more bad events keep the status out of breached, k + 1 do not.
    for (double target : {0.01, 0.025, 0.04, 0.05, 0.1, 1.0 / 3.0}) {
        for (std::int64_t den = 1; den <= 300; ++den) {
            for (std::int64_t num = 0; num <= den; num += (den > 40 ? 7 : 1)) {
                const auto k = *headroom_for(lower, num, den, target);
                if (status_for(lower, num, den, target, target) == metric_status::breached) {
                    EXPECT_EQ(k, 0);
                    continue;
                }
                EXPECT_NE(status_for(lower, num + k, den, target, target), metric_status::breached);
                EXPECT_EQ(status_for(lower, num + k + 1, den, target, target),
                          metric_status::breached)
                    << num << "/" << den << " target " << target;
            }
        }
    }
    for (double target : {0.9, 0.95, 0.97, 0.5, 2.0 / 3.0}) {
        for (std::int64_t den = 1; den <= 300; ++den) {
            for (std::int64_t num = 0; num <= den; num += (den > 40 ? 7 : 1)) {
                const auto k = *headroom_for(higher, num, den, target);
                if (status_for(higher, num, den, target, target) == metric_status::breached) {
                    EXPECT_EQ(k, 0);
                    continue;
                }
                EXPECT_NE(status_for(higher, num, den + k, target, target),
                          metric_status::breached);
                EXPECT_EQ(status_for(higher, num, den + k + 1, target, target),
                          metric_status::breached)
                    << num << "/" << den << " target " << target;
            }
        }
    }
}

TEST(Rules, HeadroomRefusesUnboundedTargets) {
    EXPECT_THROW(headroom_for(higher, 5, 10, 0.0), std::logic_error);
    EXPECT_THROW(headroom_for(lower, 5, 10, std::numeric_limits<double>::infinity()),
                 std::logic_error);
}

TEST(Rules, LowVolumeBelowMinOrders) {
    EXPECT_TRUE(is_low_volume(0, 100));
    EXPECT_TRUE(is_low_volume(99, 100));
    EXPECT_FALSE(is_low_volume(100, 100));
    EXPECT_FALSE(is_low_volume(0, 0));
}

TEST(Rules, MakeResultCarriesEverything) {
    config::metric_thresholds t{0.01, 0.0075, {60}, 14, 100};
    const auto r =
        make_result(metric_key::order_defect_rate, "ATVPDKIKX0DER", "MFN", 60, t,
                    at("2026-03-01T00:00:00Z"), row_counts{3, 412, odr_components{1, 2, 0}});
    EXPECT_EQ(r.lag_days, 14);
    EXPECT_EQ(format_iso8601(r.window.start), "2025-12-17T00:00:00Z");
    EXPECT_EQ(format_iso8601(r.window.end), "2026-02-15T00:00:00Z");
    EXPECT_DOUBLE_EQ(*r.rate, 3.0 / 412.0);
    EXPECT_EQ(r.status, metric_status::ok);
    EXPECT_EQ(r.headroom, 1);
    EXPECT_FALSE(r.low_volume);
    EXPECT_EQ(r.components, (odr_components{1, 2, 0}));
    EXPECT_EQ(r.target, 0.01);
    EXPECT_EQ(r.warn, 0.0075);

    const auto empty = make_result(metric_key::valid_tracking_rate, "X", "MFN", 30,
                                   config::metric_thresholds{0.95, 0.97, {30}, 0, 100},
                                   at("2026-03-01T00:00:00Z"), row_counts{});
    EXPECT_EQ(empty.status, metric_status::no_data);
    EXPECT_EQ(empty.rate, std::nullopt);
    EXPECT_EQ(empty.headroom, std::nullopt);
    EXPECT_TRUE(empty.low_volume);
    EXPECT_EQ(empty.components, std::nullopt);
}

TEST(Rules, StatusNamesRoundTrip) {
    for (auto s : {metric_status::ok, metric_status::at_risk, metric_status::breached,
                   metric_status::no_data}) {
        EXPECT_EQ(status_from_name(status_name(s)), s);
    }
    EXPECT_EQ(status_name(metric_status::at_risk), "at_risk");
    EXPECT_EQ(status_from_name("bogus"), std::nullopt);
}

}  // namespace
}  // namespace shd::metrics
