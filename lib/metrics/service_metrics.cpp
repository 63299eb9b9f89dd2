#include "metrics/service_metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "metrics/rules.hpp"

namespace shd::metrics {
namespace {

constexpr std::chrono::seconds kReplyWithin{24 * 60 * 60};

}  // namespace

std::string_view reply_state_name(reply_state s) {
    switch (s) {
        case reply_state::answered:
            return "answered";
        case reply_state::answered_late:
            return "answered_late";
        case reply_state::pending:
            return "pending";
        case reply_state::missed:
            return "missed";
        case reply_state::no_response_needed:
            return "no_response_needed";
    }
    throw std::logic_error("reply_state_name: unknown state");
}

instant reply_due(const message_fact& m) {
    return m.received_at + kReplyWithin;
}

std::optional<instant> reply_as_of(const message_fact& m, instant as_of) {
    if (m.responded_at && *m.responded_at <= as_of)
        return m.responded_at;
    return std::nullopt;
}

reply_state classify_reply(const message_fact& m, instant as_of) {
    if (m.received_at > as_of) {
        throw std::logic_error(
            fmt::format("classify_reply: message {} received after T", m.message_id));
    }
    if (m.no_response_needed())
        return reply_state::no_response_needed;
    const instant due = reply_due(m);
    if (const auto reply = reply_as_of(m, as_of))
        return *reply <= due ? reply_state::answered : reply_state::answered_late;
    return as_of <= due ? reply_state::pending : reply_state::missed;
}

std::optional<double> percentile(std::span<const double> sorted, double p) {
    if (!(p >= 0.0 && p <= 1.0))
        throw std::logic_error("percentile: p outside [0, 1]");
    if (!std::is_sorted(sorted.begin(), sorted.end()))
        throw std::logic_error("percentile: values not ascending");
    if (sorted.empty())
        return std::nullopt;
    const double h = static_cast<double>(sorted.size() - 1) * p;
    const auto low = static_cast<std::size_t>(std::floor(h));
    if (low + 1 >= sorted.size())
        return sorted.back();
    return sorted[low] + (h - static_cast<double>(low)) * (sorted[low + 1] - sorted[low]);
}

std::vector<message_service_row> compute_message_service(std::span<const message_fact> messages,
                                                         const std::set<std::string>& marketplaces,
                                                         instant as_of,
                                                         std::span<const int> windows) {
    std::vector<int> sorted_windows(windows.begin(), windows.end());
    std::sort(sorted_windows.begin(), sorted_windows.end());
    sorted_windows.erase(std::unique(sorted_windows.begin(), sorted_windows.end()),
                         sorted_windows.end());

    std::vector<message_service_row> out;
    for (const auto& marketplace : marketplaces) {
        for (int window_days : sorted_windows) {
            message_service_row row;
            row.marketplace_id = marketplace;
            row.window_days = window_days;
            row.window = window_for(as_of, window_days, 0);
            std::vector<double> response_seconds;
            const message_fact* oldest = nullptr;
            for (const auto& m : messages) {
                if (m.marketplace_id != marketplace || !row.window.contains(m.received_at) ||
                    m.no_response_needed())
                    continue;
                ++row.messages;
                if (const auto reply = reply_as_of(m, as_of)) {
                    ++row.replied;
                    // A reply stamped before its message (clocks of two
                    // systems) took no time rather than negative time.
                    response_seconds.push_back(static_cast<double>(
                        std::max<std::int64_t>(0, (*reply - m.received_at).count())));
                    continue;
                }
                ++row.waiting;
                if (as_of > reply_due(m))
                    ++row.waiting_overdue;
                if (oldest == nullptr || m.received_at < oldest->received_at ||
                    (m.received_at == oldest->received_at && m.message_id < oldest->message_id))
                    oldest = &m;
            }
            std::sort(response_seconds.begin(), response_seconds.end());
            for (double seconds : response_seconds)
                row.first_response_total_seconds += seconds;
            row.first_response_median_seconds = percentile(response_seconds, 0.5);
            row.first_response_p90_seconds = percentile(response_seconds, 0.9);
            if (oldest != nullptr) {
                row.oldest_waiting_received_at = oldest->received_at;
                row.oldest_waiting_message_id = oldest->message_id;
            }
            out.push_back(std::move(row));
        }
    }
    return out;
}

}  // namespace shd::metrics
