// Writes parsed records into the schema of migrations/0001_initial.sql (and the
// feed's arrival into 0003_feeds.sql's `feeds`) for one
// import. The caller owns the transaction (the importer wraps a whole file in
// one) and the imports row whose id every written row carries.
//
// Rules (spec/formats.md "Rules for every file"):
// - All Orders rows: the first row of an order in this import replaces the
//   stored order and its items, unless both carry last_updated_at and the new
//   one is older (then every row of that order in this file is skipped).
//   Further rows of the same order in the same import are items of it: the
//   order-level fields come from the later row, any_item_cancelled and
//   buyer_requested_cancel are OR-ed, last_updated_at is the newest. An item
//   row repeated in one file replaces itself (no double item).
// - Unshipped rows: upsert unshipped_orders; create the order when it is
//   unknown (MFN, status Unshipped, source 'unshipped') and refresh it when
//   the stored order came from an Unshipped report too. An order from the All
//   Orders report is never overwritten by Unshipped data.
// - Shipments, defects (key order_id + kind) and messages: the later row
//   replaces the stored one, whether from a later import or later in the file.
//   A shipment fetched from the Orders API (fetched_updated_at set) replaces a
//   file's row only when its lastUpdatedTime is not older than that row's
//   import, and a fetched row only when not older than it; an empty
//   confirmation or tracking ID from the API never erases a known one.
// - An account-health document becomes one snapshot with its metrics and
//   statuses; taken_at is the document's, else the import time.
// - Mailbox messages and replies (spec/sources.md "The mailbox"): the same
//   message again is one; a reply to an alias at R sets responded_at = R on
//   every message from that alias received at or before R whose stored reply
//   is later or missing, so the outcome does not depend on which of the two
//   is read first. A mailbox message already in `messages` (from the CSV)
//   stays one row: what the CSV said is kept, the mailbox only fills in an
//   order or marketplace it lacked and an earlier reply.
// - Mailbox cursors (IMAP folder positions, Maildir files seen) need no
//   imports row: they are written whatever import_id is.
// Empty optional text (sku, tracking id, message order id, ...) is stored as
// NULL. Instants are unix seconds.
//
// Memory: O(1) per record; only the order of the previous row is remembered
// (Amazon writes the items of one order on adjacent rows), never a set.
// Errors: SQLite::Exception (a CHECK failure, a full disk) propagates; the
// caller rolls back.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/time.hpp"
#include "ingest/records.hpp"

namespace SQLite {
class Database;
class Statement;
}  // namespace SQLite

namespace shd::ingest {

class store_writer {
  public:
    // Prepares every statement on `db`. `import_id` is this import's row in
    // `imports`; `import_time` is taken_at for a snapshot without a date.
    store_writer(SQLite::Database& db, std::int64_t import_id, instant import_time);
    ~store_writer();
    store_writer(const store_writer&) = delete;
    store_writer& operator=(const store_writer&) = delete;

    // `line` is the record's line in its file; it names an All Orders item
    // that has neither order-item-id nor sku/asin ("the row's position").
    void write(const record& r, long line);

    // The import succeeded: the feed (core/feed_catalog.hpp) arrived now, and
    // its newest data is the newest instant of this import's records if that
    // is later than what the feed had (a re-import of an old file does not
    // move it back). The one writer of the `feeds` table. Call once, after
    // the last record, inside the import's transaction.
    void record_arrival(std::string_view feed);

    // Bulk import (the importer, one file in one transaction): from now on
    // the purchase-date counts of the orders this writer inserts are added up
    // in memory and written once, by flush_deferred_counts, while the orders
    // insert trigger stands aside (migrations/0009: a row of counts_deferred,
    // inserted here and deleted by the flush, inside the caller's
    // transaction). Every other change still keeps its counts through the
    // triggers; an order something waits for (unlinked_orders) is left to
    // its trigger. The caller must flush before committing: record_arrival
    // does. A rolled-back import drops both the row and the sums.
    void defer_order_counts();
    void flush_deferred_counts();

    // Orders this import created or replaced (an order seen again in the same
    // file, or skipped as older, is not counted again).
    long orders_written() const { return orders_written_; }

  private:
    // The order-level fields of the order on the previous All Orders row, as
    // stored: lets its further item rows merge without a SELECT.
    struct order_state {
        std::string order_id;
        bool skipped = false;  // older than the stored order: ignore its rows
        std::optional<std::string> marketplace_id;
        std::string sales_channel;
        std::string fulfillment_channel;
        long long purchased_at = 0;
        std::string order_status;
        bool is_cancelled = false;
        bool any_item_cancelled = false;
        bool buyer_requested_cancel = false;
        std::optional<long long> last_updated_at;
    };

    void write_order_item(const order_item_row& row, long line);
    void write_unshipped(const unshipped_row& row);
    void write_shipment(const shipment_row& row);
    void write_defect(const defect_row& row);
    void write_message(const message_row& row);
    void write_snapshot(const account_health_snapshot& snapshot);
    void write_mailbox_message(const mailbox_message_row& row);
    void write_mailbox_reply(const mailbox_reply_row& row);
    void write_imap_cursor(const mailbox_imap_cursor_row& row);
    void write_maildir_seen(const mailbox_maildir_seen_row& row);

