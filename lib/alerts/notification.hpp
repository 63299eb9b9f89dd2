// A notification: what the alert lifecycle decided to tell people, in a form
// independent of any channel. The outbox stores it as JSON; each channel
// (webhook, Slack, email, ...) renders it at delivery time.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace shd::alerts {

// An order or message a notice is about, with its page in Seller Central.
struct id_link {
    std::string kind;  // "order" or "message"
    std::string id;    // the Amazon order ID or the message ID
    std::string url;   // Seller Central page; empty for an unknown marketplace
    bool operator==(const id_link&) const = default;
};

// The values behind an alert on Amazon's own signals or on the SP-API
// sources (alerts/amazon_signals.hpp), for receivers that read fields rather
// than words. Unset members are unknown or do not apply to the kind.
struct signal_values {
    std::optional<instant> taken_at;  // the account-health snapshot's time
    std::string subject;          // Amazon's metric or policy name; the SP-API source; else empty
    std::string status;           // account status or AHR status now
    std::string previous_status;  // what it is compared with
    std::optional<long long> count;  // a policy-violation count now
    std::optional<long long> previous_count;
    std::optional<double> our_rate;             // divergence: our number
    std::optional<double> amazon_rate;          // divergence: Amazon's number
    std::optional<double> tolerance;            // divergence: reconcile_tolerance
    std::optional<long long> amazon_numerator;  // Amazon's counts behind its rate
    std::optional<long long> amazon_denominator;
    bool operator==(const signal_values&) const = default;
};

// One alert's change inside a notification.
struct alert_change {
    // metric, message_deadline, ship_deadline, stale_data, and the kinds of
    // alerts/amazon_signals.hpp (account_status, ahr_status, ...)
    std::string kind;
    std::string fingerprint;  // stable identity of the alert
    std::string metric;  // metric key ("late_dispatch_rate"), or the kind for non-metric alerts
    std::string marketplace;  // marketplace ID; empty for stale_data
    std::string channel;      // MFN, AFN, all; empty for non-metric alerts
    int window_days = 0;
    std::string state;  // "firing" or "resolved"
    // What happened: firing, repeat, escalated or resolved (the journal and
    // the webhook name it).
    std::string transition;
    std::string severity;  // "at_risk" or "breached"
    std::optional<double> rate;
    double warn = 0;
    double target = 0;
    long long numerator = 0;
    long long denominator = 0;
    std::optional<long long> headroom;
    bool low_volume = false;
    instant since;  // episode start
    // A breach: when it clears if nothing new goes wrong (its oldest bad
    // events leave the window). Deadline alerts: the deadline.
    std::optional<instant> clears_at;
    // When the alert stops mattering on its own: a deadline alert's deadline
    // plus the grace (it never gets a resolve of its own). nullopt otherwise.
    std::optional<instant> ends_at;
    std::vector<id_link> links;  // the orders and messages at stake
    // Words for people, written by the lifecycle side so every channel says the same:
    std::string title;          // "[BREACHED] Late dispatch rate 4.6% > 4% (US, 10 days)"
    std::string headroom_text;  // "2 more late dispatches in this 10-day window breach 4%"
    std::string advice;         // one line on what to do
    std::string caveat;         // small-sample note when low_volume, else empty
    // Amazon-signal and SP-API alerts: the values behind the words ("signal"
    // in the JSON, absent for the other kinds).
    std::optional<signal_values> signal;
    // In a digest: when the change was decided ("decided_at" in the JSON,
    // absent elsewhere).
    std::optional<instant> decided_at;
};

// What makes a notification a digest (alerts/digest_schedule.hpp): its
// `alerts` are then the changes since the last digest, each with decided_at.
struct digest_part {
    std::string local_date;                  // the local day it is for, "2026-03-29"
    std::string time_zone;                   // the zone of that day and of the hour
    instant since;                           // the last digest (or when the channel was first seen)
    std::vector<alert_change> still_firing;  // every alert still firing, transition "repeat"
    std::vector<std::string>
        missed_deadlines;  // fingerprints among `alerts`: deadline passed unmet
};

struct notification {
    std::string idempotency_key;  // fingerprint + episode start + transition (or a digest of them
                                  // for a batch)
    std::string account;          // config `account`
    instant created_at;
    bool is_test = false;  // test-alert
    std::vector<alert_change> alerts;
    std::vector<std::string> upcoming;    // "3 orders must ship within 24 h (US)", ...
    std::vector<id_link> upcoming_links;  // the orders and messages the upcoming lines name
    std::optional<digest_part> digest;    // set: a digest channel's daily digest
};

std::string to_json(const notification& n);

// One change as a JSON object: the webhook's documented fields first (metric
// ... since), then the rest. The outbox payload and the webhook body share it.
nlohmann::ordered_json change_to_json(const alert_change& a);
// The "signal" object of a change.
nlohmann::ordered_json signal_to_json(const signal_values& v);
// [{"kind", "id", "url"}, ...]
nlohmann::ordered_json links_to_json(const std::vector<id_link>& links);
result<notification, error_message> notification_from_json(std::string_view json_text);
// One change from the JSON change_to_json writes (a digest item's payload).
result<alert_change, error_message> alert_change_from_json(std::string_view json_text);
// The "digest" object of a digest notification (without still_firing's
// alerts written by the caller's own change writer): local_date, time_zone,
// since, missed_deadlines, still_firing.
nlohmann::ordered_json digest_to_json(const digest_part& d);

// The highest severity inside ("breached" beats "at_risk"); a digest counts
// its still-firing alerts too.
std::string highest_severity(const notification& n);

}  // namespace shd::alerts
