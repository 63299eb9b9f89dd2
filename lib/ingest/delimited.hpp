// The one row splitter for every delimited format, tab or comma.
//
// RFC 4180 quoting, for our comma-separated formats: a field that starts with
// `"` is quoted; inside it `""` is one quote and the delimiter, CR and LF are
// data. A `"` anywhere else in a field is an ordinary character. After a
// closing quote only the delimiter or the end of the line may follow.
//
// Amazon's tab-separated reports have no text qualifier: a product name such
// as `"Deluxe" Mug` is data, and quoting it would reject a valid report. So
// quoting is off for tab-separated text and every `"` there is a character.
//
// Records end at LF or CRLF (the CR is dropped); blank lines are skipped. Lines
// are physical lines: the first is 1, and a quoted field that spans lines
// advances the count, so a record knows the line it starts on.
//
// Streaming: the input is read in blocks into one reused buffer, and fields are
// string_views into it, valid until the next call to next(). Memory is the
// block size plus the longest record; a record longer than kMaxRecordBytes (an
// unterminated quote in a big file, usually) is an error, not a memory spike.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "ingest/decode.hpp"

namespace shd::ingest {

inline constexpr std::size_t kMaxRecordBytes = std::size_t{16} << 20;

struct split_error {
    long line = 0;         // where the record starts
    int field_index = -1;  // 0-based field of the record, -1 when none
    std::string reason;
};

// The source's own read errors are passed through as import_error; the
// splitter's own complaints are split_errors.
struct reader_error {
    split_error split;
    std::optional<import_error> source;  // set when reading the bytes failed
};

class delimited_reader {
  public:
    // Quoting is on for ',' and off for '\t' (see above).
    delimited_reader(byte_source& source, char delimiter, std::size_t block_size = kBlockSize);

    // Moves to the next record. False at the end of the input.
    result<bool, reader_error> next();

    std::span<const std::string_view> fields() const { return fields_; }
    long line() const { return record_line_; }

  private:
    enum class scan { record, need_more, failed };
    scan scan_record(split_error& err, bool& blank);
    void split_plain(const char* begin, const char* end);  // a line without quotes
    result<void, reader_error> fill();

    byte_source& source_;
    char delimiter_;
    bool quoting_;
    std::unique_ptr<char[]> buf_;
    std::size_t capacity_;
    std::size_t begin_ = 0;  // unread data is [begin_, end_)
    std::size_t end_ = 0;
    bool eof_ = false;
    long next_line_ = 1;
    long record_line_ = 0;
    std::vector<std::string_view> fields_;
    std::vector<std::size_t> escaped_;  // fields holding "" to be unescaped
};

}  // namespace shd::ingest
