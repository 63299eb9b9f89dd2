// History from stored data: the evaluations a daemon would have kept, one per
// whole hour of a past range, computed now from what the database holds
// (metrics::evaluate_metrics as of each hour) and written to metric_results as
// the run cycle writes them (history.hpp). Nothing else is touched: no import,
// no alert state, no outbox row, nothing sent.
//
// Idempotent. An hour is the half-open [H, H + 1 h) of a whole UTC hour H.
//  - fill (the default): an hour that already holds a point (the daemon's, or
//    an earlier backfill's) is kept as it is; only empty hours get a point, at
//    H. A second run writes nothing new.
//  - replace: every hour of the range is evaluated again; its point at H is
//    replaced and any other point stored inside the hour is removed, so the
//    range ends with exactly one point an hour, all made from today's data.
//    Running it twice on unchanged data gives the same rows.
//
// What a backfilled point knows is today's database read "as of H"
// (docs/metrics.md, "Backfilled history"): records imported after H but
// dated before it count; a record's later state replaced its earlier one.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "config/config.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "store/database.hpp"

namespace shd::metrics {

enum class backfill_mode { fill, replace };

// Most days a backfill covers: history older than the run cycle's retention
// (400 days, service/cycle.hpp) would be pruned again by the next cycle.
inline constexpr int kMaxBackfillDays = 400;

// The whole hours of the range, oldest first: the `days` * 24 hours ending
// with the hour that holds `until` (floor(until) - (days * 24 - 1) h ...
// floor(until)). `days` must be in [1, kMaxBackfillDays].
std::vector<instant> backfill_hours(instant until, int days);

struct backfill_summary {
    instant first_hour;
    instant last_hour;
    std::size_t hours = 0;         // hours in the range
    std::size_t evaluated = 0;     // hours evaluated and written
    std::size_t kept = 0;          // hours left as they were (fill mode: had a point)
    std::size_t rows_written = 0;  // metric_results rows written (inserted or replaced)
    std::size_t rows_removed = 0;  // other points inside replaced hours (replace mode)
};

// Called after each hour is done, with the hours done so far and the total.
using backfill_progress = std::function<void(std::size_t done, std::size_t total)>;

// Evaluates and stores the hours of backfill_hours(until, days) per `mode`.
// Each hour is its own transaction: an error stops the run with the hours
// before it stored (a re-run completes it).
result<backfill_summary, error_message> backfill_history(store::database& db,
                                                         const config::config& cfg, instant until,
                                                         int days, backfill_mode mode,
                                                         const backfill_progress& progress = {});

}  // namespace shd::metrics
