#include "store/database.hpp"

#include "store/migrations.hpp"

#include <SQLiteCpp/Database.h>
#include <fmt/format.h>

namespace shd::store {

database::database(std::unique_ptr<SQLite::Database> db, std::filesystem::path path, int version)
    : db_(std::move(db)), path_(std::move(path)), schema_version_(version) {}
database::database(database&&) noexcept = default;
database& database::operator=(database&&) noexcept = default;
database::~database() = default;

result<database, error_message> database::open(const std::filesystem::path& path,
                                               open_options options) {
    try {
        if (!options.read_only && path.has_parent_path()) {
            std::error_code ec;
            std::filesystem::create_directories(path.parent_path(), ec);
            if (ec) {
                return error_message{fmt::format("cannot create folder {}: {}",
                                                 path.parent_path().string(), ec.message())};
            }
        }
        if (options.read_only && !std::filesystem::exists(path)) {
            return error_message{fmt::format(
                "database {} does not exist yet (import something first)", path.string())};
        }
        const int flags = options.read_only ? SQLite::OPEN_READONLY
                                            : (SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        auto db = std::make_unique<SQLite::Database>(path.string(), flags, options.busy_timeout_ms);
        db->exec("PRAGMA foreign_keys = ON");
        if (!options.read_only) {
            db->exec("PRAGMA journal_mode = WAL");
            // NORMAL in WAL mode is durable across application crashes; only an
            // OS crash or power loss can lose the last commits, never corrupt.
            db->exec("PRAGMA synchronous = NORMAL");
        }
        int version = 0;
        if (options.read_only) {
            // A reader does not migrate; it only checks it understands the schema.
            auto newest = bundled_migrations().back().version;
            if (db->tableExists("schema_migrations")) {
                version = db->execAndGet("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
                              .getInt();
            }
            if (version > newest) {
                return error_message{fmt::format(
                    "database schema version {} is newer than this seller-healthd understands "
                    "(up to {}); upgrade seller-healthd",
                    version, newest)};
            }
            if (version < newest) {
                return error_message{fmt::format(
                    "database schema version {} is older than this seller-healthd's ({}); run "
                    "`seller-healthd import` or `run` once to migrate it",
                    version, newest)};
            }
        } else {
            auto migrated = migrate(*db, bundled_migrations());
            if (!migrated) return migrated.error();
            version = migrated->to_version;
        }
        return database(std::move(db), path, version);
    } catch (const SQLite::Exception& e) {
        return error_message{fmt::format("cannot open database {}: {}", path.string(), e.what())};
    }
}

}  // namespace shd::store
