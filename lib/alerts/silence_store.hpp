// The SQL of silences and acknowledgements (migrations/0011_silences.sql),
// prepared statements only. The commands (`silence`, `ack`) write through
// these while a daemon runs (WAL); the alert cycle reads them in its own
// transaction, so a silence added between two cycles applies to the next.
// SQLite errors are thrown as SQLite::Exception, as in the rest of the store
// code; callers turn them into messages.
#pragma once

#include <optional>
#include <vector>

#include "alerts/silences.hpp"

namespace SQLite {
class Database;
}

namespace shd::alerts {

// Inserts a silence (its id is ignored) and returns the new id.
long long insert_silence(SQLite::Database& db, const silence& s);

// Every silence, by id.
std::vector<silence> load_silences(SQLite::Database& db);

enum class expire_outcome { expired, already_ended, not_found };

// Ends a pending or active silence at `now`.
expire_outcome expire_silence(SQLite::Database& db, long long id, instant now);

// The pending and firing alerts (alert_states), by fingerprint.
std::vector<open_alert> load_open_alerts(SQLite::Database& db);

// The acknowledgements that have not ended.
std::vector<alert_ack> load_open_acks(SQLite::Database& db);

// Acknowledges an episode; acknowledging it again replaces the ack (a new
// severity, a new comment) and opens it again.
void insert_ack(SQLite::Database& db, const alert_ack& a);

// Ends, at `now`, the acks whose episode has ended or whose alert's severity
// is no longer the one acknowledged. Called by the cycle after it wrote the
// states.
void end_outdated_acks(SQLite::Database& db, instant now);

}  // namespace shd::alerts
