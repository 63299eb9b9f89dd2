#include "metrics/queries.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <limits>

namespace shd::metrics {
namespace {

std::int64_t unix_of(instant t) {
    return static_cast<std::int64_t>(to_unix(t));
}

std::int64_t range_start(instant as_of, int days) {
    return unix_of(as_of) - static_cast<std::int64_t>(days) * kSecondsPerDay;
}

// An order "counts" for the seller-fulfilled metrics when it exists as of T
// (purchased at or before ?1), is seller-fulfilled, not cancelled, and sold on
// an Amazon marketplace.
#define SHD_COUNTED_MFN_ORDER                                                               \
    "o.fulfillment_channel = 'MFN' AND o.is_cancelled = 0 AND o.marketplace_id IS NOT NULL" \
    " AND o.purchased_at <= ?1"

// Joins are written CROSS JOIN, which fixes SQLite's join order to the one
// written: the few rows of the attributing table's window first, then their
// orders by primary key. Without ANALYZE statistics the planner may otherwise
// walk every order through orders_by_purchase (seen: 4 s instead of 0.1 s).
const query_texts kSql{
    // Distinct marketplaces of orders by hopping along orders_by_purchase: one
    // index seek per marketplace instead of a scan of every order.
    .order_marketplaces =
        "WITH RECURSIVE m(id) AS ("
        " SELECT (SELECT MIN(marketplace_id) FROM orders WHERE marketplace_id IS NOT NULL)"
        " UNION ALL"
        " SELECT (SELECT MIN(marketplace_id) FROM orders WHERE marketplace_id > m.id)"
        " FROM m WHERE m.id IS NOT NULL)"
        " SELECT id FROM m WHERE id IS NOT NULL",
    .message_marketplaces =
        "SELECT DISTINCT marketplace_id FROM messages"
        " WHERE marketplace_id IS NOT NULL AND marketplace_id <> ''",
    // A message without its own marketplace belongs to its order's, which is
    // already among the orders' marketplaces; only one whose order gives none
    // falls to the default.
    .messages_to_default =
        "SELECT EXISTS (SELECT 1 FROM messages m"
        " WHERE (m.marketplace_id IS NULL OR m.marketplace_id = '')"
        " AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.order_id = m.order_id"
        " AND o.marketplace_id IS NOT NULL))",
    // ?1 marketplace, ?2 channel, ?3 window start (excluded), ?4 end (included).
    .count_orders =
        "SELECT COUNT(*) FROM orders"
        " WHERE marketplace_id = ?1 AND fulfillment_channel = ?2"
        " AND purchased_at > ?3 AND purchased_at <= ?4",
    // Defects first (few), one group per order, so an order with several
    // defects counts once; then its order decides marketplace, channel, day.
    // ?1 T, ?2 range start.
    .odr_defects =
        "SELECT o.marketplace_id, o.fulfillment_channel, (?1 - o.purchased_at) / 86400,"
        " COUNT(*), SUM(d.feedback), SUM(d.claim), SUM(d.chargeback)"
        " FROM (SELECT order_id,"
        "        MAX(kind = 'negative_feedback') AS feedback,"
        "        MAX(kind = 'a_to_z_claim') AS claim,"
        "        MAX(kind = 'chargeback') AS chargeback"
        "       FROM defects WHERE counts = 1 AND occurred_at <= ?1 GROUP BY order_id) d"
        " CROSS JOIN orders o ON o.order_id = d.order_id"
        " WHERE o.marketplace_id IS NOT NULL AND o.purchased_at > ?2 AND o.purchased_at <= ?1"
        " GROUP BY 1, 2, 3",
    // The buyer-requested flag may come from either report; the Unshipped
    // report's is looked up only for the few cancelled orders (CASE WHEN
    // evaluates its AND terms left to right and stops at the first false).
    // ?1 marketplace, ?2 window start, ?3 end.
    .cancellation =
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN (o.is_cancelled = 1 OR o.any_item_cancelled = 1)"
        "  AND o.buyer_requested_cancel = 0"
        "  AND NOT EXISTS (SELECT 1 FROM unshipped_orders u WHERE u.order_id = o.order_id"
        "                  AND u.buyer_requested_cancel = 1)"
        " THEN 1 ELSE 0 END), 0)"
        " FROM orders o"
        " WHERE o.marketplace_id = ?1 AND o.fulfillment_channel = 'MFN'"
        " AND o.purchased_at > ?2 AND o.purchased_at <= ?3",
    // Latest ship date: the shipments row, else the Unshipped report's promise
    // date (then the order has no confirmation, so it is counted once the date
    // has passed, and late). Confirmed as of T: confirmed_at <= T. Counted:
    // confirmed as of T, or latest ship date before T. Late: not confirmed as
    // of T, or confirmed after the latest ship date. ?1 T, ?2 range start.
    .late_dispatch =
        "SELECT o.marketplace_id, 'MFN', (?1 - s.latest_ship_at) / 86400,"
        " SUM(CASE WHEN s.confirmed_at IS NOT NULL AND s.confirmed_at <= ?1"
        "  AND s.confirmed_at <= s.latest_ship_at THEN 0 ELSE 1 END),"
        " COUNT(*)"
        " FROM shipments s CROSS JOIN orders o ON o.order_id = s.order_id"
        " WHERE s.latest_ship_at > ?2 AND s.latest_ship_at <= ?1"
        " AND ((s.confirmed_at IS NOT NULL AND s.confirmed_at <= ?1) OR s.latest_ship_at < ?1)"
        " AND " SHD_COUNTED_MFN_ORDER
        " GROUP BY 1, 3"
        " UNION ALL"
        " SELECT o.marketplace_id, 'MFN', (?1 - u.promise_at) / 86400, COUNT(*), COUNT(*)"
        " FROM unshipped_orders u CROSS JOIN orders o ON o.order_id = u.order_id"
        " WHERE u.promise_at > ?2 AND u.promise_at < ?1"
        " AND NOT EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = u.order_id)"
        " AND " SHD_COUNTED_MFN_ORDER " GROUP BY 1, 3",
    // ?1 T, ?2 range start.
    .valid_tracking =
        "SELECT o.marketplace_id, 'MFN', (?1 - s.confirmed_at) / 86400,"
        " SUM(CASE WHEN s.tracking_valid IS NOT NULL THEN s.tracking_valid <> 0"
        "     ELSE COALESCE(s.tracking_id, '') <> '' END),"
        " COUNT(*)"
        " FROM shipments s CROSS JOIN orders o ON o.order_id = s.order_id"
        " WHERE s.confirmed_at > ?2 AND s.confirmed_at <= ?1 AND " SHD_COUNTED_MFN_ORDER
        " GROUP BY 1, 3",
    // The order is looked up only for messages without their own marketplace
    // (COALESCE stops at the first non-NULL argument). On time: replied by T
    // within 24 h. Denominator: replied by T, or unreplied for over 24 h.
    // Left out: messages needing no response, by their row (bit 0) or the
    // seller's mark (bit 1, migrations/0008). ?1 T, ?2 range start, ?3
    // default marketplace.
    .responses =
        "SELECT COALESCE(NULLIF(m.marketplace_id, ''),"
        "  (SELECT o.marketplace_id FROM orders o WHERE o.order_id = m.order_id), ?3),"
        " 'all', (?1 - m.received_at) / 86400,"
        " SUM(CASE WHEN m.responded_at IS NOT NULL AND m.responded_at <= ?1"
        "  AND m.responded_at - m.received_at <= 86400 THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN m.responded_at IS NOT NULL AND m.responded_at <= ?1 THEN 1"
        "  WHEN ?1 - m.received_at > 86400 THEN 1 ELSE 0 END)"
        " FROM messages m"
        " WHERE m.received_at > ?2 AND m.received_at <= ?1 AND m.no_response_needed = 0"
        " GROUP BY 1, 3",
    // Every message received in (?2, ?1], its marketplace resolved as above.
    // ?1 T, ?2 range start, ?3 default marketplace.
    .message_facts =
        "SELECT m.message_id, COALESCE(m.order_id, ''),"
        " COALESCE(NULLIF(m.marketplace_id, ''),"
        "  (SELECT o.marketplace_id FROM orders o WHERE o.order_id = m.order_id), ?3),"
        " m.received_at, m.responded_at, m.no_response_needed & 1,"
        " (m.no_response_needed & 2) <> 0"
        " FROM messages m"
        " WHERE m.received_at > ?2 AND m.received_at <= ?1"
        " ORDER BY m.received_at, m.message_id",
};

#undef SHD_COUNTED_MFN_ORDER

// Columns 0-4: marketplace, channel, day, numerator, denominator.
day_buckets read_buckets(SQLite::Statement& q) {
    day_buckets out;
    while (q.executeStep()) {
        row_counts c;
        c.numerator = q.getColumn(3).getInt64();
        c.denominator = q.getColumn(4).getInt64();
        out.add(q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getInt64(),
                c);
    }
    return out;
}

void add_components(std::optional<odr_components>& into, const odr_components& c) {
    if (!into)
        into = odr_components{};
    into->negative_feedback += c.negative_feedback;
    into->a_to_z_claim += c.a_to_z_claim;
    into->chargeback += c.chargeback;
}

}  // namespace

const query_texts& sql_texts() {
    return kSql;
}

void day_buckets::add(const std::string& marketplace_id, const std::string& channel,
                      std::int64_t day, const row_counts& counts) {
    auto& slot = buckets_[{marketplace_id, channel}][day];
    slot.numerator += counts.numerator;
    slot.denominator += counts.denominator;
    if (counts.components)
        add_components(slot.components, *counts.components);
}

row_counts day_buckets::sum(const std::string& marketplace_id, const std::string& channel,
                            std::int64_t first_day, std::int64_t day_count) const {
    row_counts total;
    auto it = buckets_.find({marketplace_id, channel});
    if (it == buckets_.end())
        return total;
    const auto& days = it->second;
    for (auto d = days.lower_bound(first_day); d != days.end() && d->first < first_day + day_count;
         ++d) {
        total.numerator += d->second.numerator;
        total.denominator += d->second.denominator;
        if (d->second.components)
            add_components(total.components, *d->second.components);
    }
    return total;
}

std::vector<row_counts> day_buckets::each(const std::string& marketplace_id,
                                          const std::string& channel, std::int64_t first_day,
                                          std::int64_t day_count) const {
    std::vector<row_counts> out(static_cast<std::size_t>(std::max<std::int64_t>(day_count, 0)));
    auto it = buckets_.find({marketplace_id, channel});
    if (it == buckets_.end())
        return out;
    const auto& days = it->second;
    for (auto d = days.lower_bound(first_day); d != days.end() && d->first < first_day + day_count;
         ++d)
        out[static_cast<std::size_t>(d->first - first_day)] = d->second;
    return out;
}

std::set<std::string> day_buckets::marketplaces() const {
    std::set<std::string> out;
    for (const auto& [key, days] : buckets_)
        out.insert(key.first);
    return out;
}

std::set<std::string> find_marketplaces(SQLite::Database& db,
                                        const std::string& default_marketplace) {
    std::set<std::string> out;
    SQLite::Statement orders(db, kSql.order_marketplaces);
    while (orders.executeStep())
        out.insert(orders.getColumn(0).getString());
    SQLite::Statement messages(db, kSql.message_marketplaces);
    while (messages.executeStep())
        out.insert(messages.getColumn(0).getString());
    if (!out.contains(default_marketplace)) {
        SQLite::Statement to_default(db, kSql.messages_to_default);
        if (to_default.executeStep() && to_default.getColumn(0).getInt() != 0) {
            out.insert(default_marketplace);
        }
    }
    return out;
}

std::int64_t count_orders(SQLite::Database& db, const std::string& marketplace_id,
                          const std::string& channel, const window_bounds& window, instant as_of) {
    SQLite::Statement q(db, kSql.count_orders);
    q.bind(1, marketplace_id);
    q.bind(2, channel);
    q.bind(3, unix_of(window.start));
    q.bind(4, unix_of(std::min(window.end, as_of)));
    q.executeStep();
    return q.getColumn(0).getInt64();
}

day_buckets odr_defect_buckets(SQLite::Database& db, instant as_of, int days) {
    SQLite::Statement q(db, kSql.odr_defects);
    q.bind(1, unix_of(as_of));
    q.bind(2, range_start(as_of, days));
    day_buckets out;
    while (q.executeStep()) {
        row_counts c;
        c.numerator = q.getColumn(3).getInt64();
        c.components = odr_components{q.getColumn(4).getInt64(), q.getColumn(5).getInt64(),
                                      q.getColumn(6).getInt64()};
        out.add(q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getInt64(),
                c);
    }
    return out;
}

row_counts cancellation_counts(SQLite::Database& db, const std::string& marketplace_id,
                               const window_bounds& window, instant as_of) {
    SQLite::Statement q(db, kSql.cancellation);
    q.bind(1, marketplace_id);
    q.bind(2, unix_of(window.start));
    q.bind(3, unix_of(std::min(window.end, as_of)));
    q.executeStep();
    row_counts c;
    c.denominator = q.getColumn(0).getInt64();
    c.numerator = q.getColumn(1).getInt64();
    return c;
}

day_buckets late_dispatch_buckets(SQLite::Database& db, instant as_of, int days) {
    SQLite::Statement q(db, kSql.late_dispatch);
    q.bind(1, unix_of(as_of));
    q.bind(2, range_start(as_of, days));
    return read_buckets(q);
}

day_buckets valid_tracking_buckets(SQLite::Database& db, instant as_of, int days) {
    SQLite::Statement q(db, kSql.valid_tracking);
    q.bind(1, unix_of(as_of));
    q.bind(2, range_start(as_of, days));
    return read_buckets(q);
}

day_buckets response_buckets(SQLite::Database& db, instant as_of, int days,
                             const std::string& default_marketplace) {
    SQLite::Statement q(db, kSql.responses);
    q.bind(1, unix_of(as_of));
    q.bind(2, range_start(as_of, days));
    q.bind(3, default_marketplace);
    return read_buckets(q);
}

std::vector<message_fact> load_message_facts(SQLite::Database& db, instant as_of,
                                             std::optional<instant> since,
                                             const std::string& default_marketplace) {
    SQLite::Statement q(db, kSql.message_facts);
    q.bind(1, unix_of(as_of));
    q.bind(2, since ? unix_of(*since) : std::numeric_limits<std::int64_t>::min());
    q.bind(3, default_marketplace);
    std::vector<message_fact> out;
    while (q.executeStep()) {
        message_fact m;
        m.message_id = q.getColumn(0).getString();
        m.order_id = q.getColumn(1).getString();
        m.marketplace_id = q.getColumn(2).getString();
        m.received_at = from_unix(q.getColumn(3).getInt64());
        if (!q.getColumn(4).isNull())
            m.responded_at = from_unix(q.getColumn(4).getInt64());
        m.no_response_needed_by_row = q.getColumn(5).getInt() != 0;
        m.marked_no_response_needed = q.getColumn(6).getInt() != 0;
        out.push_back(std::move(m));
    }
    return out;
}

std::vector<feed_arrival> load_feed_arrivals(SQLite::Database& db) {
    std::vector<feed_arrival> out;
    if (!db.tableExists("feeds"))
        return out;
    SQLite::Statement q(
        db, "SELECT feed, last_import_at, newest_data_at, imports FROM feeds ORDER BY feed");
    while (q.executeStep()) {
        feed_arrival a;
        a.feed = q.getColumn(0).getString();
        a.last_import_at = from_unix(q.getColumn(1).getInt64());
        if (!q.getColumn(2).isNull())
            a.newest_data_at = from_unix(q.getColumn(2).getInt64());
        a.imports = q.getColumn(3).getInt64();
        out.push_back(std::move(a));
    }
    return out;
}

}  // namespace shd::metrics
