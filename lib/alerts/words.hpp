// What notifications say, written once here so every channel says the same:
// titles, headroom in words, the small-sample caveat, one line of advice and
// what is coming. Pure functions of their arguments; numbers are formatted
// without the C locale (fmt). Times for people are in the marketplace's local
// time (core/marketplaces.hpp) or the configured display_time_zone, with UTC
// beside them; IDs of orders and messages are named, the first few and then
// "and N more", each with its Seller Central link.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "alerts/amazon_signals.hpp"
#include "alerts/lifecycle.hpp"
#include "alerts/notification.hpp"
#include "metrics/evaluation.hpp"

namespace shd::alerts {

// 0.046 -> "4.6%", 0.04 -> "4%", 0.0075 -> "0.75%", 0.96667 -> "96.67%".
std::string format_percent(double rate);

// "2026-03-01 14:05 UTC".
std::string format_utc_minute(instant t);

// "2026-02-28 19:00 PST (2026-03-01 03:00 UTC)": local time in `display_zone`
// when it is set, else in the marketplace's zone, with UTC beside it. Without
// a zone (or when it is UTC): "2026-03-01 03:00 UTC".
std::string format_local_minute(instant t, std::string_view marketplace_id,
                                std::string_view display_zone = {});

// How many IDs a line names before "and N more".
inline constexpr std::size_t kIdsShown = 3;

// "A", "A and B", "A, B, C and 2 more".
std::string ids_text(const std::vector<std::string>& ids, std::size_t shown = kIdsShown);

// The orders and messages the upcoming lines name (the same first few per
// line), with their Seller Central links.
std::vector<id_link> upcoming_links(const metrics::upcoming_events& e);

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
// A breach whose row has clears_by says when it clears if nothing new goes wrong.
alert_change describe_metric(const metrics::metric_result& r, const std::string& fingerprint,
                             transition t, severity sev, instant since,
                             std::string_view display_zone = {});

// A firing alert whose row no longer exists (its window was removed from the
// configuration): the resolved notice, from the last row seen.
alert_change describe_vanished_metric(const metrics::metric_result& last_seen,
                                      const std::string& fingerprint, severity sev, instant since);

// Deadline alerts (always at_risk, always firing). Before the deadline "[AT
// RISK] ... due in 3 h"; once it has passed "[MISSED] ...: it counts against"
// the metric, never a call to act "before the deadline".
alert_change describe_message_deadline(const metrics::unanswered_message& m,
                                       const std::string& marketplace_id,
                                       const std::string& fingerprint, instant now,
                                       std::string_view display_zone = {});
alert_change describe_ship_deadline(const metrics::unconfirmed_order& o,
                                    const std::string& marketplace_id,
                                    const std::string& fingerprint, instant now,
                                    std::string_view display_zone = {});

// A feed that has not arrived within its max_age (firing), or arrived again
// (resolved): "[AT RISK] Stale feed: shipments last arrived 3 d ago (max 1 d
// 12 h)", "[RESOLVED] Feed arriving again: shipments".
alert_change describe_stale_feed(const metrics::feed_freshness& f, const std::string& fingerprint,
                                 bool resolved, instant now, instant since,
                                 std::string_view display_zone = {});

// The resolved notice of the any-import "stale_data" alert of schema 2, now
// replaced by one alert per feed.
alert_change describe_stale_data_retired(const std::string& fingerprint, instant now,
                                         instant since);

// An alert on Amazon's own signals or the SP-API's health
// (amazon_signals.hpp), from this cycle's observation of it: "[AT RISK]
// Amazon account status AT_RISK in ATVPDKIKX0DER" with the values in
// headroom_text and `signal`; resolved, the observation that ended it
// ("[RESOLVED] Amazon account status NORMAL in ...").
alert_change describe_signal(const signal& o, transition t, severity sev, instant since);

// A firing signal alert that nothing observes any more (the metric left
// Amazon's report, the sp_api section was removed): its resolved notice.
alert_change describe_vanished_signal(const std::string& kind, const std::string& fingerprint,
                                      const std::string& marketplace, const std::string& title,
                                      severity sev, instant since);

// The journal line of a decided change: "alert firing: [BREACHED] ...", and
// likewise repeat, escalated, resolved.
std::string journal_line(const alert_change& a);

// Its sd-daemon priority: warning (4) for a firing, repeated or escalated
// breach and for a missed deadline, info (6) for the rest (at risk, resolved).
int journal_priority(const alert_change& a);

// Lines on what is about to change in one marketplace: orders due to ship,
// messages awaiting a reply, defects leaving the ODR window. Empty lists say
// nothing.
std::vector<std::string> upcoming_lines(const metrics::upcoming_events& e, instant now,
                                        std::string_view display_zone = {});

}  // namespace shd::alerts
