#include "ingest/store_writer.hpp"

#include <SQLiteCpp/Transaction.h>
#include <gtest/gtest.h>

#include <functional>

#include "ingest/import_test_support.hpp"
#include "store/database.hpp"
#include "support/test_support.hpp"

namespace shd::ingest {
namespace {

using test::at;
using test::order_item;

class StoreWriterTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opened = store::database::open(dir_ / "db.sqlite");
        ASSERT_TRUE(opened) << opened.error().text;
        db_.emplace(std::move(*opened));
    }

    SQLite::Database& db() { return db_->handle(); }

    // One import: a fresh imports row, the records written in one
    // transaction, as the importer does it. Returns orders_written().
    long import(const std::vector<record>& records, instant when = at("2025-10-01T00:00:00Z")) {
        SQLite::Transaction tx(db());
        last_import_id_ = test::add_import_row(db(), "sha-" + std::to_string(++imports_));
        long written = 0;
        {
            store_writer writer(db(), last_import_id_, when);
            long line = 1;
            for (const auto& r : records)
                writer.write(r, ++line);
            written = writer.orders_written();
        }
        tx.commit();
        return written;
    }

    std::string query(const std::string& sql) {
        SQLite::Statement q(db(), sql);
        std::string out;
        while (q.executeStep()) {
            for (int i = 0; i < q.getColumnCount(); ++i) {
                out += q.getColumn(i).isNull() ? std::string("NULL") : q.getColumn(i).getString();
                out += i + 1 < q.getColumnCount() ? "," : ";";
            }
        }
        return out;
    }

    test::temp_dir dir_;
    std::optional<store::database> db_;
    std::int64_t last_import_id_ = 0;
    int imports_ = 0;
};

TEST_F(StoreWriterTest, ItemsOfOneOrderBecomeOneOrderWithItsItems) {
    const long written = import(
        {order_item("A", "1"), order_item("A", "2"), order_item("A", "3"), order_item("B", "1")});
    EXPECT_EQ(written, 2);
    EXPECT_EQ(test::count_rows(db(), "orders"), 2);
    EXPECT_EQ(query("SELECT order_id, item_key, sku, asin, quantity, item_status FROM order_items"
                    " ORDER BY 1, 2"),
              "A,1,SKU-1,B0001,1,Shipped;A,2,SKU-2,B0002,1,Shipped;A,3,SKU-3,B0003,1,Shipped;"
              "B,1,SKU-1,B0001,1,Shipped;");
    EXPECT_EQ(query("SELECT order_id, marketplace_id, sales_channel, fulfillment_channel,"
                    " purchased_at, order_status, is_cancelled, any_item_cancelled,"
                    " buyer_requested_cancel, last_updated_at, source, import_id FROM orders"
                    " ORDER BY 1"),
              "A,ATVPDKIKX0DER,Amazon.com,MFN,1756720800,Shipped,0,0,0,NULL,all_orders,1;"
              "B,ATVPDKIKX0DER,Amazon.com,MFN,1756720800,Shipped,0,0,0,NULL,all_orders,1;");
}

TEST_F(StoreWriterTest, AnItemRepeatedInOneFileIsStoredOnce) {
    auto again = order_item("A", "1");
    again.quantity = 4;
    EXPECT_EQ(import({order_item("A", "1"), again}), 1);
    EXPECT_EQ(query("SELECT item_key, quantity FROM order_items"), "1,4;");
}

TEST_F(StoreWriterTest, ItemsOfOneOrderMergeIntoTheOrder) {
    auto first = order_item("A", "1", "2025-09-02T00:00:00Z");
    auto second = order_item("A", "2", "2025-09-03T00:00:00Z");
    second.item_cancelled = true;
    second.item_status = "Cancelled";
    auto third = order_item("A", "3", "2025-09-01T00:00:00Z");
    third.buyer_requested_cancel = true;
    third.order_status = "Cancelled";
    third.is_cancelled = true;
    import({first, second, third});
    // Status from the last row, flags OR-ed, the newest last-updated date.
    EXPECT_EQ(query("SELECT order_status, is_cancelled, any_item_cancelled,"
                    " buyer_requested_cancel, last_updated_at FROM orders"),
              "Cancelled,1,1,1," + std::to_string(to_unix(at("2025-09-03T00:00:00Z"))) + ";");
}

