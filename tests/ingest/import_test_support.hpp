// Helpers for the importer, store writer and inbox tests: hand-built records,
// imports rows, and a dump of every table to compare database states.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/time.hpp"
#include "ingest/records.hpp"
#include "store/database.hpp"

namespace shd::test {

inline instant at(const char* iso) {
    auto t = parse_iso8601(iso);
    if (!t)
        throw std::invalid_argument(std::string("bad instant in test: ") + iso);
    return *t;
}

inline ingest::order_item_row order_item(const std::string& order_id, const std::string& item_key,
                                         const char* last_updated = nullptr) {
    ingest::order_item_row r;
    r.order_id = order_id;
    r.marketplace_id = "ATVPDKIKX0DER";
    r.sales_channel = "Amazon.com";
    r.fulfillment_channel = "MFN";
    r.purchased_at = at("2025-09-01T10:00:00Z");
    r.order_status = "Shipped";
    if (last_updated)
        r.last_updated_at = at(last_updated);
    r.item_key = item_key;
    r.sku = "SKU-" + item_key;
    r.asin = "B000" + item_key;
    r.quantity = 1;
    r.item_status = "Shipped";
    return r;
}

// An imports row, as the importer writes it, for tests driving the writer.
inline std::int64_t add_import_row(SQLite::Database& db, const std::string& sha256) {
    SQLite::Statement s(db,
                        "INSERT INTO imports(file_name, sha256, format, imported_at, row_count,"
                        " order_count) VALUES ('test', ?1, 'all_orders', 0, 0, 0)");
    s.bind(1, sha256);
    s.exec();
    return db.getLastInsertRowid();
}

// Every row of every table, in key order: two equal dumps are equal databases.
inline std::string dump_tables(SQLite::Database& db) {
    std::string out;
    SQLite::Statement tables(db,
                             "SELECT name FROM sqlite_schema WHERE type = 'table'"
                             " AND name NOT LIKE 'sqlite_%' ORDER BY name");
    while (tables.executeStep()) {
        const std::string table = tables.getColumn(0).getString();
        out += "[" + table + "]\n";
        // Table names come from sqlite_schema, not from input. Ordered by
        // every column: a total order whatever the table's key and width.
        const std::string select = "SELECT * FROM \"" + table + "\"";
        const int width = SQLite::Statement(db, select).getColumnCount();
        std::string order_by = " ORDER BY 1";
        for (int i = 2; i <= width; ++i)
            order_by += ", " + std::to_string(i);
        SQLite::Statement rows(db, select + order_by);
        while (rows.executeStep()) {
            for (int i = 0; i < rows.getColumnCount(); ++i) {
                const auto col = rows.getColumn(i);
                out += col.isNull() ? std::string("NULL") : col.getString();
                out += '|';
            }
            out += '\n';
        }
    }
    return out;
}

inline long long count_rows(SQLite::Database& db, const std::string& table) {
    return db.execAndGet("SELECT COUNT(*) FROM \"" + table + "\"").getInt64();
}

// The real seller-healthd as a child that keeps running: stdout and stderr go
// to files, the test signals and reaps it.
class child_process {
  public:
    child_process(const std::vector<std::string>& args, const std::filesystem::path& out,
                  const std::filesystem::path& err) {
        pid_ = ::fork();
        if (pid_ < 0)
            throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            ::dup2(out_fd, 1);
            ::dup2(err_fd, 2);
            std::vector<std::string> copy = args;
            std::string binary = SHD_BINARY;
            std::vector<char*> argv{binary.data()};
            for (auto& a : copy)
                argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(binary.c_str(), argv.data());
            ::_exit(127);
        }
    }
    ~child_process() {
        if (pid_ > 0 && !reaped_) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    void signal(int sig) { ::kill(pid_, sig); }
    bool exited() {
        if (reaped_)
            return true;
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            reaped_ = true;
            status_ = status;
        }
        return reaped_;
    }
    // The wait status (WIFEXITED, WTERMSIG, ...).
    int wait() {
        if (!reaped_) {
            ::waitpid(pid_, &status_, 0);
            reaped_ = true;
        }
        return status_;
    }

  private:
    pid_t pid_ = -1;
    bool reaped_ = false;
    int status_ = 0;
};

// Polls `condition` every 10 ms for at most `limit`; true once it holds.
// For waiting on another process; the outcome never depends on the timing.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds limit = std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return condition();
}

}  // namespace shd::test
