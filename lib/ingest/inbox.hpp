// The inbox folder: sellers (or their scripts) drop export files into it; the
// daemon imports each complete file and moves it out of the way.
//
// The inbox is a trust boundary: a group the service trusts less may write
// to it (docs/operations.md, "Inbox permissions"). So:
// - Only regular files directly in the folder are read, each opened relative
//   to the folder's descriptor with O_NOFOLLOW|O_NONBLOCK and checked on the
//   open descriptor (fstat: a regular file with one link); everything after
//   that reads the descriptor, never the name again. A symbolic link, FIFO,
//   device, socket, subfolder, a file with other hard links or one that
//   cannot be opened is not read: it is warned about by name once, then at
//   most once per kUnreadableReminder while it stays, and listed in
//   inbox_scan::unreadable (for /healthz and `status`). Dot-files, *.part,
//   *.tmp and the folders archive/ and rejected/ are passed over silently.
// - archive/ and rejected/ are made (mode 0750) when missing, and refused
//   when either is a symbolic link, not a folder, not owned by the service's
//   uid, or writable by group or others: a move through a link could put a
//   file anywhere the service may write.
// - A candidate is taken once nothing writes it any more: at once when
//   inotify said its writer closed it or it was renamed in (note_complete),
//   else once two scans at least kSettleGap apart saw the same file (device,
//   inode, size, mtime). settle_ready() is that rule as a pure function, so a
//   test drives it with a ManualClock instead of sleeping.
// - Ready files are handed out oldest mtime first (then by name), so the
//   later export of the same orders is imported later and wins; at most
//   kMaxReadyPerScan per scan (the oldest), the rest count as waiting.
// - After an import (or "already imported") the file moves to archive/; a
//   rejected file moves to rejected/ with NAME.error.txt beside it saying why.
//   Moves are renameat(2) between the folders' descriptors without replacing;
//   on a name clash the file becomes NAME-2.ext, NAME-3.ext, ... The error
//   file is created with O_CREAT|O_EXCL|O_NOFOLLOW. Nothing is ever
//   overwritten, and nothing is written through a link.
// - Every file name that is logged or written is printable_name()d.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "ingest/importer.hpp"

namespace shd::ingest {

// Two scans that saw the same file at least this far apart say nobody is
// writing it. The daemon scans again this long after a file was seen
// waiting, so a file dropped without an inotify event is taken within about
// two seconds.
inline constexpr std::chrono::seconds kSettleGap{1};
// The old name, kept for callers that still speak of a settle time.
inline constexpr std::chrono::seconds kDefaultSettleTime = kSettleGap;

// Ready files handed out by one scan at most (each holds a descriptor).
inline constexpr std::size_t kMaxReadyPerScan = 200;

// How often an unreadable entry is warned about again while it stays.
inline constexpr std::chrono::hours kUnreadableReminder{1};

// Dot-files, *.part, *.tmp: files a writer has not finished.
bool is_ignored_inbox_name(std::string_view file_name);

// An open descriptor, closed when dropped.
class unique_fd {
  public:
    unique_fd() = default;
    explicit unique_fd(int fd) : fd_(fd) {}
    ~unique_fd() { reset(); }
    unique_fd(unique_fd&& o) noexcept : fd_(o.release()) {}
    unique_fd& operator=(unique_fd&& o) noexcept {
        if (this != &o) {
            reset();
            fd_ = o.release();
        }
        return *this;
    }
    unique_fd(const unique_fd&) = delete;
    unique_fd& operator=(const unique_fd&) = delete;
    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    int release() {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }
    void reset();

