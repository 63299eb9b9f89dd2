// What one evaluation of account health produces: a row per (metric,
// marketplace, channel, window) with its counts, rate, status and headroom,
// the deadlines coming up, and Amazon's own numbers beside ours. Plain data:
// the engine fills it, report/ renders it, history stores it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/metric_catalog.hpp"
#include "core/time.hpp"

namespace shd::metrics {

enum class metric_status { ok, at_risk, breached, no_data };

// "ok", "at_risk", "breached", "no_data": the JSON and history value.
std::string_view status_name(metric_status s);
std::optional<metric_status> status_from_name(std::string_view name);

// The half-open interval (start, end] a metric counts.
struct window_bounds {
    instant start;
    instant end;
    bool contains(instant t) const { return start < t && t <= end; }
};

// ODR numerator split by defect kind: orders with a counting defect of that
// kind (an order with two kinds appears in both, and once in the numerator).
struct odr_components {
    std::int64_t negative_feedback = 0;
    std::int64_t a_to_z_claim = 0;
    std::int64_t chargeback = 0;
    bool operator==(const odr_components&) const = default;
};

struct metric_result {
    metric_key metric = metric_key::order_defect_rate;
    std::string marketplace_id;
    std::string channel;  // "MFN", "AFN" or "all"
    int window_days = 0;
    int lag_days = 0;
    window_bounds window;
    std::int64_t numerator = 0;
    std::int64_t denominator = 0;
    std::optional<double> rate;  // nullopt: no data
    double target = 0;
    double warn = 0;
    metric_status status = metric_status::no_data;
    std::optional<std::int64_t> headroom;  // nullopt: no data
    bool low_volume = true;
    int min_orders = 0;
    std::optional<odr_components> components;  // ODR only
    // Breached rows: the moment the rate is back inside the target if nothing
    // new goes wrong, as the window moves past its oldest bad events
    // (rules.hpp clears_by). nullopt otherwise, or when the metric is not
    // counted by day (cancellation rate).
    std::optional<instant> clears_by;
    // A feed this row is counted from has stopped arriving (freshness.hpp).
    // Never changes the status; alerts on the row are held while it lasts.
    bool stale = false;
    std::string stale_reason;  // "shipments last arrived 3 d ago (max 1 d 12 h)"; empty when fresh
};

// An MFN order not confirmed as of T whose latest ship date is within the
// next 24 hours or already passed.
struct unconfirmed_order {
    std::string order_id;
    instant latest_ship_at;
    bool overdue = false;  // latest_ship_at < T: it is (or will be counted) late
};

// A message without a reply as of T, received more than 12 hours before T.
struct unanswered_message {
    std::string message_id;
    std::string order_id;  // empty when the message has none
    instant received_at;
    instant reply_due_at;  // received_at + 24 h
    bool overdue = false;  // T is past reply_due_at: it already counts late
};

// An order with counting defects inside an ODR window, and the moment it
// leaves that window (the window's start passes its purchase date).
struct defect_leaving_window {
    std::string order_id;
    std::string channel;
    int window_days = 0;
    instant purchased_at;
    instant leaves_at;
    std::vector<std::string> kinds;  // negative_feedback, a_to_z_claim, chargeback
};

struct upcoming_events {
    std::string marketplace_id;
    std::vector<unconfirmed_order> unconfirmed_orders;    // by latest_ship_at
    std::vector<unanswered_message> unanswered_messages;  // by received_at
    std::vector<defect_leaving_window> defects_leaving;   // by leaves_at
};

// One metric of Amazon's account-health snapshot, and ours beside it.
struct amazon_metric {
    std::string metric;   // our key where one matches, else Amazon's name
    std::string channel;  // MFN, AFN or all
    std::optional<double> rate;
    std::string status;  // Amazon's (GOOD, BAD, ...)
    std::optional<double> target;
    std::optional<std::int64_t> numerator;
    std::optional<std::int64_t> denominator;
    std::optional<instant> window_from;
    std::optional<instant> window_to;
    // Ours: the row it is compared with (none when no row matches).
    std::optional<int> our_window_days;
    std::optional<double> our_rate;
    std::optional<double> difference;  // our_rate - rate, when both exist
    bool flagged = false;              // |difference| > reconcile_tolerance
};

// The newest snapshot (taken at or before T) that mentions a marketplace.
struct amazon_snapshot {
    std::string marketplace_id;
    std::int64_t snapshot_id = 0;
    instant taken_at;
    std::optional<std::string> account_status;  // NORMAL, AT_RISK, DEACTIVATED
    std::vector<amazon_metric> metrics;
};

// One feed as of T (freshness.hpp).
struct feed_freshness {
    std::string feed;   // "shipments" (core/feed_catalog.hpp)
    std::string words;  // for people: "shipments", "All Orders report"
    std::chrono::seconds max_age{0};
    std::optional<instant> last_import_at;  // nullopt: never imported
    std::optional<instant> newest_data_at;  // the newest instant inside it
    long long imports = 0;
    std::optional<std::chrono::seconds> age;  // since it last arrived; nullopt: never
    bool stale = false;                       // age > max_age
    std::string reason;  // when stale: "shipments last arrived 3 d ago (max 1 d 12 h)"
};

// Service metrics of buyer messages (service_metrics.hpp): they inform and
// never alert. One row per (marketplace, window) over the messages received in
// the window (T - window_days, T] that need a response.
struct message_service_row {
    std::string marketplace_id;
    int window_days = 0;
    window_bounds window;
    std::int64_t messages = 0;  // received in the window, needing a response
    std::int64_t replied = 0;   // of them, replied at or before T
    // Time from receipt to the first reply of the replied ones, in seconds:
    // median and 90th percentile (linear between closest ranks); nullopt
    // when none was replied.
    std::optional<double> first_response_median_seconds;
    std::optional<double> first_response_p90_seconds;
    double first_response_total_seconds = 0;  // the sum over the replied ones
    std::int64_t waiting = 0;                 // no reply by T
    std::int64_t waiting_overdue = 0;         // of them, more than 24 h since receipt
    std::optional<instant> oldest_waiting_received_at;
    std::string oldest_waiting_message_id;  // empty when nothing waits
};

struct evaluation {
    instant as_of;
    double reconcile_tolerance = 0;
    // Sorted by marketplace ID, catalog order, channel (MFN, AFN, all), window.
    std::vector<metric_result> metrics;
    std::vector<upcoming_events> upcoming;  // by marketplace ID
    std::vector<amazon_snapshot> amazon;    // by marketplace ID
    std::vector<feed_freshness> feeds;      // catalog order (freshness.hpp)
    // By marketplace ID, then window (service_metrics.hpp).
    std::vector<message_service_row> message_service;
};

// MFN < AFN < all: the order rows are listed in.
int channel_rank(std::string_view channel);

// The sort order of evaluation::metrics.
bool result_order(const metric_result& a, const metric_result& b);

}  // namespace shd::metrics
