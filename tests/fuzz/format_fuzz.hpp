// One export format's rows behind a well-formed header of that format, so the
// fuzzer spends its time in the format's field rules rather than in finding a
// header. The first input byte picks the delimiter, the reader's block size and
// whether the file counts as Windows-1252; the rest is the file after the
// header line.
#pragma once

#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "ingest/delimited.hpp"
#include "ingest/formats/format_support.hpp"

namespace shd::fuzz {

inline int fuzz_format(const ingest::detail::format_spec& spec, const std::uint8_t* data,
                       std::size_t size) {
    using namespace shd::ingest;
    if (size == 0)
        return 0;
    const std::uint8_t options = data[0];
    const char delimiter = (options & 1) != 0 ? ',' : '\t';
    const std::size_t block_size = (options & 2) != 0 ? 64 : 4096;
    const bool windows_1252 = (options & 4) != 0;

    std::string text;
    for (const auto& column : spec.columns) {
        if (!text.empty())
            text += delimiter;
        text += column.name;
    }
    text += '\n';
    text.append(as_text(data + 1, size - 1));

    auto source = make_memory_source(text, block_size);
    delimited_reader reader(*source, delimiter, block_size);
    auto has_header = reader.next();
    if (!has_header || !*has_header)
        __builtin_trap();  // the header built above is always a record
    auto header = detail::recognise_header(reader.fields(), reader.line());
    if (!header)
        __builtin_trap();  // every column of the format is present
    header->columns.windows_1252 = windows_1252;
    const auto ctx = make_context();
    auto rows = header->format->parse(reader, header->columns, ctx, reading_sink());
    if (!rows)
        (void)rows.error().to_string();
    return 0;
}

}  // namespace shd::fuzz
