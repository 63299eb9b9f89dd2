// The recount behind `seller-healthd check-db`: metric_counts against the sum
// of count_contributions (migrations/0004_counts.sql), bucket by bucket, and
// unlinked_orders against the orders that something waits for.
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
    bool clean() const { return drift.empty() && unlinked_missing == 0; }
};

// The names of the counters, in metric_counts' column order.
const char* counter_name(int index);

count_check_report check_kept_counts(SQLite::Database& db);

// Rewrites metric_counts and unlinked_orders from the records in one
// IMMEDIATE transaction (other writers wait). Returns the check after it.
count_check_report repair_kept_counts(SQLite::Database& db);

}  // namespace shd::metrics
