#include "ingest/importer.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <vector>

#include "core/printable_name.hpp"
#include "ingest/decode.hpp"
#include "ingest/sha256.hpp"
#include "ingest/store_writer.hpp"
#include "store/database.hpp"

namespace shd::ingest {

void throw_exception_from_error(import_failure const& e, boost::source_location const&) {
    throw std::logic_error("unchecked import result: " + e.error.to_string());
}

namespace {

// Connection settings for the length of one import, put back afterwards.
// Foreign keys are not enforced inside the import: store_writer writes an
// order before its items and every row carries this import's id, so the
// checks could only confirm what the writer guarantees (tests run
// foreign_key_check after imports), and they cost a B-tree lookup per item
// row, about a fifth of a large import. The pragma is a no-op inside a
// transaction, so this scope opens before BEGIN and closes after COMMIT.
class import_settings_scope {
  public:
    import_settings_scope(SQLite::Database& db, int cache_kib)
        : db_(db),
          cache_size_(db.execAndGet("PRAGMA cache_size").getInt()),
          foreign_keys_(db.execAndGet("PRAGMA foreign_keys").getInt()) {
        db_.exec(fmt::format("PRAGMA cache_size = {}", -cache_kib));
        db_.exec("PRAGMA foreign_keys = OFF");
    }
    ~import_settings_scope() {
        try {
            db_.exec(fmt::format("PRAGMA cache_size = {}", cache_size_));
            db_.exec(fmt::format("PRAGMA foreign_keys = {}", foreign_keys_ != 0 ? "ON" : "OFF"));
        } catch (const SQLite::Exception&) {
            // Only reachable when the connection is already broken; the next
            // import opens this scope again.
        }
    }
    import_settings_scope(const import_settings_scope&) = delete;
    import_settings_scope& operator=(const import_settings_scope&) = delete;

  private:
    SQLite::Database& db_;
    int cache_size_;
    int foreign_keys_;
};

// Thrown through the parser by the sink to stop it after the database refused
// a record. Not derived from std::exception, so a parser catching those does
// not mistake it for its own failure.
struct sink_abort {};

// A refused value is the file's fault; anything else (busy, full, I/O) is not.
bool is_about_the_data(const SQLite::Exception& e) {
    const int primary = e.getErrorCode() & 0xff;
    return primary == SQLITE_CONSTRAINT || primary == SQLITE_MISMATCH || primary == SQLITE_TOOBIG;
}

import_failure rejected(const std::string& file, long line, std::string reason) {
    return {import_failure_kind::rejected, import_error{file, line, "", std::move(reason)}};
}

import_failure failed(const std::string& file, std::string reason) {
    return {import_failure_kind::failed, import_error{file, 0, "", std::move(reason)}};
}

std::optional<std::int64_t> find_import(SQLite::Database& db, const std::string& sha256) {
    SQLite::Statement q(db, "SELECT id FROM imports WHERE sha256 = ?1");
    q.bind(1, sha256);
    if (q.executeStep())
        return q.getColumn(0).getInt64();
    return std::nullopt;
}

}  // namespace

std::filesystem::path descriptor_path(int fd) {
    return std::filesystem::path("/proc/self/fd") / std::to_string(fd);
}

namespace {

// The first kSniffBytes of `fd`, or the OS's reason.
result<std::string, error_message> read_head(int fd) {
    std::string head(kSniffBytes, '\0');
    std::size_t got = 0;
    while (got < head.size()) {
        const ssize_t n =
            ::pread(fd, head.data() + got, head.size() - got, static_cast<off_t>(got));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return error_message{fmt::format("cannot read: {}", std::strerror(errno))};
        }
        if (n == 0)
            break;
        got += static_cast<std::size_t>(n);
    }
    head.resize(got);
    return {boost::system::in_place_value, std::move(head)};
}

std::optional<std::string> binary_reason(std::string_view head) {
    if (has_gzip_magic(head) || head.find('\0') == std::string_view::npos)
        return std::nullopt;
    return fmt::format(
        "binary data (NUL bytes in the first {} KiB), not an export file; not read further",
        kSniffBytes / 1024);
}

}  // namespace

result<void, import_error> sniff_binary(int fd) {
    auto head = read_head(fd);
    if (!head)
        return import_error{{}, 0, {}, head.error().text};
    if (auto why = binary_reason(*head))
        return import_error{{}, 0, {}, *why};
    return {};
}

importer::importer(store::database& db, const Clock& clock, std::string default_marketplace)
    : importer(db, clock, std::move(default_marketplace), parse_file) {
    check_header_ = true;
}

importer::importer(store::database& db, const Clock& clock, std::string default_marketplace,
                   parse_function parse)
    : db_(db),
      clock_(clock),
      default_marketplace_(std::move(default_marketplace)),
      parse_(std::move(parse)) {}

