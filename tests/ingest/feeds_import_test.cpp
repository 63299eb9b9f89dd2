// The `feeds` rows the store writer keeps: one per feed, the time of its last
// successful import and the newest instant inside it, written in the import's
// transaction and nowhere else. Real importer, real parser, real SQLite file.
#include <gtest/gtest.h>

#include "core/clock.hpp"
#include "ingest/import_test_support.hpp"
#include "ingest/importer.hpp"
#include "ingest/store_writer.hpp"
#include "store/database.hpp"
#include "support/test_support.hpp"

namespace shd::ingest {
namespace {

constexpr const char* kShipmentsHeader =
    "order_id,latest_ship_date,confirmed_at,tracking_id,carrier,tracking_valid,notes\n";
constexpr const char* kOrdersHeader =
    "amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\t"
    "sales-channel\tsku\tasin\titem-status\tquantity\tis-buyer-requested-cancellation\n";

class FeedsImportTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opened = store::database::open(dir_ / "db.sqlite");
        ASSERT_TRUE(opened) << opened.error().text;
        db_.emplace(std::move(*opened));
        importer_.emplace(*db_, clock_, "ATVPDKIKX0DER");
    }

    std::filesystem::path write(const std::string& name, const std::string& content) {
        const auto p = dir_ / name;
        test::write_file(p, content);
        return p;
    }

    bool import(const std::filesystem::path& p) {
        auto r = importer_->import_file(p);
        return r.has_value() && r->result == import_report::outcome::imported;
    }

    // feed,last_import_at,newest_data_at,imports,last_import_id; per row.
    std::string feeds() {
        SQLite::Statement q(db_->handle(),
                            "SELECT feed, last_import_at, newest_data_at, imports, last_import_id"
                            " FROM feeds ORDER BY feed");
        std::string out;
        while (q.executeStep()) {
            for (int i = 0; i < 5; ++i) {
                const auto c = q.getColumn(i);
                std::string v = c.isNull() ? std::string("NULL") : c.getString();
                if ((i == 1 || i == 2) && !c.isNull())
                    v = format_iso8601(from_unix(c.getInt64()));
                out += v + (i < 4 ? "," : ";");
            }
        }
        return out;
    }

    test::temp_dir dir_;
    ManualClock clock_{test::at("2026-03-01T08:00:00Z")};
    std::optional<store::database> db_;
    std::optional<importer> importer_;
};

TEST_F(FeedsImportTest, EachFeedKeepsItsLastArrivalAndNewestData) {
    ASSERT_TRUE(
        import(write("ship1.csv", std::string(kShipmentsHeader) +
                                      "A,2026-02-27T00:00:00Z,2026-02-26T10:00:00Z,1Z1,UPS,,\n"
                                      "B,2026-03-02T00:00:00Z,,,,,\n")));
    // Confirmations are the events; B's latest ship date is a deadline.
    EXPECT_EQ(feeds(), "shipments,2026-03-01T08:00:00Z,2026-02-26T10:00:00Z,1,1;");

    clock_.advance(hours(24));
    ASSERT_TRUE(import(
        write("orders.txt", std::string(kOrdersHeader) +
                                "O1\t2026-02-28T09:00:00+00:00\t2026-02-28T12:00:00+00:00"
                                "\tShipped\tMerchant\tAmazon.com\tS1\tB01\tShipped\t1\tfalse\n")));
    EXPECT_EQ(feeds(),
              "all_orders,2026-03-02T08:00:00Z,2026-02-28T12:00:00Z,1,2;"
              "shipments,2026-03-01T08:00:00Z,2026-02-26T10:00:00Z,1,1;");

    // An older shipments file arriving later: the arrival moves, the newest
    // data does not go back.
    clock_.advance(hours(24));
    ASSERT_TRUE(
        import(write("ship0.csv", std::string(kShipmentsHeader) +
                                      "C,2026-01-10T00:00:00Z,2026-01-09T10:00:00Z,1Z2,UPS,,\n")));
    EXPECT_EQ(feeds(),
              "all_orders,2026-03-02T08:00:00Z,2026-02-28T12:00:00Z,1,2;"
              "shipments,2026-03-03T08:00:00Z,2026-02-26T10:00:00Z,2,3;");

    // A file with only a header still arrived (a quiet day is not a stopped feed).
    clock_.advance(hours(24));
    ASSERT_TRUE(import(write("ship-empty.csv", kShipmentsHeader)));
    EXPECT_EQ(feeds(),
              "all_orders,2026-03-02T08:00:00Z,2026-02-28T12:00:00Z,1,2;"
              "shipments,2026-03-04T08:00:00Z,2026-02-26T10:00:00Z,3,4;");
}

TEST_F(FeedsImportTest, RepeatsAndRejectedFilesDoNotArrive) {
    const auto p = write("ship.csv", std::string(kShipmentsHeader) +
                                         "A,2026-02-27T00:00:00Z,2026-02-26T10:00:00Z,1Z1,UPS,,\n");
    ASSERT_TRUE(import(p));
    const std::string before = feeds();
    clock_.advance(hours(48));
    // The same bytes again: already imported, not a new arrival.
    auto again = importer_->import_file(p);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->result, import_report::outcome::already_imported);
    EXPECT_EQ(feeds(), before);
    // A file the parser refuses leaves no trace in feeds either.
    auto bad = importer_->import_file(
        write("bad.csv", std::string(kShipmentsHeader) + "A,not a date,,,,,\n"));
    EXPECT_FALSE(bad.has_value());
    EXPECT_EQ(feeds(), before);
}

// An import while the clock was 30 days ahead: the cycle on the clock moves
// that arrival back to now (and only arrivals beyond the tolerance), so the
// feed ages from there and can go stale again.
TEST_F(FeedsImportTest, AnArrivalStoredInTheFutureIsRepairedToNow) {
    clock_.set(test::at("2026-03-31T08:00:00Z"));
    ASSERT_TRUE(
        import(write("ship1.csv", std::string(kShipmentsHeader) +
                                      "A,2026-02-27T00:00:00Z,2026-02-26T10:00:00Z,1Z1,UPS,,\n")));
    clock_.set(test::at("2026-03-01T08:04:00Z"));
    ASSERT_TRUE(import(write("orders.txt", std::string(kOrdersHeader) +
                                               "O1\t2026-02-28T10:00:00Z\t2026-02-28T10:00:00Z\t"
                                               "Shipped\tMerchant\tAmazon.com\tS\tA\tShipped\t1\t"
                                               "false\n")));
    // Four minutes ahead of the cycle's now: within the tolerance, left alone.
    const auto now = test::at("2026-03-01T08:00:00Z");
    EXPECT_EQ(repair_future_feed_arrivals(db_->handle(), now),
              std::vector<std::string>{"shipments"});
    EXPECT_EQ(feeds(),
              "all_orders,2026-03-01T08:04:00Z,2026-02-28T10:00:00Z,1,2;"
              "shipments,2026-03-01T08:00:00Z,2026-02-26T10:00:00Z,1,1;");
    EXPECT_TRUE(repair_future_feed_arrivals(db_->handle(), now).empty());
}

}  // namespace
}  // namespace shd::ingest
