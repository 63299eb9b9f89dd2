#include "core/feed_catalog.hpp"

#include <array>

namespace shd {
namespace {

// The import formats' names (imports.format) are the feed names of the files.
constexpr std::array<feed_definition, 8> kFeeds = {{
    {"all_orders", "All Orders report"},
    {"unshipped", "Unshipped report"},
    {"shipments", "shipments"},
    {"defects", "claims and chargebacks"},
    {"feedback", "Feedback report"},
    {"messages", "buyer messages"},
    {"account_health", "Amazon's account-health report"},
    {"mailbox", "the mailbox"},
}};

// spec/metrics.md: ODR counts orders and their claims, chargebacks and
// negative feedback; late dispatch needs the orders, their latest ship date
// (shipments, else the Unshipped report) and confirmations (shipments);
// cancellations come from the order status, and buyer requests also from the
// Unshipped report; valid tracking from shipments of orders; the response
// rate from messages alone (an order only lends its marketplace), from the
// CSV or the mailbox.
constexpr std::string_view kOdrFeeds[] = {"all_orders", "defects", "feedback"};
constexpr std::string_view kLateDispatchFeeds[] = {"all_orders", "unshipped", "shipments"};
constexpr std::string_view kCancellationFeeds[] = {"all_orders", "unshipped"};
constexpr std::string_view kValidTrackingFeeds[] = {"all_orders", "shipments"};
constexpr std::string_view kResponseFeeds[] = {"messages", "mailbox"};

}  // namespace

std::span<const feed_definition> all_feeds() {
    return kFeeds;
}

const feed_definition* find_feed(std::string_view name) {
    for (const auto& f : kFeeds) {
        if (f.name == name)
            return &f;
    }
    return nullptr;
}

std::span<const std::string_view> feeds_of(metric_key key) {
    switch (key) {
        case metric_key::order_defect_rate:
            return kOdrFeeds;
        case metric_key::late_dispatch_rate:
            return kLateDispatchFeeds;
        case metric_key::cancellation_rate:
            return kCancellationFeeds;
        case metric_key::valid_tracking_rate:
            return kValidTrackingFeeds;
        case metric_key::response_rate_24h:
            return kResponseFeeds;
    }
    return {};
}

}  // namespace shd
