// The alert lifecycle as a pure function: given an alert's previous state (or
// none), this evaluation's observation, the policy and the time, the next state
// and what, if anything, to tell people. docs/alerts.md has the rules as a
// table; tests/alerts/lifecycle_test.cpp checks every row of it.
//
// An alert is pending until its condition has held for `for` consecutive
// evaluations, then firing until it resolves. Severity and notification
// bookkeeping live in the state so that a restart or a config reload, which
// only reload this state, can never re-send what was already sent.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "core/metric_catalog.hpp"
#include "core/time.hpp"
#include "metrics/evaluation.hpp"

namespace shd::alerts {

enum class severity { at_risk, breached };

// "at_risk", "breached": the names in the database, JSON and config.
std::string_view severity_name(severity s);
std::optional<severity> severity_from_name(std::string_view name);

enum class phase { pending, firing };

std::string_view phase_name(phase p);
std::optional<phase> phase_from_name(std::string_view name);

// What one step decided to tell people.
enum class transition {
    none,       // nothing to send
    firing,     // the alert starts firing: the first notice of the episode
    repeat,     // still firing, repeat_interval after the last notice
    escalated,  // at_risk became breached after an at_risk notice
    resolved,   // firing alert is over
};

std::string_view transition_name(transition t);

// The lifecycle part of an alert's stored state (alert_states).
struct lifecycle {
    phase state = phase::pending;
    severity current = severity::at_risk;  // as of the latest evaluation
    int pending_count = 0;                 // consecutive evaluations holding
    instant episode_start;
    std::optional<instant> last_notified_at;
    std::optional<severity> last_notified_severity;
    // The highest severity notified in this episode: the resolved notice goes
    // to every channel that heard of the episode, and only to those.
    std::optional<severity> peak_notified_severity;
    int notifications = 0;  // notices sent in this episode; numbers them in idempotency keys

    bool operator==(const lifecycle&) const = default;
};

// What an evaluation says about one alert's condition.
struct observation {
    metrics::metric_status status = metrics::metric_status::no_data;
    std::optional<double> rate;  // nullopt: no rate to judge resolve_margin by
    double warn = 0;
    metric_direction direction = metric_direction::lower_is_better;
};

struct policy {
    int for_evaluations = 1;
    std::chrono::seconds repeat_interval{12 * 3600};
    double resolve_margin = 0;
};

struct step_result {
    std::optional<lifecycle> next;  // none: inactive (no state row)
    transition what = transition::none;
};

// One evaluation of one alert. Never throws for any input; `policy` values
// outside the config's ranges (for < 1) are treated as their nearest valid value.
step_result step(const std::optional<lifecycle>& previous, const observation& o, const policy& p,
                 instant now);

// Whether an ok observation is far enough past warn to end a firing alert:
// lower-is-better rate < warn - margin, higher-is-better rate > warn + margin.
// No rate (no data) always resolves.
bool clears_resolve_margin(const observation& o, double resolve_margin);

}  // namespace shd::alerts
