// GET /metrics: the snapshot in the Prometheus text exposition format 0.0.4.
// Every metric family has the prefix seller_healthd_, one # HELP and one
// # TYPE line, and its samples together; counters end in _total; no series
// appears twice; label values are escaped (\\ \" \n) and valid UTF-8. A value
// that does not exist (the rate or headroom of a window without data, the last
// import before any) is left out, never written as NaN, so a query sees "no
// series" rather than a number that compares false with everything. No sample
// carries a timestamp: Prometheus stamps the scrape.
//
// Every sample carries the label account (config `account`, the snapshot's),
// first, so that many instances scraped into one Prometheus stay apart.
//
// Per metric row (labels metric, marketplace, marketplace_code, channel,
// window_days): metric_ratio, metric_numerator, metric_denominator,
// metric_headroom, metric_warn_threshold_ratio, metric_target_threshold_ratio,
// metric_status (one-hot over the status label), metric_low_volume. Then the
// daemon's own: evaluation_timestamp_seconds, last_import_timestamp_seconds,
// imports_total{result}, cycles_total, cycle_failures_total,
// cycle_duration_seconds (histogram), deliveries_total, delivery_failures_total,
// dead_letters_total and delivery_duration_seconds (histogram) {channel}, every
// configured channel from the start, sp_api_requests_total,
// sp_api_throttled_total and sp_api_errors_total {operation} (with an
// sp_api section), outbox_pending,
// alerts_active{severity}, unanswered_messages and unconfirmed_orders per
// marketplace; per marketplace and window_days the buyer messages' service
// metrics (inform, never alert): first_response_seconds (summary: quantile
// 0.5 and 0.9, _sum, _count), messages_waiting, messages_waiting_overdue,
// messages_oldest_waiting_timestamp_seconds; start_time_seconds,
// build_info{version}.
#pragma once

#include <string>
#include <string_view>

#include "core/time.hpp"
#include "web/snapshot.hpp"

namespace shd::web {

// The Content-Type header the exposition is served with.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// Pure: the same snapshot gives the same text. `now` is part of the signature
// every renderer shares; the exposition itself states instants, not ages.
std::string render_prometheus(const snapshot& s, instant now);

}  // namespace shd::web
