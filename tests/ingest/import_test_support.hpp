// Helpers for the importer, store writer and inbox tests: hand-built records,
// imports rows, and a dump of every table to compare database states.
#pragma once

#include "core/time.hpp"
#include "ingest/records.hpp"
#include "store/database.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace shd::test {

inline instant at(const char* iso) {
    auto t = parse_iso8601(iso);
    if (!t) throw std::invalid_argument(std::string("bad instant in test: ") + iso);
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
    if (last_updated) r.last_updated_at = at(last_updated);
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
        // Table names come from sqlite_schema, not from input.
        SQLite::Statement rows(db, "SELECT * FROM \"" + table + "\" ORDER BY 1, 2");
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

}  // namespace shd::test
