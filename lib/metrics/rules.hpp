// The arithmetic of spec/metrics.md, "Time" and "Status, headroom, small
// samples": window bounds, status, headroom and low volume from counts and
// thresholds. Pure functions of their arguments: no SQL, no clock.
//
// Status and headroom use the same double comparisons (rate = num / den as a
// double against the configured target), so a headroom of k always means the
// status computed for k more bad events is not breached, and for k + 1 it is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/metric_catalog.hpp"
#include "metrics/evaluation.hpp"

namespace shd::metrics {

inline constexpr std::int64_t kSecondsPerDay = 86400;

// (T - lag - window days, T - lag days]. Throws std::logic_error for
// window_days < 1 or lag_days < 0 (the config refuses them).
window_bounds window_for(instant as_of, int window_days, int lag_days);

// The day bucket of an instant t <= T: bucket j holds (T - (j+1) days, T - j
// days], so the window (window_days, lag_days) is buckets [lag, lag + window).
// Throws std::logic_error for t > T.
std::int64_t day_bucket(instant as_of, instant t);

// nullopt when denominator is 0.
std::optional<double> rate_of(std::int64_t numerator, std::int64_t denominator);

metric_status status_for(metric_direction direction, std::int64_t numerator,
                         std::int64_t denominator, double target, double warn);

// How many more bad events the window absorbs before it is breached:
// lower-is-better, the largest k >= 0 with (num + k) / den < target;
// higher-is-better, the largest k >= 0 with num / (den + k) > target. 0 when
// already breached, nullopt when den is 0. Throws std::logic_error when the
// answer is unbounded (higher-is-better with target <= 0) or the target is
// not finite: the config refuses such targets.
std::optional<std::int64_t> headroom_for(metric_direction direction, std::int64_t numerator,
                                         std::int64_t denominator, double target);

bool is_low_volume(std::int64_t denominator, int min_orders);

// The counts of one row, as the queries found them.
struct row_counts {
    std::int64_t numerator = 0;
    std::int64_t denominator = 0;
    std::optional<odr_components> components;
};

// When a breached row is back inside its target if nothing new goes wrong:
// its bad events leave the window oldest first (each replaced by a good one,
// so the volume stays as it is) until the status is no longer breached.
// `bad_by_bucket[i]` holds the bad events of the window's i-th day bucket,
// newest first (bucket lag_days + i, see day_bucket); its events have all
// left the window (window_days - i) days after T, so the answer is "by" that
// moment, to the day. nullopt when the row is not breached.
std::optional<instant> clears_by(metric_direction direction, std::int64_t numerator,
                                 std::int64_t denominator, double target, double warn,
                                 const std::vector<std::int64_t>& bad_by_bucket, instant as_of);

// One result row: the counts judged against the thresholds.
metric_result make_result(metric_key metric, const std::string& marketplace_id,
                          const std::string& channel, int window_days,
                          const config::metric_thresholds& thresholds, instant as_of,
                          const row_counts& counts);

}  // namespace shd::metrics
