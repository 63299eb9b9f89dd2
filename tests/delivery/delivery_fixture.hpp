// Shared pieces of the delivery tests: sample notifications, and outbox rows
// written and read with plain SQL on a real SQLite file.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <optional>
#include <string>

#include "alerts/notification.hpp"
#include "config/config.hpp"
#include "core/time.hpp"
#include "store/database.hpp"

namespace shd::delivery::testing {

inline alerts::alert_change sample_change(std::string state = "firing",
                                          std::string severity = "breached") {
    alerts::alert_change a;
    a.kind = "metric";
    a.fingerprint = "late_dispatch_rate|ATVPDKIKX0DER|MFN|10";
    a.metric = "late_dispatch_rate";
    a.marketplace = "ATVPDKIKX0DER";
    a.channel = "MFN";
    a.window_days = 10;
    a.state = std::move(state);
    a.severity = std::move(severity);
    a.transition = a.state;
    a.rate = 0.046;
    a.warn = 0.03;
    a.target = 0.04;
    a.numerator = 9;
    a.denominator = 196;
    a.headroom = 0;
    a.low_volume = false;
    a.since = *parse_iso8601("2026-03-01T14:05:00Z");
    a.title = "[BREACHED] Late dispatch rate 4.6% > 4% (US, 10 days)";
    a.headroom_text = "Past the target by 2 late dispatches";
    a.advice = "Confirm shipments on time.";
    a.caveat = "";
    return a;
}

inline alerts::notification sample_notification(std::string key = "key-1") {
    alerts::notification n;
    n.idempotency_key = std::move(key);
    n.account = "Acme Store";
    n.created_at = *parse_iso8601("2026-03-01T14:05:00Z");
    n.alerts.push_back(sample_change());
    n.upcoming = {"3 orders must ship within 24 h (US)"};
    return n;
}

inline config::alert_channel webhook_channel(std::string name, std::string url) {
    config::alert_channel c;
    c.name = std::move(name);
    c.type = "webhook";
    c.url = std::move(url);
    c.timeout = std::chrono::seconds{1};
    return c;
}

// A notification of one change of the alert `fingerprint`.
inline alerts::notification notice_of(std::string key, std::string fingerprint,
                                      std::string state = "firing",
                                      std::string severity = "at_risk") {
    auto n = sample_notification(std::move(key));
    n.alerts.at(0).fingerprint = std::move(fingerprint);
    n.alerts.at(0).state = std::move(state);
    n.alerts.at(0).severity = std::move(severity);
    return n;
}

// Inserts an outbox row the way the alert cycle does; returns its id. A
// not_before after created_at is a row held for quiet hours.
inline std::int64_t insert_row(store::database& db, const std::string& channel,
                               const alerts::notification& n, instant created_at,
                               std::optional<instant> not_before = std::nullopt) {
    SQLite::Statement q(db.handle(),
                        "INSERT INTO outbox (channel_name, idempotency_key, payload, severity,"
                        " created_at, not_before, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    q.bind(1, channel);
    q.bind(2, n.idempotency_key);
    q.bind(3, alerts::to_json(n));
    q.bind(4, alerts::highest_severity(n));
    q.bind(5, static_cast<std::int64_t>(to_unix(created_at)));
    q.bind(6, static_cast<std::int64_t>(to_unix(not_before.value_or(created_at))));
    q.bind(7, not_before && *not_before > created_at ? "held" : "pending");
    q.exec();
    return db.handle().getLastInsertRowid();
}

struct row_state {
    std::string state;
    int attempts = 0;
    instant not_before;
    std::optional<instant> delivered_at;
    std::optional<instant> dead_at;
    std::string last_error;
};

inline row_state read_row(store::database& db, std::int64_t id) {
    SQLite::Statement q(
        db.handle(),
        "SELECT attempts, not_before, delivered_at, dead_at, last_error, state FROM outbox"
        " WHERE id = ?1");
    q.bind(1, id);
    if (!q.executeStep())
        throw std::runtime_error("no outbox row " + std::to_string(id));
    row_state r;
    r.attempts = q.getColumn(0).getInt();
    r.not_before = from_unix(q.getColumn(1).getInt64());
    if (!q.getColumn(2).isNull())
        r.delivered_at = from_unix(q.getColumn(2).getInt64());
    if (!q.getColumn(3).isNull())
        r.dead_at = from_unix(q.getColumn(3).getInt64());
    if (!q.getColumn(4).isNull())
        r.last_error = q.getColumn(4).getString();
    r.state = q.getColumn(5).getString();
    return r;
}

}  // namespace shd::delivery::testing
