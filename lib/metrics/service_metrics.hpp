// Buyer messages as of an evaluation time T: each message's reply state
// (`messages list`) and the service metrics per marketplace and window
// (`status`, the dashboard, /metrics). Pure functions of the messages and T:
// no SQL, no clock. The queries (queries.hpp load_message_facts) hand them
// the stored messages; they inform and never alert.
//
// Rules (spec/metrics.md "Time" and "response_rate_24h"):
// - As of T, a message received after T does not exist yet, and a reply
//   after T has not happened yet.
// - A message needs no response when its own row says so or the seller
//   marked it (`messages no-response-needed`); such a message is left out of
//   every count here, as it is out of response_rate_24h.
// - The reply deadline is receipt + 24 h; a reply exactly at it is on time.
// - A window of N days holds the messages received in (T - N days, T].
// - First response time: reply time minus receipt time of the messages in
//   the window replied at or before T. Percentiles interpolate linearly
//   between the closest ranks (percentile()). A reply stamped before its
//   message took 0 s.
#pragma once

#include <array>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "metrics/evaluation.hpp"

namespace shd::metrics {

// One stored buyer message, as the queries read it.
struct message_fact {
    std::string message_id;
    std::string order_id;        // empty when the message has none
    std::string marketplace_id;  // resolved: its own, else its order's, else the default
    instant received_at;
    std::optional<instant> responded_at;     // the first reply, whenever it was (even after T)
    bool no_response_needed_by_row = false;  // the row's own flag (messages CSV column)
    bool marked_no_response_needed = false;  // the seller's mark (message_marks)

    bool no_response_needed() const {
        return no_response_needed_by_row || marked_no_response_needed;
    }
};

enum class reply_state {
    answered,            // replied by T, within 24 h of receipt
    answered_late,       // replied by T, more than 24 h after receipt
    pending,             // no reply by T, at most 24 h since receipt
    missed,              // no reply by T, more than 24 h since receipt
    no_response_needed,  // by its row or the seller's mark
};

// "answered", "answered_late", "pending", "missed", "no_response_needed".
std::string_view reply_state_name(reply_state s);

// No reply as of T, and one is needed: pending or missed.
inline bool is_waiting(reply_state s) {
    return s == reply_state::pending || s == reply_state::missed;
}

// received_at + 24 h.
instant reply_due(const message_fact& m);

// The state as of T. Throws std::logic_error for a message received after T
// (it does not exist yet as of T: callers leave it out).
reply_state classify_reply(const message_fact& m, instant as_of);

// The reply as of T: responded_at when it is at or before T, else nullopt.
std::optional<instant> reply_as_of(const message_fact& m, instant as_of);

// The p-quantile (0 <= p <= 1) of ascending `sorted` values, interpolated
// linearly between the closest ranks: with h = (n - 1) p, x[floor h] +
// (h - floor h) (x[floor h + 1] - x[floor h]) (R's type 7, numpy's default,
// a spreadsheet's PERCENTILE.INC). The median of an even count is the mean of
// the middle two. nullopt for no values. Throws std::logic_error for p
// outside [0, 1] or values not ascending.
std::optional<double> percentile(std::span<const double> sorted, double p);

// The windows the service metrics are shown for, in days.
inline constexpr std::array<int, 3> kServiceWindows{7, 30, 90};

// One row per (marketplace, window) for every marketplace in `marketplaces`
// (rows with no message too), sorted by marketplace then window. Messages of
// other marketplaces, received after T or before the longest window are
// ignored. The oldest waiting message is the earliest received (ties: the
// smaller message ID).
std::vector<message_service_row> compute_message_service(
    std::span<const message_fact> messages, const std::set<std::string>& marketplaces,
    instant as_of, std::span<const int> windows = kServiceWindows);

}  // namespace shd::metrics
