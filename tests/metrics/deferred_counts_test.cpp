// The store writer's bulk import (store_writer::defer_order_counts,
// migrations/0009): new orders' counts summed in memory and written once,
// while the insert trigger stands aside; and the Unshipped rows' shipped flag
// the upcoming events read. After every step the kept counts must equal a
// recount from the records (metrics/count_check.hpp), as check-db proves.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ingest/store_writer.hpp"
#include "metrics/count_check.hpp"
#include "metrics/rules.hpp"
#include "metrics_fixture.hpp"

namespace shd::metrics {
namespace {

using test::kCA;
using test::kUS;
using test::T;

ingest::order_item_row item(const std::string& order_id, const std::string& marketplace,
                            const std::string& channel, instant purchased,
                            const char* status = "Shipped", const char* last_updated = nullptr) {
    ingest::order_item_row r;
    r.order_id = order_id;
    r.marketplace_id = marketplace;
    r.sales_channel = "Amazon";
    r.fulfillment_channel = channel;
    r.purchased_at = purchased;
    r.order_status = status;
    r.is_cancelled = std::string(status) == "Cancelled";
    if (last_updated)
        r.last_updated_at = *parse_iso8601(last_updated);
    r.item_key = order_id + "-1";
    r.quantity = 1;
    r.item_status = status;
    return r;
}

class DeferredCountsTest : public ::testing::Test {
  protected:
    SQLite::Database& db() { return db_.db().handle(); }

    // One import as the importer runs it: a transaction, the writer deferring
    // new orders' counts, record_arrival (which writes them) and a commit.
    void bulk_import(const std::vector<ingest::record>& records) {
        SQLite::Transaction tx(db());
        const auto import_id = next_import();
        {
            ingest::store_writer writer(db(), import_id, T());
            writer.defer_order_counts();
            long line = 1;
            for (const auto& r : records)
                writer.write(r, ++line);
            writer.record_arrival("all_orders");
        }
        tx.commit();
    }

    std::int64_t next_import() {
        SQLite::Statement s(db(),
                            "INSERT INTO imports(file_name, sha256, format, imported_at,"
                            " row_count, order_count) VALUES ('test', ?1, 'all_orders', 0, 0, 0)");
        s.bind(1, "sha-" + std::to_string(++imports_));
        s.exec();
        return db().getLastInsertRowid();
    }

    std::int64_t scalar(const std::string& sql) {
        SQLite::Statement q(db(), sql);
        q.executeStep();
        return q.getColumn(0).getInt64();
    }

    void expect_recount_matches() {
        const auto report = check_kept_counts(db());
        EXPECT_TRUE(report.drift.empty()) << report.drift.size() << " buckets drift";
        EXPECT_EQ(report.unlinked_missing, 0);
        EXPECT_EQ(report.shipped_flag_wrong, 0);
        EXPECT_EQ(report.deferral_left, 0);
    }