    static order_state state_from_row(const order_item_row& row);
    // Binds ?1..?11 of the order insert and update.
    void bind_order(SQLite::Statement& s, const order_state& order);
    void start_order(const order_item_row& row);
    // Adds the deferred sums to metric_counts and forgets them.
    void write_deferred_sums();
    // An order this writer inserted: its counts, in memory when deferring.
    void count_inserted_order(const std::string& order_id,
                              const std::optional<std::string>& marketplace_id,
                              const std::string& fulfillment_channel, long long purchased_at,
                              bool cancelled);
    void merge_into_current(const order_item_row& row);

    SQLite::Database& db_;
    std::int64_t import_id_;
    instant import_time_;
    long orders_written_ = 0;
    // The newest event time among the records written (purchases, updates,
    // confirmations, defects, messages and replies, snapshot dates).
    std::optional<instant> newest_data_;
    std::optional<order_state> current_;

    // Deferred counts: per (marketplace and channel, hour of purchase),
    // orders and cancellations; the keys' marketplace and channel are indexes
    // into deferred_names_ (a handful).
    bool deferring_ = false;
    std::vector<std::pair<std::string, std::string>> deferred_names_;
    std::unordered_map<std::int64_t, std::array<std::int64_t, 2>> deferred_;
    std::unique_ptr<SQLite::Statement> select_unlinked_;

    std::unique_ptr<SQLite::Statement> insert_order_;
    std::unique_ptr<SQLite::Statement> select_order_;
    std::unique_ptr<SQLite::Statement> update_order_;
    std::unique_ptr<SQLite::Statement> delete_items_;
    std::unique_ptr<SQLite::Statement> upsert_item_;
    std::unique_ptr<SQLite::Statement> select_order_source_;
    std::unique_ptr<SQLite::Statement> insert_unshipped_order_;
    std::unique_ptr<SQLite::Statement> update_unshipped_order_;
    std::unique_ptr<SQLite::Statement> upsert_unshipped_;
    std::unique_ptr<SQLite::Statement> upsert_shipment_;
    std::unique_ptr<SQLite::Statement> select_shipment_;
    std::unique_ptr<SQLite::Statement> upsert_defect_;
    std::unique_ptr<SQLite::Statement> upsert_message_;
    std::unique_ptr<SQLite::Statement> insert_snapshot_;
    std::unique_ptr<SQLite::Statement> insert_snapshot_metric_;
    std::unique_ptr<SQLite::Statement> insert_account_status_;
    std::unique_ptr<SQLite::Statement> insert_mailbox_message_;
    std::unique_ptr<SQLite::Statement> first_reply_after_;
    std::unique_ptr<SQLite::Statement> merge_mailbox_message_;
    std::unique_ptr<SQLite::Statement> insert_mailbox_reply_;
    std::unique_ptr<SQLite::Statement> answer_messages_;
    std::unique_ptr<SQLite::Statement> upsert_imap_cursor_;
    std::unique_ptr<SQLite::Statement> insert_maildir_seen_;
};

// A feed that was read and found nothing new has still arrived (a quiet
// mailbox is not a stopped one): moves feeds.last_import_at to `at`. Returns
// false when the feed has never been recorded (then an import must be
// written, with record_arrival, for it to exist).
bool touch_feed_arrival(SQLite::Database& db, std::string_view feed, instant at);

// Feed arrivals stored more than kFutureTolerance after `now` (an import
// while the clock was ahead) are moved back to `now`, so the feed ages from
// here and its stale alert can fire; the feeds moved, by name. Only for a
// `now` read from the clock: a replay as of a past time sees later arrivals
// that are real.
std::vector<std::string> repair_future_feed_arrivals(SQLite::Database& db, instant now);
// What `mark_no_response_needed` did, each list in the order the IDs were
// given (an ID given twice counts once).
struct message_mark_outcome {
    // Not a stored message. When any is, nothing was changed.
    std::vector<std::string> unknown;
    // Marked now (or, with undo, unmarked now).
    std::vector<std::string> changed;
    // Already marked (or, with undo, not marked).
    std::vector<std::string> unchanged;
    // With undo: messages whose own row says no_response_needed (the
    // messages CSV column); they still need no response.
    std::vector<std::string> still_by_row;
};

// `seller-healthd messages no-response-needed`: the seller's mark on buyer
// messages: bit 1 of messages.no_response_needed and a row of
// `message_marks` (migrations/0008_message_marks.sql), written only here. Marks (undo: clears the
// mark of) every ID in one transaction of its own, all or nothing: if any ID is not in `messages`,
// nothing changes and `unknown` names them. A message needs no response when
// its row says so or it is marked; re-importing or re-reading a message
// replaces its row and never touches the mark. `marked_at` records `now`.
// Throws SQLite::Exception (a locked or read-only database).
message_mark_outcome mark_no_response_needed(SQLite::Database& db,
                                             const std::vector<std::string>& message_ids, bool undo,
                                             instant now);

}  // namespace shd::ingest
