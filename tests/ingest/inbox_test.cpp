#include "ingest/inbox.hpp"

#include <fmt/format.h>
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

std::vector<std::string> names(const std::vector<inbox_file>& files) {
    std::vector<std::string> out;
    for (const auto& f : files)
        out.push_back(f.name);
    return out;
}

using test::folder;

class InboxTest : public ::testing::Test {
  protected:
    // A file last written at `written`.
    fs::path drop(const std::string& name, const std::string& content, instant written) {
        const auto p = dir_ / name;
        test::write_file(p, content);
        fs::last_write_time(p, file_time(written));
        return p;
    }

    // The file scanned and ready at once (as if inotify saw it closed).
    inbox_file take(const std::string& name, const std::string& content, instant written) {
        drop(name, content, written);
        box_.note_complete(name);
        auto scan = box_.scan();
        EXPECT_TRUE(scan);
        for (auto& f : scan->ready) {
            if (f.name == name)
                return std::move(f);
        }
        ADD_FAILURE() << name << " not ready";
        return {};
    }

    test::temp_dir dir_;
    instant now_ = test::at("2025-10-01T08:00:00Z");
    ManualClock clock_{now_};
    inbox box_{dir_.path(), clock_};
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

TEST(InboxSettle, TheRuleAsAPureFunction) {
    const instant t = test::at("2025-10-01T08:00:00Z");
    const file_state s{1, 2, 100, 5};
    // The writer said it is done: at once, even on the first sight.
    EXPECT_TRUE(settle_ready(std::nullopt, s, true, t));
    // First sight without an event: wait for a second scan.
    EXPECT_FALSE(settle_ready(std::nullopt, s, false, t));
    const settle_observation seen{s, t};
    EXPECT_FALSE(settle_ready(seen, s, false, t));  // the same scan, or too soon
    EXPECT_TRUE(settle_ready(seen, s, false, t + kSettleGap));
    // Grown, touched, or another file under the name: not settled.
    EXPECT_FALSE(settle_ready(seen, file_state{1, 2, 101, 5}, false, t + kSettleGap));
    EXPECT_FALSE(settle_ready(seen, file_state{1, 2, 100, 6}, false, t + kSettleGap));
    EXPECT_FALSE(settle_ready(seen, file_state{1, 3, 100, 5}, false, t + kSettleGap));
}

TEST(InboxSettle, AFileDroppedIsTakenWithinTwoSecondsOfScans) {
    // The daemon scans again kSettleGap after a scan that saw a file waiting.
    EXPECT_LE(kSettleGap, std::chrono::seconds(1));
}

TEST(InboxReminder, OnceThenHourly) {
    const instant t = test::at("2025-10-01T08:00:00Z");
    EXPECT_TRUE(reminder_due(std::nullopt, t));
    EXPECT_FALSE(reminder_due(t, t + std::chrono::minutes(59)));
    EXPECT_TRUE(reminder_due(t, t + std::chrono::hours(1)));
}

TEST_F(InboxTest, AFilePresentAtStartIsTakenOnTheSecondScan) {
    // Old mtimes prove nothing: a writer may have set them.
    drop("old.txt", "x", now_ - std::chrono::hours(5));
    auto first = box_.scan();
    ASSERT_TRUE(first) << first.error().text;
    EXPECT_TRUE(first->ready.empty());
    EXPECT_EQ(first->waiting, 1);

    clock_.advance(kSettleGap);
    auto second = box_.scan();
    ASSERT_TRUE(second);
    EXPECT_EQ(names(second->ready), std::vector<std::string>{"old.txt"});
    EXPECT_EQ(second->waiting, 0);
}

TEST_F(InboxTest, AFileTheWriterClosedIsTakenAtOnce) {
    drop("new.txt", "x", now_);
    box_.note_complete("new.txt");
    auto scan = box_.scan();
    ASSERT_TRUE(scan);
    EXPECT_EQ(names(scan->ready), std::vector<std::string>{"new.txt"});
    // The event is used up by that scan: a scan at the same instant waits.
    auto again = box_.scan();
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->ready.empty());
    EXPECT_EQ(again->waiting, 1);
}

TEST_F(InboxTest, AGrowingFileIsLeftForALaterScan) {
    const auto p = drop("growing.txt", "x", now_ + std::chrono::seconds(3600));
    ASSERT_TRUE(box_.scan());
    clock_.advance(std::chrono::seconds(4));
    test::write_file(p, "xy");  // grew between scans, same mtime
    fs::last_write_time(p, file_time(now_ + std::chrono::seconds(3600)));
    auto after_growth = box_.scan();
    ASSERT_TRUE(after_growth);
    EXPECT_TRUE(after_growth->ready.empty());
    EXPECT_EQ(after_growth->waiting, 1);

    auto same_instant = box_.scan();  // unchanged, but no time between the scans
    ASSERT_TRUE(same_instant);
    EXPECT_TRUE(same_instant->ready.empty());

    clock_.advance(kSettleGap);
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
    for (const char* n : {".hidden.txt", "upload.txt.part", "scratch.tmp", "sub", "orders.txt"})
        box_.note_complete(n);
    auto scan = box_.scan();
    ASSERT_TRUE(scan);
    EXPECT_EQ(names(scan->ready), std::vector<std::string>{"orders.txt"});
    EXPECT_EQ(scan->waiting, 0);
    // A subfolder is not silently passed over: somebody expected it imported.
    EXPECT_EQ(scan->unreadable,
              (std::vector<unreadable_entry>{
                  {"sub", "is a folder (files in subfolders are not imported)"}}));
}

