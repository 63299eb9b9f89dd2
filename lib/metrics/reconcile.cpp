#include "metrics/reconcile.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <tuple>

namespace shd::metrics {
namespace {

template <class T>
std::optional<T> optional_column(SQLite::Statement& q, int i);

template <>
std::optional<double> optional_column<double>(SQLite::Statement& q, int i) {
    if (q.getColumn(i).isNull())
        return std::nullopt;
    return q.getColumn(i).getDouble();
}

template <>
std::optional<std::int64_t> optional_column<std::int64_t>(SQLite::Statement& q, int i) {
    if (q.getColumn(i).isNull())
        return std::nullopt;
    return q.getColumn(i).getInt64();
}

// A rate difference this small is rounding in Amazon's or our arithmetic,
// not a disagreement: it keeps 0.015 - 0.010 from counting as > 0.005.
constexpr double kRoundingSlack = 1e-12;

}  // namespace

const char* const kRankedSnapshotsSql =
    "WITH mentions AS ("
    "  SELECT snapshot_id, marketplace_id FROM account_health_metrics"
    "  UNION SELECT snapshot_id, marketplace_id FROM account_statuses),"
    " ranked AS ("
    "  SELECT m.marketplace_id, s.id, s.taken_at,"
    "   ROW_NUMBER() OVER (PARTITION BY m.marketplace_id"
    "                      ORDER BY s.taken_at DESC, s.id DESC) AS n"
    "  FROM mentions m JOIN account_health_snapshots s ON s.id = m.snapshot_id"
    "  WHERE s.taken_at <= ?1)";

std::vector<amazon_snapshot> load_amazon_snapshots(SQLite::Database& db, instant as_of) {
    // The newest snapshot per marketplace among those that mention it (in a
    // metric or an account status), ties broken by the later import.
    SQLite::Statement newest(db,
                             std::string(kRankedSnapshotsSql) +
                                 " SELECT r.marketplace_id, r.id, r.taken_at, a.status"
                                 " FROM ranked r LEFT JOIN account_statuses a"
                                 "  ON a.snapshot_id = r.id AND a.marketplace_id = r.marketplace_id"
                                 " WHERE r.n = 1 ORDER BY r.marketplace_id");
    newest.bind(1, static_cast<std::int64_t>(to_unix(as_of)));
    std::vector<amazon_snapshot> out;
    while (newest.executeStep()) {
        amazon_snapshot s;
        s.marketplace_id = newest.getColumn(0).getString();
        s.snapshot_id = newest.getColumn(1).getInt64();
        s.taken_at = from_unix(newest.getColumn(2).getInt64());
        if (!newest.getColumn(3).isNull())
            s.account_status = newest.getColumn(3).getString();
        out.push_back(std::move(s));
    }

    SQLite::Statement metrics(
        db,
        "SELECT metric, channel, rate, COALESCE(status, ''), target, numerator, denominator,"
        " window_from, window_to FROM account_health_metrics"
        " WHERE snapshot_id = ?1 AND marketplace_id = ?2"
        " ORDER BY metric, channel, window_to");
    for (auto& s : out) {
        metrics.reset();
        metrics.bind(1, s.snapshot_id);
        metrics.bind(2, s.marketplace_id);
        while (metrics.executeStep()) {
            amazon_metric m;
            m.metric = metrics.getColumn(0).getString();
            m.channel = metrics.getColumn(1).getString();
            m.rate = optional_column<double>(metrics, 2);
            m.status = metrics.getColumn(3).getString();
            m.target = optional_column<double>(metrics, 4);
            m.numerator = optional_column<std::int64_t>(metrics, 5);
            m.denominator = optional_column<std::int64_t>(metrics, 6);
            if (auto from = optional_column<std::int64_t>(metrics, 7)) {
                m.window_from = from_unix(*from);
            }
            if (auto to = optional_column<std::int64_t>(metrics, 8))
                m.window_to = from_unix(*to);
            s.metrics.push_back(std::move(m));
        }
    }
    return out;
}

std::vector<amazon_snapshot> reconcile(std::vector<amazon_snapshot> snapshots,
                                       const std::vector<metric_result>& ours, double tolerance) {
    for (auto& s : snapshots) {
        for (auto& m : s.metrics) {
            std::optional<int> amazon_days;
            if (m.window_from && m.window_to && *m.window_to > *m.window_from) {
                amazon_days = static_cast<int>(std::lround(
                    std::chrono::duration<double>(*m.window_to - *m.window_from).count() /
                    86400.0));
            }
            const metric_result* match = nullptr;
            for (const auto& r : ours) {
                if (r.marketplace_id != s.marketplace_id || definition(r.metric).name != m.metric ||
                    r.channel != m.channel) {
                    continue;
                }
                // `ours` is sorted by window ascending, so the first of equally
                // close windows is the shorter one.
                if (match == nullptr ||
                    (amazon_days && std::abs(r.window_days - *amazon_days) <
                                        std::abs(match->window_days - *amazon_days))) {
                    match = &r;
                }
            }
            if (match == nullptr)
                continue;
            m.our_window_days = match->window_days;
            m.our_rate = match->rate;
            if (m.rate && match->rate) {
                m.difference = *match->rate - *m.rate;
                m.flagged = std::fabs(*m.difference) > tolerance + kRoundingSlack;
            }
        }
    }
    return snapshots;
}

}  // namespace shd::metrics
