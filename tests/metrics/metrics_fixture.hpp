// A real SQLite database in a temp folder, filled row by row the way the
// importer writes it (migrations/0001_initial.sql comments), and evaluated at
// a fixed T. Shared by the metrics tests.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "metrics/engine.hpp"
#include "store/database.hpp"
#include "support/test_support.hpp"

namespace shd::metrics::test {

inline constexpr const char* kUS = "ATVPDKIKX0DER";
inline constexpr const char* kJP = "A1VC38T7YXB528";
inline constexpr const char* kCA = "A2EUQ1WTGCTBG2";

// T of every scenario: 2026-03-01T00:00:00Z.
inline instant T() {
    return *parse_iso8601("2026-03-01T00:00:00Z");
}

struct order_options {
    bool cancelled = false;
    bool item_cancelled = false;
    bool buyer_requested = false;
};

class metrics_db {
  public:
    metrics_db() : db_(open(dir_ / "db.sqlite")) {
        exec(
            "INSERT INTO imports (id, file_name, sha256, format, imported_at, row_count,"
            " order_count) VALUES (1, 'test', 'x', 'all_orders', 0, 0, 0)");
    }

    store::database& db() { return db_; }

    void exec(const std::string& sql) { db_.handle().exec(sql); }

    // marketplace nullopt: Non-Amazon.
    void order(const std::string& id, std::optional<std::string> marketplace,
               const std::string& channel, instant purchased, order_options o = {}) {
        SQLite::Statement q(
            db_.handle(),
            "INSERT INTO orders (order_id, marketplace_id, sales_channel,"
            " fulfillment_channel, purchased_at, order_status, is_cancelled,"
            " any_item_cancelled, buyer_requested_cancel, last_updated_at, source,"
            " import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 'all_orders', 1)");
        q.bind(1, id);
        if (marketplace)
            q.bind(2, *marketplace);
        q.bind(3, marketplace ? std::string("Amazon") : std::string("Non-Amazon"));
        q.bind(4, channel);
        q.bind(5, unix(purchased));
        q.bind(6, std::string(o.cancelled ? "Cancelled" : "Shipped"));
        q.bind(7, o.cancelled ? 1 : 0);
        q.bind(8, o.item_cancelled ? 1 : 0);
        q.bind(9, o.buyer_requested ? 1 : 0);
        q.exec();
    }

    void item(const std::string& order_id, const std::string& key, const std::string& status) {
        SQLite::Statement q(db_.handle(),
                            "INSERT INTO order_items (order_id, item_key, sku, asin, quantity,"
                            " item_status) VALUES (?, ?, 'SKU', 'ASIN', 1, ?)");
        q.bind(1, order_id);
        q.bind(2, key);
        q.bind(3, status);
        q.exec();
    }

    void unshipped(const std::string& order_id, instant promise, bool buyer_requested = false) {
        SQLite::Statement q(db_.handle(),
                            "INSERT INTO unshipped_orders (order_id, promise_at,"
                            " buyer_requested_cancel, import_id) VALUES (?, ?, ?, 1)");
        q.bind(1, order_id);
        q.bind(2, unix(promise));
        q.bind(3, buyer_requested ? 1 : 0);
        q.exec();
    }

    void shipment(const std::string& order_id, instant latest_ship,
                  std::optional<instant> confirmed, const std::string& tracking_id = "1Z999",
                  std::optional<bool> tracking_valid = std::nullopt) {
        SQLite::Statement q(db_.handle(),
                            "INSERT INTO shipments (order_id, latest_ship_at, confirmed_at,"
                            " tracking_id, carrier, tracking_valid, import_id)"
                            " VALUES (?, ?, ?, ?, 'UPS', ?, 1)");
        q.bind(1, order_id);
        q.bind(2, unix(latest_ship));
        if (confirmed)
            q.bind(3, unix(*confirmed));
        q.bind(4, tracking_id);
        if (tracking_valid)
            q.bind(5, *tracking_valid ? 1 : 0);
        q.exec();
    }

    // `counts` is what the importer decides by the spec's rule.
    void defect(const std::string& order_id, const std::string& kind, instant occurred,
                const std::string& status, std::optional<int> rating, bool counts) {
        SQLite::Statement q(db_.handle(),
                            "INSERT INTO defects (order_id, kind, occurred_at, status, rating,"
                            " counts, import_id) VALUES (?, ?, ?, ?, ?, ?, 1)");
        q.bind(1, order_id);
        q.bind(2, kind);
        q.bind(3, unix(occurred));
        q.bind(4, status);
        if (rating)
            q.bind(5, *rating);
        q.bind(6, counts ? 1 : 0);
        q.exec();
    }

    void message(const std::string& id, std::optional<std::string> order_id,
                 std::optional<std::string> marketplace, instant received,
                 std::optional<instant> responded, bool no_response_needed = false) {
        SQLite::Statement q(db_.handle(),
                            "INSERT INTO messages (message_id, order_id, marketplace_id,"
                            " received_at, responded_at, no_response_needed, import_id)"
                            " VALUES (?, ?, ?, ?, ?, ?, 1)");
        q.bind(1, id);
        if (order_id)
            q.bind(2, *order_id);
        if (marketplace)
            q.bind(3, *marketplace);
        q.bind(4, unix(received));
        if (responded)
            q.bind(5, unix(*responded));
        q.bind(6, no_response_needed ? 1 : 0);
        q.exec();
    }

    evaluation evaluate(const config::config& cfg, instant as_of) {
        auto e = metrics::evaluate(db_, cfg, as_of);
        if (!e)
            throw std::runtime_error(e.error().text);
        return std::move(*e);
    }
    evaluation evaluate(instant as_of) { return evaluate(config::default_config(), as_of); }

  private:
    static std::int64_t unix(instant t) { return static_cast<std::int64_t>(to_unix(t)); }
    static store::database open(const std::filesystem::path& p) {
        auto db = store::database::open(p);
        if (!db)
            throw std::runtime_error(db.error().text);
        return std::move(*db);
    }
    shd::test::temp_dir dir_;
    store::database db_;
};

// The row of (metric, marketplace, channel, window); fails the test if absent.
inline const metric_result& row(const evaluation& e, metric_key metric,
                                const std::string& marketplace, const std::string& channel,
                                int window_days) {
    for (const auto& r : e.metrics) {
        if (r.metric == metric && r.marketplace_id == marketplace && r.channel == channel &&
            r.window_days == window_days) {
            return r;
        }
    }
    throw std::runtime_error("no row " + std::string(definition(metric).name) + " " + marketplace +
                             " " + channel + " " + std::to_string(window_days));
}

// Numerator and denominator of a row, for compact assertions.
inline std::pair<std::int64_t, std::int64_t> counts(const evaluation& e, metric_key metric,
                                                    const std::string& marketplace,
                                                    const std::string& channel, int window_days) {
    const auto& r = row(e, metric, marketplace, channel, window_days);
    return {r.numerator, r.denominator};
}

using counts_pair = std::pair<std::int64_t, std::int64_t>;

}  // namespace shd::metrics::test
