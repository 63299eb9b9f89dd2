// The inbox as a trust boundary: whoever may write into it must not get the
// service to read files only it may read, to move files anywhere else, to
// write through a link, to hang it, to spend its time on gigabytes of zeros,
// or to put control characters on an operator's terminal.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <future>
#include <iostream>
#include <sstream>

#include "core/clock.hpp"
#include "ingest/folder_watch.hpp"
#include "ingest/import_test_support.hpp"
#include "ingest/importer.hpp"
#include "ingest/inbox.hpp"
#include "store/database.hpp"
#include "support/test_support.hpp"

namespace shd::ingest {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHeader =
    "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsales-channel\n";

using test::folder;

// Everything spdlog says while it lives, for asserting on log lines.
class captured_log {
  public:
    captured_log()
        : previous_(spdlog::default_logger()),
          logger_(std::make_shared<spdlog::logger>(
              "captured", std::make_shared<spdlog::sinks::ostream_sink_mt>(text_))) {
        logger_->set_pattern("%l %v");
        logger_->set_level(spdlog::level::trace);
        logger_->flush_on(spdlog::level::trace);
        spdlog::set_default_logger(logger_);
    }
    ~captured_log() { spdlog::set_default_logger(previous_); }
    std::string text() const { return text_.str(); }
    long count(const std::string& needle) const {
        const std::string all = text();
        long n = 0;
        for (auto at = all.find(needle); at != std::string::npos; at = all.find(needle, at + 1))
            ++n;
        return n;
    }

  private:
    std::shared_ptr<spdlog::logger> previous_;
    std::ostringstream text_;
    std::shared_ptr<spdlog::logger> logger_;
};

// Bytes this process has read through read(2) and its kin so far.
long long bytes_read_by_process() {
    std::ifstream io("/proc/self/io");
    std::string key;
    long long value = 0;
    while (io >> key >> value) {
        if (key == "rchar:")
            return value;
    }
    return -1;
}

class InboxTrustTest : public ::testing::Test {
  protected:
    void SetUp() override {
        fs::create_directories(inbox_dir_);
        auto opened = store::database::open(dir_ / "db.sqlite");
        ASSERT_TRUE(opened) << opened.error().text;
        db_.emplace(std::move(*opened));
        importer_.emplace(*db_, clock_, "ATVPDKIKX0DER");
    }

    // A file only the service may read, outside the inbox.
    fs::path secret() {
        const auto p = dir_ / "secret.yaml";
        test::write_file(p, std::string(kHeader) + "smtp_password: hunter2\n");
        fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
        return p;
    }

    inbox_cycle_summary cycle() { return process_inbox(box_, *importer_); }

