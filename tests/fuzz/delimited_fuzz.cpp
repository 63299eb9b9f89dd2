// The row splitter on arbitrary text. The first byte picks the delimiter, the
// reader's block size and the source's read size (so records cross block
// boundaries at every offset). Checked: fields lie inside the reader's buffer
// (ASan), line numbers never go back, and a field holds no record separator
// unless quoting is on.
#include <algorithm>
#include <cstdint>

#include "fuzz_support.hpp"
#include "ingest/decode.hpp"
#include "ingest/delimited.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace shd::ingest;
    if (size == 0)
        return 0;
    const std::uint8_t options = data[0];
    const char delimiter = (options & 1) != 0 ? ',' : '\t';
    const std::size_t block_size = (options & 2) != 0 ? 64 : 4096;
    const std::size_t max_read = std::size_t{1} + ((options >> 2) & 0x3f);
    const auto text = shd::fuzz::as_text(data + 1, size - 1);

    auto source = make_memory_source(text, max_read);
    delimited_reader reader(*source, delimiter, block_size);
    long last_line = 0;
    for (;;) {
        auto more = reader.next();
        if (!more || !*more)
            break;
        if (reader.line() < last_line || reader.fields().empty())
            __builtin_trap();
        last_line = reader.line();
        volatile std::size_t total = 0;
        for (auto field : reader.fields()) {
            if (delimiter == '\t' && field.find('\n') != field.npos)
                __builtin_trap();
            total = total + static_cast<std::size_t>(std::count(field.begin(), field.end(), 'x'));
        }
    }
    return 0;
}
