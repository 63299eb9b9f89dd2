#include "ingest/inbox.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/clock.hpp"
#include "ingest/import_test_support.hpp"
#include "ingest/importer.hpp"
#include "store/database.hpp"
#include "support/test_support.hpp"

namespace shd::ingest {
namespace {

namespace fs = std::filesystem;

// File times are set by hand and the clock is a ManualClock, so no test waits.
fs::file_time_type file_time(instant t) {
    return std::chrono::file_clock::from_sys(
        std::chrono::time_point_cast<std::chrono::system_clock::duration>(t));
}

std::vector<std::string> names(const std::vector<fs::path>& paths) {
    std::vector<std::string> out;
    for (const auto& p : paths)
        out.push_back(p.filename().string());
    return out;
}

std::vector<std::string> folder(const fs::path& dir) {
    std::vector<std::string> out;
    if (!fs::exists(dir))
        return out;
    for (const auto& e : fs::directory_iterator(dir))
        out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

class InboxTest : public ::testing::Test {
  protected:
    // A file last written at `written`.
    fs::path drop(const std::string& name, const std::string& content, instant written) {
        const auto p = dir_ / name;
        test::write_file(p, content);
        fs::last_write_time(p, file_time(written));
        return p;
    }

    test::temp_dir dir_;
    instant now_ = test::at("2025-10-01T08:00:00Z");
    ManualClock clock_{now_};
    inbox box_{dir_.path(), clock_, std::chrono::seconds(5)};
};

TEST(InboxNames, DotFilesPartialAndTemporaryFilesAreIgnored) {
    EXPECT_TRUE(is_ignored_inbox_name(".orders.txt"));
    EXPECT_TRUE(is_ignored_inbox_name("orders.txt.part"));
    EXPECT_TRUE(is_ignored_inbox_name("orders.tmp"));
    EXPECT_TRUE(is_ignored_inbox_name(""));
    EXPECT_FALSE(is_ignored_inbox_name("orders.txt"));
    EXPECT_FALSE(is_ignored_inbox_name("orders.txt.gz"));
    EXPECT_FALSE(is_ignored_inbox_name("part"));
}

TEST_F(InboxTest, AFileUnchangedForTheSettleTimeIsReadyAtOnce) {
    drop("old.txt", "x", now_ - std::chrono::seconds(5));
    auto scan = box_.scan();
    ASSERT_TRUE(scan) << scan.error().text;
    EXPECT_EQ(names(scan->ready), std::vector<std::string>{"old.txt"});
    EXPECT_EQ(scan->waiting, 0);
}

TEST_F(InboxTest, AFreshFileWaitsUntilItHasStayedTheSame) {
    drop("new.txt", "x", now_ - std::chrono::seconds(1));
    auto first = box_.scan();
    ASSERT_TRUE(first);
    EXPECT_TRUE(first->ready.empty());
    EXPECT_EQ(first->waiting, 1);

    clock_.advance(std::chrono::seconds(3));  // mtime 4 s old: still too fresh
    auto second = box_.scan();
    ASSERT_TRUE(second);
    EXPECT_TRUE(second->ready.empty());

    clock_.advance(std::chrono::seconds(1));
    auto third = box_.scan();
    ASSERT_TRUE(third);
    EXPECT_EQ(names(third->ready), std::vector<std::string>{"new.txt"});
}

TEST_F(InboxTest, AGrowingFileIsLeftForALaterScan) {
    // Its mtime is in the future (a skewed writer), so only our own scans
    // can tell that it stopped changing.
    const auto p = drop("growing.txt", "x", now_ + std::chrono::seconds(3600));
    ASSERT_TRUE(box_.scan());
    clock_.advance(std::chrono::seconds(4));
    test::write_file(p, "xy");  // grew between scans
    fs::last_write_time(p, file_time(now_ + std::chrono::seconds(3600)));
    auto after_growth = box_.scan();
    ASSERT_TRUE(after_growth);
    EXPECT_TRUE(after_growth->ready.empty());
    EXPECT_EQ(after_growth->waiting, 1);

    clock_.advance(std::chrono::seconds(4));  // 4 s since it last changed
    auto still = box_.scan();
    ASSERT_TRUE(still);
    EXPECT_TRUE(still->ready.empty());

    clock_.advance(std::chrono::seconds(1));  // 5 s unchanged
    auto ready = box_.scan();
    ASSERT_TRUE(ready);
    EXPECT_EQ(names(ready->ready), std::vector<std::string>{"growing.txt"});
}

TEST_F(InboxTest, OnlyCompleteRegularFilesDirectlyInTheFolderAreCandidates) {
    const instant old = now_ - std::chrono::seconds(60);
    drop(".hidden.txt", "x", old);
    drop("upload.txt.part", "x", old);
    drop("scratch.tmp", "x", old);
    drop("archive/done.txt", "x", old);
    drop("rejected/bad.txt", "x", old);
    drop("sub/nested.txt", "x", old);
    drop("orders.txt", "x", old);
    auto scan = box_.scan();
    ASSERT_TRUE(scan);
    EXPECT_EQ(names(scan->ready), std::vector<std::string>{"orders.txt"});
    EXPECT_EQ(scan->waiting, 0);
}

TEST_F(InboxTest, ReadyFilesComeOldestFirst) {
    drop("b.txt", "x", now_ - std::chrono::seconds(100));
    drop("c.txt", "x", now_ - std::chrono::seconds(300));
    drop("a.txt", "x", now_ - std::chrono::seconds(100));
    auto scan = box_.scan();
    ASSERT_TRUE(scan);
    EXPECT_EQ(names(scan->ready), (std::vector<std::string>{"c.txt", "a.txt", "b.txt"}));
}

TEST_F(InboxTest, AMissingFolderIsAnError) {
    inbox missing(dir_ / "nope", clock_);
    auto scan = missing.scan();
    ASSERT_FALSE(scan);
    EXPECT_NE(scan.error().text.find("nope"), std::string::npos);
}

TEST_F(InboxTest, ArchivingNeverOverwrites) {
    const instant old = now_ - std::chrono::seconds(60);
    auto first = box_.archive(drop("orders.txt.gz", "first", old));
    ASSERT_TRUE(first) << first.error().text;
    EXPECT_EQ(*first, dir_ / "archive" / "orders.txt.gz");
    auto second = box_.archive(drop("orders.txt.gz", "second", old));
    ASSERT_TRUE(second);
    EXPECT_EQ(*second, dir_ / "archive" / "orders-2.txt.gz");
    auto third = box_.archive(drop("orders.txt.gz", "third", old));
    ASSERT_TRUE(third);
    EXPECT_EQ(*third, dir_ / "archive" / "orders-3.txt.gz");
    EXPECT_EQ(test::read_file(dir_ / "archive" / "orders.txt.gz"), "first");
    EXPECT_EQ(test::read_file(dir_ / "archive" / "orders-3.txt.gz"), "third");
    EXPECT_FALSE(fs::exists(dir_ / "orders.txt.gz"));
}

TEST_F(InboxTest, ARejectedFileGetsItsErrorBesideIt) {
    const instant old = now_ - std::chrono::seconds(60);
    auto moved = box_.reject(drop("bad", "1", old), "bad: line 3, field x: nope");
    ASSERT_TRUE(moved) << moved.error().text;
    EXPECT_EQ(*moved, dir_ / "rejected" / "bad");
    EXPECT_EQ(test::read_file(dir_ / "rejected" / "bad.error.txt"), "bad: line 3, field x: nope\n");
    auto again = box_.reject(drop("bad", "2", old), "second");
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, dir_ / "rejected" / "bad-2");
    EXPECT_EQ(test::read_file(dir_ / "rejected" / "bad-2.error.txt"), "second\n");
    EXPECT_EQ(test::read_file(dir_ / "rejected" / "bad.error.txt"), "bad: line 3, field x: nope\n");
}

constexpr const char* kHeader =
    "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsales-channel\n";

TEST_F(InboxTest, ACycleImportsArchivesAndRejects) {
    auto db = store::database::open(dir_ / "state" / "db.sqlite");
    ASSERT_TRUE(db);
    importer imp(*db, clock_, "ATVPDKIKX0DER");
    const instant old = now_ - std::chrono::seconds(60);
    const std::string good =
        std::string(kHeader) + "111-1\t2025-09-01T00:00:00Z\tShipped\tMerchant\tAmazon.com\n";
    drop("1-good.txt", good, old - std::chrono::seconds(2));
    drop("2-bad.txt", std::string(kHeader) + "111-2\tsoon\tShipped\tMerchant\tAmazon.com\n",
         old - std::chrono::seconds(1));
    drop("3-same-again.txt", good, old);
    drop("4-fresh.txt", good + "111-3\t2025-09-01T00:00:00Z\tShipped\tMerchant\tAmazon.com\n",
         now_);

    const auto summary = process_inbox(box_, imp);
    EXPECT_EQ(summary.imported, 1);
    EXPECT_EQ(summary.already_imported, 1);
    EXPECT_EQ(summary.rejected, 1);
    EXPECT_EQ(summary.failed, 0);
    EXPECT_EQ(summary.waiting, 1);
    EXPECT_EQ(folder(dir_ / "archive"),
              (std::vector<std::string>{"1-good.txt", "3-same-again.txt"}));
    EXPECT_EQ(folder(dir_ / "rejected"),
              (std::vector<std::string>{"2-bad.txt", "2-bad.txt.error.txt"}));
    EXPECT_EQ(test::read_file(dir_ / "rejected" / "2-bad.txt.error.txt"),
              (dir_ / "2-bad.txt").string() +
                  ": line 2, field purchase-date: not an ISO-8601 timestamp with an offset or Z\n");
    EXPECT_EQ(test::count_rows(db->handle(), "orders"), 1);
    EXPECT_EQ(test::count_rows(db->handle(), "imports"), 1);

    // The fresh file is taken once it has settled; the rest is gone already.
    clock_.advance(std::chrono::seconds(5));
    const auto later = process_inbox(box_, imp);
    EXPECT_EQ(later.imported, 1);
    EXPECT_EQ(later.waiting, 0);
    EXPECT_EQ(test::count_rows(db->handle(), "orders"), 2);
    EXPECT_TRUE(fs::exists(dir_ / "archive" / "4-fresh.txt"));
}

}  // namespace
}  // namespace shd::ingest
