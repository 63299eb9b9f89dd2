// The SQL aggregates behind the metrics: every count is made by SQLite over
// its indexes; C++ only adds up the few rows the aggregates return.
//
// Metrics attributed by a timestamp of a joined table (late dispatch, valid
// tracking, response rate, the ODR numerator) are counted in one pass per
// metric, grouped by marketplace, channel and day bucket (rules.hpp
// day_bucket): the buckets of one marketplace's window add up to its count,
// whatever windows and lags each marketplace configures. Metrics attributed by
// the purchase date (ODR denominator, cancellation rate) are one range count
// per (marketplace, channel, window) on orders_by_purchase.
//
// Every query applies the spec's "as of T": orders purchased after T do not
// exist; feedback, claims, confirmations and replies after T have not happened.
// Throws SQLite::Exception; the engine converts it.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/time.hpp"
#include "metrics/evaluation.hpp"
#include "metrics/freshness.hpp"
#include "metrics/rules.hpp"
#include "metrics/service_metrics.hpp"

namespace SQLite {
class Database;
}

namespace shd::metrics {

// The SQL of every aggregate, with its parameters (?1, ?2, ...) as the
// functions below bind them: one source for the engine and for the benchmark
// that times the same statements in the sqlite3 shell.
struct query_texts {
    const char* order_marketplaces;
    const char* message_marketplaces;
    const char* messages_to_default;
    const char* count_orders;
    const char* odr_defects;
    const char* cancellation;
    const char* late_dispatch;
    const char* valid_tracking;
    const char* responses;
    const char* message_facts;
};
const query_texts& sql_texts();

// Counts per (marketplace, channel, day bucket).
class day_buckets {
  public:
    void add(const std::string& marketplace_id, const std::string& channel, std::int64_t day,
             const row_counts& counts);
    // The sum over buckets [first_day, first_day + day_count).
    row_counts sum(const std::string& marketplace_id, const std::string& channel,
                   std::int64_t first_day, std::int64_t day_count) const;
    // Bucket by bucket over [first_day, first_day + day_count): element i is
    // bucket first_day + i (zero counts for an empty one).
    std::vector<row_counts> each(const std::string& marketplace_id, const std::string& channel,
                                 std::int64_t first_day, std::int64_t day_count) const;
    // Marketplaces with at least one bucket.
    std::set<std::string> marketplaces() const;

  private:
    std::map<std::pair<std::string, std::string>, std::map<std::int64_t, row_counts>> buckets_;
};

// Marketplaces that get rows: those of every order with an Amazon marketplace,
// and the resolved marketplace of every message (its own, else its order's,
// else default_marketplace). Independent of T: rows exist for every
// marketplace in the database.
std::set<std::string> find_marketplaces(SQLite::Database& db,
                                        const std::string& default_marketplace);

// ODR denominator: orders of the channel purchased in `window` (and not after T).
std::int64_t count_orders(SQLite::Database& db, const std::string& marketplace_id,
                          const std::string& channel, const window_bounds& window, instant as_of);

// ODR numerator: orders purchased in (T - days, T] with at least one counting
// defect occurred at or before T, with components; channel MFN or AFN.
day_buckets odr_defect_buckets(SQLite::Database& db, instant as_of, int days);

// Cancellation rate of one MFN window: denominator = orders purchased in it,
// numerator = cancelled (order or any item) and not buyer-requested.
row_counts cancellation_counts(SQLite::Database& db, const std::string& marketplace_id,
                               const window_bounds& window, instant as_of);

// Late dispatch, by latest ship date in (T - days, T]; channel MFN.
day_buckets late_dispatch_buckets(SQLite::Database& db, instant as_of, int days);

// Valid tracking, by confirmation time in (T - days, T]; channel MFN.
day_buckets valid_tracking_buckets(SQLite::Database& db, instant as_of, int days);

// 24-hour response rate, by receipt time in (T - days, T]; channel "all".
day_buckets response_buckets(SQLite::Database& db, instant as_of, int days,
                             const std::string& default_marketplace);

// The messages received in (since, T], by receipt time then message ID, with
// their resolved marketplace (as response_buckets resolves it) and both
// no-response-needed flags. `since` nullopt: every message up to T.
std::vector<message_fact> load_message_facts(SQLite::Database& db, instant as_of,
                                             std::optional<instant> since,
                                             const std::string& default_marketplace);

// Every `feeds` row (migrations/0003_feeds.sql); empty when the database
// predates the table (a read-only status does not migrate).
std::vector<feed_arrival> load_feed_arrivals(SQLite::Database& db);

}  // namespace shd::metrics
