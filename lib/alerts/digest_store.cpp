#include "alerts/digest_store.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <chrono>
#include <cstdint>

#include "alerts/notification.hpp"

namespace shd::alerts {
namespace {

std::int64_t unix_of(instant t) {
    return static_cast<std::int64_t>(to_unix(t));
}

}  // namespace

bool insert_outbox_row(SQLite::Database& db, const outbox_insert& row) {
    SQLite::Statement insert(
        db,
        "INSERT OR IGNORE INTO outbox (channel_name, idempotency_key, payload, severity,"
        " created_at, not_before, state) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)");
    insert.bind(1, row.channel_name);
    insert.bind(2, row.idempotency_key);
    insert.bind(3, row.payload);
    insert.bind(4, row.severity);
    insert.bind(5, unix_of(row.sendable));
    insert.bind(6, row.held ? "held" : "pending");
    return insert.exec() > 0;
}

void record_digest_item(SQLite::Database& db, std::string_view channel, const digest_item& item,
                        instant decided_at) {
    SQLite::Statement insert(db,
                             "INSERT OR IGNORE INTO digest_items (channel_name, fingerprint,"
                             " transition, severity, decided_at, payload, item_key)"
                             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    insert.bind(1, std::string(channel));
    insert.bind(2, item.fingerprint);
    insert.bind(3, item.transition);
    insert.bind(4, item.severity);
    insert.bind(5, unix_of(decided_at));
    insert.bind(6, item.payload);
    insert.bind(7, item.item_key);
    insert.exec();
}

std::optional<instant> digest_covered_until(SQLite::Database& db, std::string_view channel) {
    SQLite::Statement q(db, "SELECT covered_until FROM digest_channels WHERE channel_name = ?1");
    q.bind(1, std::string(channel));
    if (q.executeStep())
        return from_unix(q.getColumn(0).getInt64());
    return std::nullopt;
}

void start_digest_channel(SQLite::Database& db, std::string_view channel, instant now) {
    SQLite::Statement insert(
        db, "INSERT INTO digest_channels (channel_name, covered_until) VALUES (?1, ?2)");
    insert.bind(1, std::string(channel));
    insert.bind(2, unix_of(now));
    insert.exec();
}

std::vector<recorded_change> open_digest_items(SQLite::Database& db, std::string_view channel) {
    SQLite::Statement q(db,
                        "SELECT payload, decided_at FROM digest_items WHERE"
                        " channel_name = ?1 AND digest_key IS NULL ORDER BY decided_at, id");
    q.bind(1, std::string(channel));
    std::vector<recorded_change> changes;
    while (q.executeStep()) {
        auto change = alert_change_from_json(q.getColumn(0).getString());
        if (change)
            changes.push_back({std::move(*change), from_unix(q.getColumn(1).getInt64())});
    }
    return changes;
}

void carry_digest_items(SQLite::Database& db, std::string_view channel,
                        std::string_view digest_key) {
    SQLite::Statement carried(db,
                              "UPDATE digest_items SET digest_key = ?2 WHERE"
                              " channel_name = ?1 AND digest_key IS NULL");
    carried.bind(1, std::string(channel));
    carried.bind(2, std::string(digest_key));
    carried.exec();
}

void advance_digest_channel(SQLite::Database& db, std::string_view channel, instant now,
                            std::string_view local_date) {
    SQLite::Statement update(db,
                             "UPDATE digest_channels SET covered_until = ?2,"
                             " last_local_date = ?3 WHERE channel_name = ?1");
    update.bind(1, std::string(channel));
    update.bind(2, unix_of(now));
    update.bind(3, std::string(local_date));
    update.exec();
    // Items already carried are kept a month, for a look at what was sent.
    SQLite::Statement prune(db,
                            "DELETE FROM digest_items WHERE channel_name = ?1 AND digest_key"
                            " IS NOT NULL AND decided_at < ?2");
    prune.bind(1, std::string(channel));
    prune.bind(2, unix_of(now - std::chrono::hours(24 * 30)));
    prune.exec();
}

}  // namespace shd::alerts
