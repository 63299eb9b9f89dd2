#include "metrics/queries.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace shd::metrics {
namespace {

std::int64_t unix_of(instant t) { return static_cast<std::int64_t>(to_unix(t)); }

std::int64_t range_start(instant as_of, int days) {
    return unix_of(as_of) - static_cast<std::int64_t>(days) * kSecondsPerDay;
}

// Columns 0-3: marketplace, channel, day, then numerator and denominator.
void read_buckets(SQLite::Statement& q, day_buckets& out) {
    while (q.executeStep()) {
        row_counts c;
        c.numerator = q.getColumn(3).getInt64();
        c.denominator = q.getColumn(4).getInt64();
        out.add(q.getColumn(0).getString(), q.getColumn(1).getString(),
                q.getColumn(2).getInt64(), c);
    }
}

// An order "counts" for the seller-fulfilled metrics when it exists as of T
// (purchased at or before ?1), is seller-fulfilled, not cancelled, and sold on
// an Amazon marketplace.
constexpr const char* kCountedMfnOrder =
    "o.fulfillment_channel = 'MFN' AND o.is_cancelled = 0 AND o.marketplace_id IS NOT NULL "
    "AND o.purchased_at <= ?1";

}  // namespace

void day_buckets::add(const std::string& marketplace_id, const std::string& channel,
                      std::int64_t day, const row_counts& counts) {
    auto& slot = buckets_[{marketplace_id, channel}][day];
    slot.numerator += counts.numerator;
    slot.denominator += counts.denominator;
    if (counts.components) {
        if (!slot.components) slot.components = odr_components{};
        slot.components->negative_feedback += counts.components->negative_feedback;
        slot.components->a_to_z_claim += counts.components->a_to_z_claim;
        slot.components->chargeback += counts.components->chargeback;
    }
}

row_counts day_buckets::sum(const std::string& marketplace_id, const std::string& channel,
                            std::int64_t first_day, std::int64_t day_count) const {
    row_counts total;
    auto it = buckets_.find({marketplace_id, channel});
    if (it == buckets_.end()) return total;
    const auto& days = it->second;
    for (auto d = days.lower_bound(first_day); d != days.end() && d->first < first_day + day_count;
         ++d) {
        total.numerator += d->second.numerator;
        total.denominator += d->second.denominator;
        if (d->second.components) {
            if (!total.components) total.components = odr_components{};
            total.components->negative_feedback += d->second.components->negative_feedback;
            total.components->a_to_z_claim += d->second.components->a_to_z_claim;
            total.components->chargeback += d->second.components->chargeback;
        }
    }
    return total;
}

std::set<std::string> day_buckets::marketplaces() const {
    std::set<std::string> out;
    for (const auto& [key, days] : buckets_) out.insert(key.first);
    return out;
}

std::set<std::string> find_marketplaces(SQLite::Database& db,
                                        const std::string& default_marketplace) {
    std::set<std::string> out;
    // Distinct marketplaces of orders by hopping along orders_by_purchase: one
    // index seek per marketplace instead of a scan of every order.
    SQLite::Statement orders(
        db,
        "WITH RECURSIVE m(id) AS ("
        " SELECT (SELECT MIN(marketplace_id) FROM orders WHERE marketplace_id IS NOT NULL)"
        " UNION ALL"
        " SELECT (SELECT MIN(marketplace_id) FROM orders WHERE marketplace_id > m.id)"
        " FROM m WHERE m.id IS NOT NULL)"
        " SELECT id FROM m WHERE id IS NOT NULL");
    while (orders.executeStep()) out.insert(orders.getColumn(0).getString());

    SQLite::Statement messages(db,
                               "SELECT DISTINCT marketplace_id FROM messages"
                               " WHERE marketplace_id IS NOT NULL AND marketplace_id <> ''");
    while (messages.executeStep()) out.insert(messages.getColumn(0).getString());

    // A message without its own marketplace belongs to its order's, which is
    // already in the set; only one whose order gives none falls to the default.
    if (!out.contains(default_marketplace)) {
        SQLite::Statement to_default(
            db,
            "SELECT EXISTS (SELECT 1 FROM messages m"
            " WHERE (m.marketplace_id IS NULL OR m.marketplace_id = '')"
            " AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.order_id = m.order_id"
            " AND o.marketplace_id IS NOT NULL))");
        if (to_default.executeStep() && to_default.getColumn(0).getInt() != 0) {
            out.insert(default_marketplace);
        }
    }
    return out;
}

