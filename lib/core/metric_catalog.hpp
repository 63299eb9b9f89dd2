// The five account-health metrics of spec/metrics.md and their defaults: the
// one table every module (config, metrics, alerts, docs) reads from.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace shd {

enum class metric_key {
    order_defect_rate,
    late_dispatch_rate,
    cancellation_rate,
    valid_tracking_rate,
    response_rate_24h,
};

// Which way is good. Lower-is-better metrics breach at rate >= target,
// higher-is-better ones at rate <= target.
enum class metric_direction { lower_is_better, higher_is_better };

struct metric_definition {
    metric_key key;
    std::string_view name;                       // "late_dispatch_rate": config key and JSON value
    std::string_view title;                      // "Late dispatch rate": for people
    std::string_view short_title;                // "LDR": for one-line summaries
    std::string_view bad_event;                  // "late dispatch": one event that hurts the rate
    std::string_view bad_events;                 // plural
    std::span<const std::string_view> channels;  // "MFN", "AFN", "all"
    metric_direction direction;
    double default_target;
    double default_warn;
    std::span<const int> default_windows;
    int default_lag_days;
    int default_min_orders;
};

inline constexpr int kDefaultMinOrders = 100;

// All five, in the order status reports them.
std::span<const metric_definition> all_metrics();

const metric_definition& definition(metric_key key);
std::optional<metric_key> metric_from_name(std::string_view name);

}  // namespace shd
