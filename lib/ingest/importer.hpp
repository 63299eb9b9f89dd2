// Imports one export file into the database: all of it or nothing.
//
// A file is identified by the SHA-256 of its raw bytes; the same bytes again
// are "already imported" and write nothing. Otherwise one IMMEDIATE
// transaction holds the imports row and every record the parser emits
// (store_writer applies the replace/merge rules); any parse error or refused
// row rolls it all back, so a rejected file leaves the database exactly as it
// was, without an imports row either. A process killed half-way leaves the
// same: SQLite discards the uncommitted transaction. The parser runs on a
// second thread (background_parse.hpp); all database work stays on the
// caller's.
//
// Failures are values and say whose fault they are: `rejected` (the file's
// content, or the file cannot be read) or `failed` (the database: busy, full,
// I/O; the same file may well import later).
//
// Reading goes through one open descriptor (import_open_file): its first
// kSniffBytes are looked at before anything else, so binary data (NUL bytes
// that are not gzip) and, with the real parser, a file whose header is not a
// known export are refused without reading the rest; only then is the whole
// file hashed and parsed. The parser takes a path, so it is given
// descriptor_path(fd), which opens the very file the descriptor holds
// whatever its name points to by then. Errors name the file by the
// printable name given, and never quote its bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "ingest/background_parse.hpp"
#include "ingest/parse.hpp"
#include "ingest/records.hpp"

namespace shd::store {
class database;
}

namespace shd::ingest {

struct import_report {
    enum class outcome { imported, already_imported };
    outcome result = outcome::imported;
    std::string sha256;
    std::int64_t import_id = 0;  // the imports row (the earlier one when already imported)
    // Only for `imported`:
    file_format format = file_format::all_orders;
    long rows = 0;
    long orders = 0;  // orders created or replaced by this file
};

enum class import_failure_kind {
    rejected,  // the file is at fault; importing it again will fail the same way
    failed,    // the database (or the program) is; nothing landed, try again later
};

struct import_failure {
    import_failure_kind kind = import_failure_kind::rejected;
    import_error error;
};

[[noreturn]] void throw_exception_from_error(import_failure const& e,
                                             boost::source_location const&);

// The SQLite page cache while a file is imported: 32 MiB keeps the B-tree
// pages the writes touch in memory (the default 2 MiB makes a large import
// spill and re-read pages constantly) while the process stays under its
// 64 MB peak RSS budget (docs/performance.md).
inline constexpr int kImportCacheKiB = 32 * 1024;

// How much of a file is looked at before it is hashed or parsed.
inline constexpr std::size_t kSniffBytes = 64 * 1024;

// "/proc/self/fd/N": opens the file `fd` holds, for code that takes a path.
std::filesystem::path descriptor_path(int fd);

// Refuses binary data: NUL bytes in the first kSniffBytes of `fd` (read with
// pread, so the file offset stays) when they are not gzip. The error has no
// file name (the caller knows it).
result<void, import_error> sniff_binary(int fd);

class importer {
  public:
    // `db` must outlive the importer. `clock` stamps imports.imported_at.
    // Files are read with parse_file, and refused early when their header is
    // not a known export's.
    importer(store::database& db, const Clock& clock, std::string default_marketplace);
    // `parse` is parse_file's stand-in for tests feeding hand-built records;
    // it runs on a worker thread (parse_in_background) while this thread
    // writes, and decides alone what it accepts (no header check).
    importer(store::database& db, const Clock& clock, std::string default_marketplace,
             parse_function parse);

    // Opens `path` (a link is followed: the operator named it) and imports
    // it as below; `path` is named in errors, printable. Never throws for bad
    // input or a database error; only a broken invariant (std::logic_error)
    // escapes.
    result<import_report, import_failure> import_file(const std::filesystem::path& path);

    // Imports the regular file open as `fd`, reading nothing but `fd`.
    // `display_name` (printable: core/printable_name.hpp) names it in errors,
    // and its last part in the imports row.
    result<import_report, import_failure> import_open_file(int fd, const std::string& display_name);

    // A reload may change it; the next file is read with the new one.
    void set_default_marketplace(std::string marketplace_id) {
        default_marketplace_ = std::move(marketplace_id);
    }
    // The page cache for the next imports (default kImportCacheKiB): a
    // caller that holds more memory of its own (a TLS stack) gives less.
    void set_cache_kib(int cache_kib) { cache_kib_ = cache_kib; }
    // Config's `marketplace` (empty: not stated); a reload may change it too.
    void set_account_marketplace(std::string marketplace_id) {
        account_marketplace_ = std::move(marketplace_id);
    }

  private:
    store::database& db_;
    const Clock& clock_;
    std::string default_marketplace_;
    std::string account_marketplace_;
    parse_function parse_;
    bool check_header_ = false;
    int cache_kib_ = kImportCacheKiB;
};

}  // namespace shd::ingest
