// What notifications say, written once here so every channel says the same:
// titles, headroom in words, the small-sample caveat, one line of advice and
// what is coming. Pure functions of their arguments; numbers are formatted
// without the C locale (fmt), times in UTC.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "alerts/lifecycle.hpp"
#include "alerts/notification.hpp"
#include "metrics/evaluation.hpp"

namespace shd::alerts {

// 0.046 -> "4.6%", 0.04 -> "4%", 0.0075 -> "0.75%", 0.96667 -> "96.67%".
std::string format_percent(double rate);

// "2026-03-01 14:05 UTC".
std::string format_utc_minute(instant t);

// "3 h 20 min", "45 min", "2 d 4 h": a span for people, rounded down to minutes.
std::string format_span(std::chrono::seconds d);

// "US, 10 days" or, for a metric with several channels, "US, MFN, 60 days".
std::string where_text(const metrics::metric_result& r);

// "[BREACHED] Late dispatch rate 4.6% > 4% (US, 10 days)", "[AT RISK] ...",
// "[RESOLVED] ...". `sev` is the alert's severity (for resolved: ignored).
std::string metric_title(const metrics::metric_result& r, transition t, severity sev);

// "2 more late dispatches in this 10-day window breach 4%"; "The next late
// dispatch in this 10-day window breaches 4%"; past the target or resolved,
// the counts. Empty without data.
std::string headroom_text(const metrics::metric_result& r);

// "Small sample: 12 orders in the window; one order moves the rate by 8.3
// points." when the row is low_volume and has data, else empty.
std::string small_sample_caveat(const metrics::metric_result& r);

// One line on what to do about the metric.
std::string metric_advice(metric_key key);

// The whole alert_change for a metric row. `since` is the episode start.
alert_change describe_metric(const metrics::metric_result& r, const std::string& fingerprint,
                             transition t, severity sev, instant since);

// A firing alert whose row no longer exists (its window was removed from the
// configuration): the resolved notice, from the last row seen.
alert_change describe_vanished_metric(const metrics::metric_result& last_seen,
                                      const std::string& fingerprint, severity sev, instant since);

// Deadline alerts (always at_risk, always firing).
alert_change describe_message_deadline(const metrics::unanswered_message& m,
                                       const std::string& marketplace_id,
                                       const std::string& fingerprint, instant now);
alert_change describe_ship_deadline(const metrics::unconfirmed_order& o,
                                    const std::string& marketplace_id,
                                    const std::string& fingerprint, instant now);

// A feed that has not arrived within its max_age (firing), or arrived again
// (resolved): "[AT RISK] Stale feed: shipments last arrived 3 d ago (max 1 d
// 12 h)", "[RESOLVED] Feed arriving again: shipments".
alert_change describe_stale_feed(const metrics::feed_freshness& f, const std::string& fingerprint,
                                 bool resolved, instant now, instant since);

// The resolved notice of the any-import "stale_data" alert of schema 2, now
// replaced by one alert per feed.
alert_change describe_stale_data_retired(const std::string& fingerprint, instant now,
                                         instant since);

// Lines on what is about to change in one marketplace: orders due to ship,
// messages awaiting a reply, defects leaving the ODR window. Empty lists say
// nothing.
std::vector<std::string> upcoming_lines(const metrics::upcoming_events& e, instant now);

}  // namespace shd::alerts