  private:
    int fd_ = -1;
};

// What identifies a file's content between two looks at it.
struct file_state {
    dev_t device = 0;
    ino_t inode = 0;
    std::int64_t size = 0;
    std::int64_t mtime_ns = 0;
    bool operator==(const file_state&) const = default;
};

struct settle_observation {
    file_state state;
    instant first_seen;  // when this very state was first seen
};

// The settle rule: ready when the writer is known to be done (inotify), or
// when an earlier scan saw the same state at least `gap` before `now`.
bool settle_ready(const std::optional<settle_observation>& earlier, const file_state& current,
                  bool writer_done, instant now, std::chrono::seconds gap = kSettleGap);

// Whether an unreadable entry is warned about (again) now: the first time,
// then once per `interval`.
bool reminder_due(std::optional<instant> last_warned, instant now,
                  std::chrono::seconds interval = kUnreadableReminder);

// An inbox entry the daemon will not read.
struct unreadable_entry {
    std::string name;    // printable_name()d
    std::string reason;  // "is a symbolic link (not followed)", "cannot open: Permission denied"
    bool operator==(const unreadable_entry&) const = default;
};

// A file ready to import, open for reading.
struct inbox_file {
    std::string name;          // as in the folder (raw bytes)
    std::string display_name;  // printable_name(name)
    unique_fd fd;
    file_state state;
};

struct inbox_scan {
    std::vector<inbox_file> ready;             // in import order
    long waiting = 0;                          // candidates not ready yet
    std::vector<unreadable_entry> unreadable;  // by name
};

// The entries of `dir` the daemon would not read, without reading any file
// or changing anything: for `status`. Errors: the folder cannot be listed.
result<std::vector<unreadable_entry>, error_message> survey_inbox(const std::filesystem::path& dir);

class inbox {
  public:
    inbox(std::filesystem::path dir, const Clock& clock, std::chrono::seconds gap = kSettleGap);

    const std::filesystem::path& dir() const { return dir_; }
    std::filesystem::path archive_dir() const { return dir_ / "archive"; }
    std::filesystem::path rejected_dir() const { return dir_ / "rejected"; }

    // Makes archive/ and rejected/ when missing and checks them (see above).
    // The daemon and `run --once` call it at start and refuse to go on when
    // it fails; scan() and the moves check again each time.
    result<void, error_message> check_folders() const;

    // Thread-safe: inotify saw `name` closed after writing, or renamed in.
    void note_complete(std::string name);

    // Lists the folder and remembers what it saw for the next scan. Errors:
    // the folder cannot be listed, or archive/ or rejected/ is refused.
    result<inbox_scan, error_message> scan();

    // Moves `file` into archive/ when the name still holds that very file.
    // Returns where it went.
    result<std::filesystem::path, error_message> archive(const inbox_file& file);

    // Moves `file` into rejected/ and creates NAME.error.txt beside it holding
    // `why` and a newline. Returns where the file went.
    result<std::filesystem::path, error_message> reject(const inbox_file& file,
                                                        const std::string& why);

  private:
    struct unreadable_state {
        std::string reason;
        instant last_warned;
    };

    std::filesystem::path dir_;
    const Clock& clock_;
    std::chrono::seconds gap_;
    std::map<std::string, settle_observation> seen_;      // by file name
    std::map<std::string, unreadable_state> unreadable_;  // by file name
    std::mutex complete_mutex_;
    std::set<std::string> complete_;  // names inotify reported done since the last scan
};

struct inbox_cycle_summary {
    long imported = 0;
    long already_imported = 0;
    long rejected = 0;
    long failed = 0;   // database trouble or a file that could not be moved: retried next scan
    long waiting = 0;  // not ready yet
    std::vector<unreadable_entry> unreadable;  // entries the scan would not read
    bool scanned = false;                      // the folder could be listed
};

// The ready files in the order they are imported: All Orders and Unshipped
// reports first (later files depend on their orders), then the rest, each
// group in the scan's order.
std::vector<std::filesystem::path> import_order(std::vector<std::filesystem::path> ready);
std::vector<inbox_file> import_order(std::vector<inbox_file> ready);

// One pass over the inbox: scan, import every ready file in order, move each
// where it belongs, log what happened. Never throws for bad files.
// `should_stop`, when given, is asked before each file: true leaves the rest
// in the folder for the next start (the daemon is stopping; the file being
// imported always finishes or rolls back whole).
inbox_cycle_summary process_inbox(inbox& box, importer& imp,
                                  const std::function<bool()>& should_stop = {});

}  // namespace shd::ingest
