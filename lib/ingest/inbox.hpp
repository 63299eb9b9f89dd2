// The inbox folder: sellers (or their scripts) drop export files into it; the
// daemon imports each complete file and moves it out of the way.
//
// - Candidates are regular files directly in the folder; subfolders (archive/,
//   rejected/), dot-files, *.part and *.tmp are never touched.
// - A candidate is ready when it has not changed for `settle` seconds: its
//   mtime is at least that old by the clock, or an earlier scan saw the same
//   size and mtime at least that long ago (a file with an mtime in the future
//   still gets in that way). A file still being written is left for a later
//   scan. The observations are the object's state, so a test drives two scans
//   and a ManualClock instead of sleeping.
// - Ready files are handed out oldest mtime first (then by name), so the
//   later export of the same orders is imported later and wins.
// - After an import (or "already imported") the file moves to archive/; a
//   rejected file moves to rejected/ with NAME.error.txt beside it saying why.
//   Moving is rename(2) without replacing: on a name clash the moved file
//   becomes NAME-2.ext, NAME-3.ext, ... Nothing is ever overwritten.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "ingest/importer.hpp"

namespace shd::ingest {

// How long a file must stay unchanged before it is taken.
inline constexpr std::chrono::seconds kDefaultSettleTime{5};

// Dot-files, *.part, *.tmp: files a writer has not finished.
bool is_ignored_inbox_name(std::string_view file_name);

struct inbox_scan {
    std::vector<std::filesystem::path> ready;  // in import order
    long waiting = 0;                          // candidates not ready yet
};

class inbox {
  public:
    inbox(std::filesystem::path dir, const Clock& clock,
          std::chrono::seconds settle = kDefaultSettleTime);

    const std::filesystem::path& dir() const { return dir_; }
    std::filesystem::path archive_dir() const { return dir_ / "archive"; }
    std::filesystem::path rejected_dir() const { return dir_ / "rejected"; }

    // Lists the folder and remembers what it saw for the next scan. Errors:
    // the folder cannot be listed.
    result<inbox_scan, error_message> scan();

    // Moves `file` into archive/. Returns where it went.
    result<std::filesystem::path, error_message> archive(const std::filesystem::path& file);

    // Moves `file` into rejected/ and writes NAME.error.txt beside it holding
    // `why` and a newline. Returns where the file went.
    result<std::filesystem::path, error_message> reject(const std::filesystem::path& file,
                                                        const std::string& why);

  private:
    struct observation {
        std::uintmax_t size = 0;
        std::filesystem::file_time_type mtime;
        instant first_seen;  // when this size and mtime were first seen
    };

    std::filesystem::path dir_;
    const Clock& clock_;
    std::chrono::seconds settle_;
    std::map<std::string, observation> seen_;  // by file name
};

struct inbox_cycle_summary {
    long imported = 0;
    long already_imported = 0;
    long rejected = 0;
    long failed = 0;   // database trouble or a file that could not be moved: retried next scan
    long waiting = 0;  // not ready yet
};

// The ready files in the order they are imported: All Orders and Unshipped
// reports first (later files depend on their orders), then the rest, each
// group in the scan's order.
std::vector<std::filesystem::path> import_order(std::vector<std::filesystem::path> ready);

// One pass over the inbox: scan, import every ready file in order, move each
// where it belongs, log what happened. Never throws for bad files.
// `should_stop`, when given, is asked before each file: true leaves the rest
// in the folder for the next start (the daemon is stopping; the file being
// imported always finishes or rolls back whole).
inbox_cycle_summary process_inbox(inbox& box, importer& imp,
                                  const std::function<bool()>& should_stop = {});

}  // namespace shd::ingest