TEST_F(StoreWriterTest, ItemsOfOneOrderOnNonAdjacentRowsStillMerge) {
    auto late_item = order_item("A", "2");
    late_item.item_cancelled = true;
    const long written = import({order_item("A", "1"), order_item("B", "1"), late_item});
    EXPECT_EQ(written, 2);
    EXPECT_EQ(query("SELECT order_id, item_key FROM order_items ORDER BY 1, 2"), "A,1;A,2;B,1;");
    EXPECT_EQ(query("SELECT any_item_cancelled FROM orders WHERE order_id = 'A'"), "1;");
}

TEST_F(StoreWriterTest, ALaterImportReplacesTheOrderAndItsItems) {
    import({order_item("A", "1", "2025-09-02T00:00:00Z"),
            order_item("A", "2", "2025-09-02T00:00:00Z"), order_item("B", "1")});
    auto newer = order_item("A", "3", "2025-09-05T00:00:00Z");
    newer.order_status = "Cancelled";
    newer.is_cancelled = true;
    EXPECT_EQ(import({newer}), 1);
    EXPECT_EQ(query("SELECT order_id, item_key FROM order_items ORDER BY 1, 2"), "A,3;B,1;");
    EXPECT_EQ(query("SELECT order_status, is_cancelled, import_id FROM orders ORDER BY order_id"),
              "Cancelled,1,2;Shipped,0,1;");
}

TEST_F(StoreWriterTest, AnOlderLastUpdatedDateDoesNotReplace) {
    import({order_item("A", "1", "2025-09-05T00:00:00Z")});
    auto older = order_item("A", "2", "2025-09-04T23:59:59Z");
    older.order_status = "Cancelled";
    older.is_cancelled = true;
    auto older_second_item = order_item("A", "3", "2025-09-04T23:59:59Z");
    EXPECT_EQ(import({older, older_second_item, order_item("B", "1")}), 1);
    EXPECT_EQ(query("SELECT order_id, item_key FROM order_items ORDER BY 1, 2"), "A,1;B,1;");
    EXPECT_EQ(query("SELECT order_status, import_id FROM orders WHERE order_id = 'A'"),
              "Shipped,1;");
}

TEST_F(StoreWriterTest, TheSameLastUpdatedDateReplaces) {
    import({order_item("A", "1", "2025-09-05T00:00:00Z")});
    EXPECT_EQ(import({order_item("A", "2", "2025-09-05T00:00:00Z")}), 1);
    EXPECT_EQ(query("SELECT item_key FROM order_items"), "2;");
}

TEST_F(StoreWriterTest, WithoutLastUpdatedDatesTheLaterImportWins) {
    import({order_item("A", "1", "2025-09-05T00:00:00Z")});
    EXPECT_EQ(import({order_item("A", "2")}), 1);
    EXPECT_EQ(query("SELECT item_key FROM order_items"), "2;");
    EXPECT_EQ(query("SELECT last_updated_at, import_id FROM orders"), "NULL,2;");
}

TEST_F(StoreWriterTest, AnItemWithoutAnyKeyIsKeptApartByItsPosition) {
    auto a = order_item("A", "");
    auto b = order_item("A", "|");
    import({a, b});
    EXPECT_EQ(query("SELECT item_key FROM order_items ORDER BY 1"), "#2;#3;");
}

TEST_F(StoreWriterTest, NonAmazonOrdersKeepANullMarketplace) {
    auto r = order_item("A", "1");
    r.marketplace_id.reset();
    r.sales_channel = "Non-Amazon";
    import({r});
    EXPECT_EQ(query("SELECT marketplace_id, sales_channel FROM orders"), "NULL,Non-Amazon;");
}

unshipped_row unshipped(const std::string& order_id, bool buyer_cancel = false) {
    unshipped_row u;
    u.order_id = order_id;
    u.marketplace_id = "ATVPDKIKX0DER";
    u.sales_channel = "Amazon.com";
    u.purchased_at = at("2025-09-01T10:00:00Z");
    u.promise_at = at("2025-09-03T06:59:59Z");
    u.buyer_requested_cancel = buyer_cancel;
    return u;
}

