#include "metrics/rules.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace shd::metrics {
namespace {

// Clamps an estimate of k into a range where the +-1 correction loops below
// stay short and the int64 arithmetic cannot overflow.
std::int64_t clamp_estimate(double estimate, std::int64_t ceiling) {
    if (!(estimate > 0))
        return 0;  // also NaN
    if (estimate >= static_cast<double>(ceiling))
        return ceiling;
    return static_cast<std::int64_t>(estimate);
}

}  // namespace

window_bounds window_for(instant as_of, int window_days, int lag_days) {
    if (window_days < 1 || lag_days < 0) {
        throw std::logic_error("metrics: window_days must be >= 1 and lag_days >= 0");
    }
    const instant end = as_of - days(lag_days);
    return window_bounds{end - days(window_days), end};
}

std::int64_t day_bucket(instant as_of, instant t) {
    const long long before = to_unix(as_of) - to_unix(t);
    if (before < 0)
        throw std::logic_error("metrics: day_bucket of an instant after T");
    return before / kSecondsPerDay;
}

std::optional<double> rate_of(std::int64_t numerator, std::int64_t denominator) {
    if (denominator == 0)
        return std::nullopt;
    return static_cast<double>(numerator) / static_cast<double>(denominator);
}

metric_status status_for(metric_direction direction, std::int64_t numerator,
                         std::int64_t denominator, double target, double warn) {
    const auto rate = rate_of(numerator, denominator);
    if (!rate)
        return metric_status::no_data;
    if (direction == metric_direction::lower_is_better) {
        if (*rate >= target)
            return metric_status::breached;
        if (*rate >= warn)
            return metric_status::at_risk;
        return metric_status::ok;
    }
    if (*rate <= target)
        return metric_status::breached;
    if (*rate <= warn)
        return metric_status::at_risk;
    return metric_status::ok;
}

std::optional<std::int64_t> headroom_for(metric_direction direction, std::int64_t numerator,
                                         std::int64_t denominator, double target) {
    if (denominator == 0)
        return std::nullopt;
    if (!std::isfinite(target))
        throw std::logic_error("metrics: target is not finite");
    // Far beyond any real window, small enough that num + k and den + k fit.
    constexpr std::int64_t kCeiling = std::numeric_limits<std::int64_t>::max() / 4;
    const auto den = static_cast<double>(denominator);

    if (direction == metric_direction::lower_is_better) {
        // Not breached after k more bad events.
        auto holds = [&](std::int64_t k) {
            return static_cast<double>(numerator + k) / den < target;
        };
        if (!holds(0))
            return 0;
        // The closed form only seeds the search: the comparison decides.
        std::int64_t k =
            clamp_estimate(std::floor(target * den) - static_cast<double>(numerator), kCeiling);
        while (k > 0 && !holds(k))
            --k;
        while (k < kCeiling && holds(k + 1))
            ++k;
        return k;
    }

    auto holds = [&](std::int64_t k) {
        return static_cast<double>(numerator) / static_cast<double>(denominator + k) > target;
    };
    if (!holds(0))
        return 0;
    if (!(target > 0)) {
        throw std::logic_error("metrics: a higher-is-better target must be > 0");
    }
    std::int64_t k =
        clamp_estimate(std::floor(static_cast<double>(numerator) / target) - den, kCeiling);
    while (k > 0 && !holds(k))
        --k;
    while (k < kCeiling && holds(k + 1))
        ++k;
    return k;
}

bool is_low_volume(std::int64_t denominator, int min_orders) {
    return denominator < min_orders;
}

metric_result make_result(metric_key metric, const std::string& marketplace_id,
                          const std::string& channel, int window_days,
                          const config::metric_thresholds& thresholds, instant as_of,
                          const row_counts& counts) {
    const auto& def = definition(metric);
    metric_result r;
    r.metric = metric;
    r.marketplace_id = marketplace_id;
    r.channel = channel;
    r.window_days = window_days;
    r.lag_days = thresholds.lag_days;
    r.window = window_for(as_of, window_days, thresholds.lag_days);
    r.numerator = counts.numerator;
    r.denominator = counts.denominator;
    r.rate = rate_of(counts.numerator, counts.denominator);
    r.target = thresholds.target;
    r.warn = thresholds.warn;
    r.status = status_for(def.direction, counts.numerator, counts.denominator, thresholds.target,
                          thresholds.warn);
    r.headroom =
        headroom_for(def.direction, counts.numerator, counts.denominator, thresholds.target);
    r.min_orders = thresholds.min_orders;
    r.low_volume = is_low_volume(counts.denominator, thresholds.min_orders);
    r.components = counts.components;
    return r;
}

std::optional<instant> clears_by(metric_direction direction, std::int64_t numerator,
                                 std::int64_t denominator, double target, double warn,
                                 const std::vector<std::int64_t>& bad_by_bucket, instant as_of) {
    if (status_for(direction, numerator, denominator, target, warn) != metric_status::breached)
        return std::nullopt;
    const bool lower = direction == metric_direction::lower_is_better;
    std::int64_t num = numerator;
    const auto window_days = static_cast<std::int64_t>(bad_by_bucket.size());
    for (std::int64_t i = window_days - 1; i >= 0; --i) {
        const std::int64_t gone = bad_by_bucket[static_cast<std::size_t>(i)];
        if (gone == 0)
            continue;
        num = lower ? num - gone : num + gone;
        if (status_for(direction, num, denominator, target, warn) != metric_status::breached)
            return as_of + days(window_days - i);
    }
    return std::nullopt;
}

}  // namespace shd::metrics
