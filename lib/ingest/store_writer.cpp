#include "ingest/store_writer.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <string_view>

namespace shd::ingest {
namespace {

// The order-level columns of `orders` in the order every statement below
// binds them: ?1 order_id .. ?10 last_updated_at, ?11 import_id.
constexpr const char* kInsertOrder =
    "INSERT INTO orders(order_id, marketplace_id, sales_channel, fulfillment_channel,"
    " purchased_at, order_status, is_cancelled, any_item_cancelled, buyer_requested_cancel,"
    " last_updated_at, source, import_id)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'all_orders', ?11)"
    " ON CONFLICT(order_id) DO NOTHING";
constexpr const char* kUpdateOrder =
    "UPDATE orders SET marketplace_id = ?2, sales_channel = ?3, fulfillment_channel = ?4,"
    " purchased_at = ?5, order_status = ?6, is_cancelled = ?7, any_item_cancelled = ?8,"
    " buyer_requested_cancel = ?9, last_updated_at = ?10, source = 'all_orders',"
    " import_id = ?11 WHERE order_id = ?1";
constexpr const char* kSelectOrder =
    "SELECT import_id, marketplace_id, sales_channel, fulfillment_channel, purchased_at,"
    " order_status, is_cancelled, any_item_cancelled, buyer_requested_cancel, last_updated_at"
    " FROM orders WHERE order_id = ?1";

// Runs a statement that returns no rows and makes it ready for the next
// bind; returns the rows it changed.
int run(SQLite::Statement& s) {
    const int changed = s.exec();
    s.reset();
    return changed;
}

// The statement outlives the call, so the strings must too: they do, every
// caller runs the statement before its arguments go away.
void bind_text(SQLite::Statement& s, int index, const std::string& text) {
    s.bindNoCopy(index, text);
}

void bind_text_or_null(SQLite::Statement& s, int index, const std::string& text) {
    if (text.empty()) {
        s.bind(index);
    } else {
        s.bindNoCopy(index, text);
    }
}

void bind_time(SQLite::Statement& s, int index, instant t) {
    s.bind(index, static_cast<std::int64_t>(to_unix(t)));
}

void bind_time_or_null(SQLite::Statement& s, int index, const std::optional<instant>& t) {
    if (t) {
        bind_time(s, index, *t);
    } else {
        s.bind(index);
    }
}

void bind_bool(SQLite::Statement& s, int index, bool b) {
    s.bind(index, b ? 1 : 0);
}

template <class T>
void bind_number_or_null(SQLite::Statement& s, int index, const std::optional<T>& v) {
    if (!v) {
        s.bind(index);
    } else if constexpr (std::is_floating_point_v<T>) {
        s.bind(index, static_cast<double>(*v));
    } else {
        s.bind(index, static_cast<std::int64_t>(*v));
    }
}

std::optional<long long> newest(std::optional<long long> a, std::optional<long long> b) {
    if (!a)
        return b;
    if (!b)
        return a;
    return std::max(*a, *b);
}

std::optional<instant> later_of(std::optional<instant> a, std::optional<instant> b) {
    if (!a)
        return b;
    if (!b)
        return a;
    return std::max(*a, *b);
}

}  // namespace

store_writer::store_writer(SQLite::Database& db, std::int64_t import_id, instant import_time)
    : db_(db), import_id_(import_id), import_time_(import_time) {
    auto prepare = [&](const char* sql) { return std::make_unique<SQLite::Statement>(db_, sql); };
    insert_order_ = prepare(kInsertOrder);
    update_order_ = prepare(kUpdateOrder);
    select_order_ = prepare(kSelectOrder);
    delete_items_ = prepare("DELETE FROM order_items WHERE order_id = ?1");
    upsert_item_ = prepare(
        "INSERT OR REPLACE INTO order_items(order_id, item_key, sku, asin, quantity, item_status)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    select_order_source_ = prepare("SELECT source, import_id FROM orders WHERE order_id = ?1");
    insert_unshipped_order_ = prepare(
        "INSERT INTO orders(order_id, marketplace_id, sales_channel, fulfillment_channel,"
        " purchased_at, order_status, is_cancelled, any_item_cancelled, buyer_requested_cancel,"
        " last_updated_at, source, import_id)"
        " VALUES (?1, ?2, ?3, 'MFN', ?4, 'Unshipped', 0, 0, ?5, NULL, 'unshipped', ?6)");
    update_unshipped_order_ = prepare(
        "UPDATE orders SET marketplace_id = ?2, sales_channel = ?3, purchased_at = ?4,"
        " buyer_requested_cancel = ?5, import_id = ?6"
        " WHERE order_id = ?1 AND source = 'unshipped'");
    upsert_unshipped_ = prepare(
        "INSERT INTO unshipped_orders(order_id, promise_at, buyer_requested_cancel, import_id)"
        " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(order_id) DO UPDATE SET"
        " promise_at = excluded.promise_at, buyer_requested_cancel = "
        "excluded.buyer_requested_cancel,"
        " import_id = excluded.import_id");
    upsert_shipment_ = prepare(
        "INSERT INTO shipments(order_id, latest_ship_at, confirmed_at, tracking_id, carrier,"
        " tracking_valid, import_id, fetched_updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        " ON CONFLICT(order_id) DO UPDATE SET latest_ship_at = excluded.latest_ship_at,"
        " confirmed_at = excluded.confirmed_at, tracking_id = excluded.tracking_id,"
        " carrier = excluded.carrier, tracking_valid = excluded.tracking_valid,"
        " import_id = excluded.import_id, fetched_updated_at = excluded.fetched_updated_at");
    select_shipment_ = prepare(
        "SELECT s.confirmed_at, s.tracking_id, s.carrier, s.tracking_valid, s.fetched_updated_at,"
        " i.imported_at FROM shipments AS s JOIN imports AS i ON i.id = s.import_id"
        " WHERE s.order_id = ?1");
    upsert_defect_ = prepare(
        "INSERT INTO defects(order_id, kind, occurred_at, status, rating, counts, import_id)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
        " ON CONFLICT(order_id, kind) DO UPDATE SET occurred_at = excluded.occurred_at,"
        " status = excluded.status, rating = excluded.rating, counts = excluded.counts,"
        " import_id = excluded.import_id");
    insert_mailbox_message_ = prepare(
        "INSERT INTO mailbox_messages(message_id, alias_key, received_at) VALUES (?1, ?2, ?3)"
        " ON CONFLICT(message_id) DO NOTHING");
    first_reply_after_ = prepare(
        "SELECT MIN(replied_at) FROM mailbox_replies WHERE alias_key = ?1 AND replied_at >= ?2");
    // A row the CSV wrote keeps what the CSV said; the mailbox fills gaps and
    // an earlier reply.
    merge_mailbox_message_ = prepare(
        "INSERT INTO messages(message_id, order_id, marketplace_id, received_at, responded_at,"
        " no_response_needed, import_id) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6)"
        " ON CONFLICT(message_id) DO UPDATE SET"
        " order_id = COALESCE(messages.order_id, excluded.order_id),"
        " marketplace_id = COALESCE(messages.marketplace_id, excluded.marketplace_id),"
        " responded_at = CASE WHEN excluded.responded_at IS NULL THEN messages.responded_at"
        "  WHEN messages.responded_at IS NULL THEN excluded.responded_at"
        "  ELSE MIN(messages.responded_at, excluded.responded_at) END");
    insert_mailbox_reply_ = prepare(
        "INSERT INTO mailbox_replies(reply_id, alias_key, replied_at) VALUES (?1, ?2, ?3)"
        " ON CONFLICT(reply_id, alias_key) DO NOTHING");
    answer_messages_ = prepare(
        "UPDATE messages SET responded_at = ?2 WHERE message_id IN"
        " (SELECT message_id FROM mailbox_messages WHERE alias_key = ?1 AND received_at <= ?2)"
        " AND (responded_at IS NULL OR responded_at > ?2)");
    upsert_imap_cursor_ = prepare(
        "INSERT INTO mailbox_imap_folders(account, folder, uidvalidity, last_uid)"
        " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(account, folder) DO UPDATE SET"
        " uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid");
    insert_maildir_seen_ = prepare(
        "INSERT INTO mailbox_maildir_seen(folder, file_key) VALUES (?1, ?2)"
        " ON CONFLICT(folder, file_key) DO NOTHING");
    upsert_message_ = prepare(
        "INSERT INTO messages(message_id, order_id, marketplace_id, received_at, responded_at,"
        " no_response_needed, import_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
        " ON CONFLICT(message_id) DO UPDATE SET order_id = excluded.order_id,"
        " marketplace_id = excluded.marketplace_id, received_at = excluded.received_at,"
        " responded_at = excluded.responded_at,"
        // Bit 1 (2) is the seller's mark (migrations/0008): a re-import
        // replaces the row's own flag (bit 0) and keeps the mark.
        " no_response_needed = excluded.no_response_needed | (messages.no_response_needed & 2),"
        " import_id = excluded.import_id");
    insert_snapshot_ = prepare(
        "INSERT INTO account_health_snapshots(import_id, taken_at, document) VALUES (?1, ?2, ?3)");
    // A document listing the same metric twice keeps the later one rather
    // than rejecting the whole report over Amazon's redundancy.
    insert_snapshot_metric_ = prepare(
        "INSERT OR REPLACE INTO account_health_metrics(snapshot_id, marketplace_id, metric,"
        " channel, rate, status, target, numerator, denominator, window_from, window_to)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    insert_account_status_ = prepare(
        "INSERT OR REPLACE INTO account_statuses(snapshot_id, marketplace_id, status)"
        " VALUES (?1, ?2, ?3)");
}

store_writer::~store_writer() = default;

void store_writer::write(const record& r, long line) {
    std::visit(
        [&](const auto& row) {
            using T = std::decay_t<decltype(row)>;
            if constexpr (std::is_same_v<T, order_item_row>) {
                write_order_item(row, line);
                newest_data_ = later_of(newest_data_, row.purchased_at);
                newest_data_ = later_of(newest_data_, row.last_updated_at);
            } else if constexpr (std::is_same_v<T, unshipped_row>) {
                write_unshipped(row);
                // promise_at is a deadline, not something that happened.
                newest_data_ = later_of(newest_data_, row.purchased_at);
            } else if constexpr (std::is_same_v<T, shipment_row>) {
                write_shipment(row);
                // latest_ship_at is a deadline; confirmations are the events.
                newest_data_ = later_of(newest_data_, row.confirmed_at);
            } else if constexpr (std::is_same_v<T, defect_row>) {
                write_defect(row);
                newest_data_ = later_of(newest_data_, row.occurred_at);
            } else if constexpr (std::is_same_v<T, message_row>) {
                write_message(row);
                newest_data_ = later_of(newest_data_, row.received_at);
                newest_data_ = later_of(newest_data_, row.responded_at);
            } else if constexpr (std::is_same_v<T, mailbox_message_row>) {
                write_mailbox_message(row);
                newest_data_ = later_of(newest_data_, row.received_at);
            } else if constexpr (std::is_same_v<T, mailbox_reply_row>) {
                write_mailbox_reply(row);
                newest_data_ = later_of(newest_data_, row.replied_at);
            } else if constexpr (std::is_same_v<T, mailbox_imap_cursor_row>) {
                write_imap_cursor(row);
            } else if constexpr (std::is_same_v<T, mailbox_maildir_seen_row>) {
                write_maildir_seen(row);
            } else {
                static_assert(std::is_same_v<T, account_health_snapshot>);
                write_snapshot(row);
                newest_data_ = later_of(newest_data_, row.taken_at.value_or(import_time_));
            }
        },
        r);
}

void store_writer::defer_order_counts() {
    if (deferring_)
        return;
    // A row left by a writer that never flushed fails here, loudly, rather
    // than silently skipping the counts of this import too.
    db_.exec("INSERT INTO counts_deferred(writer) VALUES (1)");
    select_unlinked_ = std::make_unique<SQLite::Statement>(
        db_, "SELECT 1 FROM unlinked_orders WHERE order_id = ?1");
    deferring_ = true;
}

void store_writer::count_inserted_order(const std::string& order_id,
                                        const std::optional<std::string>& marketplace_id,
                                        const std::string& fulfillment_channel,
                                        long long purchased_at, bool cancelled) {
    // The conditions of the orders_count_insert trigger, which stands aside.
    if (!deferring_ || !marketplace_id)
        return;
    auto& waited = *select_unlinked_;
    waited.bind(1, order_id);
    const bool is_waited = waited.executeStep();
    waited.reset();
    if (is_waited)
        return;  // orders_count_insert_waited counts it
    std::size_t name = 0;
    while (name < deferred_names_.size() && (deferred_names_[name].first != *marketplace_id ||
                                             deferred_names_[name].second != fulfillment_channel))
        ++name;
    if (name == deferred_names_.size())
        deferred_names_.emplace_back(*marketplace_id, fulfillment_channel);
    // The hour bucket (h * 3600, (h + 1) * 3600] holding the purchase, as
    // the triggers number buckets.
    const std::int64_t hour =
        purchased_at > 0 ? (purchased_at - 1) / 3600 : -((3600 - purchased_at) / 3600);
    constexpr int kHourBits = 40;
    const std::int64_t key = (static_cast<std::int64_t>(name) << kHourBits) +
                             (hour + (std::int64_t{1} << (kHourBits - 1)));
    auto& sums = deferred_[key];
    sums[0] += 1;
    sums[1] += cancelled ? 1 : 0;
    // A file spanning years of many marketplaces would otherwise hold a sum
    // per hour of them all: written early (adding is all a flush does), the
    // memory stays a few hundred KB whatever the file.
    constexpr std::size_t kMostDeferredHours = 4096;
    if (deferred_.size() >= kMostDeferredHours)
        write_deferred_sums();
}

void store_writer::flush_deferred_counts() {
    if (!deferring_)
        return;
    write_deferred_sums();
    db_.exec("DELETE FROM counts_deferred");
    deferring_ = false;
}

void store_writer::write_deferred_sums() {
    constexpr int kHourBits = 40;
    // Each hour adds to its own bucket of every span (spans are whole hours,
    // so an hour lies inside one bucket of each): the bucket of the hour's
    // last second.
    SQLite::Statement spans(db_, "SELECT span FROM count_spans");
    std::vector<std::int64_t> span_list;
    while (spans.executeStep()) {
        const std::int64_t span = spans.getColumn(0).getInt64();
        if (span <= 0 || span % 3600 != 0)
            throw std::logic_error("store_writer: count span " + std::to_string(span) +
                                   " is not a whole number of hours");
        span_list.push_back(span);
    }
    SQLite::Statement add(
        db_,
        "INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, cancelled)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(span, marketplace_id, channel, bucket)"
        " DO UPDATE SET orders = orders + excluded.orders,"
        " cancelled = cancelled + excluded.cancelled");
    for (const auto& [key, sums] : deferred_) {
        const auto& [marketplace_id, channel] =
            deferred_names_[static_cast<std::size_t>(key >> kHourBits)];
        const std::int64_t hour =
            (key & ((std::int64_t{1} << kHourBits) - 1)) - (std::int64_t{1} << (kHourBits - 1));
        const std::int64_t last_second = (hour + 1) * 3600;
        for (std::int64_t span : span_list) {
            const std::int64_t bucket =
                last_second > 0 ? (last_second - 1) / span : -((span - last_second) / span);
            add.bind(1, span);
            bind_text(add, 2, marketplace_id);
            bind_text(add, 3, channel);
            add.bind(4, bucket);
            add.bind(5, sums[0]);
            add.bind(6, sums[1]);
            run(add);
        }
    }
    deferred_.clear();
}

void store_writer::record_arrival(std::string_view feed) {
    flush_deferred_counts();
    SQLite::Statement s(
        db_,
        "INSERT INTO feeds(feed, last_import_at, last_import_id, newest_data_at, imports)"
        " VALUES (?1, ?2, ?3, ?4, 1) ON CONFLICT(feed) DO UPDATE SET"
        " last_import_at = excluded.last_import_at, last_import_id = excluded.last_import_id,"
        " newest_data_at = CASE WHEN excluded.newest_data_at IS NULL THEN feeds.newest_data_at"
        "  WHEN feeds.newest_data_at IS NULL THEN excluded.newest_data_at"
        "  ELSE MAX(feeds.newest_data_at, excluded.newest_data_at) END,"
        " imports = feeds.imports + 1");
    s.bind(1, std::string(feed));
    s.bind(2, static_cast<std::int64_t>(to_unix(import_time_)));
    s.bind(3, import_id_);
    if (newest_data_)
        s.bind(4, static_cast<std::int64_t>(to_unix(*newest_data_)));
    s.exec();
}

store_writer::order_state store_writer::state_from_row(const order_item_row& row) {
    order_state s;
    s.order_id = row.order_id;
    s.marketplace_id = row.marketplace_id;
    s.sales_channel = row.sales_channel;
    s.fulfillment_channel = row.fulfillment_channel;
    s.purchased_at = to_unix(row.purchased_at);
    s.order_status = row.order_status;
    s.is_cancelled = row.is_cancelled;
    s.any_item_cancelled = row.item_cancelled;
    s.buyer_requested_cancel = row.buyer_requested_cancel;
    if (row.last_updated_at)
        s.last_updated_at = to_unix(*row.last_updated_at);
    return s;
}

void store_writer::bind_order(SQLite::Statement& s, const order_state& o) {
    bind_text(s, 1, o.order_id);
    if (o.marketplace_id) {
        bind_text(s, 2, *o.marketplace_id);
    } else {
        s.bind(2);
    }
    bind_text(s, 3, o.sales_channel);
    bind_text(s, 4, o.fulfillment_channel);
    s.bind(5, static_cast<std::int64_t>(o.purchased_at));
    bind_text(s, 6, o.order_status);
    bind_bool(s, 7, o.is_cancelled);
    bind_bool(s, 8, o.any_item_cancelled);
    bind_bool(s, 9, o.buyer_requested_cancel);
    bind_number_or_null(s, 10, o.last_updated_at);
    s.bind(11, import_id_);
}

void store_writer::write_order_item(const order_item_row& row, long line) {
    if (!current_ || current_->order_id != row.order_id) {
        start_order(row);
    } else if (!current_->skipped) {
        merge_into_current(row);
    }
    if (current_->skipped)
        return;

    bind_text(*upsert_item_, 1, row.order_id);
    if (row.item_key.empty() || row.item_key == "|") {
        // Neither order-item-id nor sku/asin: the row's position is all that
        // tells two such items apart.
        upsert_item_->bind(2, fmt::format("#{}", line));
    } else {
        bind_text(*upsert_item_, 2, row.item_key);
    }
    bind_text_or_null(*upsert_item_, 3, row.sku);
    bind_text_or_null(*upsert_item_, 4, row.asin);
    bind_number_or_null(*upsert_item_, 5, row.quantity);
    bind_text_or_null(*upsert_item_, 6, row.item_status);
    run(*upsert_item_);
}

void store_writer::start_order(const order_item_row& row) {
    order_state fresh = state_from_row(row);
    // The common case, a new order, costs one statement.
    bind_order(*insert_order_, fresh);
    if (run(*insert_order_) == 1) {
        count_inserted_order(
            fresh.order_id, fresh.marketplace_id, fresh.fulfillment_channel, fresh.purchased_at,
            fresh.fulfillment_channel == "MFN" &&
                (fresh.is_cancelled || fresh.any_item_cancelled) && !fresh.buyer_requested_cancel);
        current_ = std::move(fresh);
        ++orders_written_;
        return;
    }

    auto& q = *select_order_;
    q.bind(1, row.order_id);
    if (!q.executeStep()) {
        q.reset();
        throw std::logic_error("store_writer: order " + row.order_id + " vanished");
    }
    const std::int64_t stored_import = q.getColumn(0).getInt64();
    order_state stored;
    stored.order_id = row.order_id;
    if (!q.getColumn(1).isNull())
        stored.marketplace_id = q.getColumn(1).getString();
    stored.sales_channel = q.getColumn(2).getString();
    stored.fulfillment_channel = q.getColumn(3).getString();
    stored.purchased_at = q.getColumn(4).getInt64();
    stored.order_status = q.getColumn(5).getString();
    stored.is_cancelled = q.getColumn(6).getInt() != 0;
    stored.any_item_cancelled = q.getColumn(7).getInt() != 0;
    stored.buyer_requested_cancel = q.getColumn(8).getInt() != 0;
    if (!q.getColumn(9).isNull())
        stored.last_updated_at = q.getColumn(9).getInt64();
    q.reset();

    if (stored_import == import_id_) {
        // Items of this order came earlier in this file, not on the row before.
        current_ = std::move(stored);
        merge_into_current(row);
        return;
    }
    if (stored.last_updated_at && fresh.last_updated_at &&
        *fresh.last_updated_at < *stored.last_updated_at) {
        order_state skipped;
        skipped.order_id = row.order_id;
        skipped.skipped = true;
        current_ = std::move(skipped);
        return;
    }
    delete_items_->bind(1, row.order_id);
    run(*delete_items_);
    bind_order(*update_order_, fresh);
    run(*update_order_);
    current_ = std::move(fresh);
    ++orders_written_;
}

void store_writer::merge_into_current(const order_item_row& row) {
    order_state& current = *current_;
    std::optional<long long> last_updated;
    if (row.last_updated_at)
        last_updated = to_unix(*row.last_updated_at);
    last_updated = newest(last_updated, current.last_updated_at);
    const bool any_item_cancelled = current.any_item_cancelled || row.item_cancelled;
    const bool buyer_requested_cancel =
        current.buyer_requested_cancel || row.buyer_requested_cancel;
    // Items of one order normally agree on every order-level field, so the
    // stored row rarely needs touching; checked without building a copy.
    if (current.marketplace_id == row.marketplace_id &&
        current.sales_channel == row.sales_channel &&
        current.fulfillment_channel == row.fulfillment_channel &&
        current.purchased_at == to_unix(row.purchased_at) &&
        current.order_status == row.order_status && current.is_cancelled == row.is_cancelled &&
        current.any_item_cancelled == any_item_cancelled &&
        current.buyer_requested_cancel == buyer_requested_cancel &&
        current.last_updated_at == last_updated) {
        return;
    }
    order_state merged = state_from_row(row);
    merged.any_item_cancelled = any_item_cancelled;
    merged.buyer_requested_cancel = buyer_requested_cancel;
    merged.last_updated_at = last_updated;
    bind_order(*update_order_, merged);
    run(*update_order_);
    current = std::move(merged);
}

void store_writer::write_unshipped(const unshipped_row& row) {
    auto& q = *select_order_source_;
    q.bind(1, row.order_id);
    std::optional<std::string> stored_source;
    std::int64_t stored_import = 0;
    if (q.executeStep()) {
        stored_source = q.getColumn(0).getString();
        stored_import = q.getColumn(1).getInt64();
    }
    q.reset();

    auto bind_fields = [&](SQLite::Statement& s) {
        bind_text(s, 1, row.order_id);
        if (row.marketplace_id) {
            bind_text(s, 2, *row.marketplace_id);
        } else {
            s.bind(2);
        }
        bind_text(s, 3, row.sales_channel);
        bind_time(s, 4, row.purchased_at);
        bind_bool(s, 5, row.buyer_requested_cancel);
        s.bind(6, import_id_);
    };
    if (!stored_source) {
        bind_fields(*insert_unshipped_order_);
        run(*insert_unshipped_order_);
        // Inserted not cancelled (the statement's values).
        count_inserted_order(row.order_id, row.marketplace_id, "MFN", to_unix(row.purchased_at),
                             false);
        ++orders_written_;
    } else if (*stored_source == "unshipped") {
        bind_fields(*update_unshipped_order_);
        run(*update_unshipped_order_);
        if (stored_import != import_id_)
            ++orders_written_;
    }

    auto& u = *upsert_unshipped_;
    bind_text(u, 1, row.order_id);
    bind_time(u, 2, row.promise_at);
    bind_bool(u, 3, row.buyer_requested_cancel);
    u.bind(4, import_id_);
    run(u);
}

void store_writer::write_shipment(const shipment_row& given) {
    const shipment_row* row = &given;
    shipment_row merged;
    if (given.fetched_updated_at) {
        auto& q = *select_shipment_;
        q.bind(1, given.order_id);
        if (q.executeStep()) {
            const long long fetched = to_unix(*given.fetched_updated_at);
            // A fetched row is judged against the copy it would replace: a
            // fetched one by its lastUpdatedTime, a file's by its import.
            const long long stored_as_of =
                q.getColumn(4).isNull() ? q.getColumn(5).getInt64() : q.getColumn(4).getInt64();
            if (fetched < stored_as_of) {
                q.reset();
                return;
            }
            merged = given;
            if (!merged.confirmed_at && !q.getColumn(0).isNull())
                merged.confirmed_at = from_unix(q.getColumn(0).getInt64());
            if (merged.tracking_id.empty() && !q.getColumn(1).isNull()) {
                merged.tracking_id = q.getColumn(1).getString();
                merged.carrier = q.getColumn(2).isNull() ? "" : q.getColumn(2).getString();
                if (!q.getColumn(3).isNull())
                    merged.tracking_valid = q.getColumn(3).getInt() != 0;
            }
            row = &merged;
        }
        q.reset();
    }
    auto& s = *upsert_shipment_;
    bind_text(s, 1, row->order_id);
    bind_time(s, 2, row->latest_ship_at);
    bind_time_or_null(s, 3, row->confirmed_at);
    bind_text_or_null(s, 4, row->tracking_id);
    bind_text_or_null(s, 5, row->carrier);
    if (row->tracking_valid) {
        bind_bool(s, 6, *row->tracking_valid);
    } else {
        s.bind(6);
    }
    s.bind(7, import_id_);
    bind_time_or_null(s, 8, row->fetched_updated_at);
    run(s);
}

void store_writer::write_defect(const defect_row& row) {
    auto& s = *upsert_defect_;
    bind_text(s, 1, row.order_id);
    bind_text(s, 2, row.kind);
    bind_time(s, 3, row.occurred_at);
    bind_text(s, 4, row.status);
    bind_number_or_null(s, 5, row.rating);
    bind_bool(s, 6, row.counts);
    s.bind(7, import_id_);
    run(s);
}

void store_writer::write_message(const message_row& row) {
    auto& s = *upsert_message_;
    bind_text(s, 1, row.message_id);
    bind_text_or_null(s, 2, row.order_id);
    bind_text_or_null(s, 3, row.marketplace_id);
    bind_time(s, 4, row.received_at);
    bind_time_or_null(s, 5, row.responded_at);
    bind_bool(s, 6, row.no_response_needed);
    s.bind(7, import_id_);
    run(s);
}

void store_writer::write_mailbox_message(const mailbox_message_row& row) {
    auto& insert = *insert_mailbox_message_;
    bind_text(insert, 1, row.message_id);
    bind_text(insert, 2, row.alias_key);
    bind_time(insert, 3, row.received_at);
    run(insert);

    std::optional<instant> responded;
    auto& q = *first_reply_after_;
    bind_text(q, 1, row.alias_key);
    bind_time(q, 2, row.received_at);
    if (q.executeStep() && !q.getColumn(0).isNull())
        responded = from_unix(q.getColumn(0).getInt64());
    q.reset();

    auto& s = *merge_mailbox_message_;
    bind_text(s, 1, row.message_id);
    bind_text_or_null(s, 2, row.order_id);
    bind_text_or_null(s, 3, row.marketplace_id);
    bind_time(s, 4, row.received_at);
    bind_time_or_null(s, 5, responded);
    s.bind(6, import_id_);
    run(s);
}

void store_writer::write_mailbox_reply(const mailbox_reply_row& row) {
    auto& insert = *insert_mailbox_reply_;
    bind_text(insert, 1, row.reply_id);
    bind_text(insert, 2, row.alias_key);
    bind_time(insert, 3, row.replied_at);
    run(insert);

    auto& s = *answer_messages_;
    bind_text(s, 1, row.alias_key);
    bind_time(s, 2, row.replied_at);
    run(s);
}

void store_writer::write_imap_cursor(const mailbox_imap_cursor_row& row) {
    auto& s = *upsert_imap_cursor_;
    bind_text(s, 1, row.account);
    bind_text(s, 2, row.folder);
    s.bind(3, static_cast<std::int64_t>(row.uidvalidity));
    s.bind(4, static_cast<std::int64_t>(row.last_uid));
    run(s);
}

void store_writer::write_maildir_seen(const mailbox_maildir_seen_row& row) {
    auto& s = *insert_maildir_seen_;
    bind_text(s, 1, row.folder);
    bind_text(s, 2, row.file_key);
    run(s);
}

bool touch_feed_arrival(SQLite::Database& db, std::string_view feed, instant at) {
    SQLite::Statement s(
        db, "UPDATE feeds SET last_import_at = MAX(last_import_at, ?2) WHERE feed = ?1");
    s.bind(1, std::string(feed));
    bind_time(s, 2, at);
    return s.exec() > 0;
}

std::vector<std::string> repair_future_feed_arrivals(SQLite::Database& db, instant now) {
    SQLite::Statement s(db,
                        "UPDATE feeds SET last_import_at = ?1 WHERE last_import_at > ?2"
                        " RETURNING feed");
    bind_time(s, 1, now);
    bind_time(s, 2, now + kFutureTolerance);
    std::vector<std::string> feeds;
    while (s.executeStep())
        feeds.push_back(s.getColumn(0).getString());
    return feeds;
}

void store_writer::write_snapshot(const account_health_snapshot& snapshot) {
    auto& s = *insert_snapshot_;
    s.bind(1, import_id_);
    bind_time(s, 2, snapshot.taken_at.value_or(import_time_));
    bind_text(s, 3, snapshot.document);
    run(s);
    const std::int64_t snapshot_id = db_.getLastInsertRowid();

    auto& m = *insert_snapshot_metric_;
    for (const auto& metric : snapshot.metrics) {
        m.bind(1, snapshot_id);
        bind_text(m, 2, metric.marketplace_id);
        bind_text(m, 3, metric.metric);
        bind_text(m, 4, metric.channel);
        bind_number_or_null(m, 5, metric.rate);
        bind_text_or_null(m, 6, metric.status);
        bind_number_or_null(m, 7, metric.target);
        bind_number_or_null(m, 8, metric.numerator);
        bind_number_or_null(m, 9, metric.denominator);
        bind_time_or_null(m, 10, metric.window_from);
        bind_time_or_null(m, 11, metric.window_to);
        run(m);
    }
    auto& a = *insert_account_status_;
    for (const auto& status : snapshot.statuses) {
        a.bind(1, snapshot_id);
        bind_text(a, 2, status.marketplace_id);
        bind_text(a, 3, status.status);
        run(a);
    }
}

message_mark_outcome mark_no_response_needed(SQLite::Database& db,
                                             const std::vector<std::string>& message_ids, bool undo,
                                             instant now) {
    std::vector<std::string> ids;
    for (const auto& id : message_ids) {
        if (std::find(ids.begin(), ids.end(), id) == ids.end())
            ids.push_back(id);
    }
    message_mark_outcome out;
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement find(
        db,
        "SELECT m.no_response_needed & 1,"
        " EXISTS (SELECT 1 FROM message_marks k WHERE k.message_id = m.message_id)"
        " FROM messages m WHERE m.message_id = ?1");
    struct known {
        const std::string* id;
        bool by_row;
        bool marked;
    };
    std::vector<known> found;
    for (const auto& id : ids) {
        find.bind(1, id);
        if (find.executeStep()) {
            found.push_back(
                {&id, find.getColumn(0).getInt() != 0, find.getColumn(1).getInt() != 0});
        } else {
            out.unknown.push_back(id);
        }
        find.reset();
    }
    if (!out.unknown.empty())
        return out;  // the transaction rolls back: nothing written

    SQLite::Statement mark(db,
                           "INSERT INTO message_marks(message_id, marked_at) VALUES (?1, ?2)"
                           " ON CONFLICT(message_id) DO NOTHING");
    SQLite::Statement unmark(db, "DELETE FROM message_marks WHERE message_id = ?1");
    // The mark is also bit 1 of messages.no_response_needed, so that every
    // reader testing "no_response_needed = 0" (the metric queries, the kept
    // counts' triggers of migrations/0004) leaves the message out.
    SQLite::Statement set_bit(
        db,
        "UPDATE messages SET no_response_needed = no_response_needed | 2 WHERE message_id = ?1");
    SQLite::Statement clear_bit(
        db,
        "UPDATE messages SET no_response_needed = no_response_needed & 1 WHERE message_id = ?1");
    for (const auto& k : found) {
        if (undo ? !k.marked : k.marked) {
            out.unchanged.push_back(*k.id);
        } else if (undo) {
            bind_text(unmark, 1, *k.id);
            run(unmark);
            bind_text(clear_bit, 1, *k.id);
            run(clear_bit);
            out.changed.push_back(*k.id);
        } else {
            bind_text(mark, 1, *k.id);
            bind_time(mark, 2, now);
            run(mark);
            bind_text(set_bit, 1, *k.id);
            run(set_bit);
            out.changed.push_back(*k.id);
        }
        if (undo && k.by_row)
            out.still_by_row.push_back(*k.id);
    }
    tx.commit();
    return out;
}

}  // namespace shd::ingest