TEST_F(StoreWriterTest, AnUnshippedRowCreatesAnUnknownOrder) {
    EXPECT_EQ(import({unshipped("U", true)}), 1);
    EXPECT_EQ(query("SELECT order_id, marketplace_id, fulfillment_channel, order_status,"
                    " is_cancelled, any_item_cancelled, buyer_requested_cancel, last_updated_at,"
                    " source FROM orders"),
              "U,ATVPDKIKX0DER,MFN,Unshipped,0,0,1,NULL,unshipped;");
    EXPECT_EQ(query("SELECT order_id, promise_at, buyer_requested_cancel, import_id"
                    " FROM unshipped_orders"),
              "U," + std::to_string(to_unix(at("2025-09-03T06:59:59Z"))) + ",1,1;");
}

TEST_F(StoreWriterTest, AnUnshippedRowNeverOverwritesAnAllOrdersOrder) {
    import({order_item("A", "1")});
    auto u = unshipped("A", true);
    u.purchased_at = at("2025-01-01T00:00:00Z");
    EXPECT_EQ(import({u}), 0);
    EXPECT_EQ(query("SELECT order_status, buyer_requested_cancel, source, import_id, purchased_at"
                    " FROM orders"),
              "Shipped,0,all_orders,1,1756720800;");
    EXPECT_EQ(query("SELECT order_id, buyer_requested_cancel, import_id FROM unshipped_orders"),
              "A,1,2;");
    EXPECT_EQ(test::count_rows(db(), "order_items"), 1);
}

TEST_F(StoreWriterTest, ALaterUnshippedReportRefreshesItsOwnOrder) {
    import({unshipped("U", false)});
    EXPECT_EQ(import({unshipped("U", true)}), 1);
    EXPECT_EQ(query("SELECT buyer_requested_cancel, import_id FROM orders"), "1,2;");
    EXPECT_EQ(query("SELECT buyer_requested_cancel, import_id FROM unshipped_orders"), "1,2;");
}

TEST_F(StoreWriterTest, TheAllOrdersReportReplacesAnUnshippedOrder) {
    import({unshipped("U")});
    EXPECT_EQ(import({order_item("U", "1", "2025-09-02T00:00:00Z")}), 1);
    EXPECT_EQ(query("SELECT order_status, source, import_id FROM orders"), "Shipped,all_orders,2;");
    EXPECT_EQ(test::count_rows(db(), "unshipped_orders"), 1);
}

TEST_F(StoreWriterTest, ShipmentsUpsertAndStoreEmptyTextAsNull) {
    shipment_row s;
    s.order_id = "A";
    s.latest_ship_at = at("2025-09-03T00:00:00Z");
    import({s});
    EXPECT_EQ(query("SELECT order_id, latest_ship_at, confirmed_at, tracking_id, carrier,"
                    " tracking_valid, import_id FROM shipments"),
              "A,1756857600,NULL,NULL,NULL,NULL,1;");
    s.confirmed_at = at("2025-09-02T00:00:00Z");
    s.tracking_id = "1Z999";
    s.carrier = "UPS";
    s.tracking_valid = false;
    shipment_row other = s;
    other.order_id = "B";
    import({s, other});
    EXPECT_EQ(query("SELECT order_id, confirmed_at, tracking_id, carrier, tracking_valid, import_id"
                    " FROM shipments ORDER BY 1"),
              "A,1756771200,1Z999,UPS,0,2;B,1756771200,1Z999,UPS,0,2;");
}

TEST_F(StoreWriterTest, TheLaterRowOfAShipmentInOneFileWins) {
    shipment_row s;
    s.order_id = "A";
    s.latest_ship_at = at("2025-09-03T00:00:00Z");
    shipment_row later = s;
    later.tracking_id = "T2";
    import({s, later});
    EXPECT_EQ(query("SELECT tracking_id FROM shipments"), "T2;");
}

