// Amazon's own numbers beside ours. For each marketplace, the newest imported
// account-health snapshot taken at or before T (a snapshot taken later is not
// known yet as of T); each of its metrics is paired with our row of the same
// metric and channel (the window closest in length to Amazon's, else our
// shortest), and a rate difference larger than reconcile_tolerance is flagged.
#pragma once

#include <vector>

#include "metrics/evaluation.hpp"

namespace SQLite {
class Database;
}

namespace shd::metrics {

// A WITH clause naming `ranked(marketplace_id, id, taken_at, n)`: the
// account-health snapshots taken at or before ?1 (unix seconds) that mention
// a marketplace (in a metric or an account status), numbered newest first per
// marketplace (n = 1), ties broken by the later import. A query appends its
// SELECT.
extern const char* const kRankedSnapshotsSql;

// Snapshots without the comparison filled in. Throws SQLite::Exception.
std::vector<amazon_snapshot> load_amazon_snapshots(SQLite::Database& db, instant as_of);

// Pure: fills our_window_days, our_rate, difference and flagged.
std::vector<amazon_snapshot> reconcile(std::vector<amazon_snapshot> snapshots,
                                       const std::vector<metric_result>& ours, double tolerance);

}  // namespace shd::metrics
