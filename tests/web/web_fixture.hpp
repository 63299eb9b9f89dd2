// Hand-made snapshots for the web tests: single metric rows, and a realistic
// account (UK and US, every default metric row, 90 days of daily history in
// which the US 10-day late dispatch rate climbs past its warn level).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/metric_catalog.hpp"
#include "core/time.hpp"
#include "web/snapshot.hpp"

namespace shd::web::test {

inline constexpr const char* kUS = "ATVPDKIKX0DER";
inline constexpr const char* kUK = "A1F83G8C2ARO7P";

// How often `needle` occurs in `haystack` (overlapping occurrences count).
inline std::size_t count(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (auto pos = haystack.find(needle); pos != std::string::npos;
         pos = haystack.find(needle, pos + 1))
        ++n;
    return n;
}

inline instant at(const char* iso) {
    return *parse_iso8601(iso);
}

inline metrics::metric_status status_for(metric_key key, double rate, double warn, double target) {
    if (definition(key).direction == metric_direction::lower_is_better) {
        if (rate >= target)
            return metrics::metric_status::breached;
        return rate >= warn ? metrics::metric_status::at_risk : metrics::metric_status::ok;
    }
    if (rate <= target)
        return metrics::metric_status::breached;
    return rate <= warn ? metrics::metric_status::at_risk : metrics::metric_status::ok;
}

// Bad events the window can still take with the denominator fixed, as the
// demo's "6 in 170, no room for another one".
inline std::int64_t headroom_for(metric_key key, std::int64_t num, std::int64_t den,
                                 double target) {
    std::int64_t k = 0;
    if (definition(key).direction == metric_direction::lower_is_better) {
        while (static_cast<double>(num + k + 1) / static_cast<double>(den) < target)
            ++k;
    } else {
        while (num - k - 1 >= 0 &&
               static_cast<double>(num - k - 1) / static_cast<double>(den) > target)
            ++k;
    }
    return k;
}

// A row with the catalog's default levels; no data when den is 0.
inline metrics::metric_result make_row(const std::string& marketplace, metric_key key,
                                       const std::string& channel, int window, std::int64_t num,
                                       std::int64_t den, instant as_of) {
    const auto& def = definition(key);
    metrics::metric_result r;
    r.metric = key;
    r.marketplace_id = marketplace;
    r.channel = channel;
    r.window_days = window;
    r.lag_days = def.default_lag_days;
    r.window = {as_of - days(r.lag_days + window), as_of - days(r.lag_days)};
    r.numerator = num;
    r.denominator = den;
    r.target = def.default_target;
    r.warn = def.default_warn;
    r.min_orders = def.default_min_orders;
    r.low_volume = den < r.min_orders;
    if (den > 0) {
        r.rate = static_cast<double>(num) / static_cast<double>(den);
        r.status = status_for(key, *r.rate, r.warn, r.target);
        r.headroom = headroom_for(key, num, den, r.target);
    } else {
        r.status = metrics::metric_status::no_data;
    }
    if (key == metric_key::order_defect_rate)
        r.components = metrics::odr_components{num, 0, 0};
    return r;
}

// One metric row's shape over 90 days: its denominator and the rate on day
// i (0 oldest, 89 the evaluation itself).
struct row_plan {
    const char* marketplace;
    metric_key key;
    const char* channel;
    int window;
    std::int64_t den;
    double base;   // typical rate
    double swing;  // how far it wanders
    double climb;  // added linearly over the last `climb_days`
    int climb_days;
    double final_rate;  // day 89 (the evaluation)
};

inline double planned_rate(const row_plan& p, int day) {
    if (day == 89)
        return p.final_rate;
    // Deterministic, slow wander (periods of about 7 and 3 weeks), phase
    // from the plan, so rows do not move in step.
    const double phase = static_cast<double>(p.den % 17) + p.window * 0.37;
    double r = p.base + p.swing * (0.7 * std::sin(day * 0.13 + phase) +
                                   0.3 * std::sin(day * 0.29 + 2 * phase));
    const int climb_start = 89 - p.climb_days;
    if (p.climb_days > 0 && day > climb_start)
        r += p.climb * static_cast<double>(day - climb_start) / p.climb_days;
    return std::clamp(r, 0.0, 1.0);
}

inline std::vector<row_plan> realistic_plans() {
    using enum metric_key;
    return {
        // US: busy, healthy except late dispatch, which climbs past 3%.
        {kUS, order_defect_rate, "MFN", 60, 930, 0.0040, 0.0012, 0, 0, 4.0 / 930},
        {kUS, order_defect_rate, "AFN", 60, 1480, 0.0012, 0.0006, 0, 0, 2.0 / 1480},
        {kUS, late_dispatch_rate, "MFN", 10, 170, 0.016, 0.005, 0.016, 14, 6.0 / 170},
        {kUS, late_dispatch_rate, "MFN", 30, 510, 0.019, 0.003, 0.006, 20, 13.0 / 510},
        {kUS, cancellation_rate, "MFN", 7, 160, 0.008, 0.004, 0, 0, 1.0 / 160},
        {kUS, valid_tracking_rate, "MFN", 30, 505, 0.992, 0.004, 0, 0, 499.0 / 505},
        {kUS, response_rate_24h, "all", 7, 42, 0.975, 0.02, 0, 0, 41.0 / 42},
        {kUS, response_rate_24h, "all", 30, 171, 0.982, 0.008, 0, 0, 168.0 / 171},
        {kUS, response_rate_24h, "all", 90, 498, 0.983, 0.004, 0, 0, 490.0 / 498},
        // UK: small, so most windows are low volume; cancellations breached.
        {kUK, order_defect_rate, "MFN", 60, 212, 0.0045, 0.002, 0, 0, 1.0 / 212},
        {kUK, order_defect_rate, "AFN", 60, 84, 0.0, 0.0, 0, 0, 0.0},
        {kUK, late_dispatch_rate, "MFN", 10, 46, 0.012, 0.01, 0, 0, 1.0 / 46},
        {kUK, late_dispatch_rate, "MFN", 30, 131, 0.014, 0.004, 0, 0, 2.0 / 131},
        {kUK, cancellation_rate, "MFN", 7, 38, 0.006, 0.004, 0.025, 5, 1.0 / 38},
        {kUK, valid_tracking_rate, "MFN", 30, 128, 0.985, 0.006, 0, 0, 126.0 / 128},
        {kUK, response_rate_24h, "all", 7, 12, 0.96, 0.03, 0, 0, 12.0 / 12},
        {kUK, response_rate_24h, "all", 30, 47, 0.965, 0.01, 0, 0, 46.0 / 47},
        {kUK, response_rate_24h, "all", 90, 139, 0.97, 0.006, 0, 0, 135.0 / 139},
    };
}

// as_of 2026-03-01 12:00 UTC; history at 12:00 each of the 90 days up to it.
inline snapshot realistic_snapshot() {
    const instant as_of = at("2026-03-01T12:00:00Z");
    snapshot s;
    s.account = "Northwind Outdoor Ltd";
    s.version = "0.1.0";
    s.started_at = as_of - days(6) - hours(3);

    metrics::evaluation e;
    e.as_of = as_of;
    e.reconcile_tolerance = 0.005;
    auto plans = realistic_plans();
    std::stable_sort(plans.begin(), plans.end(), [](const row_plan& a, const row_plan& b) {
        return std::string(a.marketplace) < std::string(b.marketplace);
    });
    for (const auto& p : plans) {
        const auto num = static_cast<std::int64_t>(std::llround(p.final_rate * p.den));
        e.metrics.push_back(make_row(p.marketplace, p.key, p.channel, p.window, num, p.den, as_of));
        for (int day = 0; day < 90; ++day) {
            metrics::stored_result h;
            h.evaluated_at = as_of - days(89 - day);
            h.metric = p.key;
            h.marketplace_id = p.marketplace;
            h.channel = p.channel;
            h.window_days = p.window;
            // Windows hold a few more or fewer orders from day to day.
            h.denominator =
                day == 89
                    ? p.den
                    : std::max<std::int64_t>(
                          1, std::llround(p.den * (1 + 0.08 * std::sin(day * 0.09 + p.window))));
            h.numerator = static_cast<std::int64_t>(
                std::llround(planned_rate(p, day) * static_cast<double>(h.denominator)));
            h.rate = static_cast<double>(h.numerator) / static_cast<double>(h.denominator);
            h.status = status_for(p.key, *h.rate, definition(p.key).default_warn,
                                  definition(p.key).default_target);
            s.history.push_back(h);
        }
    }
    // metrics::load_results order: oldest first, then result order.
    std::stable_sort(s.history.begin(), s.history.end(),
                     [](const auto& a, const auto& b) { return a.evaluated_at < b.evaluated_at; });

    metrics::upcoming_events us;
    us.marketplace_id = kUS;
    us.unconfirmed_orders = {{"113-4410982-7730611", as_of + hours(5), false},
                             {"113-9921034-1182245", as_of + hours(9), false},
                             {"113-0087651-5520139", as_of - hours(2), true}};
    us.unanswered_messages = {
        {"MSG-88121", "113-2231907-6612093", as_of - hours(15), as_of + hours(9), false}};
    us.defects_leaving = {{"113-5550021-9912384",
                           "MFN",
                           60,
                           as_of - days(73),
                           as_of + days(3),
                           {"negative_feedback"}}};
    metrics::upcoming_events uk;
    uk.marketplace_id = kUK;
    e.upcoming = {uk, us};

    metrics::amazon_snapshot amazon;
    amazon.marketplace_id = kUS;
    amazon.snapshot_id = 7;
    amazon.taken_at = as_of - hours(20);
    amazon.account_status = "NORMAL";
    metrics::amazon_metric ldr;
    ldr.metric = "late_dispatch_rate";
    ldr.channel = "MFN";
    ldr.rate = 0.0294;
    ldr.status = "GOOD";
    ldr.our_window_days = 10;
    ldr.our_rate = 6.0 / 170;
    ldr.difference = 6.0 / 170 - 0.0294;
    ldr.flagged = true;
    amazon.metrics.push_back(ldr);
    e.amazon = {amazon};
    s.evaluation = e;

    s.alerts = {
        {"cancellation_rate|A1F83G8C2ARO7P|MFN|7", "metric", "breached", "firing", as_of - hours(7),
         std::nullopt},
        {"late_dispatch_rate|ATVPDKIKX0DER|MFN|10", "metric", "at_risk", "firing",
         as_of - days(2) - hours(4), std::nullopt},
        {"message_deadline|MSG-88121", "message_deadline", "at_risk", "pending", as_of - hours(3),
         std::nullopt},
        {"response_rate_24h|A1F83G8C2ARO7P|all|7", "metric", "at_risk", "resolved",
         as_of - days(19), as_of - days(16) - hours(2)},
        {"stale_data", "stale_data", "at_risk", "resolved", as_of - days(27) - hours(6),
         as_of - days(27) - hours(1)},
    };

    s.counters.files_imported = 412;
    s.counters.files_rejected = 3;
    s.counters.files_already_imported = 17;
    s.counters.cycles = 8893;
    s.counters.cycle_failures = 2;
    s.counters.deliveries = 57;
    s.counters.delivery_failures = 4;
    s.counters.dead_letters = 0;
    s.counters.cycle_durations.observe(0.08);
    s.counters.channels = {channel_delivery_counters::of("ops", 50, 4),
                           channel_delivery_counters::of("pager", 7)};
    s.counters.outbox_pending = 1;
    s.counters.last_import_at = as_of - std::chrono::minutes(25);
    return s;
}

}  // namespace shd::web::test
