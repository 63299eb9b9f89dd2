// `seller-healthd import` and `run` as child processes: the per-file lines,
// exit codes, the inbox moves, and the loop stopping cleanly on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>

#include "ingest/import_test_support.hpp"
#include "store/database.hpp"
#include "support/test_support.hpp"

namespace shd {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHeader =
    "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsales-channel\tsku\tasin\n";

std::string orders(const std::vector<std::string>& rows) {
    std::string out = kHeader;
    for (const auto& r : rows)
        out += r + "\n";
    return out;
}

std::string item(const std::string& order_id, const std::string& sku) {
    return order_id + "\t2025-09-01T10:00:00Z\tShipped\tMerchant\tAmazon.com\t" + sku + "\tB0" +
           sku;
}

using test::folder;

class ImportCliTest : public ::testing::Test {
  protected:
    void SetUp() override {
        test::write_file(dir_ / "shd.yaml",
                         "database: \"state/db.sqlite\"\ninbox: \"inbox\"\npoll_interval: 1h\n");
    }

    test::process_result run(std::vector<std::string> args) {
        args.insert(args.begin() + 1, {"--config", (dir_ / "shd.yaml").string()});
        return test::run_binary(args, dir_.path());
    }

    long long count(const std::string& table) {
        auto db = store::database::open(dir_ / "state/db.sqlite", {.read_only = true});
        if (!db)
            throw std::runtime_error(db.error().text);
        return test::count_rows(db->handle(), table);
    }

    // A file in the inbox whose mtime is an hour old: complete.
    void drop_old(const std::string& name, const std::string& content) {
        const auto p = dir_ / "inbox" / name;
        test::write_file(p, content);
        fs::last_write_time(p, fs::file_time_type::clock::now() - std::chrono::hours(1));
    }

