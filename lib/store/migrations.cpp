#include "store/migrations.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdint>

namespace shd::store {

result<migrate_outcome, error_message> migrate(SQLite::Database& db,
                                               std::span<const migration> migrations) {
    try {
        db.exec(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL,"
            " applied_at INTEGER NOT NULL)");

        migrate_outcome out;
        const int newest_known = migrations.empty() ? 0 : migrations.back().version;
        {
            SQLite::Statement q(db, "SELECT version, name FROM schema_migrations ORDER BY version");
            while (q.executeStep()) {
                const int version = q.getColumn(0).getInt();
                const std::string name = q.getColumn(1).getString();
                out.from_version = version;
                if (version > newest_known) {
                    return error_message{fmt::format(
                        "database schema version {} is newer than this seller-healthd "
                        "understands (up to {}); upgrade seller-healthd or use a backup made "
                        "with this version",
                        version, newest_known)};
                }
                bool matched = false;
                for (const auto& m : migrations) {
                    if (m.version == version) {
                        matched = m.name == name;
                        break;
                    }
                }
                if (!matched) {
                    return error_message{fmt::format(
                        "database records migration {} '{}', which this seller-healthd does not "
                        "have; is this a seller-healthd database?",
                        version, name)};
                }
            }
        }
        out.to_version = out.from_version;

        for (const auto& m : migrations) {
            if (m.version <= out.from_version) continue;
            SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
            db.exec(std::string(m.sql));
            SQLite::Statement rec(
                db, "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)");
            rec.bind(1, m.version);
            rec.bind(2, std::string(m.name));
            rec.bind(3, static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                                      std::chrono::system_clock::now().time_since_epoch())
                                                      .count()));
            rec.exec();
            tx.commit();
            out.to_version = m.version;
            ++out.applied;
        }
        return out;
    } catch (const SQLite::Exception& e) {
        return error_message{fmt::format("migrating the database failed: {}", e.what())};
    }
}

}  // namespace shd::store
