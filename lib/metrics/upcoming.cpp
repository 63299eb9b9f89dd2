#include "metrics/upcoming.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "metrics/rules.hpp"

namespace shd::metrics {
namespace {

std::int64_t unix_of(instant t) {
    return static_cast<std::int64_t>(to_unix(t));
}

// Lag + longest window of a metric in one marketplace.
int reach_days(const config::config& cfg, metric_key key, const std::string& marketplace) {
    const auto& t = cfg.thresholds(key, marketplace);
    int longest = 0;
    for (int w : t.windows)
        longest = std::max(longest, w);
    return t.lag_days + longest;
}

std::vector<std::string> split_kinds(const std::string& joined) {
    std::vector<std::string> kinds;
    std::istringstream in(joined);
    for (std::string kind; std::getline(in, kind, ',');)
        kinds.push_back(kind);
    std::sort(kinds.begin(), kinds.end());
    return kinds;
}

// True when the database has schema 9's indexes of what waits near T (a
// read-only open of an older file has not been migrated).
bool has_near_t_indexes(SQLite::Database& db) {
    SQLite::Statement q(db,
                        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN"
                        " ('shipments_unconfirmed_by_latest_ship', 'unshipped_waiting_by_promise',"
                        " 'messages_unanswered_by_received')");
    q.executeStep();
    return q.getColumn(0).getInt() == 3;
}

#define SHD_COUNTED_MFN_ORDER                                                               \
    "o.fulfillment_channel = 'MFN' AND o.is_cancelled = 0 AND o.marketplace_id IS NOT NULL" \
    " AND o.purchased_at <= ?1"

// Orders not confirmed as of T with a latest ship date in (?2, ?3]: shipments
// never confirmed (by their own partial index), shipments confirmed after T
// (few, near T, by confirmation), and Unshipped rows of orders without a
// shipments row (`shipped` = 0, migrations/0009). Each part reads only the
// rows that wait, not the window's history. ?1 T.
constexpr const char* kUnconfirmedIndexed =
    "SELECT o.marketplace_id, s.order_id, s.latest_ship_at"
    " FROM shipments s INDEXED BY shipments_unconfirmed_by_latest_ship"
    " CROSS JOIN orders o ON o.order_id = s.order_id"
    " WHERE s.confirmed_at IS NULL AND s.latest_ship_at > ?2 AND s.latest_ship_at <= ?3"
    " AND " SHD_COUNTED_MFN_ORDER
    " UNION ALL"
    " SELECT o.marketplace_id, s.order_id, s.latest_ship_at"
    " FROM shipments s INDEXED BY shipments_by_confirmed"
    " CROSS JOIN orders o ON o.order_id = s.order_id"
    " WHERE s.confirmed_at > ?1 AND s.latest_ship_at > ?2 AND s.latest_ship_at <= ?3"
    " AND " SHD_COUNTED_MFN_ORDER
    " UNION ALL"
    " SELECT o.marketplace_id, u.order_id, u.promise_at"
    " FROM unshipped_orders u INDEXED BY unshipped_waiting_by_promise"
    " CROSS JOIN orders o ON o.order_id = u.order_id"
    " WHERE u.shipped = 0 AND u.promise_at > ?2 AND u.promise_at <= ?3"
    " AND NOT EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = u.order_id)"
    " AND " SHD_COUNTED_MFN_ORDER;

// The same before schema 9. The unary + keeps SQLite off
// shipments_by_latest_ship: the few unconfirmed shipments are found through
// shipments_by_confirmed (NULL or after T).
constexpr const char* kUnconfirmedScan =
    "SELECT o.marketplace_id, s.order_id, s.latest_ship_at"
    " FROM shipments s CROSS JOIN orders o ON o.order_id = s.order_id"
    " WHERE +s.latest_ship_at > ?2 AND +s.latest_ship_at <= ?3"
    " AND (s.confirmed_at IS NULL OR s.confirmed_at > ?1)"
    " AND " SHD_COUNTED_MFN_ORDER
    " UNION ALL"
    " SELECT o.marketplace_id, u.order_id, u.promise_at"
    " FROM unshipped_orders u CROSS JOIN orders o ON o.order_id = u.order_id"
    " WHERE u.promise_at > ?2 AND u.promise_at <= ?3"
    " AND NOT EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = u.order_id)"
    " AND " SHD_COUNTED_MFN_ORDER;

#undef SHD_COUNTED_MFN_ORDER

// Messages received in (?2, ?3) needing a reply and not answered as of T = ?1:
// never answered (by their own partial index) or answered after T (few, near
// T, by reply time). Sorted by receipt, then message ID.
#define SHD_MESSAGE_COLUMNS                                                         \
    "SELECT COALESCE(NULLIF(m.marketplace_id, ''),"                                 \
    "  (SELECT o.marketplace_id FROM orders o WHERE o.order_id = m.order_id), ?4)," \
    " m.message_id, COALESCE(m.order_id, ''), m.received_at"
constexpr const char* kUnansweredIndexed = SHD_MESSAGE_COLUMNS
    " FROM messages m INDEXED BY messages_unanswered_by_received"
    " WHERE m.responded_at IS NULL AND m.received_at > ?2 AND m.received_at < ?3"
    " AND m.no_response_needed = 0"
    " UNION ALL " SHD_MESSAGE_COLUMNS
    " FROM messages m INDEXED BY messages_by_response"
    " WHERE m.responded_at > ?1 AND m.received_at > ?2 AND m.received_at < ?3"
    " AND m.no_response_needed = 0"
    " ORDER BY 4, 2";
constexpr const char* kUnansweredScan = SHD_MESSAGE_COLUMNS
    " FROM messages m"
    " WHERE m.received_at > ?2 AND m.received_at < ?3 AND m.no_response_needed = 0"
    " AND (m.responded_at IS NULL OR m.responded_at > ?1)"
    " ORDER BY m.received_at, m.message_id";
#undef SHD_MESSAGE_COLUMNS

}  // namespace

std::vector<upcoming_events> find_upcoming(SQLite::Database& db, const config::config& cfg,
                                           instant as_of,
                                           const std::vector<metric_result>& metrics) {
    std::vector<upcoming_events> out;
    std::map<std::string, std::size_t> index;
    int ldr_reach = 0;
    int response_reach = 0;
    int odr_reach = 0;
    for (const auto& r : metrics) {
        if (index.contains(r.marketplace_id))
            continue;
        index[r.marketplace_id] = out.size();
        out.push_back(upcoming_events{r.marketplace_id, {}, {}, {}});
        ldr_reach =
            std::max(ldr_reach, reach_days(cfg, metric_key::late_dispatch_rate, r.marketplace_id));
        response_reach = std::max(response_reach,
                                  reach_days(cfg, metric_key::response_rate_24h, r.marketplace_id));
        odr_reach =
            std::max(odr_reach, reach_days(cfg, metric_key::order_defect_rate, r.marketplace_id));
    }
    if (out.empty())
        return out;
    const std::int64_t t = unix_of(as_of);

    {
        // Same order and latest-ship-date rules as late_dispatch_buckets.
        // Sorted in C++: an ORDER BY here makes SQLite walk the whole
        // shipments_by_latest_ship index to avoid a sort (0.8 s at 1M orders).
        SQLite::Statement q(db, has_near_t_indexes(db) ? kUnconfirmedIndexed : kUnconfirmedScan);
        q.bind(1, t);
        q.bind(2, t - static_cast<std::int64_t>(ldr_reach) * kSecondsPerDay);
        q.bind(3, unix_of(as_of + kShipSoonHorizon));
        while (q.executeStep()) {
            const auto marketplace = q.getColumn(0).getString();
            auto it = index.find(marketplace);
            if (it == index.end())
                continue;
            const instant latest = from_unix(q.getColumn(2).getInt64());
            const auto reach = days(reach_days(cfg, metric_key::late_dispatch_rate, marketplace));
            if (latest <= as_of - reach)
                continue;
            out[it->second].unconfirmed_orders.push_back(
                unconfirmed_order{q.getColumn(1).getString(), latest, latest < as_of});
        }
    }

    for (auto& e : out) {
        std::sort(e.unconfirmed_orders.begin(), e.unconfirmed_orders.end(),
                  [](const unconfirmed_order& a, const unconfirmed_order& b) {
                      return std::tie(a.latest_ship_at, a.order_id) <
                             std::tie(b.latest_ship_at, b.order_id);
                  });
    }

    {
        SQLite::Statement q(db, has_near_t_indexes(db) ? kUnansweredIndexed : kUnansweredScan);
        q.bind(1, t);
        q.bind(2, t - static_cast<std::int64_t>(response_reach) * kSecondsPerDay);
        q.bind(3, unix_of(as_of - kUnansweredAfter));
        q.bind(4, cfg.default_marketplace);
        while (q.executeStep()) {
            const auto marketplace = q.getColumn(0).getString();
            auto it = index.find(marketplace);
            if (it == index.end())
                continue;
            const instant received = from_unix(q.getColumn(3).getInt64());
            const auto reach = days(reach_days(cfg, metric_key::response_rate_24h, marketplace));
            if (received <= as_of - reach)
                continue;
            const instant due = received + kReplyDeadline;
            out[it->second].unanswered_messages.push_back(
                unanswered_message{q.getColumn(1).getString(), q.getColumn(2).getString(), received,
                                   due, as_of > due});
        }
    }

    {
        SQLite::Statement q(
            db,
            "SELECT o.marketplace_id, o.fulfillment_channel, o.order_id, o.purchased_at,"
            " group_concat(d.kind)"
            " FROM defects d CROSS JOIN orders o ON o.order_id = d.order_id"
            " WHERE d.counts = 1 AND d.occurred_at <= ?1"
            " AND o.marketplace_id IS NOT NULL AND o.purchased_at > ?2 AND o.purchased_at <= ?1"
            " GROUP BY o.order_id");
        q.bind(1, t);
        q.bind(2, t - static_cast<std::int64_t>(odr_reach) * kSecondsPerDay);
        while (q.executeStep()) {
            const auto marketplace = q.getColumn(0).getString();
            auto it = index.find(marketplace);
            if (it == index.end())
                continue;
            const instant purchased = from_unix(q.getColumn(3).getInt64());
            const auto& thresholds = cfg.thresholds(metric_key::order_defect_rate, marketplace);
            for (int w : thresholds.windows) {
                if (!window_for(as_of, w, thresholds.lag_days).contains(purchased))
                    continue;
                out[it->second].defects_leaving.push_back(
                    defect_leaving_window{q.getColumn(2).getString(), q.getColumn(1).getString(), w,
                                          purchased, purchased + days(thresholds.lag_days + w),
                                          split_kinds(q.getColumn(4).getString())});
            }
        }
        for (auto& e : out) {
            std::sort(e.defects_leaving.begin(), e.defects_leaving.end(),
                      [](const defect_leaving_window& a, const defect_leaving_window& b) {
                          return std::tie(a.leaves_at, a.window_days, a.order_id) <
                                 std::tie(b.leaves_at, b.window_days, b.order_id);
                      });
        }
    }
    return out;
}

}  // namespace shd::metrics
