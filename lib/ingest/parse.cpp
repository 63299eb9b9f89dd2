#include "ingest/parse.hpp"

#include <fmt/format.h>

#include <stdexcept>
#include <vector>

#include "core/printable_name.hpp"
#include "ingest/decode.hpp"
#include "ingest/delimited.hpp"
#include "ingest/formats/format_support.hpp"

namespace shd::ingest {

// Every part is escaped: a file name or a column name may hold control
// characters, and these strings are logged and written to error files.
std::string import_error::where_and_why() const {
    std::string out;
    if (line > 0)
        out += "line " + std::to_string(line);
    if (!field.empty()) {
        if (!out.empty())
            out += ", ";
        out += "field " + printable_text(field);
    }
    if (!out.empty())
        out += ": ";
    out += printable_text(reason);
    return out;
}

std::string import_error::to_string() const {
    if (file.empty())
        return where_and_why();
    // printable_text, not printable_name: the importer hands over names
    // already made printable, and their backslashes must not double.
    return printable_text(file) + ": " + where_and_why();
}

void throw_exception_from_error(import_error const& e, boost::source_location const&) {
    throw std::logic_error("unchecked result: " + e.to_string());
}

namespace {

// A JSON document is held whole (it is stored as received); real ones are tens of KiB.
constexpr std::size_t kMaxJsonBytes = std::size_t{64} << 20;

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

std::size_t first_non_space(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (!is_space(s[i]))
            return i;
    }
    return std::string_view::npos;
}

// A CR not followed by LF at or after `from`: the file's lines end in CR
// alone (classic Mac OS). Found in the head, the header's line never ends.
bool has_lone_cr(std::string_view s, std::size_t from) {
    for (auto i = s.find('\r', from); i != std::string_view::npos; i = s.find('\r', i + 1)) {
        if (i + 1 < s.size() && s[i + 1] != '\n')
            return true;
    }
    return false;
}

// Enough of the head to decide: JSON, or the first line complete, or lines
// ending in CR alone.
bool head_is_enough(std::string_view head) {
    const auto start = first_non_space(head);
    if (start == std::string_view::npos)
        return false;
    if (head[start] == '{')
        return true;
    const auto line_end = head.find('\n', start);
    if (line_end != std::string_view::npos)
        return true;
    return has_lone_cr(head, start);
}

import_error cr_only_error() {
    return import_error{{},
                        1,
                        {},
                        "the lines end in CR alone (old Mac OS line ends), which this reader "
                        "does not split; save the file with LF or CR LF line ends"};
}

// The header line, up to its LF; a CR inside it that is not the CR of a CR LF.
bool header_has_lone_cr(std::string_view head, std::size_t start) {
    const auto line_end = head.find('\n', start);
    const auto line = head.substr(
        start, line_end == std::string_view::npos ? std::string_view::npos : line_end - start);
    const auto cr = line.find('\r');
    return cr != std::string_view::npos && cr + 1 < line.size();
}

result<parse_summary, import_error> parse_text(source_ptr text, text_encoding encoding,
                                               const parse_context& ctx, const record_sink& sink) {
    // Read far enough to see the first character (JSON or not) and the first line.
    std::string head;
    std::vector<char> block(64 * 1024);
    bool eof = false;
    for (;;) {
        if (head_is_enough(head))
            break;
        if (head.size() > kMaxRecordBytes)
            break;  // an absurd first line: let the splitter say so
        auto n = text->read(block);
        if (!n)
            return n.error();
        if (*n == 0) {
            eof = true;
            break;
        }
        head.append(block.data(), *n);
    }
    const auto start = first_non_space(head);
    if (start == std::string::npos) {
        return import_error{{}, 0, {}, "empty file: no header row"};
    }

    if (head[start] == '{') {
        std::string document = std::move(head);
        while (!eof) {
            auto n = text->read(block);
            if (!n)
                return n.error();
            if (*n == 0)
                break;
            if (document.size() + *n > kMaxJsonBytes) {
                return import_error{{}, 0, {}, "a JSON document larger than 64 MiB"};
            }
            document.append(block.data(), *n);
        }
        auto rows = detail::parse_account_health(std::move(document), ctx, sink);
        if (!rows)
            return rows.error();
        return parse_summary{file_format::account_health, *rows};
    }

    if (header_has_lone_cr(head, start))
        return cr_only_error();

    // Amazon's reports are tab-separated, ours comma-separated; the header says which.
    const auto line_end = head.find('\n', start);
    const std::string_view first_line = std::string_view(head).substr(start, line_end - start);
    const char delimiter = first_line.find('\t') != std::string_view::npos ? '\t' : ',';

    source_ptr rest = make_prefixed_source(std::move(head), std::move(text));
    delimited_reader reader(*rest, delimiter);
    auto has_header = reader.next();
    if (!has_header)
        return detail::to_import_error(has_header.error(), nullptr);
    if (!*has_header)
        return import_error{{}, 0, {}, "empty file: no header row"};
    auto header = detail::recognise_header(reader.fields(), reader.line());
    if (!header)
        return header.error();
    header->columns.windows_1252 = encoding == text_encoding::windows_1252;
    auto rows = header->format->parse(reader, header->columns, ctx, sink);
    if (!rows)
        return rows.error();
    return parse_summary{header->format->format, *rows};
}

result<parse_summary, import_error> parse_raw(const raw_opener& open_raw, const parse_context& ctx,
                                              const record_sink& sink) {
    auto opened = open_text(open_raw);
    if (!opened)
        return opened.error();
    return parse_text(std::move(opened->text), opened->encoding, ctx, sink);
}

result<parse_summary, import_error> with_file_name(result<parse_summary, import_error> r,
                                                   const parse_context& ctx) {
    if (!r) {
        import_error e = r.error();
        e.file = ctx.file_name;
        return e;
    }
    return r;
}

}  // namespace

