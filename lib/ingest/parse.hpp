// Reading an export file into records: recognise the format by its header
// (never the file name), decode (gunzip by magic bytes, strip a BOM, read
// non-UTF-8 text as Windows-1252), split rows, validate fields, and hand each
// record to a sink, streaming: memory does not grow with the file's size.
//
// Pure apart from reading the file: no database, no clock. An error names the
// file, the line (the header is line 1; a quoted field spanning lines counts
// every physical line) and the field.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "ingest/records.hpp"

namespace shd::ingest {

struct import_error {
    std::string file;
    long line = 0;      // 0: about the file as a whole
    std::string field;  // empty when no single field is at fault
    std::string reason;

    // "FILE: line L, field F: reason" (parts left out when unknown)
    std::string to_string() const;
    // "line L, field F: reason"
    std::string where_and_why() const;
};

[[noreturn]] void throw_exception_from_error(import_error const& e, boost::source_location const&);

struct parse_context {
    std::string file_name;            // for errors
    std::string default_marketplace;  // config's default_marketplace
    // Config's `marketplace`: the account's own marketplace, for a report that
    // names none (an Unshipped report without sales-channel). Empty: not stated.
    std::string account_marketplace;
    // The marketplace of a stored order, for the Feedback report's date
    // format; nullopt when the order is unknown (default_marketplace is used).
    std::function<std::optional<std::string>(std::string_view order_id)> order_marketplace;
    // All Orders only: hand the rows over in runs of up to kOrderRunRows
    // lines, each run stably sorted by order ID (formats/all_orders.cpp).
    // Every row of an order still comes after that order's earlier rows, so
    // what is stored does not change; but a writer inserting into B-trees
    // keyed by order ID, with IDs as random as Amazon's, touches each page
    // once a run instead of once a row. Off: rows in file order (tests).
    bool group_by_order = false;
};

inline constexpr std::size_t kOrderRunRows = 16384;

struct parse_summary {
    file_format format = file_format::all_orders;
    long rows = 0;  // data rows read (records emitted, but a JSON file is 1)
};

using record_sink = std::function<void(const record& r, long line)>;

// Parses the file at `path`. On error, records already given to the sink must
// be discarded by the caller (the importer rolls back its transaction).
result<parse_summary, import_error> parse_file(const std::filesystem::path& path,
                                               const parse_context& ctx, const record_sink& sink);

// Recognises a file's format from its first line alone (gunzipped when it is
// gzip), without reading the rest. For ordering an inbox's files: orders go in
// before the Feedback reports whose date format depends on them.
result<file_format, import_error> detect_format(const std::filesystem::path& path);

// The same for bytes in memory (tests, fuzzing).
result<parse_summary, import_error> parse_bytes(std::string_view bytes, const parse_context& ctx,
                                                const record_sink& sink);

}  // namespace shd::ingest
