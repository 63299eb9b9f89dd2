// Each evaluation's results kept in metric_results, keyed by (metric,
// marketplace, channel, window, evaluated_at), for trend charts and alerts.
// Storing the same evaluation twice replaces it (idempotent). Only writers call
// store_results (the daemon's run cycle); `status` never does.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "core/result.hpp"
#include "metrics/evaluation.hpp"
#include "store/database.hpp"

namespace shd::metrics {

// Writes every metric row of `e` at evaluated_at = e.as_of, in one
// transaction. Returns the number of rows written.
result<std::size_t, error_message> store_results(store::database& db, const evaluation& e);

struct replaced_counts {
    std::size_t written = 0;  // rows of `e` written at e.as_of
    std::size_t removed = 0;  // rows of other points in (e.as_of, until) deleted
};

// In one transaction: deletes the points evaluated in (e.as_of, until), then
// writes every metric row of `e` at e.as_of (replacing the rows already there).
result<replaced_counts, error_message> replace_results(store::database& db, const evaluation& e,
                                                       instant until);

// The distinct evaluated_at of the stored points in [from, to], oldest first.
result<std::vector<instant>, error_message> stored_instants(store::database& db, instant from,
                                                            instant to);

// One stored row: what metric_results holds.
struct stored_result {
    instant evaluated_at;
    metric_key metric = metric_key::order_defect_rate;
    std::string marketplace_id;
    std::string channel;
    int window_days = 0;
    std::int64_t numerator = 0;
    std::int64_t denominator = 0;
    std::optional<double> rate;
    metric_status status = metric_status::no_data;
    std::optional<std::int64_t> headroom;
};

// Stored rows evaluated in [from, to], oldest first, then in result order.
// Rows naming a metric or status this binary does not know are skipped.
result<std::vector<stored_result>, error_message> load_results(store::database& db, instant from,
                                                               instant to);

}  // namespace shd::metrics
