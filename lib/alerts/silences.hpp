// Silences and acknowledgements as pure functions (docs/alerts.md, "Silences
// and acknowledgements"). A silence keeps the firing, repeat and escalation
// notices of the alerts it matches out of the outbox while it is active; an
// acknowledgement keeps the repeats of one alert's episode out while its
// severity stays what it was when acknowledged. Neither changes what the
// lifecycle decides: the alert still steps, and its state keeps the notice
// bookkeeping of before the notice that was kept back, so what was never said
// is said once they end. The matchers are a channel's `match` keys
// (alerts/routing.hpp judges them) plus `alert`, an exact fingerprint.
// The SQL is in alerts/silence_store.hpp.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/lifecycle.hpp"
#include "alerts/notification.hpp"
#include "config/config.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace shd::alerts {

struct silence_matchers {
    config::channel_match match;      // marketplace, metric, severity, kind
    std::vector<std::string> alerts;  // key `alert`: fingerprints, exact
    bool operator==(const silence_matchers&) const = default;
};

// "marketplace=A1F83G8C2ARO7P,metric=late_dispatch_rate": keys marketplace,
// metric, severity, kind (values as in a channel's `match`) and alert (a
// fingerprint); a key given twice matches either value. At least one
// matcher. Errors name the key or value that is wrong.
result<silence_matchers, error_message> parse_matchers(std::string_view text);

// The canonical "key=value,..." form (keys in the order above).
std::string matchers_text(const silence_matchers& m);
// {"marketplace": [...], ...}, keys with values only; the stored form.
std::string matchers_json(const silence_matchers& m);
result<silence_matchers, error_message> matchers_from_json(std::string_view text);

// `--for`: "30m", "4h", "2d" (core/time.hpp parse_duration), 1 minute to 1 year.
result<std::chrono::seconds, error_message> parse_silence_duration(std::string_view text);

struct silence {
    long long id = 0;
    silence_matchers matchers;
    instant starts_at;
    instant ends_at;
    std::string comment;
    std::string created_by;
    instant created_at;
    std::optional<instant> expired_at;  // `silence expire`
    bool operator==(const silence&) const = default;
};

enum class silence_state { pending, active, expired };
std::string_view silence_state_name(silence_state s);

// pending before starts_at; active from it until ends_at or expired_at,
// whichever is first; expired from then.
silence_state state_at(const silence& s, instant t);

// Whether the matchers hold for a change judged at `severity`. An alert of
// the whole account (no marketplace) does not pass a marketplace matcher.
bool silence_matches(const silence_matchers& m, const alert_change& change,
                     std::string_view severity);

// The first silence active at `t` that matches; nullopt when none does.
std::optional<long long> silenced_by(const std::vector<silence>& silences,
                                     const alert_change& change, std::string_view severity,
                                     instant t);

// One episode's acknowledgement (`ack ALERT`).
struct alert_ack {
    std::string fingerprint;
    instant episode_start;
    severity acked_severity = severity::at_risk;
    instant acked_at;
    std::string comment;
    std::string created_by;
    std::optional<instant> ended_at;  // the severity changed (or the episode ended)
    bool operator==(const alert_ack&) const = default;
};

// Whether the ack still holds for the alert as it is now: the same episode,
// not ended, the severity it was acknowledged at.
bool ack_holds(const alert_ack& a, instant episode_start, severity current);

// The state after a step whose notice was kept back: the step's phase and
// severity, the notice bookkeeping (last notice, peak, count) of before it.
lifecycle unnotified(lifecycle next, const std::optional<lifecycle>& previous);

// What a silence matcher judges of a stored alert: its kind, fingerprint,
// marketplace and metric, from the alert_states row (the marketplace from
// last_observation's "marketplace", else a metric fingerprint's).
alert_change alert_identity(const std::string& fingerprint, const std::string& kind,
                            const std::string& last_observation);

// A pending or firing alert as stored (alert_states), with what keeps its
// notices back now: `status`, the dashboard and `ack` read it.
struct open_alert {
    std::string fingerprint;
    std::string kind;
    std::string state;     // pending or firing
    std::string severity;  // at_risk or breached
    instant episode_start;
    std::optional<instant> last_notified_at;
    std::string last_observation;
};

struct quiet_alert {
    open_alert alert;
    std::optional<alert_ack> ack;          // an ack that holds
    std::optional<long long> silenced_by;  // an active silence that matches
};

// Every open alert with its holding ack and matching silence as of `t`.
std::vector<quiet_alert> quiet_alerts(const std::vector<open_alert>& alerts,
                                      const std::vector<silence>& silences,
                                      const std::vector<alert_ack>& acks, instant t);

// The alerts `ack ALERT` names: the firing alert whose fingerprint is ALERT,
// else every firing alert whose fingerprint starts with it.
std::vector<open_alert> alerts_named(const std::vector<open_alert>& alerts, std::string_view name);

// `silence list --json` and the "silences" of `status --json`: one object per
// silence (id, state, matchers, match, starts_at, ends_at, expired_at,
// comment, created_by, created_at).
std::string silences_json(const std::vector<silence>& silences, instant t);
// `silence list`: a table; "No silences." when empty.
std::string silences_table(const std::vector<silence>& silences, instant t);

// `status --json` with "silences" (pending and active at t) and "alerts"
// (each open alert: fingerprint, kind, state, severity, since, acknowledged,
// acked_at, ack_comment, silenced_by) spliced in.
std::string with_quiet_json(const std::string& status_json, const std::vector<silence>& silences,
                            const std::vector<quiet_alert>& alerts, instant t);
// The lines `status` prints under the metrics: the silences in force and
// every firing alert (its fingerprint, for `ack`), with what keeps it quiet.
// Empty when there is neither.
std::string quiet_table(const std::vector<silence>& silences,
                        const std::vector<quiet_alert>& alerts, instant t);

}  // namespace shd::alerts
