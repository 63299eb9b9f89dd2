// One alerting cycle: the decision side of alerts (docs/alerts.md). Called by
// `run` after every evaluation. In ONE SQLite transaction it loads the alert
// states, steps every alert (metric rows, deadline alerts, stale feeds) through
// the lifecycle, writes the new states and, per channel, at most one outbox row
// holding every change that passes the channel's min_severity. Either all of
// that is committed or none of it: a crash before the commit leaves the
// previous cycle's state, and running the same cycle again writes the same
// idempotency keys (INSERT OR IGNORE on UNIQUE(channel_name, idempotency_key)).
//
// Amazon's own signals and the SP-API's health (alerts/amazon_signals.hpp)
// are stepped in the same cycle, from what the store holds as of `now`: each
// marketplace's newest account-health snapshot taken at or before it, the one
// before, spapi_sources and the sp_api section. Divergence uses our rate as
// the evaluation paired it with Amazon's (evaluation::amazon).
//
// Alert state is keyed by fingerprint only, never by config: a reload that
// changes thresholds or channels continues every episode where it was.
// Delivery (lib/delivery) reads the outbox; nothing here sends anything.
//
// Silences and acknowledgements (alerts/silences.hpp) are read in the same
// transaction: a notice they keep back is not written, and the alert's state
// keeps the bookkeeping of before it, so it is sent once they end.
//
// A metric row flagged stale (metrics/freshness.hpp) is not stepped: its
// alert keeps its state, sends nothing and is listed in cycle_summary::held
// until the feed arrives again.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "alerts/notification.hpp"
#include "config/config.hpp"
#include "core/result.hpp"
#include "metrics/evaluation.hpp"
#include "store/database.hpp"

namespace shd::alerts {

// A metric row at risk or breached (or with an alert in progress) whose alert
// was held because a feed it is counted from is stale.
struct held_alert {
    std::string fingerprint;
    std::string title;   // what it would say: "[BREACHED] Late dispatch rate ..."
    std::string reason;  // "shipments last arrived 3 d ago (max 1 d 12 h)"
};

// A firing, repeat or escalated notice that was decided but not written to
// the outbox: a silence matched it, or (a repeat) its episode was
// acknowledged (alerts/silences.hpp).
struct kept_back_change {
    alert_change change;
    std::optional<long long> silence_id;  // unset: acknowledged
};

// What one cycle did, for the log line of `run`.
struct cycle_summary {
    std::size_t pending = 0;  // alerts pending after the cycle
    std::size_t firing = 0;   // alerts firing after the cycle (deadline alerts included)
    // Every change decided this cycle (before the per-channel min_severity
    // filter): firing, repeat, escalated and resolved notices.
    std::vector<alert_change> changes;
    std::size_t outbox_rows = 0;   // outbox rows inserted (an already present key is not counted)
    std::size_t held_rows = 0;     // of those, held until quiet hours end
    std::vector<held_alert> held;  // metric alerts held for stale data, evaluation order
    std::vector<kept_back_change> kept_back;  // silenced or acknowledged, not in the outbox
    // Alerts whose stored times were more than kFutureTolerance (core/time.hpp) ahead of
    // `now` (a clock that was ahead when they were written): treated as now,
    // so repeats and resolves go on. The caller logs them.
    std::vector<std::string> future_times;
};

// `e` is this cycle's evaluation (metrics and upcoming events, as of `now`).
// SQLite errors are returned; nothing is committed then.
result<cycle_summary, error_message> process_cycle(store::database& db, const config::config& cfg,
                                                   const metrics::evaluation& e, instant now);

// Alert fingerprints: "late_dispatch_rate|ATVPDKIKX0DER|MFN|10",
// "message_deadline|<message id>", "ship_deadline|<order id>",
// "stale_data|<feed>" ("stale_data" alone: the any-import alert of schema 2,
// resolved on upgrade).
std::string metric_fingerprint(const metrics::metric_result& r);
std::string stale_feed_fingerprint(std::string_view feed);
std::string message_deadline_fingerprint(const std::string& message_id);
std::string ship_deadline_fingerprint(const std::string& order_id);

// The part of a batch's idempotency key one change contributes.
struct key_part {
    std::string fingerprint;
    instant episode_start;
    std::string transition;  // firing, repeat, escalated, resolved
    int sequence = 0;        // which notice of the episode (1 = the first)
};

// A stable digest (SHA-256, hex) of the parts, independent of their order.
std::string batch_idempotency_key(std::vector<key_part> parts);

}  // namespace shd::alerts
