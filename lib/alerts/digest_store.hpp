// The SQL of digest channels (migrations/0012_digests.sql) and the one
// insert of a notice into the outbox, prepared statements only. The alert
// cycle calls these inside its own transaction, so what a digest carries,
// the outbox row that sends it and the channel's new mark land together or
// not at all. SQLite errors are thrown as SQLite::Exception, as in the rest
// of the store code.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/digest_schedule.hpp"
#include "core/time.hpp"

namespace SQLite {
class Database;
}

namespace shd::alerts {

// One notice for one channel's outbox, in the state it starts in (pending,
// or held for quiet hours until `sendable`). Returns false when the channel
// already has a row with that key (a cycle run twice writes once).
struct outbox_insert {
    std::string channel_name;
    std::string idempotency_key;
    std::string payload;   // the notification's JSON
    std::string severity;  // the highest inside
    // When the row may first be sent: max_delivery_age counts from it, so a
    // notice held overnight is not given up before it was ever tried.
    instant sendable;
    bool held = false;
};
bool insert_outbox_row(SQLite::Database& db, const outbox_insert& row);

// One change a digest channel would have been sent, kept for its next digest.
struct digest_item {
    std::string fingerprint;
    std::string transition;
    std::string severity;
    std::string payload;   // the change's JSON
    std::string item_key;  // unique per channel: a cycle run twice records once
};
void record_digest_item(SQLite::Database& db, std::string_view channel, const digest_item& item,
                        instant decided_at);

// Until when the channel's digests have covered; nullopt for a channel that
// has never been a digest (start_digest_channel starts it).
std::optional<instant> digest_covered_until(SQLite::Database& db, std::string_view channel);
void start_digest_channel(SQLite::Database& db, std::string_view channel, instant now);

// The items no digest has carried yet, in the order decided; an unreadable
// item (a hand-edited file) is left out.
std::vector<recorded_change> open_digest_items(SQLite::Database& db, std::string_view channel);

// The open items are carried by the digest `digest_key`.
void carry_digest_items(SQLite::Database& db, std::string_view channel,
                        std::string_view digest_key);

// The channel is covered until `now` (its slot's local date kept for people),
// and items carried more than 30 days ago are dropped.
void advance_digest_channel(SQLite::Database& db, std::string_view channel, instant now,
                            std::string_view local_date);

}  // namespace shd::alerts