TEST_F(InboxTest, ReadyFilesComeOldestFirst) {
    drop("b.txt", "x", now_ - std::chrono::seconds(100));
    drop("c.txt", "x", now_ - std::chrono::seconds(300));
    drop("a.txt", "x", now_ - std::chrono::seconds(100));
    ASSERT_TRUE(box_.scan());
    clock_.advance(kSettleGap);
    auto scan = box_.scan();
    ASSERT_TRUE(scan);
    EXPECT_EQ(names(scan->ready), (std::vector<std::string>{"c.txt", "a.txt", "b.txt"}));
}

TEST_F(InboxTest, ALargeDropIsHandedOutOldestFirstInBatches) {
    // More files than one scan hands out: the oldest come first, each with
    // its descriptor, and the rest wait for the next scan.
    const std::size_t total = kMaxReadyPerScan + 5;
    for (std::size_t i = 0; i < total; ++i) {
        // The newest mtimes are listed first by name, so the cap must not
        // simply keep the first ones the folder listing returned.
        const std::string name = fmt::format("f{:04}.txt", total - i);
        drop(name, "x", now_ - std::chrono::seconds(static_cast<long>(i)));
        box_.note_complete(name);
    }
    auto scan = box_.scan();
    ASSERT_TRUE(scan);
    ASSERT_EQ(scan->ready.size(), kMaxReadyPerScan);
    EXPECT_EQ(scan->waiting, 5);
    EXPECT_EQ(scan->ready.front().name, "f0001.txt");  // the oldest
    EXPECT_EQ(scan->ready.back().name, fmt::format("f{:04}.txt", kMaxReadyPerScan));
    for (const auto& f : scan->ready)
        EXPECT_TRUE(f.fd) << f.name;
}

TEST_F(InboxTest, AMissingFolderIsAnError) {
    inbox missing(dir_ / "nope", clock_);
    auto scan = missing.scan();
    ASSERT_FALSE(scan);
    EXPECT_NE(scan.error().text.find("nope"), std::string::npos);
    EXPECT_FALSE(missing.check_folders());
}

TEST_F(InboxTest, ArchivingNeverOverwrites) {
    const instant old = now_ - std::chrono::seconds(60);
    auto first = box_.archive(take("orders.txt.gz", "first", old));
    ASSERT_TRUE(first) << first.error().text;
    EXPECT_EQ(*first, dir_ / "archive" / "orders.txt.gz");
    auto second = box_.archive(take("orders.txt.gz", "second", old));
    ASSERT_TRUE(second) << second.error().text;
    EXPECT_EQ(*second, dir_ / "archive" / "orders-2.txt.gz");
    auto third = box_.archive(take("orders.txt.gz", "third", old));
    ASSERT_TRUE(third);
    EXPECT_EQ(*third, dir_ / "archive" / "orders-3.txt.gz");
    EXPECT_EQ(test::read_file(dir_ / "archive" / "orders.txt.gz"), "first");
    EXPECT_EQ(test::read_file(dir_ / "archive" / "orders-2.txt.gz"), "second");
    EXPECT_EQ(test::read_file(dir_ / "archive" / "orders-3.txt.gz"), "third");
    EXPECT_FALSE(fs::exists(dir_ / "orders.txt.gz"));
}

TEST_F(InboxTest, ARejectedFileGetsItsErrorBesideIt) {
    const instant old = now_ - std::chrono::seconds(60);
    auto moved = box_.reject(take("bad", "1", old), "bad: line 3, field x: nope");
    ASSERT_TRUE(moved) << moved.error().text;
    EXPECT_EQ(*moved, dir_ / "rejected" / "bad");
    EXPECT_EQ(test::read_file(dir_ / "rejected" / "bad.error.txt"), "bad: line 3, field x: nope\n");
    auto again = box_.reject(take("bad", "2", old), "second");
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, dir_ / "rejected" / "bad-2");
    EXPECT_EQ(test::read_file(dir_ / "rejected" / "bad-2.error.txt"), "second\n");
    EXPECT_EQ(test::read_file(dir_ / "rejected" / "bad.error.txt"), "bad: line 3, field x: nope\n");
}

TEST_F(InboxTest, AFileReplacedAfterTheScanIsNotMoved) {
    const instant old = now_ - std::chrono::seconds(60);
    inbox_file taken = take("orders.txt", "scanned", old);
    fs::remove(dir_ / "orders.txt");
    drop("orders.txt", "swapped in", old);
    auto moved = box_.archive(taken);
    ASSERT_FALSE(moved);
    EXPECT_NE(moved.error().text.find("replaced or removed"), std::string::npos);
    EXPECT_EQ(test::read_file(dir_ / "orders.txt"), "swapped in");
    EXPECT_EQ(folder(dir_ / "archive"), std::vector<std::string>{});
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
    // The writers of the first three closed them (inotify); the fourth was
    // there without an event.
    for (const char* n : {"1-good.txt", "2-bad.txt", "3-same-again.txt"})
        box_.note_complete(n);

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
    // The error names the file (not where the inbox is) and the line and field.
    EXPECT_EQ(
        test::read_file(dir_ / "rejected" / "2-bad.txt.error.txt"),
        "2-bad.txt: line 2, field purchase-date: not an ISO-8601 timestamp with an offset or Z\n");
    EXPECT_EQ(test::count_rows(db->handle(), "orders"), 1);
    EXPECT_EQ(test::count_rows(db->handle(), "imports"), 1);

    // The fresh file is taken once a later scan saw it unchanged; the rest is gone already.
    clock_.advance(kSettleGap);
    const auto later = process_inbox(box_, imp);
    EXPECT_EQ(later.imported, 1);
    EXPECT_EQ(later.waiting, 0);
    EXPECT_EQ(test::count_rows(db->handle(), "orders"), 2);
    EXPECT_TRUE(fs::exists(dir_ / "archive" / "4-fresh.txt"));
}

}  // namespace
}  // namespace shd::ingest
