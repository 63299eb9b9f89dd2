// What the HTTP endpoint serves, as plain data: the newest evaluation, the
// metric history behind the charts, the recent alerts and the daemon's own
// counters. The event loop replaces it whole after each cycle (a
// shared_ptr<const snapshot>); the renderers in this module are pure
// functions of it and of `now`, so a request never touches the database.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "metrics/evaluation.hpp"
#include "metrics/history.hpp"
#include "report/inbox_status.hpp"

namespace shd::web {

// One alert episode for "recent alerts": pending or firing now, or resolved.
struct recent_alert {
    std::string fingerprint;  // "late_dispatch_rate|ATVPDKIKX0DER|MFN|10", "stale_data", ...
    std::string kind;         // metric, message_deadline, ship_deadline, stale_data
    std::string severity;     // at_risk or breached
    std::string state;        // pending, firing or resolved
    instant since;            // the episode's start
    std::optional<instant> resolved_at;
    // What the alert says, with its values, when its state keeps it (the
    // alerts on Amazon's signals: "Amazon account status AT_RISK in ...");
    // empty: the dashboard names it from the fingerprint.
    std::string title = {};
    // A firing alert whose repeats an acknowledgement stops, or whose notices
    // an active silence keeps back (alerts/silences.hpp), as of the cycle.
    bool acknowledged = false;
    std::optional<long long> silenced_by = std::nullopt;
};

// A silence in force (pending or active) as of the cycle.
struct silence_row {
    long long id = 0;
    std::string state;     // pending or active
    std::string matchers;  // "marketplace=A1F83G8C2ARO7P,metric=late_dispatch_rate"
    instant starts_at;
    instant ends_at;  // or when it was expired
    std::string comment;
    std::string created_by;
};

// Durations in seconds as a Prometheus histogram: a count per bucket
// (not cumulative; the exposition adds them up), the count and the sum.
struct duration_histogram {
    static constexpr std::array<double, 12> kUpperBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                            0.5,   1,    2.5,   5,    10,  30};
    std::array<std::int64_t, kUpperBounds.size()> bucket_counts{};  // above the last: count only
    std::int64_t count = 0;
    double sum_seconds = 0;

    void observe(double seconds) {
        seconds = std::max(seconds, 0.0);
        for (std::size_t i = 0; i < kUpperBounds.size(); ++i) {
            if (seconds <= kUpperBounds[i]) {
                ++bucket_counts[i];
                break;
            }
        }
        ++count;
        sum_seconds += seconds;
    }
};

// Delivery to one configured channel since the daemon started.
struct channel_delivery_counters {
    static channel_delivery_counters of(std::string channel, std::int64_t delivered = 0,
                                        std::int64_t failed = 0, std::int64_t dead = 0) {
        channel_delivery_counters c;
        c.channel = std::move(channel);
        c.delivered = delivered;
        c.failed = failed;
        c.dead = dead;
        return c;
    }

    std::string channel;                // its `name`
    std::int64_t delivered = 0;         // accepted by the receiver
    std::int64_t failed = 0;            // attempts that failed, to be retried
    std::int64_t dead = 0;              // given up
    duration_histogram send_durations;  // every attempt, whatever its outcome
};

// Counted by the daemon since it started (imports, deliveries) or read from
// the database (outbox_pending, last_import_at).
struct service_counters {
    std::int64_t files_imported = 0;
    std::int64_t files_rejected = 0;
    std::int64_t files_already_imported = 0;
    std::int64_t cycles = 0;
    std::int64_t cycle_failures = 0;
    std::int64_t deliveries = 0;         // notifications accepted by a receiver
    std::int64_t delivery_failures = 0;  // attempts that failed (to be retried)
    std::int64_t dead_letters = 0;       // notifications given up
    // Per configured channel (every one, from the start), in config order.
    std::vector<channel_delivery_counters> channels;
    duration_histogram cycle_durations;     // from the cycle's start to its evaluation's end
    std::int64_t outbox_pending = 0;        // notifications still owed
    std::optional<instant> last_import_at;  // newest successful import, any file
    // Pending and firing alerts by severity, all of them (snapshot.alerts
    // holds at most kRecentAlerts); unset: count snapshot.alerts instead.
    std::optional<std::int64_t> active_at_risk;
    std::optional<std::int64_t> active_breached;
    // Firing alerts acknowledged, and firing alerts an active silence
    // matches, all of them; unset: count snapshot.alerts instead.
    std::optional<std::int64_t> alerts_acknowledged;
    std::optional<std::int64_t> alerts_silenced;
};

// Requests to Amazon's Selling Partner API since the daemon started, for one
// operation (spapi::client::counters).
struct sp_api_operation_counters {
    std::string operation;  // "searchOrders", ...
    std::int64_t requests = 0;
    std::int64_t throttled = 0;  // 429 answers
    std::int64_t errors = 0;     // calls that failed after their retries
};

// One SP-API source (and marketplace) as `status` shows it
// (spapi::load_source_states): the last successful fetch and the newest data.
struct sp_api_source_row {
    std::string source;          // orders, finances, feedback, performance, backfill, ...
    std::string marketplace_id;  // empty for finances
    std::optional<instant> last_success_at;
    std::optional<instant> newest_data_at;
    std::string last_error;  // the last attempt's error; empty when it succeeded
    bool behind = false;     // the incremental poll could not clear its backlog
};

struct snapshot {
    std::string account;  // config `account`, the page's title
    std::string version;  // "0.1.0"
    // Config display_time_zone: times for people in it, beside UTC; empty:
    // each marketplace's own zone.
    std::string display_time_zone = {};
    instant started_at;  // when the daemon started
    // The newest successful evaluation; nullopt until the first one.
    std::optional<metrics::evaluation> evaluation;
    std::string status_json;  // report::status_json(*evaluation), or "" without one
    // The newest cycle whose alert decisions were written (states and
    // outbox): an evaluation without them alerts nobody.
    std::optional<instant> alerts_decided_at;
    // metric_results rows of the last kHistoryDays before evaluation->as_of,
    // oldest first (metrics::load_results order).
    std::vector<metrics::stored_result> history;
    // Pending and firing alerts first (newest first), then resolved episodes,
    // newest first; at most kRecentAlerts in all.
    std::vector<recent_alert> alerts;
    service_counters counters;
    // Inbox entries the last scan would not read (names printable), by name.
    std::vector<report::unreadable_inbox_file> inbox_unreadable;
    // One entry per SP-API operation; empty without an sp_api section.
    std::vector<sp_api_operation_counters> sp_api;
    // The SP-API sources; empty without an sp_api section.
    std::vector<sp_api_source_row> sp_api_sources;
    // Silences pending or active as of the cycle, by ID.
    std::vector<silence_row> silences;
};

inline constexpr int kHistoryDays = 90;
inline constexpr std::size_t kRecentAlerts = 50;

}  // namespace shd::web
