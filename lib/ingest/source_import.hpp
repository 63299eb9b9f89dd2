// One read of a source that is not a file (the mailbox): its records go
// through the one store_writer, in batches the caller commits one by one,
// so a long first read keeps what it has read when it is cut off.
//
// A batch holding data records gets the read an `imports` row (format and
// feed name `feed`, file_name the source's printable name) the first time;
// bookkeeping records alone (mailbox cursors) need none, so a mailbox polled
// every minute does not add a row a minute. finish() records the feed's
// arrival: through record_arrival when this read wrote data or the feed has
// never arrived, else by moving last_import_at (a quiet mailbox has still
// arrived).
//
// Every call runs inside a transaction the caller holds (SQLite::Transaction
// around each batch); SQLite::Exception propagates and the caller rolls back.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "ingest/records.hpp"

namespace SQLite {
class Database;
}

namespace shd::ingest {

class store_writer;

class source_import {
  public:
    source_import(SQLite::Database& db, std::string feed, std::string source_name, instant now);
    ~source_import();
    source_import(const source_import&) = delete;
    source_import& operator=(const source_import&) = delete;

    // Writes one batch (inside the caller's transaction).
    void write_batch(const std::vector<record>& records);

    // After the last batch, in a transaction of its own.
    void finish();

    long data_rows() const { return data_rows_; }
    std::int64_t import_id() const { return import_id_; }

  private:
    void ensure_import();

    SQLite::Database& db_;
    std::string feed_;
    std::string source_name_;
    instant now_;
    std::int64_t import_id_ = 0;
    long data_rows_ = 0;
    std::unique_ptr<store_writer> writer_;
    std::int64_t writer_import_id_ = 0;
};

}  // namespace shd::ingest