std::int64_t count_orders(SQLite::Database& db, const std::string& marketplace_id,
                          const std::string& channel, const window_bounds& window, instant as_of) {
    SQLite::Statement q(db,
                        "SELECT COUNT(*) FROM orders"
                        " WHERE marketplace_id = ?1 AND fulfillment_channel = ?2"
                        " AND purchased_at > ?3 AND purchased_at <= ?4");
    q.bind(1, marketplace_id);
    q.bind(2, channel);
    q.bind(3, unix_of(window.start));
    q.bind(4, unix_of(std::min(window.end, as_of)));
    q.executeStep();
    return q.getColumn(0).getInt64();
}

day_buckets odr_defect_buckets(SQLite::Database& db, instant as_of, int days) {
    // Defects first (few), one group per order, so an order with several
    // defects counts once; then its order decides marketplace, channel, day.
    SQLite::Statement q(
        db,
        "SELECT o.marketplace_id, o.fulfillment_channel, (?1 - o.purchased_at) / 86400,"
        " COUNT(*), SUM(d.feedback), SUM(d.claim), SUM(d.chargeback)"
        " FROM (SELECT order_id,"
        "        MAX(kind = 'negative_feedback') AS feedback,"
        "        MAX(kind = 'a_to_z_claim') AS claim,"
        "        MAX(kind = 'chargeback') AS chargeback"
        "       FROM defects WHERE counts = 1 AND occurred_at <= ?1 GROUP BY order_id) d"
        " JOIN orders o ON o.order_id = d.order_id"
        " WHERE o.marketplace_id IS NOT NULL AND o.purchased_at > ?2 AND o.purchased_at <= ?1"
        " GROUP BY 1, 2, 3");
    q.bind(1, unix_of(as_of));
    q.bind(2, range_start(as_of, days));
    day_buckets out;
    while (q.executeStep()) {
        row_counts c;
        c.numerator = q.getColumn(3).getInt64();
        c.components = odr_components{q.getColumn(4).getInt64(), q.getColumn(5).getInt64(),
                                      q.getColumn(6).getInt64()};
        out.add(q.getColumn(0).getString(), q.getColumn(1).getString(),
                q.getColumn(2).getInt64(), c);
    }
    return out;
}

