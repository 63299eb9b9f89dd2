// The decoder on arbitrary bytes: gunzip by magic, BOM, UTF-8 or Windows-1252.
// Whatever it hands on must be UTF-8 without its byte-order mark, whatever the
// read size (the first byte picks it). Also the gunzip source and the
// Windows-1252 conversion on their own.
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "ingest/decode.hpp"

namespace {

using namespace shd::ingest;

// Reads a source to the end; false on a read error. At most `limit` bytes are
// kept (the rest is still read, so a gzip bomb costs time, not memory).
bool drain(byte_source& source, std::string& out, std::size_t limit) {
    std::vector<char> block(4096);
    for (;;) {
        auto n = source.read(block);
        if (!n)
            return false;
        if (*n == 0)
            return true;
        if (*n > block.size())
            __builtin_trap();
        if (out.size() < limit)
            out.append(block.data(), std::min(*n, limit - out.size()));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    const std::size_t max_read = std::size_t{1} + data[0];
    const auto bytes = shd::fuzz::as_text(data + 1, size - 1);

    const raw_opener open_raw = [bytes, max_read]() -> shd::result<source_ptr, import_error> {
        return make_memory_source(bytes, max_read);
    };
    auto opened = open_text(open_raw);
    if (opened) {
        std::string text;
        const std::size_t limit = std::size_t{1} << 20;
        if (drain(*opened->text, text, limit) && text.size() < limit) {
            utf8_validator check;
            if (!check.feed(text) || !check.finish())
                __builtin_trap();  // the decoder's output is not UTF-8
            // Only the first U+FEFF is a byte-order mark; a second is text.
            const std::string_view bom = "\xEF\xBB\xBF";
            if (!opened->gzipped && bytes.starts_with(bom) && !bytes.substr(3).starts_with(bom) &&
                text.starts_with(bom))
                __builtin_trap();  // the byte-order mark left in
        }
    }

    auto gunzip = make_gunzip_source(make_memory_source(bytes, max_read));
    std::string inflated;
    (void)drain(*gunzip, inflated, 0);

    const std::string converted = cp1252_to_utf8(bytes);
    utf8_validator check;
    if (!check.feed(converted) || !check.finish())
        __builtin_trap();
    return 0;
}
