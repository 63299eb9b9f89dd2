// The metric counts as of T, read from the counts the triggers keep
// (migrations/0004_counts.sql) plus the few records whose state depends on T.
//
// metric_counts holds every contribution as it stands once every recorded
// event has happened, bucketed by day and by hour ((b * span, (b + 1) * span]).
// A window (a, b] is then exact as:
//   the buckets covering it (whole days inside, hours of the edge days)
// - the records inside those buckets but outside the window (at most an hour
//   at each end; none when the ends are whole hours)
// + for the records that are different as of T than at the end of time, the
//   difference: a defect occurred after T, a shipment confirmed after T or not
//   confirmed with its latest ship date at T, an order purchased after T, a
//   message answered after T or waiting for less than 24 hours.
// The last two read records by their own dates near T, so the cost depends on
// what happened near T and at the windows' edges, not on the history's length.
//
// Throws SQLite::Exception; the engine converts it.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/time.hpp"

namespace SQLite {
class Database;
class Statement;
}  // namespace SQLite

namespace shd::metrics {

// The columns of metric_counts after its key, in order.
enum counter : int {
    orders,
    defective,
    negative_feedback,
    a_to_z_claim,
    chargeback,
    cancelled,
    dispatch_counted,
    dispatch_late,
    confirmed,
    tracked,
    messages,
    answerable,
    on_time,
};
inline constexpr int kCounters = 13;

struct counter_values {
    std::array<std::int64_t, kCounters> v{};
    std::int64_t operator[](counter c) const { return v[c]; }
    counter_values& operator+=(const counter_values& o) {
        for (int i = 0; i < kCounters; ++i)
            v[i] += o.v[i];
        return *this;
    }
    counter_values& operator-=(const counter_values& o) {
        for (int i = 0; i < kCounters; ++i)
            v[i] -= o.v[i];
        return *this;
    }
    bool operator==(const counter_values&) const = default;
};

// The views of migrations/0004_counts.sql, one per attribution date.
enum class count_arm { purchase, ship_by, promise, confirmed, message };

// True when the database has the kept counts (schema 4 or later); a read-only
// open of an older file has not been migrated.
bool has_kept_counts(SQLite::Database& db);

// True when few records are different as of T than at the end of time (at
// most `limit` of each kind: defects, confirmations and replies after T,
// seller-fulfilled orders purchased after T), so that the corrections the
// kept counts need stay cheap. False for a T deep in the past (a backfill of
// old days), where counting the windows from the records costs less. Each
// probe stops at `limit` rows.
bool few_records_after(SQLite::Database& db, instant as_of, std::int64_t limit);

class kept_counts {
  public:
    // `default_marketplace` receives the messages stored under '' (those
    // without a marketplace of their own or of their order).
    kept_counts(SQLite::Database& db, instant as_of, std::string default_marketplace);
    ~kept_counts();
    kept_counts(const kept_counts&) = delete;
    kept_counts& operator=(const kept_counts&) = delete;

    // Every marketplace with an order or a message (independent of T).
    std::set<std::string> marketplaces();

    // As of T, the counters of `arms` attributed to (a, b] for the
    // marketplace and channel ("MFN", "AFN" or "all"). Counters of other arms
    // are left 0.
    counter_values window(const std::string& marketplace_id, const std::string& channel,
                          std::int64_t a, std::int64_t b, const std::vector<count_arm>& arms);

  private:
    struct record_row {
        count_arm arm;
        std::string marketplace_id;  // '' already resolved to the default
        std::string channel;
        std::int64_t at;
        counter_values values;
    };

    counter_values bucket_sum(const std::string& key_marketplace, const std::string& channel,
                              std::int64_t span, std::int64_t first, std::int64_t last);
    counter_values covered(const std::string& marketplace_id, const std::string& channel,
                           std::int64_t first_hour, std::int64_t last_hour);
    // c_infinity of the arm's records with `at` in (lo, hi].
    const std::vector<record_row>& records_in(count_arm arm, const std::string& marketplace_id,
                                              const std::string& channel, std::int64_t lo,
                                              std::int64_t hi);
    void load_corrections();
    std::string resolve(std::string marketplace_id) const;

    SQLite::Database& db_;
    std::int64_t t_;
    std::string default_marketplace_;
    std::unique_ptr<SQLite::Statement> sum_;
    std::array<std::unique_ptr<SQLite::Statement>, 5> range_statements_;  // by count_arm
    std::map<std::tuple<count_arm, std::string, std::string, std::int64_t, std::int64_t>,
             std::vector<record_row>>
        ranges_;
    bool corrections_loaded_ = false;
    std::vector<record_row> corrections_;
};

}  // namespace shd::metrics
