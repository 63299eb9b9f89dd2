// Freshness of the feeds (core/feed_catalog.hpp): which feeds have stopped
// arriving, and which metric rows depend on them.
//
// A feed is judged by when it last arrived (its last successful import), not
// by the dates inside it: a quiet week with few orders is not a stopped feed.
// A feed is stale when, as of T, more than its max_age has passed since it
// last arrived. A feed never imported is not stale: the seller may not have
// that source at all (an FBA-only seller has no shipments file), and there
// is no arrival to be late after; status lists it as never imported.
//
// Staleness never changes a metric's status (spec/metrics.md, "stale"); it
// flags the row, and the alert cycle holds the row's alerts while it lasts.
//
// judge_freshness and flag_stale_metrics are pure functions of their
// arguments and the evaluation time.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "metrics/evaluation.hpp"

namespace shd::metrics {

// One `feeds` row: when a feed last arrived and the newest instant in it.
struct feed_arrival {
    std::string feed;
    instant last_import_at;
    std::optional<instant> newest_data_at;
    long long imports = 0;
};

// Every feed of the catalog in catalog order, then any other feed that has
// arrived (a source this build does not know yet), by name. A feed that
// arrived after `as_of` (status --at in the past) counts as just arrived: the
// table keeps only the latest arrival.
std::vector<feed_freshness> judge_freshness(
    const std::vector<feed_arrival>& arrivals,
    const std::function<std::chrono::seconds(std::string_view)>& max_age_of, instant as_of);

// "shipments last arrived 3 d ago (max 1 d 12 h)".
std::string stale_reason_text(std::string_view feed_words, std::chrono::seconds age,
                              std::chrono::seconds max_age);

// Sets stale and stale_reason on every row that depends (feeds_of) on a
// stale feed; the reasons of several feeds are joined with "; ". Clears
// them on the others.
void flag_stale_metrics(std::vector<metric_result>& rows, const std::vector<feed_freshness>& feeds);

// The SP-API's first pass over seller-fulfilled orders (spec/sources.md,
// Orders) not finished yet: `pass_in_progress` is its progress for people
// ("the first SP-API pass over seller-fulfilled orders ..."). Until it is
// done late dispatch and valid tracking are stale (an order whose
// confirmation has not been fetched would count as late); the reason is
// added to those rows. Nothing happens when it is nullopt.
void flag_first_pass(std::vector<metric_result>& rows,
                     const std::optional<std::string>& pass_in_progress);

}  // namespace shd::metrics
