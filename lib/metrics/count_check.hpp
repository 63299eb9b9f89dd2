// The recount behind `seller-healthd check-db`: metric_counts against the sum
// of count_contributions (migrations/0004_counts.sql), bucket by bucket,
// unlinked_orders against the orders that something waits for, and (schema 9)
// the Unshipped rows' shipped flags and the bulk-import marker.
//
// Reads only, except repair_kept_counts, which rewrites both tables from the
// records in one transaction. Throws SQLite::Exception.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "metrics/kept_counts.hpp"

namespace SQLite {
class Database;
}

namespace shd::metrics {

struct count_bucket_drift {
    std::int64_t span = 0;  // 86400 or 3600
    std::string marketplace_id;
    std::string channel;
    std::int64_t bucket = 0;
    counter_values kept;
    counter_values recounted;
};

struct count_check_report {
    std::int64_t buckets = 0;  // buckets with a count, recounted
    std::vector<count_bucket_drift> drift;
    // Orders waited for by another row but missing from unlinked_orders: a
    // new order would then skip what waits for it.
    std::int64_t unlinked_missing = 0;
    // Unshipped rows whose `shipped` flag (migrations/0009) disagrees with
    // the shipments table: the upcoming events would list or miss them.
    std::int64_t shipped_flag_wrong = 0;
    // Rows left in counts_deferred (migrations/0009): outside a store
    // writer's bulk import there are none; one left makes every new order
    // skip its counts.
    std::int64_t deferral_left = 0;
    bool clean() const {
        return drift.empty() && unlinked_missing == 0 && shipped_flag_wrong == 0 &&
               deferral_left == 0;
    }
};

// The names of the counters, in metric_counts' column order.
const char* counter_name(int index);

count_check_report check_kept_counts(SQLite::Database& db);

// Rewrites metric_counts, unlinked_orders and the shipped flags from the
// records, and empties counts_deferred, in one
// IMMEDIATE transaction (other writers wait). Returns the check after it.
count_check_report repair_kept_counts(SQLite::Database& db);

}  // namespace shd::metrics
