// The importer with the real parser: the same file twice, newer and older
// versions of an order, multi-item orders, and rejected files that change
// nothing.
#include <gtest/gtest.h>

#include "core/clock.hpp"
#include "ingest/import_test_support.hpp"
#include "ingest/importer.hpp"
#include "store/database.hpp"
#include "support/test_support.hpp"

namespace shd::ingest {
namespace {

constexpr const char* kHeader =
    "amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\t"
    "sales-channel\tsku\tasin\titem-status\tquantity\tis-buyer-requested-cancellation\n";

std::string row(const std::string& order_id, const std::string& last_updated,
                const std::string& status, const std::string& sku,
                const std::string& item_status = "Shipped") {
    return order_id + "\t2025-09-01T10:00:00+00:00\t" + last_updated + "\t" + status +
           "\tMerchant\tAmazon.com\t" + sku + "\tB0" + sku + "\t" + item_status + "\t1\tfalse\n";
}

class ImportIdempotencyTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opened = store::database::open(dir_ / "db.sqlite");
        ASSERT_TRUE(opened) << opened.error().text;
        db_.emplace(std::move(*opened));
        importer_.emplace(*db_, clock_, "ATVPDKIKX0DER");
    }

    SQLite::Database& db() { return db_->handle(); }

    std::filesystem::path write(const std::string& name, const std::string& content) {
        const auto p = dir_ / name;
        test::write_file(p, content);
        return p;
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
    ManualClock clock_{test::at("2025-10-01T08:00:00Z")};
    std::optional<store::database> db_;
    std::optional<importer> importer_;
};

TEST_F(ImportIdempotencyTest, TheSameFileTwiceIsImportedOnce) {
    const auto file = write(
        "orders.txt", std::string(kHeader) + row("111-A", "2025-09-02T00:00:00Z", "Shipped", "S1") +
                          row("111-A", "2025-09-02T00:00:00Z", "Shipped", "S2") +
                          row("111-B", "2025-09-02T00:00:00Z", "Shipped", "S1"));
    auto first = importer_->import_file(file);
    ASSERT_TRUE(first) << first.error().error.to_string();
    EXPECT_EQ(first->result, import_report::outcome::imported);
    EXPECT_EQ(first->format, file_format::all_orders);
    EXPECT_EQ(first->rows, 3);
    EXPECT_EQ(first->orders, 2);
    EXPECT_EQ(
        query("SELECT id, file_name, sha256 = '" + first->sha256 +
              "', format, imported_at, row_count, order_count, result FROM imports"),
        "1,orders.txt,1,all_orders," + std::to_string(to_unix(clock_.now())) + ",3,2,imported;");
    const std::string after_first = test::dump_tables(db());

    clock_.advance(hours(1));
    auto second = importer_->import_file(file);
    ASSERT_TRUE(second);
    EXPECT_EQ(second->result, import_report::outcome::already_imported);
    EXPECT_EQ(second->import_id, first->import_id);
    EXPECT_EQ(test::dump_tables(db()), after_first);

    // The name does not matter, the bytes do.
    const auto copy = write("copy-of-orders.txt", test::read_file(file));
    auto third = importer_->import_file(copy);
    ASSERT_TRUE(third);
    EXPECT_EQ(third->result, import_report::outcome::already_imported);
    EXPECT_EQ(test::dump_tables(db()), after_first);
}

TEST_F(ImportIdempotencyTest, ANewerVersionOfOneOrderReplacesItAndLeavesTheOthers) {
    ASSERT_TRUE(importer_->import_file(write(
        "day1.txt", std::string(kHeader) + row("111-A", "2025-09-02T00:00:00Z", "Shipped", "S1") +
                        row("111-A", "2025-09-02T00:00:00Z", "Shipped", "S2") +
                        row("111-B", "2025-09-02T00:00:00Z", "Shipped", "S1"))));
    auto newer = importer_->import_file(write(
        "day2.txt", std::string(kHeader) +
                        row("111-A", "2025-09-03T00:00:00Z", "Cancelled", "S1", "Cancelled")));
    ASSERT_TRUE(newer) << newer.error().error.to_string();
    EXPECT_EQ(newer->result, import_report::outcome::imported);
    EXPECT_EQ(newer->orders, 1);
    EXPECT_EQ(query("SELECT order_id, order_status, is_cancelled, any_item_cancelled, import_id"
                    " FROM orders ORDER BY 1"),
              "111-A,Cancelled,1,1,2;111-B,Shipped,0,0,1;");
    EXPECT_EQ(query("SELECT order_id, item_key, item_status FROM order_items ORDER BY 1, 2"),
              "111-A,S1|B0S1,Cancelled;111-B,S1|B0S1,Shipped;");
    EXPECT_EQ(test::count_rows(db(), "imports"), 2);

    // The older export arriving late changes nothing about that order.
    auto older = importer_->import_file(
        write("day1-again.txt", std::string(kHeader) +
                                    row("111-A", "2025-09-02T00:00:00Z", "Shipped", "S9") +
                                    row("111-C", "2025-09-02T00:00:00Z", "Shipped", "S1")));
    ASSERT_TRUE(older);
    EXPECT_EQ(older->orders, 1);
    EXPECT_EQ(query("SELECT order_id, order_status, import_id FROM orders ORDER BY 1"),
              "111-A,Cancelled,2;111-B,Shipped,1;111-C,Shipped,3;");
    EXPECT_EQ(query("SELECT item_key FROM order_items WHERE order_id = '111-A'"), "S1|B0S1;");
}

TEST_F(ImportIdempotencyTest, AHeaderWithoutRowsIsAnEmptyImport) {
    auto imported = importer_->import_file(write("empty.txt", kHeader));
    ASSERT_TRUE(imported) << imported.error().error.to_string();
    EXPECT_EQ(imported->result, import_report::outcome::imported);
    EXPECT_EQ(imported->rows, 0);
    EXPECT_EQ(imported->orders, 0);
    EXPECT_EQ(query("SELECT format, row_count, order_count FROM imports"), "all_orders,0,0;");
}

TEST_F(ImportIdempotencyTest, ARejectedFileLeavesTheDatabaseExactlyAsItWas) {
    ASSERT_TRUE(importer_->import_file(write(
        "good.txt", std::string(kHeader) + row("111-A", "2025-09-02T00:00:00Z", "Shipped", "S1"))));
    const std::string before = test::dump_tables(db());

    // Many good rows, including a newer version of 111-A, then one bad row.
    std::string content = kHeader;
    content += row("111-A", "2025-09-05T00:00:00Z", "Cancelled", "S1", "Cancelled");
    for (int i = 0; i < 5000; ++i) {
        content += row("111-N" + std::to_string(i), "2025-09-05T00:00:00Z", "Shipped", "S1");
    }
    content += "111-Z\tnot-a-date\t\tShipped\tMerchant\tAmazon.com\tS1\tB0S1\tShipped\t1\tfalse\n";
    const auto bad = write("bad.txt", content);
    auto rejected = importer_->import_file(bad);
    ASSERT_FALSE(rejected);
    EXPECT_EQ(rejected.error().kind, import_failure_kind::rejected);
    EXPECT_EQ(rejected.error().error.file, bad.string());
    EXPECT_EQ(rejected.error().error.line, 5003);
    EXPECT_EQ(rejected.error().error.field, "purchase-date");
    EXPECT_EQ(test::dump_tables(db()), before);

    // Rejection is not remembered: the fixed file imports.
    auto fixed =
        importer_->import_file(write("bad.txt", content.substr(0, content.rfind("111-Z"))));
    ASSERT_TRUE(fixed) << fixed.error().error.to_string();
    EXPECT_EQ(fixed->rows, 5001);
    EXPECT_EQ(fixed->orders, 5001);
}

TEST_F(ImportIdempotencyTest, AnUnreadableFileIsRejectedAndChangesNothing) {
    const std::string before = test::dump_tables(db());
    auto missing = importer_->import_file(dir_ / "no-such-file.txt");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, import_failure_kind::rejected);
    EXPECT_NE(missing.error().error.reason.find("No such file"), std::string::npos);
    EXPECT_EQ(test::dump_tables(db()), before);
}

TEST_F(ImportIdempotencyTest, ReferencesHoldAndConnectionSettingsComeBack) {
    ASSERT_TRUE(importer_->import_file(write(
        "a.txt", std::string(kHeader) + row("111-A", "2025-09-02T00:00:00Z", "Shipped", "S1") +
                     row("111-A", "2025-09-02T00:00:00Z", "Shipped", "S2"))));
    ASSERT_TRUE(importer_->import_file(write(
        "b.txt", std::string(kHeader) + row("111-A", "2025-09-04T00:00:00Z", "Shipped", "S3") +
                     row("111-B", "2025-09-02T00:00:00Z", "Shipped", "S2"))));
    // Foreign keys are not enforced during an import; the writer keeps them.
    EXPECT_EQ(query("PRAGMA foreign_key_check"), "");
    EXPECT_EQ(query("PRAGMA foreign_keys"), "1;");
    EXPECT_EQ(query("PRAGMA cache_size"), "-2000;");
}

}  // namespace
}  // namespace shd::ingest