    test::metrics_db db_;
    int imports_ = 0;
};

TEST_F(DeferredCountsTest, NewOrdersAreCountedOnceTheImportEnds) {
    const instant p = T() - days(3) + hours(5) + std::chrono::seconds(17);
    bulk_import({item("A", kUS, "MFN", p), item("B", kUS, "MFN", p, "Cancelled"),
                 item("C", kUS, "AFN", p - days(1)), item("D", kCA, "MFN", p - hours(30)),
                 item("E", kCA, "MFN", T() - days(80), "Cancelled")});
    expect_recount_matches();
    // The day buckets hold every order once, and the cancelled MFN ones.
    EXPECT_EQ(scalar("SELECT SUM(orders) FROM metric_counts WHERE span = 86400"), 5);
    EXPECT_EQ(scalar("SELECT SUM(cancelled) FROM metric_counts WHERE span = 86400"), 2);
    EXPECT_EQ(scalar("SELECT SUM(orders) FROM metric_counts WHERE span = 3600"), 5);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM counts_deferred"), 0);
}

TEST_F(DeferredCountsTest, AFileSpanningMoreHoursThanTheWriterHoldsIsWrittenInParts) {
    // 5,000 orders an hour apart over two marketplaces: more hours than the
    // writer keeps in memory before adding them to metric_counts.
    std::vector<ingest::record> records;
    for (int i = 0; i < 5000; ++i) {
        records.push_back(item("H" + std::to_string(i), i % 2 == 0 ? kUS : kCA, "MFN",
                               T() - hours(i) - std::chrono::seconds(i % 3600),
                               i % 7 == 0 ? "Cancelled" : "Shipped"));
    }
    bulk_import(records);
    expect_recount_matches();
    EXPECT_EQ(scalar("SELECT SUM(orders) FROM metric_counts WHERE span = 3600"), 5000);
    EXPECT_EQ(scalar("SELECT SUM(cancelled) FROM metric_counts WHERE span = 86400"), 715);
}

TEST_F(DeferredCountsTest, ReplacedOrdersMovingMarketplaceAndChannelStayExact) {
    const instant p = T() - days(10) + std::chrono::seconds(1);
    bulk_import({item("A", kUS, "MFN", p, "Shipped", "2026-02-19T00:00:00Z"),
                 item("B", kUS, "MFN", p, "Shipped", "2026-02-19T00:00:00Z"),
                 item("C", kUS, "AFN", p, "Shipped", "2026-02-19T00:00:00Z")});
    db_.shipment("A", p + days(2), p + days(1));
    db_.defect("B", "a_to_z_claim", p + days(3), "open", std::nullopt, true);
    expect_recount_matches();
    // A newer copy: A moves to Canada, B is cancelled and moves a day, C
    // becomes seller-fulfilled; a new order F comes in the same file.
    bulk_import({item("A", kCA, "MFN", p, "Shipped", "2026-02-25T00:00:00Z"),
                 item("B", kUS, "MFN", p + days(1), "Cancelled", "2026-02-25T00:00:00Z"),
                 item("C", kUS, "MFN", p, "Shipped", "2026-02-25T00:00:00Z"),
                 item("F", kCA, "AFN", p + hours(7))});
    expect_recount_matches();
    EXPECT_EQ(scalar("SELECT SUM(orders) FROM metric_counts WHERE span = 86400"
                     " AND marketplace_id = 'A2EUQ1WTGCTBG2'"),
              2);
    EXPECT_EQ(scalar("SELECT SUM(cancelled) FROM metric_counts WHERE span = 86400"), 1);
    EXPECT_EQ(scalar("SELECT SUM(defective) FROM metric_counts WHERE span = 86400"), 1);
}

TEST_F(DeferredCountsTest, RowsThatWaitedForTheirOrderAreCountedByTheTrigger) {
    const instant p = T() - days(5);
    // A defect and a message without a marketplace arrive before the order.
    db_.defect("W", "negative_feedback", p + days(1), "active", 1, true);
    db_.message("m1", std::string("W"), std::nullopt, p + hours(2), p + hours(3));
    db_.unshipped("W", p + days(2));
    expect_recount_matches();
    bulk_import({item("W", kUS, "MFN", p), item("N", kUS, "MFN", p)});
    expect_recount_matches();
    EXPECT_EQ(scalar("SELECT SUM(orders) FROM metric_counts WHERE span = 86400"), 2);
    EXPECT_EQ(scalar("SELECT SUM(defective) FROM metric_counts WHERE span = 86400"), 1);
    // A defect weeks later, written the ordinary way: the trigger counts it.
    db_.defect("N", "chargeback", T() - hours(1), "open", std::nullopt, true);
    expect_recount_matches();
    EXPECT_EQ(scalar("SELECT SUM(defective) FROM metric_counts WHERE span = 86400"), 2);
}

TEST_F(DeferredCountsTest, AnUnshippedReportImportCountsTheOrdersItCreates) {
    SQLite::Transaction tx(db());
    const auto import_id = next_import();
    {
        ingest::store_writer writer(db(), import_id, T());
        writer.defer_order_counts();
        ingest::unshipped_row u;
        u.order_id = "U1";
        u.marketplace_id = kUS;
        u.sales_channel = "Amazon.com";
        u.purchased_at = T() - days(2);
        u.promise_at = T() - days(1);
        writer.write(u, 2);
        writer.record_arrival("unshipped");
    }
    tx.commit();
    expect_recount_matches();
    EXPECT_EQ(scalar("SELECT SUM(orders) FROM metric_counts WHERE span = 86400"), 1);
    EXPECT_EQ(scalar("SELECT SUM(dispatch_late) FROM metric_counts WHERE span = 86400"), 1);
}

TEST_F(DeferredCountsTest, ARolledBackImportLeavesNeitherMarkerNorCounts) {
    {
        SQLite::Transaction tx(db());
        const auto import_id = next_import();
        ingest::store_writer writer(db(), import_id, T());
        writer.defer_order_counts();
        writer.write(item("A", kUS, "MFN", T() - days(1)), 2);
        EXPECT_EQ(scalar("SELECT COUNT(*) FROM counts_deferred"), 1);
        // No commit: the transaction rolls back, as a rejected file's does.
    }
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM orders"), 0);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM metric_counts"), 0);
    expect_recount_matches();
    // The insert trigger counts orders again for every other writer.
    db_.order("B", std::string(kUS), "MFN", T() - days(1));
    expect_recount_matches();
    EXPECT_EQ(scalar("SELECT SUM(orders) FROM metric_counts WHERE span = 86400"), 1);
}

