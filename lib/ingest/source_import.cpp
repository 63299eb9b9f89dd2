#include "ingest/source_import.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "core/digest.hpp"
#include "ingest/store_writer.hpp"

namespace shd::ingest {

source_import::source_import(SQLite::Database& db, std::string feed, std::string source_name,
                             instant now)
    : db_(db), feed_(std::move(feed)), source_name_(std::move(source_name)), now_(now) {}

source_import::~source_import() = default;

void source_import::ensure_import() {
    if (import_id_ != 0)
        return;
    // imports.sha256 is unique: a read is named by its source, time and the
    // row it will be, which no other read shares.
    SQLite::Statement next(db_, "SELECT COALESCE(MAX(id), 0) + 1 FROM imports");
    next.executeStep();
    const std::int64_t expected_id = next.getColumn(0).getInt64();
    SQLite::Statement insert(
        db_,
        "INSERT INTO imports(file_name, sha256, format, imported_at, row_count, order_count)"
        " VALUES (?1, ?2, ?3, ?4, 0, 0)");
    insert.bind(1, source_name_);
    insert.bind(2, sha256_hex(feed_ + "|" + source_name_ + "|" + std::to_string(to_unix(now_)) +
                              "|" + std::to_string(expected_id)));
    insert.bind(3, feed_);
    insert.bind(4, static_cast<std::int64_t>(to_unix(now_)));
    insert.exec();
    import_id_ = db_.getLastInsertRowid();
}

void source_import::write_batch(const std::vector<record>& records) {
    bool has_data = false;
    for (const auto& r : records)
        has_data = has_data || !is_mailbox_bookkeeping(r);
    if (has_data)
        ensure_import();
    // A writer made before the imports row existed has written bookkeeping
    // only: nothing of it is lost by making it again.
    if (!writer_ || writer_import_id_ != import_id_) {
        writer_ = std::make_unique<store_writer>(db_, import_id_, now_);
        writer_import_id_ = import_id_;
    }
    long line = 0;
    for (const auto& r : records) {
        writer_->write(r, ++line);
        if (!is_mailbox_bookkeeping(r))
            ++data_rows_;
    }
    if (has_data) {
        SQLite::Statement count(db_, "UPDATE imports SET row_count = ?2 WHERE id = ?1");
        count.bind(1, import_id_);
        count.bind(2, static_cast<std::int64_t>(data_rows_));
        count.exec();
    }
}

void source_import::finish() {
    if (import_id_ == 0 && touch_feed_arrival(db_, feed_, now_))
        return;
    ensure_import();
    if (writer_ && writer_import_id_ == import_id_) {
        writer_->record_arrival(feed_);  // knows the newest instant written
    } else {
        store_writer(db_, import_id_, now_).record_arrival(feed_);
    }
}

}  // namespace shd::ingest
