// What the delimited formats share: their column lists, matching a header row
// to one of them (by column names only, in any order, case-insensitively,
// trimmed), reading one row's fields by column with short rows padded, and the
// field rules every format uses (timestamps, booleans, counts, sales
// channels). Every error names the line and the column as the file spells it.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/marketplaces.hpp"
#include "core/result.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "ingest/delimited.hpp"
#include "ingest/parse.hpp"
#include "ingest/records.hpp"

namespace shd::ingest::detail {

struct column_spec {
    std::string_view name;  // as the spec spells it; matched case-insensitively
    bool required = false;
};

// Where a header put each column of a format.
struct column_map {
    std::vector<int> index;                 // per column_spec: field index, -1 when absent
    std::vector<std::string> header_names;  // the header's fields, trimmed, as spelt in the file
    // The file was not UTF-8 and was read as Windows-1252: a non-ASCII
    // character in an ID is then a guess at bytes, never stored as an ID.
    bool windows_1252 = false;
};

using format_parser = result<long, import_error> (*)(delimited_reader& reader,
                                                     const column_map& columns,
                                                     const parse_context& ctx,
                                                     const record_sink& sink);

struct format_spec {
    file_format format;
    std::string_view title;                       // for messages: "All Orders report"
    std::span<const column_spec> columns;         // a parser's column numbers index this
    std::span<const std::string_view> signature;  // any of these present: the file is this format
    format_parser parse;
};

const format_spec& all_orders_format();
const format_spec& unshipped_format();
const format_spec& feedback_format();
const format_spec& shipments_format();
const format_spec& defects_format();
const format_spec& messages_format();

// The Feedback report's Date in a marketplace's day order, as 00:00 UTC; two-digit
// years are 20YY.
std::optional<instant> parse_feedback_date(std::string_view text, feedback_date_style style);

// The account-health report (JSON), a whole document in memory.
result<long, import_error> parse_account_health(std::string document, const parse_context& ctx,
                                                const record_sink& sink);

struct recognised_header {
    const format_spec* format = nullptr;
    column_map columns;
};

// Matches a header row (line `line`) to a format, or says why none fits. A
// format is a candidate when the header has one of its signature columns; of
// several candidates the one with most of its columns present wins. The winner
// missing a required column is an error naming that column.
result<recognised_header, import_error> recognise_header(std::span<const std::string_view> header,
                                                         long line);

// Fields are trimmed of spaces and tabs only: other characters are data.
inline std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}
using ::shd::iequals;
// Error messages describe a bad value ("not a timestamp") and never quote it:
// file content stays out of logs and error files. Recognised column names are
// the only text of a file an error repeats.


// The name of field `field_index` in errors: the header's, else "column N".
std::string column_label(const column_map& columns, int field_index);

import_error to_import_error(const reader_error& e, const column_map* columns);

// One data row, read by column number of the format.
class row_fields {
  public:
    row_fields(std::span<const std::string_view> fields, long line, const column_map& columns)
        : fields_(fields), line_(line), columns_(columns) {}

    long line() const { return line_; }
    bool has_column(int col) const { return columns_.index[col] >= 0; }

    // The trimmed value; empty when the column is absent or the row is short.
    std::string_view get(int col) const {
        const int i = columns_.index[col];
        if (i < 0 || static_cast<std::size_t>(i) >= fields_.size())
            return {};
        return trim(fields_[i]);
    }

    import_error fail(int col, std::string reason) const;

    result<std::string_view, import_error> required(int col) const;
    // An ID (order, message, item): required, and free of control characters
    // and, in a Windows-1252 file, of non-ASCII characters (bytes that were
    // not valid UTF-8). Inline for the usual case, printable ASCII.
    result<std::string_view, import_error> id(int col) const {
        const auto v = get(col);
        if (!v.empty() && printable_ascii(v))
            return v;
        return checked_id(col, true);
    }
    // The same for an ID that may be empty.
    result<std::string_view, import_error> optional_id(int col) const {
        const auto v = get(col);
        if (printable_ascii(v))
            return v;
        return checked_id(col, false);
    }
    result<instant, import_error> timestamp(int col) const;  // required
    result<std::optional<instant>, import_error> optional_timestamp(int col) const;
    result<bool, import_error> boolean(int col) const;  // empty: false
    result<std::optional<bool>, import_error> optional_boolean(int col) const;
    result<std::optional<int>, import_error> count(int col) const;  // non-negative
    // An integer in [lo, hi]; empty gives nullopt.
    result<std::optional<int>, import_error> int_in_range(int col, int lo, int hi) const;

  private:
    static bool printable_ascii(std::string_view v) {
        for (const char c : v) {
            if (static_cast<unsigned char>(c) - 0x20u >= 0x5Fu)
                return false;
        }
        return true;
    }
    result<std::string_view, import_error> checked_id(int col, bool required) const;

    std::span<const std::string_view> fields_;
    long line_;
    const column_map& columns_;
};

// Sales channel to marketplace: the channel's name or the marketplace ID itself;
// "Non-Amazon" gives nullopt; an unknown channel is an error. Remembers the last answer: a report
// repeats a few channels.
class sales_channel_mapper {
  public:
    result<std::optional<std::string_view>, import_error> map(const row_fields& row, int col);

    // map(), written into a record's sales_channel and marketplace_id (reusing
    // their storage: no allocation per row once warm).
    result<void, import_error> assign(const row_fields& row, int col, std::string& sales_channel,
                                      std::optional<std::string>& marketplace_id);

  private:
    std::string last_channel_;
    std::optional<std::string_view> last_marketplace_;
    bool has_last_ = false;
};

// True when a data row is the header again (two reports pasted into one
// file): every field but at most one (none in a header of fewer than four
// columns) equals the header's name in its place.
bool repeats_header(std::span<const std::string_view> fields, const column_map& columns);

// The cheap test first, inline: a data row almost never has a header name in
// its first two places.
inline bool may_repeat_header(std::span<const std::string_view> fields, const column_map& columns) {
    const auto& names = columns.header_names;
    return fields.size() >= 2 && names.size() >= 2 &&
           (iequals(trim(fields[0]), names[0]) || iequals(trim(fields[1]), names[1]));
}

// Reads every data row and hands it to `fn` (returning result<void, import_error>).
// Rows with more fields than the header are errors; short rows are padded; a
// row that repeats the header is an error naming its line.
template <class Fn>
result<long, import_error> for_each_row(delimited_reader& reader, const column_map& columns,
                                        Fn&& fn) {
    long rows = 0;
    const std::size_t header_size = columns.header_names.size();
    for (;;) {
        auto more = reader.next();
        if (!more)
            return to_import_error(more.error(), &columns);
        if (!*more)
            return rows;
        const auto fields = reader.fields();
        if (fields.size() > header_size) {
            return import_error{{},
                                reader.line(),
                                {},
                                "the row has " + std::to_string(fields.size()) +
                                    " fields but the header has " + std::to_string(header_size)};
        }
        if (may_repeat_header(fields, columns) && repeats_header(fields, columns)) {
            return import_error{{},
                                reader.line(),
                                {},
                                "this line repeats the header row (two reports joined into one "
                                "file?); a report has its header once, on line 1"};
        }
        const row_fields row(fields, reader.line(), columns);
        if (auto r = fn(row); !r)
            return r.error();
        ++rows;
    }
}

}  // namespace shd::ingest::detail
