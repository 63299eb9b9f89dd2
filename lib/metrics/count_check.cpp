#include "metrics/count_check.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <map>
#include <string>
#include <tuple>

namespace shd::metrics {
namespace {

constexpr const char* kCounterNames[kCounters] = {
    "orders",     "defective", "negative_feedback", "a_to_z_claim",
    "chargeback", "cancelled", "dispatch_counted",  "dispatch_late",
    "confirmed",  "tracked",   "messages",          "answerable",
    "on_time"};

#define SHD_SUMS                                                                           \
    "SUM(v.orders), SUM(v.defective), SUM(v.negative_feedback), SUM(v.a_to_z_claim),"      \
    " SUM(v.chargeback), SUM(v.cancelled), SUM(v.dispatch_counted), SUM(v.dispatch_late)," \
    " SUM(v.confirmed), SUM(v.tracked), SUM(v.messages), SUM(v.answerable), SUM(v.on_time)"

// The same bucket arithmetic as the triggers.
constexpr const char* kRecount =
    "SELECT sp.span, v.marketplace_id, v.channel,"
    " CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) "
    "END, " SHD_SUMS
    " FROM count_contributions AS v CROSS JOIN count_spans AS sp GROUP BY 1, 2, 3, 4";

// Orders named by a row that waits for them, not stored.
constexpr const char* kWaiting =
    "SELECT order_id FROM shipments UNION SELECT order_id FROM unshipped_orders"
    " UNION SELECT order_id FROM defects"
    " UNION SELECT order_id FROM messages"
    "  WHERE COALESCE(marketplace_id, '') = '' AND COALESCE(order_id, '') <> ''"
    " EXCEPT SELECT order_id FROM orders";

// An Unshipped row (u) whose flag says otherwise than the shipments table.
constexpr const char* kShippedWrong =
    "u.shipped <> EXISTS (SELECT 1 FROM shipments AS s WHERE s.order_id = u.order_id)";

// The shipped flags and counts_deferred exist from schema 9 on.
bool has_schema_9(SQLite::Database& db) {
    return db.tableExists("counts_deferred");
}

using bucket_key = std::tuple<std::int64_t, std::string, std::string, std::int64_t>;

std::map<bucket_key, counter_values> read_buckets(SQLite::Database& db, const char* sql) {
    std::map<bucket_key, counter_values> out;
    SQLite::Statement q(db, sql);
    while (q.executeStep()) {
        counter_values c;
        bool any = false;
        for (int i = 0; i < kCounters; ++i) {
            c.v[i] = q.getColumn(4 + i).getInt64();
            any = any || c.v[i] != 0;
        }
        if (!any)
            continue;  // a bucket that went back to zero is no bucket
        out.emplace(bucket_key{q.getColumn(0).getInt64(), q.getColumn(1).getString(),
                               q.getColumn(2).getString(), q.getColumn(3).getInt64()},
                    c);
    }
    return out;
}

}  // namespace

const char* counter_name(int index) {
    return kCounterNames[index];
}

count_check_report check_kept_counts(SQLite::Database& db) {
    count_check_report report;
    const auto recounted = read_buckets(db, kRecount);
    const auto kept = read_buckets(
        db,
        "SELECT span, marketplace_id, channel, bucket, orders, defective, negative_feedback,"
        " a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed,"
        " tracked, messages, answerable, on_time FROM metric_counts");
    report.buckets = static_cast<std::int64_t>(recounted.size());
    auto add = [&](const bucket_key& key, const counter_values& k, const counter_values& r) {
        report.drift.push_back(count_bucket_drift{std::get<0>(key), std::get<1>(key),
                                                  std::get<2>(key), std::get<3>(key), k, r});
    };
    for (const auto& [key, values] : recounted) {
        auto it = kept.find(key);
        const counter_values k = it == kept.end() ? counter_values{} : it->second;
        if (!(k == values))
            add(key, k, values);
    }
    for (const auto& [key, values] : kept) {
        if (!recounted.contains(key))
            add(key, values, counter_values{});
    }
    SQLite::Statement missing(db, std::string("SELECT COUNT(*) FROM (") + kWaiting +
                                      " EXCEPT SELECT order_id FROM unlinked_orders)");
    missing.executeStep();
    report.unlinked_missing = missing.getColumn(0).getInt64();
    if (has_schema_9(db)) {
        SQLite::Statement flags(
            db, std::string("SELECT COUNT(*) FROM unshipped_orders AS u WHERE ") + kShippedWrong);
        flags.executeStep();
        report.shipped_flag_wrong = flags.getColumn(0).getInt64();
        SQLite::Statement left(db, "SELECT COUNT(*) FROM counts_deferred");
        left.executeStep();
        report.deferral_left = left.getColumn(0).getInt64();
    }
    return report;
}

count_check_report repair_kept_counts(SQLite::Database& db) {
    {
        SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
        db.exec("DELETE FROM metric_counts");
        db.exec(std::string("INSERT INTO metric_counts(span, marketplace_id, channel, bucket,"
                            " orders, defective, negative_feedback, a_to_z_claim, chargeback,"
                            " cancelled, dispatch_counted, dispatch_late, confirmed, tracked,"
                            " messages, answerable, on_time) ") +
                kRecount);
        db.exec("DELETE FROM unlinked_orders");
        db.exec(std::string("INSERT INTO unlinked_orders(order_id) ") + kWaiting);
        if (has_schema_9(db)) {
            db.exec("DELETE FROM counts_deferred");
            db.exec("UPDATE unshipped_orders AS u SET shipped = 1 - shipped WHERE " +
                    std::string(kShippedWrong));
        }
        tx.commit();
    }
    return check_kept_counts(db);
}

}  // namespace shd::metrics