    test::temp_dir dir_;
};

// An Unshipped report without sales-channel: the config's `marketplace` places
// its orders; without it the report is refused, naming the file and the key,
// unless it has no rows (a header alone is an empty export).
TEST_F(ImportCliTest, UnshippedWithoutSalesChannelNeedsTheConfiguredMarketplace) {
    const std::string header =
        "order-id\torder-item-id\tpurchase-date\tpromise-date\tis-iba\tverge-of-cancellation\t"
        "verge-of-lateShipment\n";
    test::write_file(dir_ / "empty.txt", header);
    test::write_file(dir_ / "de\x1b[31m.txt",
                     header +
                         "302-1\t1\t2025-09-24T12:02:50+00:00\t2025-09-26T06:59:59+00:00\t"
                         "false\tfalse\tfalse\n");
    auto r = run({"import", "empty.txt", "de\x1b[31m.txt"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.out,
              "imported: empty.txt (0 rows, 0 orders)\n"
              "rejected: de\\x1b[31m.txt: line 1, field sales-channel: this Unshipped orders "
              "report has no sales-channel column, so its orders belong to the account's "
              "marketplace, and the configuration does not state it: set `marketplace` (a "
              "marketplace ID, e.g. A1PA6795UKMFR9 for Amazon.de) in the config file\n");
    EXPECT_EQ(count("orders"), 0);

    test::write_file(dir_ / "shd.yaml",
                     "database: \"state/db.sqlite\"\ninbox: \"inbox\"\npoll_interval: 1h\n"
                     "marketplace: A1PA6795UKMFR9\n");
    r = run({"import", "de\x1b[31m.txt"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(r.out, "imported: de\\x1b[31m.txt (1 rows, 1 orders)\n");
    auto db = store::database::open(dir_ / "state/db.sqlite", {.read_only = true});
    ASSERT_TRUE(db);
    SQLite::Statement q(db->handle(), "SELECT marketplace_id, sales_channel FROM orders");
    ASSERT_TRUE(q.executeStep());
    EXPECT_EQ(q.getColumn(0).getString(), "A1PA6795UKMFR9");
    EXPECT_EQ(q.getColumn(1).getString(), "Amazon.de");
}

TEST_F(ImportCliTest, PrintsOneLinePerFileAndExitsOneWhenAnyIsRejected) {
    test::write_file(dir_ / "a.txt",
                     orders({item("111-A", "S1"), item("111-A", "S2"), item("111-B", "S1")}));
    test::write_file(dir_ / "bad.txt", orders({item("111-C", "S1"),
                                               "111-D\t2025-09-01T10:00:00Z\tShipped\tSomeone\t"
                                               "Amazon.com\tS1\tB0S1"}));
    test::write_file(dir_ / "b.txt", orders({item("111-E", "S1")}));
    const auto r = run({"import", "a.txt", "bad.txt", "a.txt", "b.txt"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.out,
              "imported: a.txt (3 rows, 2 orders)\n"
              "rejected: bad.txt: line 3, field fulfillment-channel: unknown fulfillment-channel "
              "(expected Merchant or Amazon)\n"
              "already imported: a.txt\n"
              "imported: b.txt (1 rows, 1 orders)\n");
    EXPECT_EQ(r.err, "");
    // The others landed; the rejected one left nothing.
    EXPECT_EQ(count("imports"), 2);
    EXPECT_EQ(count("orders"), 3);
    EXPECT_EQ(count("order_items"), 4);
    // `import` never moves files.
    EXPECT_TRUE(fs::exists(dir_ / "bad.txt"));
    EXPECT_TRUE(fs::exists(dir_ / "a.txt"));
}

TEST_F(ImportCliTest, ExitsZeroWhenEveryFileIsImportedOrAlreadyThere) {
    test::write_file(dir_ / "a.txt", orders({item("111-A", "S1")}));
    const auto first = run({"import", "a.txt"});
    EXPECT_EQ(first.exit_code, 0) << first.err;
    const auto second = run({"import", "a.txt"});
    EXPECT_EQ(second.exit_code, 0) << second.err;
    EXPECT_EQ(second.out, "already imported: a.txt\n");
}

TEST_F(ImportCliTest, AMissingFileIsRejected) {
    const auto r = run({"import", "missing.txt"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out.rfind("rejected: missing.txt: cannot open: No such file", 0), 0u) << r.out;
}

TEST_F(ImportCliTest, ABadConfigExitsTwoAndImportsNothing) {
    test::write_file(dir_ / "shd.yaml", "databse: \"x.sqlite\"\n");
    test::write_file(dir_ / "a.txt", orders({item("111-A", "S1")}));
    const auto r = run({"import", "a.txt"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("databse"), std::string::npos) << r.err;
}

TEST_F(ImportCliTest, RunOnceImportsCompleteInboxFilesAndMovesThem) {
    drop_old("good.txt", orders({item("111-A", "S1")}));
    drop_old("bad.txt", orders({"111-B\tlater\tShipped\tMerchant\tAmazon.com\tS1\tB0S1"}));
    drop_old("upload.txt.part", orders({item("111-C", "S1")}));
    test::write_file(dir_ / "inbox" / "fresh.txt", orders({item("111-D", "S1")}));

    // A rejected file makes the run exit 1, as `import` does; a file written
    // just before the run is waited for briefly and then taken.
    const auto r = run({"run", "--once"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(folder(dir_ / "inbox"),
              (std::vector<std::string>{"archive", "rejected", "upload.txt.part"}));
    EXPECT_EQ(folder(dir_ / "inbox" / "archive"),
              (std::vector<std::string>{"fresh.txt", "good.txt"}));
    EXPECT_EQ(folder(dir_ / "inbox" / "rejected"),
              (std::vector<std::string>{"bad.txt", "bad.txt.error.txt"}));
    EXPECT_NE(test::read_file(dir_ / "inbox" / "rejected" / "bad.txt.error.txt")
                  .find("line 2, field purchase-date: "),
              std::string::npos);
    EXPECT_EQ(count("orders"), 2);
    EXPECT_NE(r.err.find("imported: good.txt"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("rejected: bad.txt: line 2, field purchase-date"), std::string::npos)
        << r.err;
}

TEST_F(ImportCliTest, RunTakesNewFilesAsTheyArriveAndStopsCleanlyOnSigterm) {
    fs::create_directories(dir_ / "inbox");
    const auto err = dir_ / "run.err";
    test::child_process daemon({"run", "--config", (dir_ / "shd.yaml").string()}, dir_ / "run.out",
                               err);
    ASSERT_TRUE(test::eventually([&] {
        return fs::exists(err) && test::read_file(err).find("watching") != std::string::npos;
    })) << test::read_file(err);

    // Written elsewhere, then moved in whole, as a careful uploader does. The
    // full scan is an hour away, so only the inotify watch can pick it up.
    test::write_file(dir_ / "outside.txt", orders({item("111-A", "S1"), item("111-B", "S1")}));
    fs::last_write_time(dir_ / "outside.txt",
                        fs::file_time_type::clock::now() - std::chrono::hours(1));
    fs::rename(dir_ / "outside.txt", dir_ / "inbox" / "orders.txt");
    EXPECT_TRUE(test::eventually([&] {
        return fs::exists(dir_ / "inbox" / "archive" / "orders.txt");
    })) << test::read_file(err);
    EXPECT_FALSE(daemon.exited());

    daemon.signal(SIGTERM);
    const int status = daemon.wait();
    ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
    EXPECT_EQ(WEXITSTATUS(status), 0);
    EXPECT_EQ(count("orders"), 2);
    const std::string log = test::read_file(err);
    EXPECT_NE(log.find("imported: orders.txt"), std::string::npos) << log;
    EXPECT_NE(log.find("stopping on signal 15"), std::string::npos) << log;
}

}  // namespace
}  // namespace shd
