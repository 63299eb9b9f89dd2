#include "service/dashboard_data.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <cstdint>

#include "alerts/silence_store.hpp"
#include "alerts/silences.hpp"
#include "metrics/history.hpp"

namespace shd::service {

namespace {

// Silences in force, and which firing alerts are acknowledged or silenced
// (alerts/silences.hpp), as of the cycle.
void load_quiet(store::database& db, instant as_of, web::snapshot& out) {
    const auto silences = alerts::load_silences(db.handle());
    const auto quiet = alerts::quiet_alerts(alerts::load_open_alerts(db.handle()), silences,
                                            alerts::load_open_acks(db.handle()), as_of);
    out.silences.clear();
    for (const auto& s : silences) {
        const auto state = alerts::state_at(s, as_of);
        if (state == alerts::silence_state::expired)
            continue;
        out.silences.push_back({s.id, std::string(alerts::silence_state_name(state)),
                                alerts::matchers_text(s.matchers), s.starts_at,
                                s.expired_at ? std::min(s.ends_at, *s.expired_at) : s.ends_at,
                                s.comment, s.created_by});
    }
    std::int64_t acknowledged = 0;
    std::int64_t silenced = 0;
    for (const auto& q : quiet) {
        if (q.alert.state != "firing")
            continue;
        acknowledged += q.ack ? 1 : 0;
        silenced += q.silenced_by ? 1 : 0;
        for (auto& a : out.alerts) {
            if (a.fingerprint == q.alert.fingerprint && a.state == "firing") {
                a.acknowledged = q.ack.has_value();
                a.silenced_by = q.silenced_by;
            }
        }
    }
    out.counters.alerts_acknowledged = acknowledged;
    out.counters.alerts_silenced = silenced;
}

}  // namespace

result<void, error_message> load_dashboard_data(store::database& db, instant as_of,
                                                web::snapshot& out, bool with_history) {
    if (with_history) {
        auto history =
            metrics::load_results(db, as_of - std::chrono::days{web::kHistoryDays}, as_of);
        if (!history)
            return history.error();
        out.history = std::move(*history);
    }
    try {
        out.alerts.clear();
        // An alert on Amazon's signals keeps its title, values included, in
        // last_observation (alerts/cycle.cpp).
        SQLite::Statement open_alerts(
            db.handle(),
            "SELECT fingerprint, kind, severity, state, episode_start,"
            " CASE WHEN kind IN ('account_status', 'ahr_status', 'policy_violations',"
            "  'amazon_divergence', 'sp_api_auth', 'sp_api_secret_expiry', 'sp_api_source')"
            "  AND json_valid(last_observation)"
            "  THEN COALESCE(json_extract(last_observation, '$.title'), '') ELSE '' END"
            " FROM alert_states ORDER BY episode_start DESC, fingerprint LIMIT ?1");
        open_alerts.bind(1, static_cast<std::int64_t>(web::kRecentAlerts));
        while (open_alerts.executeStep()) {
            out.alerts.push_back(web::recent_alert{
                open_alerts.getColumn(0).getString(), open_alerts.getColumn(1).getString(),
                open_alerts.getColumn(2).getString(), open_alerts.getColumn(3).getString(),
                from_unix(open_alerts.getColumn(4).getInt64()), std::nullopt,
                open_alerts.getColumn(5).getString()});
        }
        const std::size_t room = web::kRecentAlerts - out.alerts.size();
        if (room > 0) {
            SQLite::Statement ended(db.handle(),
                                    "SELECT fingerprint, severity, episode_start, resolved_at"
                                    " FROM alert_history ORDER BY resolved_at DESC, fingerprint"
                                    " LIMIT ?1");
            ended.bind(1, static_cast<std::int64_t>(room));
            while (ended.executeStep()) {
                const std::string fingerprint = ended.getColumn(0).getString();
                // The kind is the fingerprint's first part for every kind but
                // metric alerts, whose first part is the metric's name.
                const std::string first = fingerprint.substr(0, fingerprint.find('|'));
                const bool known_kind = first == "message_deadline" || first == "ship_deadline" ||
                                        first == "stale_data" || first == "account_status" ||
                                        first == "ahr_status" || first == "policy_violations" ||
                                        first == "amazon_divergence" || first == "sp_api_auth" ||
                                        first == "sp_api_secret_expiry" || first == "sp_api_source";
                out.alerts.push_back(web::recent_alert{fingerprint, known_kind ? first : "metric",
                                                       ended.getColumn(1).getString(), "resolved",
                                                       from_unix(ended.getColumn(2).getInt64()),
                                                       from_unix(ended.getColumn(3).getInt64())});
            }
        }
        load_quiet(db, as_of, out);
        SQLite::Statement active(db.handle(),
                                 "SELECT severity, COUNT(*) FROM alert_states GROUP BY severity");
        out.counters.active_at_risk = 0;
        out.counters.active_breached = 0;
        while (active.executeStep()) {
            const std::string severity = active.getColumn(0).getString();
            const std::int64_t count = active.getColumn(1).getInt64();
            if (severity == "breached")
                out.counters.active_breached = count;
            else
                out.counters.active_at_risk = *out.counters.active_at_risk + count;
        }
        SQLite::Statement last_import(db.handle(), "SELECT MAX(imported_at) FROM imports");
        if (last_import.executeStep() && !last_import.getColumn(0).isNull())
            out.counters.last_import_at = from_unix(last_import.getColumn(0).getInt64());
        SQLite::Statement pending(db.handle(),
                                  "SELECT COUNT(*) FROM outbox"
                                  " WHERE delivered_at IS NULL AND dead_at IS NULL");
        if (pending.executeStep())
            out.counters.outbox_pending = pending.getColumn(0).getInt64();
    } catch (const SQLite::Exception& e) {
        return error_message{std::string("reading the dashboard's data failed: ") + e.what()};
    }
    return {};
}

}  // namespace shd::service