TEST_F(DeferredCountsTest, AMarkerLeftBehindIsFoundRefusedAndRepaired) {
    db_.exec("INSERT INTO counts_deferred(writer) VALUES (1)");
    db_.order("A", std::string(kUS), "MFN", T() - days(1));  // skipped by the trigger
    auto report = check_kept_counts(db());
    EXPECT_EQ(report.deferral_left, 1);
    EXPECT_FALSE(report.drift.empty());
    {
        SQLite::Transaction tx(db());
        ingest::store_writer writer(db(), next_import(), T());
        EXPECT_THROW(writer.defer_order_counts(), SQLite::Exception);
    }
    report = repair_kept_counts(db());
    EXPECT_TRUE(report.clean());
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM counts_deferred"), 0);
}

TEST_F(DeferredCountsTest, TheShippedFlagFollowsTheShipmentsRow) {
    const instant p = T() - days(2);
    db_.order("S", std::string(kUS), "MFN", p);
    db_.order("L", std::string(kUS), "MFN", p);
    db_.unshipped("S", T() + hours(5));
    db_.shipment("L", T() + hours(6), std::nullopt);
    db_.unshipped("L", T() + hours(6));  // after its shipments row
    EXPECT_EQ(scalar("SELECT shipped FROM unshipped_orders WHERE order_id = 'S'"), 0);
    EXPECT_EQ(scalar("SELECT shipped FROM unshipped_orders WHERE order_id = 'L'"), 1);
    expect_recount_matches();

    // Listed once: L by its shipments row, S by its Unshipped row.
    auto e = db_.evaluate(T());
    ASSERT_EQ(e.upcoming.size(), 1u);
    ASSERT_EQ(e.upcoming[0].unconfirmed_orders.size(), 2u);
    EXPECT_EQ(e.upcoming[0].unconfirmed_orders[0].order_id, "S");
    EXPECT_EQ(e.upcoming[0].unconfirmed_orders[1].order_id, "L");

    db_.shipment("S", T() + hours(5), T() - hours(1));  // S confirmed: gone from the list
    EXPECT_EQ(scalar("SELECT shipped FROM unshipped_orders WHERE order_id = 'S'"), 1);
    e = db_.evaluate(T());
    ASSERT_EQ(e.upcoming[0].unconfirmed_orders.size(), 1u);
    EXPECT_EQ(e.upcoming[0].unconfirmed_orders[0].order_id, "L");

    db_.exec("DELETE FROM shipments WHERE order_id = 'S'");
    EXPECT_EQ(scalar("SELECT shipped FROM unshipped_orders WHERE order_id = 'S'"), 0);
    expect_recount_matches();

    db_.exec("UPDATE unshipped_orders SET shipped = 1 WHERE order_id = 'S'");
    EXPECT_EQ(check_kept_counts(db()).shipped_flag_wrong, 1);
    EXPECT_TRUE(repair_kept_counts(db()).clean());
    EXPECT_EQ(scalar("SELECT shipped FROM unshipped_orders WHERE order_id = 'S'"), 0);
}

