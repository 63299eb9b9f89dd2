// GET /: the dashboard, one self-contained HTML5 page for people. No
// JavaScript, nothing loaded from the network (inline CSS, system fonts,
// inline SVG charts); a Content-Security-Policy meta tag forbids both, so
// even a bug in the escaping could not run a script or phone home. A meta
// refresh reloads it every 60 s for a wall screen. It reflows from one column
// on a phone to several on a wide screen, follows the system's dark scheme
// (charts too), keeps every text at 11 px or more, wraps its tables rather
// than scroll sideways, and prints without the tints.
//
// Content, worst first: the account, evaluation time, overall (worst) status,
// last import and version; then "Needs attention" (id="attention"): breached
// then at-risk metric rows (least headroom first), missed then coming
// deadlines naming each order and message with its Seller Central link and
// local time beside UTC, and the other alerts pending or firing. Then per
// marketplace (by marketplace ID) its rows worst first (breached, at risk, no
// data or stale, OK): a card for each row that needs a look, with rate, warn
// and target, a status badge (colour and text), the counts and the
// small-sample caveat, Amazon's figure when imported, and the row's history
// chart (svg_chart.hpp); each OK row as one line (<details class="row-ok">)
// that opens to the same. Then what is coming in that marketplace and its
// buyer messages' service metrics per window (first reply median and 90th
// percentile, messages waiting and the oldest); the feeds; then the recent
// alerts. Every piece of text from data is HTML-escaped.
#pragma once

#include <string>
#include <string_view>

#include "core/time.hpp"
#include "web/snapshot.hpp"

namespace shd::web {

inline constexpr std::string_view kDashboardContentType = "text/html; charset=utf-8";

// The page also states this in a meta tag; the HTTP server may send it as a
// header too (a header can add frame-ancestors, a meta tag cannot).
inline constexpr std::string_view kDashboardContentSecurityPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'";

// Pure: a function of the snapshot and `now` (for "5 min ago").
std::string render_dashboard(const snapshot& s, instant now);

// A readable name for an alert's fingerprint:
// "late_dispatch_rate|ATVPDKIKX0DER|MFN|10" -> "Late dispatch rate, US, MFN, 10 days",
// "message_deadline|M1" -> "Buyer message M1 awaiting a reply",
// "ship_deadline|O1" -> "Order O1 not confirmed", "stale_data|shipments" ->
// "Stale feed: shipments", "stale_data" (before feeds) -> "No data imported".
// Anything else is returned as it is. Not escaped.
std::string alert_title(std::string_view fingerprint);

}  // namespace shd::web
