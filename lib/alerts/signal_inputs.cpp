#include "alerts/signal_inputs.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <string>

#include "metrics/reconcile.hpp"

namespace shd::alerts {
namespace {

std::optional<instant> optional_time(const SQLite::Column& c) {
    if (c.isNull())
        return std::nullopt;
    return from_unix(c.getInt64());
}

template <class T>
std::optional<T> optional_number(const SQLite::Column& c) {
    if (c.isNull())
        return std::nullopt;
    if constexpr (std::is_floating_point_v<T>)
        return c.getDouble();
    else
        return static_cast<T>(c.getInt64());
}

ingest::account_health_snapshot load_one(SQLite::Statement& metrics, SQLite::Statement& statuses,
                                         std::int64_t id, instant taken_at,
                                         const std::string& marketplace) {
    ingest::account_health_snapshot s;
    s.taken_at = taken_at;
    metrics.reset();
    metrics.bind(1, id);
    metrics.bind(2, marketplace);
    while (metrics.executeStep()) {
        ingest::account_health_metric_row m;
        m.marketplace_id = marketplace;
        m.metric = metrics.getColumn(0).getString();
        m.channel = metrics.getColumn(1).getString();
        m.rate = optional_number<double>(metrics.getColumn(2));
        m.status = metrics.getColumn(3).getString();
        m.target = optional_number<double>(metrics.getColumn(4));
        m.numerator = optional_number<long long>(metrics.getColumn(5));
        m.denominator = optional_number<long long>(metrics.getColumn(6));
        m.window_from = optional_time(metrics.getColumn(7));
        m.window_to = optional_time(metrics.getColumn(8));
        s.metrics.push_back(std::move(m));
    }
    statuses.reset();
    statuses.bind(1, id);
    statuses.bind(2, marketplace);
    while (statuses.executeStep())
        s.statuses.push_back({marketplace, statuses.getColumn(0).getString()});
    return s;
}

std::chrono::seconds interval_of(const config::sp_api_schedule& s, const std::string& source) {
    if (source == "orders")
        return s.orders;
    if (source == "finances")
        return s.finances;
    if (source == "feedback")
        return s.feedback;
    if (source == "performance")
        return s.performance;
    return std::chrono::seconds{0};  // backfill, first pass, catch-up: no schedule of their own
}

}  // namespace

std::vector<marketplace_snapshots> load_snapshot_pairs(SQLite::Database& db, instant as_of) {
    // The two newest snapshots per marketplace among those that mention it,
    // ties broken by the later import.
    SQLite::Statement newest(db,
                             std::string(metrics::kRankedSnapshotsSql) +
                                 " SELECT marketplace_id, id, taken_at, n FROM ranked WHERE n <= 2"
                                 " ORDER BY marketplace_id, n");
    newest.bind(1, static_cast<std::int64_t>(to_unix(as_of)));
    SQLite::Statement metrics(
        db,
        "SELECT metric, channel, rate, COALESCE(status, ''), target, numerator, denominator,"
        " window_from, window_to FROM account_health_metrics"
        " WHERE snapshot_id = ?1 AND marketplace_id = ?2 ORDER BY metric, channel, window_to");
    SQLite::Statement statuses(
        db, "SELECT status FROM account_statuses WHERE snapshot_id = ?1 AND marketplace_id = ?2");
    std::vector<marketplace_snapshots> out;
    while (newest.executeStep()) {
        const std::string marketplace = newest.getColumn(0).getString();
        const auto snapshot = load_one(metrics, statuses, newest.getColumn(1).getInt64(),
                                       from_unix(newest.getColumn(2).getInt64()), marketplace);
        if (newest.getColumn(3).getInt() == 1) {
            out.push_back({marketplace, snapshot, std::nullopt});
        } else if (!out.empty() && out.back().marketplace_id == marketplace) {
            out.back().previous = snapshot;
        }
    }
    return out;
}

access_health load_access_health(SQLite::Database& db, const config::config& cfg) {
    access_health h;
    if (!cfg.sp_api)
        return h;
    if (!cfg.sp_api->client_secret_expires.empty())
        h.client_secret_expires = parse_iso8601(cfg.sp_api->client_secret_expires + "T00:00:00Z");
    // Every source uses the same token: the newest attempt says whether Login
    // with Amazon accepts the credentials now (a refusal of the orders poll
    // is over once the finances poll got a token).
    SQLite::Statement q(db,
                        "SELECT source, marketplace_id, last_success_at, first_attempt_at,"
                        " auth_refused, COALESCE(last_error, ''), last_attempt_at,"
                        " last_attempt_at = (SELECT MAX(last_attempt_at) FROM spapi_sources)"
                        " FROM spapi_sources ORDER BY source, marketplace_id");
    while (q.executeStep()) {
        const std::string source = q.getColumn(0).getString();
        const std::string marketplace = q.getColumn(1).getString();
        const bool newest = !q.getColumn(7).isNull() && q.getColumn(7).getInt() != 0;
        if (newest && q.getColumn(4).getInt() != 0 && !h.auth_refused) {
            h.auth_refused = true;
            // The code Login with Amazon gave, never the error text's rest.
            const std::string error = q.getColumn(5).getString();
            for (const char* code : {"invalid_grant", "invalid_client", "unauthorized_client"}) {
                if (error.find(code) != std::string::npos) {
                    h.auth_error = code;
                    break;
                }
            }
        }
        const auto interval = interval_of(cfg.sp_api->schedule, source);
        if (interval.count() <= 0)
            continue;
        // A marketplace no longer configured is no longer fetched.
        if (!marketplace.empty() &&
            std::find(cfg.sp_api->marketplaces.begin(), cfg.sp_api->marketplaces.end(),
                      marketplace) == cfg.sp_api->marketplaces.end())
            continue;
        h.sources.push_back({source, marketplace, interval, optional_time(q.getColumn(2)),
                             optional_time(q.getColumn(3))});
    }
    return h;
}

}  // namespace shd::alerts
