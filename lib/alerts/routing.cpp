#include "alerts/routing.hpp"

#include <algorithm>
#include <vector>

namespace shd::alerts {
namespace {

bool listed(const std::vector<std::string>& values, std::string_view value) {
    return values.empty() || std::find(values.begin(), values.end(), value) != values.end();
}

}  // namespace

std::string_view kind_group(std::string_view kind) {
    if (kind == "metric")
        return "metric";
    if (kind == "message_deadline" || kind == "ship_deadline")
        return "deadline";
    if (kind == "stale_data")
        return "stale";
    if (kind.starts_with("sp_api"))
        return "source";
    if (kind == "account_status" || kind == "ahr_status" || kind == "policy_violations" ||
        kind == "amazon_divergence")
        return "amazon";
    // A kind this build does not know passes no kind matcher: a new kind is
    // given a group here when it is added.
    return {};
}

std::optional<std::string> concerned_metric(const alert_change& change) {
    if (change.kind == "metric")
        return change.metric;
    if (change.kind == "message_deadline")
        return "response_rate_24h";
    if (change.kind == "ship_deadline")
        return "late_dispatch_rate";
    if (change.kind == "amazon_divergence") {
        // amazon_divergence|<metric>|<marketplace>|<channel>
        const auto first = change.fingerprint.find('|');
        const auto second = change.fingerprint.find('|', first + 1);
        if (first != std::string::npos && second != std::string::npos)
            return change.fingerprint.substr(first + 1, second - first - 1);
    }
    return std::nullopt;
}

bool match_accepts(const config::channel_match& m, const alert_change& change,
                   std::string_view severity, bool account_wide_passes_marketplace) {
    if (!m.marketplaces.empty()) {
        if (change.marketplace.empty() ? !account_wide_passes_marketplace
                                       : !listed(m.marketplaces, change.marketplace))
            return false;
    }
    if (!m.metrics.empty()) {
        const auto metric = concerned_metric(change);
        if (!metric || !listed(m.metrics, *metric))
            return false;
    }
    if (!listed(m.severities, severity))
        return false;
    if (!m.kinds.empty() && !listed(m.kinds, kind_group(change.kind)))
        return false;
    return true;
}

bool channel_wants(const config::alert_channel& channel, const alert_change& change,
                   std::string_view severity) {
    if (change.state == "resolved" && !channel.send_resolved)
        return false;
    return match_accepts(channel.match, change, severity, true);
}

}  // namespace shd::alerts
