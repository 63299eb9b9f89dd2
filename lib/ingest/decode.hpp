// Turning a file's bytes into UTF-8 text, streamed in blocks so memory does not
// grow with the file: gunzip when the bytes start with the gzip magic (never by
// name), strip a UTF-8 byte-order mark, and read a file that is not valid
// UTF-8 as Windows-1252 (spec/formats.md "Rules for every file"). Deciding the
// encoding needs the whole file, so open_text reads it twice: once to check it,
// once to hand it on. Binary data (NUL bytes, ZIP archives, UTF-16) is rejected
// with a plain reason instead of being misread as text.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "ingest/parse.hpp"

namespace shd::ingest {

// How much is read or decoded at a time.
inline constexpr std::size_t kBlockSize = std::size_t{1} << 20;

// A stream of bytes. read() fills the front of `into` (at least 4 bytes long)
// and returns how many bytes it wrote; 0 means the end and only the end.
// Errors carry a reason and no file name (the caller knows it).
class byte_source {
  public:
    virtual ~byte_source() = default;
    virtual result<std::size_t, import_error> read(std::span<char> into) = 0;
};

using source_ptr = std::unique_ptr<byte_source>;

result<source_ptr, import_error> open_file_source(const std::filesystem::path& path);

// The bytes of `bytes`, which must outlive the source; at most `max_read` per
// read() so tests can cut a stream at awkward places.
source_ptr make_memory_source(std::string_view bytes, std::size_t max_read = kBlockSize);

// `prefix` first, then the rest of `rest`.
source_ptr make_prefixed_source(std::string prefix, source_ptr rest);

// Inflates a gzip stream (one or more members). Truncated or corrupt input is
// an error "corrupt gzip data: ...", never a crash.
source_ptr make_gunzip_source(source_ptr compressed);

// Converts Windows-1252 bytes to UTF-8.
source_ptr make_cp1252_source(source_ptr raw);

bool has_gzip_magic(std::string_view first_bytes);

// Checks UTF-8 validity across block boundaries: strict (no overlong forms,
// no surrogates, nothing above U+10FFFF, no sequence cut at the end).
class utf8_validator {
  public:
    // False once anything seen so far is not UTF-8.
    bool feed(std::string_view bytes);
    // Also false when the input ended inside a sequence.
    bool finish() const { return valid_ && pending_ == 0; }

  private:
    bool valid_ = true;
    int pending_ = 0;            // continuation bytes still expected
    unsigned char next_lo_ = 0;  // allowed range of the next continuation byte
    unsigned char next_hi_ = 0;
};

std::string cp1252_to_utf8(std::string_view bytes);

enum class text_encoding { utf8, windows_1252 };

// Opens the raw bytes afresh each time it is called.
using raw_opener = std::function<result<source_ptr, import_error>()>;

struct opened_text {
    source_ptr text;  // UTF-8, no byte-order mark
    text_encoding encoding = text_encoding::utf8;
    bool gzipped = false;
};

// Checks the whole file (first pass), then opens it again for reading as text.
result<opened_text, import_error> open_text(const raw_opener& open_raw);

}  // namespace shd::ingest
