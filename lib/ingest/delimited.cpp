#include "ingest/delimited.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

namespace shd::ingest {

delimited_reader::delimited_reader(byte_source& source, char delimiter, std::size_t block_size)
    : source_(source),
      delimiter_(delimiter),
      quoting_(delimiter != '\t'),
      buf_(new char[std::max<std::size_t>(block_size, 64)]),
      capacity_(std::max<std::size_t>(block_size, 64)) {}

result<void, reader_error> delimited_reader::fill() {
    if (begin_ > 0) {
        std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    // A record that does not fit: grow, up to the limit. A few free bytes are
    // not enough either (a decoder writes up to 3 bytes per character).
    if (capacity_ - end_ < 16) {
        if (capacity_ >= kMaxRecordBytes) {
            return reader_error{
                {next_line_, -1, "a record longer than 16 MiB (an unterminated quoted field?)"},
                std::nullopt};
        }
        const std::size_t grown = std::min(capacity_ * 2, kMaxRecordBytes);
        std::unique_ptr<char[]> bigger(new char[grown]);
        std::memcpy(bigger.get(), buf_.get(), end_);
        buf_ = std::move(bigger);
        capacity_ = grown;
    }
    auto n = source_.read(std::span<char>(buf_.get() + end_, capacity_ - end_));
    if (!n) {
        // Built field by field: GCC 12 at -O3 wrongly warns about the
        // aggregate form (maybe-uninitialized in the empty split_error).
        reader_error failure;
        failure.source = n.error();
        return failure;
    }
    if (*n == 0)
        eof_ = true;
    end_ += *n;
    return {};
}

result<bool, reader_error> delimited_reader::next() {
    for (;;) {
        if (begin_ == end_) {
            if (eof_)
                return false;
            if (auto r = fill(); !r)
                return r.error();
            continue;
        }
        split_error err;
        bool blank = false;
        switch (scan_record(err, blank)) {
            case scan::need_more:
                if (auto r = fill(); !r)
                    return r.error();
                continue;
            case scan::failed:
                return reader_error{std::move(err), std::nullopt};
            case scan::record:
                break;
        }
        if (blank)
            continue;
        for (const std::size_t i : escaped_) {
            // Inside the quotes every `"` is the first of a pair: keep one.
            char* const start = const_cast<char*>(fields_[i].data());
            const char* in = start;
            const char* const in_end = start + fields_[i].size();
            char* out = start;
            while (in < in_end) {
                const char c = *in++;
                *out++ = c;
                if (c == '"')
                    ++in;
            }
            fields_[i] = std::string_view(start, static_cast<std::size_t>(out - start));
        }
        return true;
    }
}

void delimited_reader::split_plain(const char* s, const char* const e) {
    const char delim = delimiter_;
    const char* field = s;
    if constexpr (std::endian::native == std::endian::little) {
        // Eight bytes at a time: mark the bytes equal to the delimiter (exactly,
        // no false positives), then take the marks lowest first.
        constexpr std::uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
        const std::uint64_t pattern = 0x0101010101010101ULL * static_cast<unsigned char>(delim);
        for (; e - s >= 8; s += 8) {
            std::uint64_t word = 0;
            std::memcpy(&word, s, 8);
            const std::uint64_t x = word ^ pattern;
            std::uint64_t marks = ~(((x & kLow7) + kLow7) | x | kLow7);
            while (marks != 0) {
                const char* d = s + (std::countr_zero(marks) >> 3);
                fields_.emplace_back(field, static_cast<std::size_t>(d - field));
                field = d + 1;
                marks &= marks - 1;
            }
        }
    }
    for (; s < e; ++s) {
        if (*s == delim) {
            fields_.emplace_back(field, static_cast<std::size_t>(s - field));
            field = s + 1;
        }
    }
    fields_.emplace_back(field, static_cast<std::size_t>(e - field));
}

delimited_reader::scan delimited_reader::scan_record(split_error& err, bool& blank) {
    char* const buf = buf_.get();
    const std::size_t end = end_;
    const char delim = delimiter_;
    fields_.clear();
    escaped_.clear();
    std::size_t p = begin_;
    long newlines = 0;
    bool quoted_any = false;
    // The next LF at or after p (or `end`), found once per line with memchr.
    std::size_t nl = 0;
    bool nl_known = false;

    // Fast path: a whole line without a quote (nearly every line of every export).
    {
        const void* hit = std::memchr(buf + p, '\n', end - p);
        nl = hit != nullptr ? static_cast<std::size_t>(static_cast<const char*>(hit) - buf) : end;
        nl_known = true;
        if (nl == end && !eof_)
            return scan::need_more;
        if (!quoting_ || std::memchr(buf + p, '"', nl - p) == nullptr) {
            std::size_t line_end = nl;
            if (line_end > p && buf[line_end - 1] == '\r')
                --line_end;
            split_plain(buf + p, buf + line_end);
            if (nl < end) {
                p = nl + 1;
                ++newlines;
            } else {
                p = end;
            }
            goto record_done;
        }
    }

    for (;;) {
        if (p < end && buf[p] == '"') {
            quoted_any = true;
            std::size_t q = p + 1;
            bool escaped = false;
            for (;;) {
                const void* hit = q < end ? std::memchr(buf + q, '"', end - q) : nullptr;
                if (hit == nullptr) {
                    if (!eof_)
                        return scan::need_more;
                    err = {
                        next_line_, static_cast<int>(fields_.size()),
                        "unterminated quoted field (no closing quote before the end of the file)"};
                    return scan::failed;
                }
                const std::size_t c = static_cast<std::size_t>(static_cast<const char*>(hit) - buf);
                if (c + 1 < end && buf[c + 1] == '"') {
                    escaped = true;
                    q = c + 2;
                    continue;
                }
                if (c + 1 == end && !eof_)
                    return scan::need_more;  // `"` or `""`? Not known yet.
                newlines += std::count(buf + p + 1, buf + c, '\n');
                if (escaped)
                    escaped_.push_back(fields_.size());
                fields_.emplace_back(buf + p + 1, c - p - 1);
                const std::size_t after = c + 1;
                if (after == end) {  // the end of the file
                    p = after;
                    goto record_done;
                }
                const char ch = buf[after];
                if (ch == delim) {
                    p = after + 1;
                    break;
                }
                if (ch == '\n') {
                    p = after + 1;
                    ++newlines;
                    goto record_done;
                }
                if (ch == '\r') {
                    if (after + 1 == end) {
                        if (!eof_)
                            return scan::need_more;
                        p = after + 1;
                        goto record_done;
                    }
                    if (buf[after + 1] == '\n') {
                        p = after + 2;
                        ++newlines;
                        goto record_done;
                    }
                }
                err = {next_line_, static_cast<int>(fields_.size()) - 1,
                       "unexpected text after a closing quote"};
                return scan::failed;
            }
            continue;
        }

        if (!nl_known || nl < p) {
            const void* hit = std::memchr(buf + p, '\n', end - p);
            nl = hit != nullptr ? static_cast<std::size_t>(static_cast<const char*>(hit) - buf)
                                : end;
            nl_known = true;
        }
        std::size_t e = p;
        while (e < nl && buf[e] != delim)
            ++e;
        if (e < nl) {
            fields_.emplace_back(buf + p, e - p);
            p = e + 1;
            continue;
        }
        if (nl == end && !eof_)
            return scan::need_more;
        std::size_t field_end = nl;
        if (field_end > p && buf[field_end - 1] == '\r')
            --field_end;
        fields_.emplace_back(buf + p, field_end - p);
        if (nl < end) {
            p = nl + 1;
            ++newlines;
        } else {
            p = end;
        }
        goto record_done;
    }

record_done:
    blank = !quoted_any && fields_.size() == 1 && fields_[0].empty();
    record_line_ = next_line_;
    next_line_ += newlines;
    begin_ = p;
    return scan::record;
}

}  // namespace shd::ingest