result<parse_summary, import_error> parse_file(const std::filesystem::path& path,
                                               const parse_context& ctx, const record_sink& sink) {
    const raw_opener open_raw = [&path]() { return open_file_source(path); };
    return with_file_name(parse_raw(open_raw, ctx, sink), ctx);
}

result<file_format, import_error> detect_format(const std::filesystem::path& path) {
    auto name_error = [&path](import_error e) {
        e.file = path.filename().string();
        return e;
    };
    auto raw = open_file_source(path);
    if (!raw)
        return name_error(raw.error());
    source_ptr source = std::move(*raw);
    std::vector<char> block(64 * 1024);
    auto n = source->read(block);
    if (!n)
        return name_error(n.error());
    std::string first(block.data(), *n);
    const bool gzip = has_gzip_magic(first);
    source = make_prefixed_source(std::move(first), std::move(source));
    if (gzip)
        source = make_gunzip_source(std::move(source));

    // Enough text for the first non-blank line.
    std::string head;
    for (;;) {
        if (head_is_enough(head))
            break;
        if (head.size() > kMaxRecordBytes)
            break;
        auto got = source->read(block);
        if (!got)
            return name_error(got.error());
        if (*got == 0)
            break;
        head.append(block.data(), *got);
    }
    if (head.starts_with("\xEF\xBB\xBF"))
        head.erase(0, 3);
    const auto start = first_non_space(head);
    if (start == std::string::npos)
        return name_error(import_error{{}, 0, {}, "empty file: no header row"});
    if (head[start] == '{')
        return file_format::account_health;
    if (header_has_lone_cr(head, start))
        return name_error(cr_only_error());
    const auto line_end = head.find('\n', start);
    const std::string line =
        head.substr(start, line_end == std::string::npos ? line_end : line_end - start);
    const char delimiter = line.find('\t') != std::string::npos ? '\t' : ',';
    // The header record as parse_text reads it: a quoted field may carry it
    // past the first line, so the reader goes on into the rest of the file.
    auto header_source = make_prefixed_source(head.substr(start), std::move(source));
    delimited_reader reader(*header_source, delimiter);
    auto has_header = reader.next();
    if (!has_header || !*has_header)
        return name_error(import_error{{}, 1, {}, "not a recognised export"});
    auto header = detail::recognise_header(reader.fields(), 1);
    if (!header)
        return name_error(header.error());
    return header->format->format;
}

result<parse_summary, import_error> parse_bytes(std::string_view bytes, const parse_context& ctx,
                                                const record_sink& sink) {
    const raw_opener open_raw = [bytes]() -> result<source_ptr, import_error> {
        return make_memory_source(bytes);
    };
    return with_file_name(parse_raw(open_raw, ctx, sink), ctx);
}

}  // namespace shd::ingest
