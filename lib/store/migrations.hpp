// Schema migrations: migrations/NNNN_name.sql, applied in order, each in one
// transaction, recorded in schema_migrations. Append-only: a landed migration
// is never edited; a change is a new file.
#pragma once

#include "core/result.hpp"

#include <span>
#include <string_view>

namespace SQLite {
class Database;
}

namespace shd::store {

struct migration {
    int version;
    std::string_view name;
    std::string_view sql;
};

// The migrations compiled into this binary, ascending by version.
std::span<const migration> bundled_migrations();

struct migrate_outcome {
    int from_version = 0;
    int to_version = 0;
    int applied = 0;
};

// Brings the database up to the newest of `migrations`. A database whose
// schema is newer than the newest known migration is refused (an older binary
// must not write into a schema it does not understand); so is one whose
// recorded migration names differ from ours (it belongs to another program).
result<migrate_outcome, error_message> migrate(SQLite::Database& db,
                                               std::span<const migration> migrations);

}  // namespace shd::store