TEST_F(DeferredCountsTest, MessagesAnsweredAfterTAreStillUnansweredAsOfT) {
    db_.order("A", std::string(kUS), "MFN", T() - days(3));
    db_.message("never", std::string("A"), std::nullopt, T() - days(2), std::nullopt);
    db_.message("later", std::nullopt, std::string(kUS), T() - days(2) + hours(1), T() + hours(1));
    db_.message("answered", std::nullopt, std::string(kUS), T() - days(2) + hours(2),
                T() - days(1));
    db_.message("recent", std::nullopt, std::string(kUS), T() - hours(2), std::nullopt);
    const auto e = db_.evaluate(T());
    ASSERT_EQ(e.upcoming.size(), 1u);
    const auto& waiting = e.upcoming[0].unanswered_messages;
    ASSERT_EQ(waiting.size(), 2u);
    EXPECT_EQ(waiting[0].message_id, "never");
    EXPECT_EQ(waiting[1].message_id, "later");
}

// clears_by of a breached row comes from the day buckets (T - (i + 1) days,
// T - i days]; from the kept counts those are read window by window, with
// the records of the edge hours when T is not on the hour.
void expect_clears_by_from_days(test::metrics_db& db, instant as_of) {
    const auto cfg = config::default_config();
    const auto& thresholds = cfg.thresholds(metric_key::late_dispatch_rate, kUS);
    // Ten counted shipments, two late: one 10 minutes either side of the
    // boundary between days 4 and 5 before T, so that which day holds it
    // depends on the seconds of T.
    const instant early = as_of - days(5) - std::chrono::minutes(10);
    const instant late = as_of - days(5) + std::chrono::minutes(10);
    for (int i = 0; i < 8; ++i) {
        const std::string id = "ok" + std::to_string(i);
        const instant ship_by = as_of - days(2 + i) - hours(3);
        db.order(id, std::string(kUS), "MFN", ship_by - days(2));
        db.shipment(id, ship_by, ship_by - hours(1));
    }
    db.order("late1", std::string(kUS), "MFN", early - days(2));
    db.shipment("late1", early, early + hours(5));
    db.order("late2", std::string(kUS), "MFN", late - days(2));
    db.shipment("late2", late, std::nullopt);
    const auto e = db.evaluate(as_of);
    for (int window : thresholds.windows) {
        const auto& r = test::row(e, metric_key::late_dispatch_rate, kUS, "MFN", window);
        ASSERT_EQ(r.status, metric_status::breached) << window;
        std::vector<std::int64_t> bad(static_cast<std::size_t>(window), 0);
        const auto day_of = [&](instant t) {
            return (to_unix(as_of) - to_unix(t)) / 86400 - thresholds.lag_days;
        };
        for (instant t : {early, late}) {
            const auto i = day_of(t);
            if (i >= 0 && i < window)
                bad[static_cast<std::size_t>(i)] += 1;
        }
        EXPECT_EQ(day_of(early), 5 - thresholds.lag_days);
        EXPECT_EQ(day_of(late), 4 - thresholds.lag_days);
        EXPECT_EQ(r.clears_by, clears_by(metric_direction::lower_is_better, r.numerator,
                                         r.denominator, r.target, r.warn, bad, as_of))
            << window;
        EXPECT_TRUE(r.clears_by.has_value());
    }
}

TEST(ClearsByFromCounts, TOnTheHour) {
    test::metrics_db db;
    expect_clears_by_from_days(db, T());
}

TEST(ClearsByFromCounts, TAtAnOddSecond) {
    test::metrics_db db;
    expect_clears_by_from_days(
        db, T() + hours(3) + std::chrono::minutes(17) + std::chrono::seconds(13));
}

}  // namespace
}  // namespace shd::metrics
