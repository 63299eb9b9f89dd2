// Account health as of an evaluation time T: every metric of spec/metrics.md
// for every marketplace with an order or a message, every channel and window
// of the (per-marketplace) config, plus what is about to change (upcoming.hpp)
// and Amazon's own numbers beside ours (reconcile.hpp).
//
// A pure function of (database rows, config, T): it reads, never writes, and
// never looks at the clock. SQLite errors are returned as error_message. It
// sets PRAGMA mmap_size on the connection (1 GiB): a read setting, not a write.
#pragma once

#include <vector>

#include "config/config.hpp"
#include "core/result.hpp"
#include "metrics/evaluation.hpp"
#include "store/database.hpp"

namespace shd::metrics {

// Metrics, upcoming events, Amazon's snapshot, the feeds' freshness (rows
// that depend on a stale feed are flagged) and the buyer messages' service
// metrics for every marketplace with rows (service_metrics.hpp).
result<evaluation, error_message> evaluate(store::database& db, const config::config& cfg,
                                           instant as_of);

// The metric rows alone, sorted (evaluation::metrics).
result<std::vector<metric_result>, error_message> evaluate_metrics(store::database& db,
                                                                   const config::config& cfg,
                                                                   instant as_of);

// The same rows counted from the records alone, as every evaluation did
// before the kept counts: O(history). The reference the kept counts are
// checked against (tests, `seller-healthd check-db`); no staleness flags.
result<std::vector<metric_result>, error_message> evaluate_metrics_from_records(
    store::database& db, const config::config& cfg, instant as_of);

// The rows from the kept counts whatever T (evaluate_metrics may count from
// the records for a T deep in the past); no staleness flags. For check-db.
// Throws std::logic_error when the counts are so wrong that a numerator
// exceeds its denominator.
result<std::vector<metric_result>, error_message> evaluate_metrics_from_kept_counts(
    store::database& db, const config::config& cfg, instant as_of);

}  // namespace shd::metrics
