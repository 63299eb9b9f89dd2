#include "alerts/silence_store.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <stdexcept>

namespace shd::alerts {
namespace {

std::int64_t unix_of(instant t) {
    return static_cast<std::int64_t>(to_unix(t));
}

std::optional<instant> optional_time(const SQLite::Column& c) {
    if (c.isNull())
        return std::nullopt;
    return from_unix(c.getInt64());
}

}  // namespace

long long insert_silence(SQLite::Database& db, const silence& s) {
    SQLite::Statement q(db,
                        "INSERT INTO silences (matchers, starts_at, ends_at, comment, created_by,"
                        " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    q.bind(1, matchers_json(s.matchers));
    q.bind(2, unix_of(s.starts_at));
    q.bind(3, unix_of(s.ends_at));
    q.bind(4, s.comment);
    q.bind(5, s.created_by);
    q.bind(6, unix_of(s.created_at));
    q.exec();
    return static_cast<long long>(db.getLastInsertRowid());
}

std::vector<silence> load_silences(SQLite::Database& db) {
    std::vector<silence> out;
    SQLite::Statement q(db,
                        "SELECT id, matchers, starts_at, ends_at, comment, created_by, created_at,"
                        " expired_at FROM silences ORDER BY id");
    while (q.executeStep()) {
        silence s;
        s.id = q.getColumn(0).getInt64();
        auto matchers = matchers_from_json(q.getColumn(1).getString());
        if (!matchers) {
            // Written only by insert_silence: unreadable means a hand-edited file.
            throw std::logic_error("silence " + std::to_string(s.id) + ": " +
                                   matchers.error().text);
        }
        s.matchers = std::move(*matchers);
        s.starts_at = from_unix(q.getColumn(2).getInt64());
        s.ends_at = from_unix(q.getColumn(3).getInt64());
        s.comment = q.getColumn(4).getString();
        s.created_by = q.getColumn(5).getString();
        s.created_at = from_unix(q.getColumn(6).getInt64());
        s.expired_at = optional_time(q.getColumn(7));
        out.push_back(std::move(s));
    }
    return out;
}

expire_outcome expire_silence(SQLite::Database& db, long long id, instant now) {
    SQLite::Statement update(db,
                             "UPDATE silences SET expired_at = ?2 WHERE id = ?1 AND ends_at > ?2"
                             " AND (expired_at IS NULL OR expired_at > ?2)");
    update.bind(1, static_cast<std::int64_t>(id));
    update.bind(2, unix_of(now));
    if (update.exec() > 0)
        return expire_outcome::expired;
    SQLite::Statement exists(db, "SELECT 1 FROM silences WHERE id = ?1");
    exists.bind(1, static_cast<std::int64_t>(id));
    return exists.executeStep() ? expire_outcome::already_ended : expire_outcome::not_found;
}

std::vector<open_alert> load_open_alerts(SQLite::Database& db) {
    std::vector<open_alert> out;
    SQLite::Statement q(
        db,
        "SELECT fingerprint, kind, state, severity, episode_start, last_notified_at,"
        " last_observation FROM alert_states ORDER BY fingerprint");
    while (q.executeStep()) {
        open_alert a;
        a.fingerprint = q.getColumn(0).getString();
        a.kind = q.getColumn(1).getString();
        a.state = q.getColumn(2).getString();
        a.severity = q.getColumn(3).getString();
        a.episode_start = from_unix(q.getColumn(4).getInt64());
        a.last_notified_at = optional_time(q.getColumn(5));
        if (!q.getColumn(6).isNull())
            a.last_observation = q.getColumn(6).getString();
        out.push_back(std::move(a));
    }
    return out;
}

std::vector<alert_ack> load_open_acks(SQLite::Database& db) {
    std::vector<alert_ack> out;
    SQLite::Statement q(db,
                        "SELECT fingerprint, episode_start, acked_severity, acked_at, comment,"
                        " created_by FROM alert_acks WHERE ended_at IS NULL ORDER BY fingerprint");
    while (q.executeStep()) {
        alert_ack a;
        a.fingerprint = q.getColumn(0).getString();
        a.episode_start = from_unix(q.getColumn(1).getInt64());
        a.acked_severity =
            severity_from_name(q.getColumn(2).getString()).value_or(severity::at_risk);
        a.acked_at = from_unix(q.getColumn(3).getInt64());
        a.comment = q.getColumn(4).getString();
        a.created_by = q.getColumn(5).getString();
        out.push_back(std::move(a));
    }
    return out;
}

void insert_ack(SQLite::Database& db, const alert_ack& a) {
    SQLite::Statement q(db,
                        "INSERT OR REPLACE INTO alert_acks (fingerprint, episode_start,"
                        " acked_severity, acked_at, comment, created_by, ended_at)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL)");
    q.bind(1, a.fingerprint);
    q.bind(2, unix_of(a.episode_start));
    q.bind(3, std::string(severity_name(a.acked_severity)));
    q.bind(4, unix_of(a.acked_at));
    q.bind(5, a.comment);
    q.bind(6, a.created_by);
    q.exec();
}

void end_outdated_acks(SQLite::Database& db, instant now) {
    SQLite::Statement q(
        db,
        "UPDATE alert_acks SET ended_at = ?1 WHERE ended_at IS NULL AND NOT EXISTS"
        " (SELECT 1 FROM alert_states s WHERE s.fingerprint = alert_acks.fingerprint"
        " AND s.episode_start = alert_acks.episode_start"
        " AND s.severity = alert_acks.acked_severity)");
    q.bind(1, unix_of(now));
    q.exec();
}

}  // namespace shd::alerts
