#include "metrics/kept_counts.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <stdexcept>
#include <unordered_map>

#include "metrics/queries.hpp"

namespace shd::metrics {
namespace {

constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;

#define SHD_COUNTER_COLUMNS                                                      \
    "orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled," \
    " dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time"
#define SHD_MFN_COUNTED                                                                     \
    "o.fulfillment_channel = 'MFN' AND o.is_cancelled = 0 AND o.marketplace_id IS NOT NULL" \
    " AND o.purchased_at <= ?1"

// The bucket of span `span` holding t: (b * span, (b + 1) * span].
std::int64_t bucket_of(std::int64_t t, std::int64_t span) {
    return t > 0 ? (t - 1) / span : -((span - t) / span);
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
    return -floor_div(-a, b);
}

const char* arm_view(count_arm arm) {
    switch (arm) {
        case count_arm::purchase:
            return "count_arm_purchase";
        case count_arm::ship_by:
            return "count_arm_ship_by";
        case count_arm::promise:
            return "count_arm_promise";
        case count_arm::confirmed:
            return "count_arm_confirmed";
        case count_arm::message:
            return "count_arm_message";
    }
    throw std::logic_error("kept_counts: unknown arm");
}

// Columns: marketplace, channel, at, then the counters.
counter_values read_values(SQLite::Statement& q, int first) {
    counter_values c;
    for (int i = 0; i < kCounters; ++i)
        c.v[i] = q.getColumn(first + i).getInt64();
    return c;
}

}  // namespace

bool has_kept_counts(SQLite::Database& db) {
    return db.tableExists("metric_counts");
}

bool few_records_after(SQLite::Database& db, instant as_of, std::int64_t limit) {
    const std::int64_t t = static_cast<std::int64_t>(to_unix(as_of));
    std::int64_t found = 0;
    auto probe = [&](const char* sql, const std::string* marketplace) {
        SQLite::Statement q(db, sql);
        q.bind(1, t);
        q.bind(2, limit);
        if (marketplace)
            q.bind(3, *marketplace);
        q.executeStep();
        found = std::max(found, q.getColumn(0).getInt64());
    };
    probe(
        "SELECT COUNT(*) FROM (SELECT 1 FROM defects INDEXED BY defects_counting_by_time"
        " WHERE counts = 1 AND occurred_at > ?1 LIMIT ?2)",
        nullptr);
    probe("SELECT COUNT(*) FROM (SELECT 1 FROM shipments WHERE confirmed_at > ?1 LIMIT ?2)",
          nullptr);
    probe("SELECT COUNT(*) FROM (SELECT 1 FROM messages WHERE responded_at > ?1 LIMIT ?2)",
          nullptr);
    probe("SELECT COUNT(*) FROM (SELECT 1 FROM messages WHERE received_at > ?1 LIMIT ?2)", nullptr);
    SQLite::Statement m(db, sql_texts().order_marketplaces);
    while (m.executeStep() && found < limit) {
        const std::string marketplace = m.getColumn(0).getString();
        probe(
            "SELECT COUNT(*) FROM (SELECT 1 FROM orders WHERE marketplace_id = ?3"
            " AND fulfillment_channel = 'MFN' AND purchased_at > ?1 LIMIT ?2)",
            &marketplace);
    }
    return found < limit;
}

kept_counts::kept_counts(SQLite::Database& db, instant as_of, std::string default_marketplace)
    : db_(db),
      t_(static_cast<std::int64_t>(to_unix(as_of))),
      default_marketplace_(std::move(default_marketplace)) {
    sum_ = std::make_unique<SQLite::Statement>(
        db_,
        "SELECT TOTAL(orders), TOTAL(defective), TOTAL(negative_feedback), TOTAL(a_to_z_claim),"
        " TOTAL(chargeback), TOTAL(cancelled), TOTAL(dispatch_counted), TOTAL(dispatch_late),"
        " TOTAL(confirmed), TOTAL(tracked), TOTAL(messages), TOTAL(answerable), TOTAL(on_time)"
        " FROM metric_counts WHERE span = ?1 AND marketplace_id = ?2 AND channel = ?3"
        " AND bucket >= ?4 AND bucket <= ?5");
}

kept_counts::~kept_counts() = default;

std::string kept_counts::resolve(std::string marketplace_id) const {
    return marketplace_id.empty() ? default_marketplace_ : marketplace_id;
}

std::set<std::string> kept_counts::marketplaces() {
    std::set<std::string> out;
    SQLite::Statement orders_q(db_, sql_texts().order_marketplaces);
    while (orders_q.executeStep())
        out.insert(orders_q.getColumn(0).getString());
    SQLite::Statement messages_q(db_,
                                 "SELECT DISTINCT marketplace_id FROM metric_counts"
                                 " WHERE span = 86400 AND channel = 'all' AND messages <> 0");
    while (messages_q.executeStep())
        out.insert(resolve(messages_q.getColumn(0).getString()));
    return out;
}

counter_values kept_counts::bucket_sum(const std::string& key_marketplace,
                                       const std::string& channel, std::int64_t span,
                                       std::int64_t first, std::int64_t last) {
    counter_values c;
    if (first > last)
        return c;
    auto& q = *sum_;
    q.bind(1, span);
    q.bind(2, key_marketplace);
    q.bind(3, channel);
    q.bind(4, first);
    q.bind(5, last);
    if (q.executeStep()) {
        for (int i = 0; i < kCounters; ++i)
            c.v[i] = static_cast<std::int64_t>(q.getColumn(i).getDouble());
    }
    q.reset();
    return c;
}

counter_values kept_counts::covered(const std::string& key_marketplace, const std::string& channel,
                                    std::int64_t first_hour, std::int64_t last_hour) {
    const std::int64_t per_day = kDay / kHour;
    const std::int64_t first_day = ceil_div(first_hour, per_day);
    const std::int64_t last_day = floor_div(last_hour + 1, per_day) - 1;
    counter_values c;
    if (first_day <= last_day) {
        c += bucket_sum(key_marketplace, channel, kHour, first_hour, first_day * per_day - 1);
        c += bucket_sum(key_marketplace, channel, kDay, first_day, last_day);
        c += bucket_sum(key_marketplace, channel, kHour, (last_day + 1) * per_day, last_hour);
    } else {
        c += bucket_sum(key_marketplace, channel, kHour, first_hour, last_hour);
    }
    return c;
}

const std::vector<kept_counts::record_row>& kept_counts::records_in(
    count_arm arm, const std::string& marketplace_id, const std::string& channel, std::int64_t lo,
    std::int64_t hi) {
    // Orders are found through orders_by_purchase, which wants the
    // marketplace and channel; the other arms' date indexes do not.
    const bool by_key = arm == count_arm::purchase;
    const auto key = std::make_tuple(arm, by_key ? marketplace_id : std::string(),
                                     by_key ? channel : std::string(), lo, hi);
    auto found = ranges_.find(key);
    if (found != ranges_.end())
        return found->second;
    std::vector<record_row> rows;
    if (lo < hi) {
        // Prepared once per arm: compiling a view's statement costs more than
        // running it on an hour of records.
        auto& prepared = range_statements_[static_cast<int>(arm)];
        if (!prepared) {
            std::string sql =
                std::string("SELECT marketplace_id, channel, at, " SHD_COUNTER_COLUMNS " FROM ") +
                arm_view(arm) + " WHERE at > ?1 AND at <= ?2";
            if (by_key)
                sql += " AND marketplace_id = ?3 AND channel = ?4";
            prepared = std::make_unique<SQLite::Statement>(db_, sql);
        }
        auto& q = *prepared;
        q.bind(1, lo);
        q.bind(2, hi);
        if (by_key) {
            q.bind(3, marketplace_id);
            q.bind(4, channel);
        }
        while (q.executeStep()) {
            rows.push_back(record_row{arm, resolve(q.getColumn(0).getString()),
                                      q.getColumn(1).getString(), q.getColumn(2).getInt64(),
                                      read_values(q, 3)});
        }
        q.reset();
    }
    return ranges_.emplace(key, std::move(rows)).first->second;
}

void kept_counts::load_corrections() {
    corrections_loaded_ = true;
    auto add = [&](count_arm arm, std::string marketplace_id, std::string channel, std::int64_t at,
                   counter_values values) {
        corrections_.push_back(
            record_row{arm, resolve(std::move(marketplace_id)), std::move(channel), at, values});
    };

    // Defects that occurred after T: unknown as of T. An order counts as
    // defective as of T only when one of its counting defects occurred by T.
    {
        SQLite::Statement q(
            db_,
            "SELECT o.marketplace_id, o.fulfillment_channel, o.purchased_at, d.order_id, d.kind,"
            " EXISTS (SELECT 1 FROM defects AS e WHERE e.order_id = d.order_id AND +e.counts = 1"
            "         AND e.occurred_at <= ?1)"
            " FROM defects AS d INDEXED BY defects_counting_by_time"
            " CROSS JOIN orders AS o ON o.order_id = d.order_id"
            " WHERE d.counts = 1 AND d.occurred_at > ?1 AND o.marketplace_id IS NOT NULL");
        q.bind(1, t_);
        std::unordered_map<std::string, std::size_t> row_of_order;
        while (q.executeStep()) {
            const std::string order_id = q.getColumn(3).getString();
            const std::string kind = q.getColumn(4).getString();
            auto it = row_of_order.find(order_id);
            if (it == row_of_order.end()) {
                counter_values c;
                if (q.getColumn(5).getInt() == 0)
                    c.v[defective] = -1;
                add(count_arm::purchase, q.getColumn(0).getString(), q.getColumn(1).getString(),
                    q.getColumn(2).getInt64(), c);
                it = row_of_order.emplace(order_id, corrections_.size() - 1).first;
            }
            auto& values = corrections_[it->second].values;
            if (kind == "negative_feedback")
                values.v[negative_feedback] -= 1;
            else if (kind == "a_to_z_claim")
                values.v[a_to_z_claim] -= 1;
            else if (kind == "chargeback")
                values.v[chargeback] -= 1;
        }
    }

    // Shipments confirmed after T: as of T not confirmed, so counted once the
    // latest ship date has passed, and late.
    {
        SQLite::Statement q(
            db_,
            "SELECT o.marketplace_id, s.latest_ship_at, (s.latest_ship_at < ?1) - 1,"
            " (s.latest_ship_at < ?1) - (s.confirmed_at > s.latest_ship_at)"
            " FROM shipments AS s CROSS JOIN orders AS o ON o.order_id = s.order_id"
            " WHERE s.confirmed_at > ?1 AND " SHD_MFN_COUNTED);
        q.bind(1, t_);
        while (q.executeStep()) {
            counter_values c;
            c.v[dispatch_counted] = q.getColumn(2).getInt64();
            c.v[dispatch_late] = q.getColumn(3).getInt64();
            add(count_arm::ship_by, q.getColumn(0).getString(), "MFN", q.getColumn(1).getInt64(),
                c);
        }
    }
    // Not confirmed, latest ship date exactly T: it can still ship on time.
    counter_values not_yet;
    not_yet.v[dispatch_counted] = -1;
    not_yet.v[dispatch_late] = -1;
    {
        SQLite::Statement q(
            db_,
            "SELECT o.marketplace_id, s.latest_ship_at"
            " FROM shipments AS s CROSS JOIN orders AS o ON o.order_id = s.order_id"
            " WHERE s.latest_ship_at = ?1 AND s.confirmed_at IS NULL AND " SHD_MFN_COUNTED);
        q.bind(1, t_);
        while (q.executeStep())
            add(count_arm::ship_by, q.getColumn(0).getString(), "MFN", q.getColumn(1).getInt64(),
                not_yet);
    }
    {
        SQLite::Statement q(
            db_,
            "SELECT o.marketplace_id, u.promise_at"
            " FROM unshipped_orders AS u CROSS JOIN orders AS o ON o.order_id = u.order_id"
            " WHERE u.promise_at = ?1"
            " AND NOT EXISTS (SELECT 1 FROM shipments AS s WHERE s.order_id = u.order_id)"
            " AND " SHD_MFN_COUNTED);
        q.bind(1, t_);
        while (q.executeStep())
            add(count_arm::promise, q.getColumn(0).getString(), "MFN", q.getColumn(1).getInt64(),
                not_yet);
    }

    // Orders purchased after T do not exist yet: their dispatch and tracking
    // counts go (their purchase-date counts lie after every window).
    {
        std::vector<std::string> order_marketplaces;
        SQLite::Statement m(db_, sql_texts().order_marketplaces);
        while (m.executeStep())
            order_marketplaces.push_back(m.getColumn(0).getString());
        for (count_arm arm : {count_arm::ship_by, count_arm::promise, count_arm::confirmed}) {
            SQLite::Statement q(
                db_,
                std::string("SELECT marketplace_id, channel, at, " SHD_COUNTER_COLUMNS " FROM ") +
                    arm_view(arm) +
                    " WHERE order_id IN (SELECT order_id FROM orders"
                    " WHERE marketplace_id = ?2 AND fulfillment_channel = "
                    "'MFN' AND purchased_at > ?1)");
            for (const auto& marketplace : order_marketplaces) {
                q.bind(1, t_);
                q.bind(2, marketplace);
                while (q.executeStep()) {
                    counter_values c;
                    c -= read_values(q, 3);
                    add(arm, q.getColumn(0).getString(), q.getColumn(1).getString(),
                        q.getColumn(2).getInt64(), c);
                }
                q.reset();
            }
        }
    }

    // Messages answered after T: not answered as of T; late once 24 hours
    // have passed, else pending (left out).
    {
        SQLite::Statement q(db_,
                            "SELECT marketplace_id, at, answerable, on_time,"
                            " ?1 - at > 86400 FROM count_arm_message WHERE responded_at > ?1");
        q.bind(1, t_);
        while (q.executeStep()) {
            counter_values c;
            const std::int64_t counted = q.getColumn(2).getInt64();
            c.v[answerable] = (q.getColumn(4).getInt() != 0 ? counted : 0) - counted;
            c.v[on_time] = -q.getColumn(3).getInt64();
            add(count_arm::message, q.getColumn(0).getString(), "all", q.getColumn(1).getInt64(),
                c);
        }
    }
    // Not answered, received within 24 hours of T: pending, not late yet.
    {
        SQLite::Statement q(db_,
                            "SELECT marketplace_id, at, answerable FROM count_arm_message"
                            " WHERE +responded_at IS NULL AND at >= ?1 - 86400 AND at <= ?1");
        q.bind(1, t_);
        while (q.executeStep()) {
            counter_values c;
            c.v[answerable] = -q.getColumn(2).getInt64();
            add(count_arm::message, q.getColumn(0).getString(), "all", q.getColumn(1).getInt64(),
                c);
        }
    }
}

counter_values kept_counts::window(const std::string& marketplace_id, const std::string& channel,
                                   std::int64_t a, std::int64_t b,
                                   const std::vector<count_arm>& arms) {
    counter_values total;
    if (a >= b)
        return total;
    if (!corrections_loaded_)
        load_corrections();
    const std::int64_t first_hour = bucket_of(a + 1, kHour);
    const std::int64_t last_hour = bucket_of(b, kHour);
    total += covered(marketplace_id, channel, first_hour, last_hour);
    if (channel == "all" && marketplace_id == default_marketplace_)
        total += covered(std::string(), channel, first_hour, last_hour);

    const auto matches = [&](const record_row& r) {
        return r.marketplace_id == marketplace_id && r.channel == channel;
    };
    for (count_arm arm : arms) {
        for (const auto& r : records_in(arm, marketplace_id, channel, first_hour * kHour, a)) {
            if (matches(r))
                total -= r.values;
        }
        for (const auto& r : records_in(arm, marketplace_id, channel, b, (last_hour + 1) * kHour)) {
            if (matches(r))
                total -= r.values;
        }
        for (const auto& r : corrections_) {
            if (r.arm == arm && matches(r) && r.at > a && r.at <= b)
                total += r.values;
        }
    }
    return total;
}

}  // namespace shd::metrics
