// `status --json`: the evaluation as one JSON document (docs/metrics.md,
// "status --json"). Field names are a contract with scripts and the worked
// example: as_of, metrics[] (metric, marketplace, channel, window_days,
// lag_days, window_start, window_end, numerator, denominator, rate, target,
// warn, status, headroom, low_volume, stale, stale_reason, components for
// ODR), upcoming[], amazon[], feeds[] (feed, last_import_at, age_seconds,
// newest_data_at, newest_data_age_seconds, max_age_seconds, imports, stale,
// stale_reason), message_service[] (marketplace, window_days, window_start,
// window_end, messages, replied, first_response_median_seconds,
// first_response_p90_seconds, waiting, waiting_overdue,
// oldest_waiting_message_id, oldest_waiting_received_at: service metrics
// that inform and never alert; metrics/service_metrics.hpp).
// Rates are doubles at full precision; rate and headroom are null with no data.
#pragma once

#include <string>

#include "metrics/evaluation.hpp"

namespace shd::report {

// Pretty-printed (2-space indent), no trailing newline.
std::string status_json(const metrics::evaluation& e);

}  // namespace shd::report
