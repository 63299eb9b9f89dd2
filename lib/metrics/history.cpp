#include "metrics/history.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>

namespace shd::metrics {

namespace {

// Inserts (or replaces) every metric row of `e` at evaluated_at = e.as_of,
// inside the caller's transaction.
void insert_rows(SQLite::Database& handle, const evaluation& e) {
    SQLite::Statement insert(
        handle,
        "INSERT OR REPLACE INTO metric_results (evaluated_at, metric, marketplace_id, channel,"
        " window_days, numerator, denominator, rate, status, headroom)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    for (const auto& r : e.metrics) {
        insert.reset();
        insert.clearBindings();
        insert.bind(1, static_cast<std::int64_t>(to_unix(e.as_of)));
        insert.bind(2, std::string(definition(r.metric).name));
        insert.bind(3, r.marketplace_id);
        insert.bind(4, r.channel);
        insert.bind(5, r.window_days);
        insert.bind(6, r.numerator);
        insert.bind(7, r.denominator);
        if (r.rate)
            insert.bind(8, *r.rate);
        insert.bind(9, std::string(status_name(r.status)));
        if (r.headroom)
            insert.bind(10, *r.headroom);
        insert.exec();
    }
}

}  // namespace

result<std::size_t, error_message> store_results(store::database& db, const evaluation& e) {
    try {
        auto& handle = db.handle();
        SQLite::Transaction tx(handle, SQLite::TransactionBehavior::IMMEDIATE);
        insert_rows(handle, e);
        tx.commit();
        return e.metrics.size();
    } catch (const SQLite::Exception& ex) {
        return error_message{fmt::format("storing metric results failed: {}", ex.what())};
    }
}

result<replaced_counts, error_message> replace_results(store::database& db, const evaluation& e,
                                                       instant until) {
    try {
        auto& handle = db.handle();
        SQLite::Transaction tx(handle, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement remove(handle,
                                 "DELETE FROM metric_results WHERE evaluated_at > ?1"
                                 " AND evaluated_at < ?2");
        remove.bind(1, static_cast<std::int64_t>(to_unix(e.as_of)));
        remove.bind(2, static_cast<std::int64_t>(to_unix(until)));
        replaced_counts counts;
        counts.removed = static_cast<std::size_t>(remove.exec());
        insert_rows(handle, e);
        counts.written = e.metrics.size();
        tx.commit();
        return counts;
    } catch (const SQLite::Exception& ex) {
        return error_message{fmt::format("replacing metric results failed: {}", ex.what())};
    }
}

result<std::vector<instant>, error_message> stored_instants(store::database& db, instant from,
                                                            instant to) {
    try {
        SQLite::Statement q(db.handle(),
                            "SELECT DISTINCT evaluated_at FROM metric_results"
                            " WHERE evaluated_at >= ?1 AND evaluated_at <= ?2"
                            " ORDER BY evaluated_at");
        q.bind(1, static_cast<std::int64_t>(to_unix(from)));
        q.bind(2, static_cast<std::int64_t>(to_unix(to)));
        std::vector<instant> out;
        while (q.executeStep())
            out.push_back(from_unix(q.getColumn(0).getInt64()));
        return out;
    } catch (const SQLite::Exception& ex) {
        return error_message{fmt::format("reading metric results failed: {}", ex.what())};
    }
}

result<std::vector<stored_result>, error_message> load_results(store::database& db, instant from,
                                                               instant to) {
    try {
        SQLite::Statement q(db.handle(),
                            "SELECT evaluated_at, metric, marketplace_id, channel, window_days,"
                            " numerator, denominator, rate, status, headroom FROM metric_results"
                            " WHERE evaluated_at >= ?1 AND evaluated_at <= ?2");
        q.bind(1, static_cast<std::int64_t>(to_unix(from)));
        q.bind(2, static_cast<std::int64_t>(to_unix(to)));
        std::vector<stored_result> out;
        while (q.executeStep()) {
            const auto metric = metric_from_name(q.getColumn(1).getString());
            const auto status = status_from_name(q.getColumn(8).getString());
            if (!metric || !status)
                continue;
            stored_result r;
            r.evaluated_at = from_unix(q.getColumn(0).getInt64());
            r.metric = *metric;
            r.marketplace_id = q.getColumn(2).getString();
            r.channel = q.getColumn(3).getString();
            r.window_days = q.getColumn(4).getInt();
            r.numerator = q.getColumn(5).getInt64();
            r.denominator = q.getColumn(6).getInt64();
            if (!q.getColumn(7).isNull())
                r.rate = q.getColumn(7).getDouble();
            r.status = *status;
            if (!q.getColumn(9).isNull())
                r.headroom = q.getColumn(9).getInt64();
            out.push_back(std::move(r));
        }
        std::stable_sort(out.begin(), out.end(),
                         [](const stored_result& a, const stored_result& b) {
                             if (a.evaluated_at != b.evaluated_at)
                                 return a.evaluated_at < b.evaluated_at;
                             metric_result x, y;
                             x.metric = a.metric;
                             x.marketplace_id = a.marketplace_id;
                             x.channel = a.channel;
                             x.window_days = a.window_days;
                             y.metric = b.metric;
                             y.marketplace_id = b.marketplace_id;
                             y.channel = b.channel;
                             y.window_days = b.window_days;
                             return result_order(x, y);
                         });
        return out;
    } catch (const SQLite::Exception& ex) {
        return error_message{fmt::format("reading metric results failed: {}", ex.what())};
    }
}

}  // namespace shd::metrics
