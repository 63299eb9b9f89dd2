// The one SQLite file: opened with WAL, foreign keys on and a busy timeout,
// migrated to this binary's schema before anything else touches it.
//
// Thread safety: a database object is used by one thread at a time. Other
// threads or processes open their own; WAL lets readers run beside a writer.
#pragma once

#include "core/result.hpp"

#include <filesystem>
#include <memory>

namespace SQLite {
class Database;
}

namespace shd::store {

struct open_options {
    bool read_only = false;  // status and friends never write
    int busy_timeout_ms = 10000;
};

class database {
public:
    // Opens (creating it and its folder when missing, unless read_only) and
    // migrates. Errors: unopenable file, schema newer than the binary.
    static result<database, error_message> open(const std::filesystem::path& path,
                                                open_options options = {});

    database(database&&) noexcept;
    database& operator=(database&&) noexcept;
    ~database();

    SQLite::Database& handle() { return *db_; }
    const std::filesystem::path& path() const { return path_; }
    int schema_version() const { return schema_version_; }

private:
    database(std::unique_ptr<SQLite::Database> db, std::filesystem::path path, int version);
    std::unique_ptr<SQLite::Database> db_;
    std::filesystem::path path_;
    int schema_version_ = 0;
};

}  // namespace shd::store
