#include "core/metric_catalog.hpp"

#include <stdexcept>

namespace shd {
namespace {

constexpr std::string_view kBothChannels[] = {"MFN", "AFN"};
constexpr std::string_view kMfnOnly[] = {"MFN"};
constexpr std::string_view kAllChannels[] = {"all"};

constexpr int kOdrWindows[] = {60};
constexpr int kLdrWindows[] = {10, 30};
constexpr int kCancelWindows[] = {7};
constexpr int kVtrWindows[] = {30};
constexpr int kResponseWindows[] = {7, 30, 90};

// Defaults from spec/metrics.md, "The metrics".
const metric_definition kMetrics[] = {
    {metric_key::order_defect_rate, "order_defect_rate", "Order defect rate", "ODR", "order defect",
     "order defects", kBothChannels, metric_direction::lower_is_better, 0.01, 0.0075, kOdrWindows,
     14, kDefaultMinOrders},
    {metric_key::late_dispatch_rate, "late_dispatch_rate", "Late dispatch rate", "LDR",
     "late dispatch", "late dispatches", kMfnOnly, metric_direction::lower_is_better, 0.04, 0.03,
     kLdrWindows, 0, kDefaultMinOrders},
    {metric_key::cancellation_rate, "cancellation_rate", "Pre-fulfilment cancel rate", "CR",
     "cancellation", "cancellations", kMfnOnly, metric_direction::lower_is_better, 0.025, 0.02,
     kCancelWindows, 0, kDefaultMinOrders},
    {metric_key::valid_tracking_rate, "valid_tracking_rate", "Valid tracking rate", "VTR",
     "shipment without valid tracking", "shipments without valid tracking", kMfnOnly,
     metric_direction::higher_is_better, 0.95, 0.97, kVtrWindows, 0, kDefaultMinOrders},
    {metric_key::response_rate_24h, "response_rate_24h", "24-hour response rate", "RR24",
     "late reply", "late replies", kAllChannels, metric_direction::higher_is_better, 0.90, 0.95,
     kResponseWindows, 0, kDefaultMinOrders},
};

}  // namespace

std::span<const metric_definition> all_metrics() {
    return kMetrics;
}

const metric_definition& definition(metric_key key) {
    for (const auto& m : kMetrics) {
        if (m.key == key)
            return m;
    }
    throw std::logic_error("metric_catalog: unknown metric key");
}

std::optional<metric_key> metric_from_name(std::string_view name) {
    for (const auto& m : kMetrics) {
        if (m.name == name)
            return m.key;
    }
    return std::nullopt;
}

}  // namespace shd