result<import_report, import_failure> importer::import_file(const std::filesystem::path& path) {
    const std::string file = printable_name(path.string());
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        const int err = errno;
        // A file that is there but cannot be read now (permissions, I/O) is
        // not the file's fault: retried, never moved to rejected/.
        std::error_code ec;
        const std::string why = fmt::format("cannot open: {}", std::strerror(err));
        if (std::filesystem::is_regular_file(path, ec))
            return failed(file, why);
        return rejected(file, 0, why);
    }
    struct fd_closer {
        int fd;
        ~fd_closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return failed(file, fmt::format("cannot look at it: {}", std::strerror(errno)));
    if (!S_ISREG(st.st_mode))
        return rejected(file, 0, "not a regular file");
    return import_open_file(fd, file);
}

result<import_report, import_failure> importer::import_open_file(int fd,
                                                                 const std::string& display_name) {
    const std::string& file = display_name;
    auto head = read_head(fd);
    if (!head)
        return failed(file, head.error().text);  // I/O: not the file's fault
    if (auto why = binary_reason(*head))
        return rejected(file, 0, *why);
    const std::filesystem::path path = descriptor_path(fd);
    if (check_header_) {
        if (auto format = detect_format(path); !format) {
            import_error e = format.error();
            e.file = file;
            return import_failure{import_failure_kind::rejected, std::move(e)};
        }
    }
    auto digest = sha256_descriptor(fd);
    if (!digest) {
        // An I/O error on a file that is there is not the file's fault: retried.
        return failed(file, digest.error().text);
    }

    SQLite::Database& db = db_.handle();
    try {
        // Checked before taking the write lock, so a repeat does not wait for
        // another process's long import; checked again under the lock below.
        if (auto earlier = find_import(db, *digest)) {
            return import_report{import_report::outcome::already_imported, *digest, *earlier};
        }

        const instant now = clock_.now();
        import_settings_scope settings(db, cache_kib_);
        SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
        if (auto earlier = find_import(db, *digest)) {
            return import_report{import_report::outcome::already_imported, *digest, *earlier};
        }

        SQLite::Statement insert_import(
            db,
            "INSERT INTO imports(file_name, sha256, format, imported_at, row_count, order_count)"
            " VALUES (?1, ?2, '', ?3, 0, 0)");
        insert_import.bind(1, std::filesystem::path(display_name).filename().string());
        insert_import.bind(2, *digest);
        insert_import.bind(3, static_cast<std::int64_t>(to_unix(now)));
        insert_import.exec();
        const std::int64_t import_id = db.getLastInsertRowid();

        import_report report;
        report.sha256 = *digest;
        report.import_id = import_id;
        {
            // Statements are finalised here, before the transaction ends.
            store_writer writer(db, import_id, now);
            // New orders' counts in memory, written once by record_arrival.
            writer.defer_order_counts();
            SQLite::Statement marketplace_of(
                db, "SELECT marketplace_id FROM orders WHERE order_id = ?1");
            parse_context ctx;
            ctx.file_name = file;
            ctx.default_marketplace = default_marketplace_;
            ctx.account_marketplace = account_marketplace_;
            ctx.group_by_order = true;
            ctx.order_marketplace = [&](std::string_view order_id) -> std::optional<std::string> {
                marketplace_of.bind(1, std::string(order_id));
                std::optional<std::string> found;
                if (marketplace_of.executeStep() && !marketplace_of.getColumn(0).isNull()) {
                    found = marketplace_of.getColumn(0).getString();
                }
                marketplace_of.reset();
                return found;
            };

            std::optional<import_failure> sink_failure;
            const record_sink sink = [&](const record& r, long line) {
                try {
                    writer.write(r, line);
                } catch (const SQLite::Exception& e) {
                    if (is_about_the_data(e)) {
                        sink_failure = rejected(
                            file, line, fmt::format("the database refused the row: {}", e.what()));
                    } else {
                        sink_failure = failed(file, fmt::format("database error: {}", e.what()));
                    }
                    throw sink_abort{};
                }
            };

            std::optional<result<parse_summary, import_error>> parsed;
            try {
                parsed.emplace(parse_in_background(parse_, path, ctx, sink));
            } catch (const sink_abort&) {
            }
            if (sink_failure)
                return *sink_failure;  // the transaction rolls back
            if (!parsed)
                throw std::logic_error("importer: sink aborted without a reason");
            if (!*parsed) {
                return import_failure{import_failure_kind::rejected, parsed->error()};
            }
            report.format = (*parsed)->format;
            report.rows = (*parsed)->rows;
            report.orders = writer.orders_written();
            writer.record_arrival(format_name(report.format));
        }

        SQLite::Statement finish(
            db, "UPDATE imports SET format = ?2, row_count = ?3, order_count = ?4 WHERE id = ?1");
        finish.bind(1, import_id);
        finish.bind(2, std::string(format_name(report.format)));
        finish.bind(3, static_cast<std::int64_t>(report.rows));
        finish.bind(4, static_cast<std::int64_t>(report.orders));
        finish.exec();
        tx.commit();
        return report;
    } catch (const SQLite::Exception& e) {
        return failed(file, fmt::format("database error: {}", e.what()));
    } catch (const std::logic_error&) {
        throw;
    } catch (const std::exception& e) {
        // Out of memory, or a parser bug thrown as an exception: nothing
        // landed, and the daemon must go on with other files.
        return failed(file, fmt::format("import failed: {}", e.what()));
    }
}

}  // namespace shd::ingest
