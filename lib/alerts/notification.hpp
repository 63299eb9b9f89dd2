// A notification: what the alert lifecycle decided to tell people, in a form
// independent of any channel. The outbox stores it as JSON; each channel
// (webhook, Slack, email, ...) renders it at delivery time.
#pragma once

#include "core/result.hpp"
#include "core/time.hpp"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <vector>

namespace shd::alerts {

// One alert's change inside a notification.
struct alert_change {
    std::string kind;         // metric, message_deadline, ship_deadline, stale_data
    std::string fingerprint;  // stable identity of the alert
    std::string metric;       // metric key ("late_dispatch_rate"), or the kind for non-metric alerts
    std::string marketplace;  // marketplace ID; empty for stale_data
    std::string channel;      // MFN, AFN, all; empty for non-metric alerts
    int window_days = 0;
    std::string state;     // "firing" or "resolved"
    std::string severity;  // "at_risk" or "breached"
    std::optional<double> rate;
    double warn = 0;
    double target = 0;
    long long numerator = 0;
    long long denominator = 0;
    std::optional<long long> headroom;
    bool low_volume = false;
    instant since;  // episode start
    // Words for people, written by the lifecycle side so every channel says the same:
    std::string title;     // "[BREACHED] Late dispatch rate 4.6% > 4% (US, 10 days)"
    std::string headroom_text;  // "2 more late dispatches in this 10-day window breach 4%"
    std::string advice;    // one line on what to do
    std::string caveat;    // small-sample note when low_volume, else empty
};

struct notification {
    std::string idempotency_key;  // fingerprint + episode start + transition (or a digest of them for a batch)
    std::string account;          // config `account`
    instant created_at;
    bool is_test = false;  // test-alert
    std::vector<alert_change> alerts;
    std::vector<std::string> upcoming;  // "3 orders must ship within 24 h (US)", ...
};

std::string to_json(const notification& n);

// One change as a JSON object: the webhook's documented fields first (metric
// ... since), then the rest. The outbox payload and the webhook body share it.
nlohmann::ordered_json change_to_json(const alert_change& a);
result<notification, error_message> notification_from_json(std::string_view json_text);

// The highest severity inside ("breached" beats "at_risk").
std::string highest_severity(const notification& n);

}  // namespace shd::alerts