TEST_F(StoreWriterTest, DefectsAreKeyedByOrderAndKind) {
    defect_row claim;
    claim.order_id = "A";
    claim.kind = "a_to_z_claim";
    claim.occurred_at = at("2025-09-10T00:00:00Z");
    claim.status = "open";
    claim.counts = true;
    defect_row feedback;
    feedback.order_id = "A";
    feedback.kind = "negative_feedback";
    feedback.occurred_at = at("2025-09-11T00:00:00Z");
    feedback.status = "active";
    feedback.rating = 1;
    feedback.counts = true;
    import({claim, feedback});
    claim.status = "denied";
    claim.counts = false;
    import({claim});
    EXPECT_EQ(query("SELECT order_id, kind, status, rating, counts, import_id FROM defects"
                    " ORDER BY kind"),
              "A,a_to_z_claim,denied,NULL,0,2;A,negative_feedback,active,1,1,1;");
}

TEST_F(StoreWriterTest, MessagesUpsertByMessageId) {
    message_row m;
    m.message_id = "M1";
    m.received_at = at("2025-09-10T00:00:00Z");
    import({m});
    EXPECT_EQ(query("SELECT message_id, order_id, marketplace_id, received_at, responded_at,"
                    " no_response_needed FROM messages"),
              "M1,NULL,NULL,1757462400,NULL,0;");
    m.order_id = "A";
    m.marketplace_id = "A1VC38T7YXB528";
    m.responded_at = at("2025-09-10T01:00:00Z");
    m.no_response_needed = true;
    import({m});
    EXPECT_EQ(query("SELECT message_id, order_id, marketplace_id, responded_at,"
                    " no_response_needed, import_id FROM messages"),
              "M1,A,A1VC38T7YXB528,1757466000,1,2;");
}

TEST_F(StoreWriterTest, AnAccountHealthDocumentBecomesOneSnapshot) {
    account_health_snapshot doc;
    doc.document = R"({"accountStatuses":[]})";
    account_health_metric_row odr;
    odr.marketplace_id = "ATVPDKIKX0DER";
    odr.metric = "order_defect_rate";
    odr.channel = "MFN";
    odr.rate = 0.005;
    odr.status = "GOOD";
    odr.target = 0.01;
    odr.numerator = 1;
    odr.denominator = 200;
    odr.window_from = at("2025-07-01T00:00:00Z");
    odr.window_to = at("2025-08-30T00:00:00Z");
    doc.metrics.push_back(odr);
    doc.metrics.push_back(odr);  // listed twice: kept once
    doc.statuses.push_back({"ATVPDKIKX0DER", "NORMAL"});
    import({doc}, at("2025-10-01T12:00:00Z"));
    EXPECT_EQ(query("SELECT id, import_id, taken_at, document FROM account_health_snapshots"),
              "1,1," + std::to_string(to_unix(at("2025-10-01T12:00:00Z"))) +
                  R"(,{"accountStatuses":[]};)");
    EXPECT_EQ(query("SELECT snapshot_id, marketplace_id, metric, channel, rate, status, target,"
                    " numerator, denominator, window_from, window_to FROM account_health_metrics"),
              "1,ATVPDKIKX0DER,order_defect_rate,MFN,0.005,GOOD,0.01,1,200,1751328000,"
              "1756512000;");
    EXPECT_EQ(query("SELECT snapshot_id, marketplace_id, status FROM account_statuses"),
              "1,ATVPDKIKX0DER,NORMAL;");

    doc.taken_at = at("2025-09-30T00:00:00Z");
    doc.metrics.clear();
    import({doc});
    EXPECT_EQ(query("SELECT id, taken_at FROM account_health_snapshots ORDER BY id"),
              "1,1759320000;2,1759190400;");
}

TEST_F(StoreWriterTest, AValueTheSchemaRefusesThrows) {
    auto bad = order_item("A", "1");
    bad.fulfillment_channel = "Elsewhere";
    EXPECT_THROW(import({bad}), SQLite::Exception);
    EXPECT_EQ(test::count_rows(db(), "orders"), 0);
    EXPECT_EQ(test::count_rows(db(), "imports"), 0);
}

}  // namespace
}  // namespace shd::ingest
