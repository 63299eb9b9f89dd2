// A `seller-healthd import` killed with SIGKILL half-way through a large file
// leaves the database as it was (never part of the file); importing the file
// again afterwards lands all of it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>

#include "ingest/import_test_support.hpp"
#include "store/database.hpp"
#include "support/test_support.hpp"

namespace shd::ingest {
namespace {

namespace fs = std::filesystem;

// Large enough that the import spills into the WAL well before it commits.
constexpr int kOrders = 150'000;
constexpr int kItemsPerOrder = 2;

void write_large_orders_file(const fs::path& path) {
    std::ofstream out(path, std::ios::binary);
    out << "amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\t"
           "sales-channel\tsku\tasin\titem-status\tquantity\n";
    for (int i = 0; i < kOrders; ++i) {
        // Scattered IDs, as Amazon's are: the writes touch the whole B-tree.
        const long long scrambled = (static_cast<long long>(i) * 2654435761LL) % 10'000'000'000LL;
        const std::string id = "111-" + std::to_string(scrambled);
        for (int item = 0; item < kItemsPerOrder; ++item) {
            out << id << "\t2025-09-01T10:00:00+00:00\t2025-09-01T12:00:00+00:00\tShipped\t"
                << (i % 3 == 0 ? "Amazon" : "Merchant") << "\tAmazon.com\tSKU-" << item
                << "\tB00000000" << item << "\tShipped\t1\n";
        }
    }
}

TEST(ImportKill, SigkillHalfWayLeavesTheDatabaseUnchangedAndALaterImportLandsEverything) {
    test::temp_dir dir;
    test::write_file(dir / "shd.yaml", "database: \"db.sqlite\"\ninbox: \"inbox\"\n");
    const auto config = (dir / "shd.yaml").string();
    test::write_file(dir / "small.txt",
                     "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\t"
                     "sales-channel\n"
                     "111-SMALL\t2025-09-01T10:00:00Z\tShipped\tMerchant\tAmazon.com\n");
    const auto seeded =
        test::run_binary({"import", "--config", config, (dir / "small.txt").string()});
    ASSERT_EQ(seeded.exit_code, 0) << seeded.out << seeded.err;

    std::string before;
    {
        auto db = store::database::open(dir / "db.sqlite", {.read_only = true});
        ASSERT_TRUE(db) << db.error().text;
        before = test::dump_tables(db->handle());
    }

    const auto big = dir / "big.txt";
    write_large_orders_file(big);
    bool killed_half_way = false;
    {
        test::child_process import({"import", "--config", config, big.string()}, dir / "out",
                                   dir / "err");
        // Wait for evidence of the open transaction: pages spilling into the
        // WAL. Whenever the kill lands, the database must be all or nothing.
        const auto wal = dir / "db.sqlite-wal";
        const bool writing = test::eventually([&] {
            std::error_code ec;
            return import.exited() || (fs::exists(wal, ec) && fs::file_size(wal, ec) > (4u << 20));
        });
        ASSERT_TRUE(writing) << "the import neither wrote nor finished";
        killed_half_way = !import.exited();
        import.signal(SIGKILL);
        const int status = import.wait();
        if (killed_half_way) {
            ASSERT_TRUE(WIFSIGNALED(status));
            EXPECT_EQ(WTERMSIG(status), SIGKILL);
        }
    }

    {
        auto db = store::database::open(dir / "db.sqlite", {.read_only = true});
        ASSERT_TRUE(db) << db.error().text;
        if (killed_half_way) {
            EXPECT_EQ(test::dump_tables(db->handle()), before);
        } else {
            // The import beat the kill: then it is there in full.
            EXPECT_EQ(test::count_rows(db->handle(), "orders"), kOrders + 1);
        }
        EXPECT_EQ(db->handle().execAndGet("PRAGMA integrity_check").getString(), "ok");
    }
    EXPECT_TRUE(killed_half_way) << "make the file larger: the kill came after the commit";

    const auto again = test::run_binary({"import", "--config", config, big.string()});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    const std::string expected_line = "imported: " + big.string() + " (" +
                                      std::to_string(kOrders * kItemsPerOrder) + " rows, " +
                                      std::to_string(kOrders) + " orders)\n";
    if (killed_half_way) {
        EXPECT_EQ(again.out, expected_line);
    }
    auto db = store::database::open(dir / "db.sqlite", {.read_only = true});
    ASSERT_TRUE(db);
    EXPECT_EQ(test::count_rows(db->handle(), "orders"), kOrders + 1);
    EXPECT_EQ(test::count_rows(db->handle(), "order_items"), kOrders * kItemsPerOrder + 1);
    EXPECT_EQ(test::count_rows(db->handle(), "imports"), 2);
}

}  // namespace
}  // namespace shd::ingest