    test::temp_dir dir_;
    fs::path inbox_dir_ = dir_ / "inbox";
    instant now_ = test::at("2025-10-01T08:00:00Z");
    ManualClock clock_{now_};
    inbox box_{inbox_dir_, clock_};
    std::optional<store::database> db_;
    std::optional<importer> importer_;
};

TEST_F(InboxTrustTest, InotifyNamesTheFilesWhoseWritersAreDone) {
    folder_watch watch(inbox_dir_);
    if (watch.fd() < 0)
        GTEST_SKIP() << "no inotify here";
    ASSERT_TRUE(watch.active());
    test::write_file(inbox_dir_ / "closed.txt", "x");  // IN_CLOSE_WRITE
    test::write_file(dir_ / "outside.txt", "y");
    fs::rename(dir_ / "outside.txt", inbox_dir_ / "moved.txt");  // IN_MOVED_TO
    test::write_file(inbox_dir_ / "upload.part", "z");           // ignored name
    // The kernel queues the events before those calls return.
    std::vector<std::string> complete;
    EXPECT_TRUE(watch.drain(&complete));
    std::sort(complete.begin(), complete.end());
    complete.erase(std::unique(complete.begin(), complete.end()), complete.end());
    EXPECT_EQ(complete, (std::vector<std::string>{"closed.txt", "moved.txt"}));

    for (auto& name : complete)
        box_.note_complete(name);
    auto scan = box_.scan();
    ASSERT_TRUE(scan);
    EXPECT_EQ(scan->ready.size(), 2u);
    EXPECT_EQ(scan->waiting, 0);
}

TEST_F(InboxTrustTest, ASymlinkToAServiceOnlyFileIsNotRead) {
    const auto target = secret();
    fs::create_symlink(target, inbox_dir_ / "orders.txt");
    box_.note_complete("orders.txt");  // as inotify would report a rename-in
    captured_log log;
    const auto first = cycle();
    clock_.advance(std::chrono::seconds(2));
    const auto second = cycle();
    for (const auto& s : {first, second}) {
        EXPECT_EQ(s.imported + s.rejected + s.already_imported, 0);
        EXPECT_EQ(
            s.unreadable,
            (std::vector<unreadable_entry>{{"orders.txt", "is a symbolic link (not followed)"}}));
    }
    // Not moved (a move could not leak it, but nothing is done with it at all).
    EXPECT_TRUE(fs::is_symlink(inbox_dir_ / "orders.txt"));
    EXPECT_EQ(folder(inbox_dir_ / "rejected"), std::vector<std::string>{});
    EXPECT_EQ(test::read_file(target), std::string(kHeader) + "smtp_password: hunter2\n");
    EXPECT_EQ(log.text().find("hunter2"), std::string::npos);
    EXPECT_EQ(log.count("not reading orders.txt: is a symbolic link"), 1) << log.text();
}

TEST_F(InboxTrustTest, AHardLinkToAServiceOnlyFileIsNotRead) {
    const auto target = secret();
    fs::create_hard_link(target, inbox_dir_ / "orders.txt");
    box_.note_complete("orders.txt");
    const auto s = cycle();
    EXPECT_EQ(s.imported + s.rejected, 0);
    ASSERT_EQ(s.unreadable.size(), 1u);
    EXPECT_EQ(s.unreadable[0].name, "orders.txt");
    EXPECT_NE(s.unreadable[0].reason.find("2 hard links"), std::string::npos);
    EXPECT_EQ(folder(inbox_dir_ / "rejected"), std::vector<std::string>{});
}

TEST_F(InboxTrustTest, AFifoDoesNotBlockTheScan) {
    ASSERT_EQ(::mkfifo((inbox_dir_ / "orders.txt").c_str(), 0660), 0);
    box_.note_complete("orders.txt");
    // Opening a FIFO for reading without O_NONBLOCK waits for a writer that
    // never comes; the limit only turns such a hang into a failure.
    auto scanned = std::async(std::launch::async, [&] { return cycle(); });
    ASSERT_EQ(scanned.wait_for(std::chrono::seconds(60)), std::future_status::ready);
    const auto s = scanned.get();
    EXPECT_EQ(s.imported + s.rejected, 0);
    EXPECT_EQ(
        s.unreadable,
        (std::vector<unreadable_entry>{{"orders.txt", "is a named pipe (FIFO), not a file"}}));
}

TEST_F(InboxTrustTest, ArchiveAsASymlinkIsRefused) {
    const auto elsewhere = dir_ / "elsewhere";
    fs::create_directories(elsewhere);
    fs::create_symlink(elsewhere, inbox_dir_ / "archive");
    test::write_file(inbox_dir_ / "orders.txt", std::string(kHeader));
    box_.note_complete("orders.txt");

    auto checked = box_.check_folders();
    ASSERT_FALSE(checked);
    EXPECT_NE(checked.error().text.find("archive is a symbolic link"), std::string::npos)
        << checked.error().text;
    const auto s = cycle();
    EXPECT_EQ(s.failed, 1);
    EXPECT_FALSE(s.scanned);
    EXPECT_EQ(s.imported, 0);
    EXPECT_EQ(folder(elsewhere), std::vector<std::string>{});
    EXPECT_TRUE(fs::exists(inbox_dir_ / "orders.txt"));
}

TEST_F(InboxTrustTest, RejectedAsAFileOrWritableByOthersIsRefused) {
    test::write_file(inbox_dir_ / "rejected", "not a folder");
    auto as_file = box_.check_folders();
    ASSERT_FALSE(as_file);
    EXPECT_NE(as_file.error().text.find("rejected is not a folder"), std::string::npos);

    fs::remove(inbox_dir_ / "rejected");
    fs::create_directories(inbox_dir_ / "rejected");
    fs::permissions(inbox_dir_ / "rejected", fs::perms(0770));
    auto writable = box_.check_folders();
    ASSERT_FALSE(writable);
    EXPECT_NE(writable.error().text.find("writable by group or others"), std::string::npos);

    fs::permissions(inbox_dir_ / "rejected", fs::perms(0750));
    EXPECT_TRUE(box_.check_folders());
}

TEST_F(InboxTrustTest, FoldersAreMadeWithMode0750) {
    ASSERT_TRUE(box_.check_folders());
    for (const char* sub : {"archive", "rejected"}) {
        struct stat st {};
        ASSERT_EQ(::lstat((inbox_dir_ / sub).c_str(), &st), 0);
        EXPECT_TRUE(S_ISDIR(st.st_mode));
        EXPECT_EQ(st.st_mode & 0777 & ~0750u, 0u) << sub;
        EXPECT_EQ(st.st_uid, ::geteuid());
    }
}

TEST_F(InboxTrustTest, ArchiveOwnedBySomebodyElseIsRefused) {
    if (::geteuid() != 0)
        GTEST_SKIP() << "needs root to give a folder away";
    fs::create_directories(inbox_dir_ / "archive");
    ASSERT_EQ(::chown((inbox_dir_ / "archive").c_str(), 65534, 65534), 0);
    auto checked = box_.check_folders();
    ASSERT_FALSE(checked);
    EXPECT_NE(checked.error().text.find("owned by uid 65534"), std::string::npos)
        << checked.error().text;
}

TEST_F(InboxTrustTest, TheErrorFileIsNotWrittenThroughAPlantedSymlink) {
    const auto target = dir_ / "victim.txt";
    test::write_file(target, "keep me");
    ASSERT_TRUE(box_.check_folders());
    fs::create_symlink(target, inbox_dir_ / "rejected" / "bad.txt.error.txt");
    test::write_file(inbox_dir_ / "bad.txt", std::string(kHeader) + "x\tnot a date\n");
    box_.note_complete("bad.txt");

    const auto s = cycle();
    EXPECT_EQ(s.rejected, 1);
    EXPECT_EQ(s.failed, 0);
    EXPECT_EQ(test::read_file(target), "keep me");
    EXPECT_TRUE(fs::is_symlink(inbox_dir_ / "rejected" / "bad.txt.error.txt"));
    // The rejected file took the next free name, with its error beside it.
    EXPECT_TRUE(fs::exists(inbox_dir_ / "rejected" / "bad-2.txt"));
    EXPECT_TRUE(
        test::read_file(inbox_dir_ / "rejected" / "bad-2.txt.error.txt").starts_with("bad.txt: "));
}

TEST_F(InboxTrustTest, CollisionsGetANumberedName) {
    for (const char* content : {"1", "2", "3"}) {
        test::write_file(inbox_dir_ / "bad.txt", content);
        box_.note_complete("bad.txt");
        const auto s = cycle();
        EXPECT_EQ(s.rejected, 1);
    }
    EXPECT_EQ(folder(inbox_dir_ / "rejected"),
              (std::vector<std::string>{"bad-2.txt", "bad-2.txt.error.txt", "bad-3.txt",
                                        "bad-3.txt.error.txt", "bad.txt", "bad.txt.error.txt"}));
    EXPECT_EQ(test::read_file(inbox_dir_ / "rejected" / "bad.txt"), "1");
    EXPECT_EQ(test::read_file(inbox_dir_ / "rejected" / "bad-3.txt"), "3");
}

TEST_F(InboxTrustTest, ControlCharactersInNamesAreEscapedEverywhere) {
    const std::string name = "evil\x1b[31m\nINFO fake line\x7f.txt";
    const std::string shown = "evil\\x1b[31m\\x0aINFO fake line\\x7f.txt";
    test::write_file(inbox_dir_ / name, std::string(kHeader) + "x\tnot a date\n");
    box_.note_complete(name);
    const std::string link_name = "link\x1b]0;title\x07";
    fs::create_symlink(dir_ / "nowhere", inbox_dir_ / link_name);

    captured_log log;
    const auto s = cycle();
    EXPECT_EQ(s.rejected, 1);
    ASSERT_EQ(s.unreadable.size(), 1u);
    EXPECT_EQ(s.unreadable[0].name, "link\\x1b]0;title\\x07");

    const std::string logged = log.text();
    EXPECT_EQ(logged.find('\x1b'), std::string::npos) << logged;
    EXPECT_EQ(logged.find('\x7f'), std::string::npos);
    EXPECT_NE(logged.find("rejected: " + shown), std::string::npos) << logged;
    EXPECT_NE(logged.find("not reading link\\x1b]0;title\\x07"), std::string::npos) << logged;

    // The file keeps its name on disk; the error file speaks of it escaped.
    const std::string error_text = test::read_file(inbox_dir_ / "rejected" / (name + ".error.txt"));
    EXPECT_TRUE(error_text.starts_with(shown + ": ")) << error_text;
    EXPECT_EQ(error_text.find('\x1b'), std::string::npos);
    EXPECT_EQ(std::count(error_text.begin(), error_text.end(), '\n'), 1);

    auto surveyed = survey_inbox(inbox_dir_);
    ASSERT_TRUE(surveyed);
    EXPECT_EQ(*surveyed, s.unreadable);
}

TEST_F(InboxTrustTest, WhatIsImportedIsTheFileThatWasCheckedNotWhatTheNameHoldsLater) {
    const std::string good =
        std::string(kHeader) + "111-1\t2025-09-01T00:00:00Z\tShipped\tMerchant\tAmazon.com\n";
    test::write_file(inbox_dir_ / "orders.txt", good);
    box_.note_complete("orders.txt");
    auto scanned = box_.scan();
    ASSERT_TRUE(scanned);
    ASSERT_EQ(scanned->ready.size(), 1u);
    // After the check, the name is pointed at a file only the service may read.
    fs::remove(inbox_dir_ / "orders.txt");
    fs::create_symlink(secret(), inbox_dir_ / "orders.txt");

    auto imported = importer_->import_open_file(scanned->ready[0].fd.get(), "orders.txt");
    ASSERT_TRUE(imported) << imported.error().error.to_string();
    EXPECT_EQ(imported->rows, 1);
    EXPECT_EQ(test::count_rows(db_->handle(), "orders"), 1);
    // And the link is not what gets archived.
    EXPECT_FALSE(box_.archive(scanned->ready[0]));
    EXPECT_TRUE(fs::is_symlink(inbox_dir_ / "orders.txt"));
}

TEST_F(InboxTrustTest, ASparseFileOfZerosIsRefusedWithoutReadingIt) {
    const auto big = inbox_dir_ / "orders.txt";
    {
        const int fd = ::open(big.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ASSERT_GE(fd, 0);
        ASSERT_EQ(::ftruncate(fd, off_t{2} << 30), 0);  // 2 GiB, no blocks
        ::close(fd);
    }
    box_.note_complete("orders.txt");
    const long long read_before = bytes_read_by_process();
    const auto s = cycle();
    const long long read_after = bytes_read_by_process();
    EXPECT_EQ(s.rejected, 1);
    EXPECT_EQ(s.imported, 0);
    const std::string error_text =
        test::read_file(inbox_dir_ / "rejected" / "orders.txt.error.txt");
    EXPECT_NE(error_text.find("binary data"), std::string::npos) << error_text;
    // The sniff, the ordering and the database: well under one hash pass.
    ASSERT_GE(read_before, 0);
    EXPECT_LT(read_after - read_before, 16LL << 20) << read_after - read_before;
    std::cout << "bytes read for the 2 GiB file: " << read_after - read_before << "\n";
    EXPECT_EQ(test::count_rows(db_->handle(), "imports"), 0);
}

TEST_F(InboxTrustTest, AnUnreadableEntryIsWarnedAboutOnceThenHourly) {
    // Root reads any file whatever its mode, so the entry is one no uid can
    // open as a file: a dangling symbolic link (the kind of check is the
    // same fstat/open path as EACCES; see AFileThatCannotBeOpenedIsReported).
    fs::create_symlink(dir_ / "gone", inbox_dir_ / "orders.txt");
    captured_log log;
    for (int i = 0; i < 30; ++i) {
        const auto s = cycle();
        ASSERT_EQ(s.unreadable.size(), 1u);
        clock_.advance(std::chrono::seconds(60));  // 30 scans over half an hour
    }
    EXPECT_EQ(log.count("not reading orders.txt"), 1) << log.text();
    clock_.advance(std::chrono::minutes(31));
    cycle();
    EXPECT_EQ(log.count("not reading orders.txt"), 2);
    EXPECT_EQ(log.count("(still there)"), 1);
    // Gone and back: a new entry, told about at once.
    fs::remove(inbox_dir_ / "orders.txt");
    EXPECT_TRUE(cycle().unreadable.empty());
    fs::create_symlink(dir_ / "gone", inbox_dir_ / "orders.txt");
    cycle();
    EXPECT_EQ(log.count("not reading orders.txt"), 3);
}

// Scans `inbox_dir` and writes "name|reason" lines of the unreadable entries
// to `fd`; as uid 65534 when this process is root (root opens any file).
int scan_as_other_user(const fs::path& inbox_dir, int fd) {
    if (::geteuid() == 0 &&
        (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0))
        return 2;
    ManualClock clock(test::at("2025-10-01T08:00:00Z"));
    inbox box(inbox_dir, clock);
    auto scanned = box.scan();
    if (!scanned)
        return 3;
    std::string out;
    for (const auto& u : scanned->unreadable)
        out += u.name + "|" + u.reason + "\n";
    return ::write(fd, out.data(), out.size()) == static_cast<ssize_t>(out.size()) ? 0 : 4;
}

TEST_F(InboxTrustTest, AFileThatCannotBeOpenedIsReported) {
    // A real EACCES: the file is the writer's with mode 0000. As root the
    // scan runs in a child that gave up root for uid 65534, which then owns
    // the inbox (as the service owns its inbox), but not the file.
    test::write_file(inbox_dir_ / "locked.txt", "x");
    fs::permissions(inbox_dir_ / "locked.txt", fs::perms::none);
    if (::geteuid() == 0) {
        fs::permissions(dir_.path(), fs::perms(0755));
        for (const auto& p : {inbox_dir_, inbox_dir_ / "archive", inbox_dir_ / "rejected"}) {
            fs::create_directories(p);
            fs::permissions(p, fs::perms(0750));
            ASSERT_EQ(::chown(p.c_str(), 65534, 65534), 0);
        }
    }
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::close(pipe_fds[0]);
        ::_exit(scan_as_other_user(inbox_dir_, pipe_fds[1]));
    }
    ::close(pipe_fds[1]);
    std::string got;
    char buffer[512];
    for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;)
        got.append(buffer, static_cast<std::size_t>(n));
    ::close(pipe_fds[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
    EXPECT_EQ(got, "locked.txt|cannot open: Permission denied\n");
}

}  // namespace
}  // namespace shd::ingest
