// An order fetched from the Orders API and the same order from a file meet in
// the one store writer: one order, and the shipment rules of spec/sources.md
// (the API replaces a shipments CSV row when its lastUpdatedTime is not older
// than that row's import; an empty API value never erases a known one).
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <gtest/gtest.h>

#include "ingest/store_writer.hpp"
#include "spapi/orders.hpp"
#include "store/database.hpp"
#include "support/test_support.hpp"

namespace shd::spapi {
namespace {

instant at(const char* iso) {
    return *parse_iso8601(iso);
}

class StoreMerge : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opened = store::database::open(dir_ / "db.sqlite");
        ASSERT_TRUE(opened) << opened.error().text;
        db_.emplace(std::move(*opened));
    }

    // Writes records as one import made at `when`.
    void write(const std::vector<ingest::record>& records, instant when) {
        auto& db = db_->handle();
        SQLite::Transaction tx(db);
        SQLite::Statement s(db,
                            "INSERT INTO imports(file_name, sha256, format, imported_at,"
                            " row_count, order_count) VALUES ('t', ?1, 'x', ?2, 0, 0)");
        s.bind(1, "sha-" + std::to_string(++imports_));
        s.bind(2, static_cast<std::int64_t>(to_unix(when)));
        s.exec();
        {
            ingest::store_writer writer(db, db.getLastInsertRowid(), when);
            long line = 0;
            for (const auto& r : records)
                writer.write(r, ++line);
        }
        tx.commit();
    }

    std::string shipment(const std::string& order) {
        SQLite::Statement q(db_->handle(),
                            "SELECT COALESCE(confirmed_at, 0), COALESCE(tracking_id, '-'),"
                            " latest_ship_at FROM shipments WHERE order_id = ?1");
        q.bind(1, order);
        if (!q.executeStep())
            return "none";
        return std::to_string(q.getColumn(0).getInt64()) + " " + q.getColumn(1).getString() + " " +
               std::to_string(q.getColumn(2).getInt64());
    }

    fetched_order api_order(const char* updated, std::optional<instant> confirmed,
                            const std::string& tracking) {
        const std::string body = std::string(R"({"orders": [{"orderId": "111-0000001-0000001",
          "createdTime": "2026-11-01T10:00:00Z", "lastUpdatedTime": ")") +
                                 updated + R"(",
          "salesChannel": {"channelName": "AMAZON", "marketplaceId": "ATVPDKIKX0DER"},
          "fulfillment": {"fulfillmentStatus": "UNSHIPPED", "fulfilledBy": "MERCHANT",
            "shipByWindow": {"latestDateTime": "2026-11-03T00:00:00Z"}},
          "orderItems": [{"orderItemId": "1", "quantityOrdered": 1}]}]})";
        auto page = parse_search_orders(body);
        EXPECT_TRUE(page) << page.error().to_string();
        auto order = page->orders.at(0);
        order.shipment->confirmed_at = confirmed;
        order.shipment->tracking_id = tracking;
        return order;
    }

    void write_api(const fetched_order& o, instant when) {
        std::vector<ingest::record> records(o.items.begin(), o.items.end());
        records.emplace_back(*o.shipment);
        write(records, when);
    }

    test::temp_dir dir_;
    std::optional<store::database> db_;
    int imports_ = 0;
};

TEST_F(StoreMerge, AnOrderFromTheApiAndFromAFileIsOneOrder) {
    ingest::order_item_row file_row;
    file_row.order_id = "111-0000001-0000001";
    file_row.marketplace_id = "ATVPDKIKX0DER";
    file_row.sales_channel = "Amazon.com";
    file_row.fulfillment_channel = "MFN";
    file_row.purchased_at = at("2026-11-01T10:00:00Z");
    file_row.order_status = "Unshipped";
    file_row.last_updated_at = at("2026-11-01T11:00:00Z");
    file_row.item_key = "1";
    write({file_row}, at("2026-11-01T12:00:00Z"));
    write_api(api_order("2026-11-02T09:00:00Z", std::nullopt, ""), at("2026-11-02T09:10:00Z"));
    auto& db = db_->handle();
    EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM orders").getInt(), 1);
    EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM order_items").getInt(), 1);
    EXPECT_EQ(db.execAndGet("SELECT last_updated_at FROM orders").getInt64(),
              to_unix(at("2026-11-02T09:00:00Z")));
    // An older copy (the file again) does not replace the newer one.
    write({file_row}, at("2026-11-03T00:00:00Z"));
    EXPECT_EQ(db.execAndGet("SELECT last_updated_at FROM orders").getInt64(),
              to_unix(at("2026-11-02T09:00:00Z")));
}

TEST_F(StoreMerge, ShipmentRules) {
    const std::string order = "111-0000001-0000001";
    ingest::shipment_row csv;
    csv.order_id = order;
    csv.latest_ship_at = at("2026-11-02T23:59:59Z");
    csv.confirmed_at = at("2026-11-02T15:00:00Z");
    csv.tracking_id = "CSV-TRACK";
    write({csv}, at("2026-11-02T16:00:00Z"));

    // Updated before the CSV was imported: the CSV's row stands.
    write_api(api_order("2026-11-02T10:00:00Z", std::nullopt, ""), at("2026-11-02T17:00:00Z"));
    EXPECT_EQ(shipment(order), std::to_string(to_unix(at("2026-11-02T15:00:00Z"))) + " CSV-TRACK " +
                                   std::to_string(to_unix(at("2026-11-02T23:59:59Z"))));

    // Updated after: the API's latest ship date replaces it, but its empty
    // confirmation and tracking do not erase the known ones.
    write_api(api_order("2026-11-02T18:00:00Z", std::nullopt, ""), at("2026-11-02T18:10:00Z"));
    EXPECT_EQ(shipment(order), std::to_string(to_unix(at("2026-11-02T15:00:00Z"))) + " CSV-TRACK " +
                                   std::to_string(to_unix(at("2026-11-03T00:00:00Z"))));

    // A later fetch with values replaces them.
    write_api(api_order("2026-11-02T20:00:00Z", at("2026-11-02T19:00:00Z"), "1Z-API"),
              at("2026-11-02T20:30:00Z"));
    EXPECT_EQ(shipment(order), std::to_string(to_unix(at("2026-11-02T19:00:00Z"))) + " 1Z-API " +
                                   std::to_string(to_unix(at("2026-11-03T00:00:00Z"))));

    // A fetched copy older than the stored fetched one (the 5-minute overlap,
    // fetched late) is judged by its lastUpdatedTime, and loses.
    write_api(api_order("2026-11-02T19:59:00Z", std::nullopt, "OLD"), at("2026-11-02T21:00:00Z"));
    EXPECT_EQ(shipment(order), std::to_string(to_unix(at("2026-11-02T19:00:00Z"))) + " 1Z-API " +
                                   std::to_string(to_unix(at("2026-11-03T00:00:00Z"))));
    // But one updated after the previous fetch's order update, though before
    // that fetch ran, wins.
    write_api(api_order("2026-11-02T20:10:00Z", std::nullopt, "NEWER"), at("2026-11-02T21:10:00Z"));
    EXPECT_EQ(shipment(order), std::to_string(to_unix(at("2026-11-02T19:00:00Z"))) + " NEWER " +
                                   std::to_string(to_unix(at("2026-11-03T00:00:00Z"))));
}

}  // namespace
}  // namespace shd::spapi