row_counts cancellation_counts(SQLite::Database& db, const std::string& marketplace_id,
                               const window_bounds& window, instant as_of) {
    // The buyer-requested flag may come from either report; the Unshipped
    // report's is looked up only for the few cancelled orders.
    SQLite::Statement q(
        db,
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN (o.is_cancelled = 1 OR o.any_item_cancelled = 1)"
        "  AND o.buyer_requested_cancel = 0"
        "  AND NOT EXISTS (SELECT 1 FROM unshipped_orders u WHERE u.order_id = o.order_id"
        "                  AND u.buyer_requested_cancel = 1)"
        " THEN 1 ELSE 0 END), 0)"
        " FROM orders o"
        " WHERE o.marketplace_id = ?1 AND o.fulfillment_channel = 'MFN'"
        " AND o.purchased_at > ?2 AND o.purchased_at <= ?3");
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
    // Latest ship date: the shipments row, else the Unshipped report's
    // promise date (then the order has no confirmation, so it is counted once
    // the date has passed, and late). Confirmed as of T: confirmed_at <= T.
    // Counted: confirmed as of T, or latest ship date before T. Late: not
    // confirmed as of T, or confirmed after the latest ship date.
    const std::string sql = std::string(
                                "SELECT o.marketplace_id, 'MFN', (?1 - s.latest_ship_at) / 86400,"
                                " SUM(CASE WHEN s.confirmed_at IS NOT NULL AND s.confirmed_at <= ?1"
                                "  AND s.confirmed_at <= s.latest_ship_at THEN 0 ELSE 1 END),"
                                " COUNT(*)"
                                " FROM shipments s JOIN orders o ON o.order_id = s.order_id"
                                " WHERE s.latest_ship_at > ?2 AND s.latest_ship_at <= ?1"
                                " AND ((s.confirmed_at IS NOT NULL AND s.confirmed_at <= ?1)"
                                "      OR s.latest_ship_at < ?1)"
                                " AND ") +
                            kCountedMfnOrder +
                            " GROUP BY 1, 3"
                            " UNION ALL"
                            " SELECT o.marketplace_id, 'MFN', (?1 - u.promise_at) / 86400,"
                            " COUNT(*), COUNT(*)"
                            " FROM unshipped_orders u JOIN orders o ON o.order_id = u.order_id"
                            " WHERE u.promise_at > ?2 AND u.promise_at < ?1"
                            " AND NOT EXISTS (SELECT 1 FROM shipments s"
                            "                 WHERE s.order_id = u.order_id)"
                            " AND " +
                            kCountedMfnOrder + " GROUP BY 1, 3";
    SQLite::Statement q(db, sql);
    q.bind(1, unix_of(as_of));
    q.bind(2, range_start(as_of, days));
    day_buckets out;
    read_buckets(q, out);
    return out;
}

day_buckets valid_tracking_buckets(SQLite::Database& db, instant as_of, int days) {
    const std::string sql =
        std::string(
            "SELECT o.marketplace_id, 'MFN', (?1 - s.confirmed_at) / 86400,"
            " SUM(CASE WHEN s.tracking_valid IS NOT NULL THEN s.tracking_valid <> 0"
            "     ELSE COALESCE(s.tracking_id, '') <> '' END),"
            " COUNT(*)"
            " FROM shipments s JOIN orders o ON o.order_id = s.order_id"
            " WHERE s.confirmed_at > ?2 AND s.confirmed_at <= ?1 AND ") +
        kCountedMfnOrder + " GROUP BY 1, 3";
    SQLite::Statement q(db, sql);
    q.bind(1, unix_of(as_of));
    q.bind(2, range_start(as_of, days));
    day_buckets out;
    read_buckets(q, out);
    return out;
}

day_buckets response_buckets(SQLite::Database& db, instant as_of, int days,
                             const std::string& default_marketplace) {
    // The order is looked up only for messages without their own marketplace
    // (COALESCE stops at the first non-NULL argument).
    SQLite::Statement q(
        db,
        "SELECT COALESCE(NULLIF(m.marketplace_id, ''),"
        "  (SELECT o.marketplace_id FROM orders o WHERE o.order_id = m.order_id), ?3),"
        " 'all', (?1 - m.received_at) / 86400,"
        " SUM(CASE WHEN m.responded_at IS NOT NULL AND m.responded_at <= ?1"
        "  AND m.responded_at - m.received_at <= 86400 THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN m.responded_at IS NOT NULL AND m.responded_at <= ?1 THEN 1"
        "  WHEN ?1 - m.received_at > 86400 THEN 1 ELSE 0 END)"
        " FROM messages m"
        " WHERE m.received_at > ?2 AND m.received_at <= ?1 AND m.no_response_needed = 0"
        " GROUP BY 1, 3");
    q.bind(1, unix_of(as_of));
    q.bind(2, range_start(as_of, days));
    q.bind(3, default_marketplace);
    day_buckets out;
    read_buckets(q, out);
    return out;
}

}  // namespace shd::metrics
