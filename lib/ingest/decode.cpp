#include "ingest/decode.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace shd::ingest {
namespace {

import_error file_error(std::string reason) {
    return import_error{{}, 0, {}, std::move(reason)};
}

class file_source final : public byte_source {
  public:
    explicit file_source(std::FILE* f) : file_(f) {}
    ~file_source() override { std::fclose(file_); }
    file_source(const file_source&) = delete;
    file_source& operator=(const file_source&) = delete;

    result<std::size_t, import_error> read(std::span<char> into) override {
        const std::size_t n = std::fread(into.data(), 1, into.size(), file_);
        if (n == 0 && std::ferror(file_)) {
            return file_error(fmt::format("cannot read the file: {}", std::strerror(errno)));
        }
        return n;
    }

  private:
    std::FILE* file_;
};

class memory_source final : public byte_source {
  public:
    memory_source(std::string_view bytes, std::size_t max_read)
        : bytes_(bytes), max_read_(std::max<std::size_t>(max_read, 1)) {}

    result<std::size_t, import_error> read(std::span<char> into) override {
        const std::size_t n = std::min({into.size(), bytes_.size(), max_read_});
        std::memcpy(into.data(), bytes_.data(), n);
        bytes_.remove_prefix(n);
        return n;
    }

  private:
    std::string_view bytes_;
    std::size_t max_read_;
};

class prefixed_source final : public byte_source {
  public:
    prefixed_source(std::string prefix, source_ptr rest)
        : prefix_(std::move(prefix)), rest_(std::move(rest)) {}

    result<std::size_t, import_error> read(std::span<char> into) override {
        if (offset_ < prefix_.size()) {
            const std::size_t n = std::min(into.size(), prefix_.size() - offset_);
            std::memcpy(into.data(), prefix_.data() + offset_, n);
            offset_ += n;
            return n;
        }
        return rest_->read(into);
    }

  private:
    std::string prefix_;
    std::size_t offset_ = 0;
    source_ptr rest_;
};

class gunzip_source final : public byte_source {
  public:
    explicit gunzip_source(source_ptr compressed)
        : in_(std::move(compressed)), in_buf_(kBlockSize) {
        // 16 + MAX_WBITS: gzip wrapper only (a zlib or raw deflate stream is no .gz file).
        if (inflateInit2(&zs_, 16 + MAX_WBITS) != Z_OK)
            throw std::bad_alloc();
    }
    ~gunzip_source() override { inflateEnd(&zs_); }
    gunzip_source(const gunzip_source&) = delete;
    gunzip_source& operator=(const gunzip_source&) = delete;

    result<std::size_t, import_error> read(std::span<char> into) override {
        zs_.next_out = reinterpret_cast<Bytef*>(into.data());
        zs_.avail_out = static_cast<uInt>(std::min<std::size_t>(into.size(), UINT32_MAX));
        const uInt out_size = zs_.avail_out;
        while (zs_.avail_out == out_size) {
            if (zs_.avail_in == 0 && !in_eof_) {
                auto n = in_->read(in_buf_);
                if (!n)
                    return n.error();
                if (*n == 0) {
                    in_eof_ = true;
                } else {
                    zs_.next_in = reinterpret_cast<Bytef*>(in_buf_.data());
                    zs_.avail_in = static_cast<uInt>(*n);
                }
                continue;
            }
            if (member_done_) {
                if (zs_.avail_in == 0)
                    return std::size_t{0};  // in_eof_: a clean end
                // Another gzip member may follow (concatenated .gz files); nothing else may.
                if (zs_.next_in[0] != 0x1f) {
                    return file_error(
                        "corrupt gzip data: unexpected bytes after the compressed data");
                }
                inflateReset(&zs_);
                member_done_ = false;
            }
            if (zs_.avail_in == 0)
                return file_error("corrupt gzip data: the file is truncated");
            const int rc = inflate(&zs_, Z_NO_FLUSH);
            if (rc == Z_STREAM_END) {
                member_done_ = true;
            } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
                return file_error(fmt::format("corrupt gzip data: {}",
                                              zs_.msg != nullptr ? zs_.msg : "inflate failed"));
            }
        }
        return static_cast<std::size_t>(out_size - zs_.avail_out);
    }

  private:
    source_ptr in_;
    std::vector<char> in_buf_;
    z_stream zs_{};
    bool in_eof_ = false;
    bool member_done_ = false;
};

// UTF-8 forms of the 256 Windows-1252 bytes. The five bytes the code page leaves
// undefined map to the C1 controls of the same value, as browsers do.
struct utf8_char {
    unsigned char size;
    std::array<char, 3> bytes;
};

constexpr char32_t kCp1252High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

constexpr std::array<utf8_char, 256> make_cp1252_table() {
    std::array<utf8_char, 256> t{};
    for (unsigned b = 0; b < 256; ++b) {
        const char32_t cp = (b >= 0x80 && b < 0xA0) ? kCp1252High[b - 0x80] : char32_t(b);
        if (cp < 0x80) {
            t[b] = {1, {char(cp), 0, 0}};
        } else if (cp < 0x800) {
            t[b] = {2, {char(0xC0 | (cp >> 6)), char(0x80 | (cp & 0x3F)), 0}};
        } else {
            t[b] = {3,
                    {char(0xE0 | (cp >> 12)), char(0x80 | ((cp >> 6) & 0x3F)),
                     char(0x80 | (cp & 0x3F))}};
        }
    }
    return t;
}

constexpr std::array<utf8_char, 256> kCp1252 = make_cp1252_table();

class cp1252_source final : public byte_source {
  public:
    explicit cp1252_source(source_ptr raw) : in_(std::move(raw)), in_buf_(kBlockSize / 2) {}

    result<std::size_t, import_error> read(std::span<char> into) override {
        if (into.size() < 4)
            throw std::logic_error("cp1252_source::read: buffer under 4 bytes");
        std::size_t out = 0;
        while (out + 3 <= into.size()) {
            if (pos_ == len_) {
                if (out > 0)
                    break;  // hand over what we have before blocking on more input
                auto n = in_->read(in_buf_);
                if (!n)
                    return n.error();
                if (*n == 0)
                    break;
                pos_ = 0;
                len_ = *n;
            }
            const auto& c = kCp1252[static_cast<unsigned char>(in_buf_[pos_])];
            into[out] = c.bytes[0];
            if (c.size > 1)
                into[out + 1] = c.bytes[1];
            if (c.size > 2)
                into[out + 2] = c.bytes[2];
            out += c.size;
            ++pos_;
        }
        return out;
    }

  private:
    source_ptr in_;
    std::vector<char> in_buf_;
    std::size_t pos_ = 0;
    std::size_t len_ = 0;
};

// Reads until `out` holds at least `n` bytes or the source ends.
result<void, import_error> read_at_least(byte_source& src, std::size_t n, std::string& out) {
    std::array<char, 4096> buf{};
    while (out.size() < n) {
        auto got = src.read(buf);
        if (!got)
            return got.error();
        if (*got == 0)
            break;
        out.append(buf.data(), *got);
    }
    return {};
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Raw bytes, gunzipped when they say so. `first` receives the first decoded
// bytes (at least 4 unless the text is shorter), already taken from the source.
struct decoded_stream {
    source_ptr rest;
    std::string first;
    bool gzipped = false;
};

result<decoded_stream, import_error> open_decoded(const raw_opener& open_raw) {
    auto raw = open_raw();
    if (!raw)
        return raw.error();
    std::string head;
    if (auto r = read_at_least(**raw, 4, head); !r)
        return r.error();
    if (starts_with(head, "PK\x03\x04")) {
        return file_error(
            "not a recognised export: this is a ZIP archive (an Excel .xlsx file?); export it as "
            "tab-separated or CSV text");
    }
    decoded_stream out;
    out.gzipped = has_gzip_magic(head);
    out.rest = make_prefixed_source(std::move(head), std::move(*raw));
    if (out.gzipped) {
        out.rest = make_gunzip_source(std::move(out.rest));
        if (auto r = read_at_least(*out.rest, 4, out.first); !r)
            return r.error();
    } else {
        // Nothing decoded yet: the prefix holds the head; read it again as text.
        if (auto r = read_at_least(*out.rest, 4, out.first); !r)
            return r.error();
    }
    return out;
}

}  // namespace

result<source_ptr, import_error> open_file_source(const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        return file_error("is a directory, not a file");
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr)
        return file_error(fmt::format("cannot open: {}", std::strerror(errno)));
    return source_ptr(new file_source(f));
}

source_ptr make_memory_source(std::string_view bytes, std::size_t max_read) {
    return std::make_unique<memory_source>(bytes, max_read);
}

source_ptr make_prefixed_source(std::string prefix, source_ptr rest) {
    return std::make_unique<prefixed_source>(std::move(prefix), std::move(rest));
}

source_ptr make_gunzip_source(source_ptr compressed) {
    return std::make_unique<gunzip_source>(std::move(compressed));
}

source_ptr make_cp1252_source(source_ptr raw) {
    return std::make_unique<cp1252_source>(std::move(raw));
}

bool has_gzip_magic(std::string_view first_bytes) {
    return first_bytes.size() >= 2 && static_cast<unsigned char>(first_bytes[0]) == 0x1f &&
           static_cast<unsigned char>(first_bytes[1]) == 0x8b;
}

bool utf8_validator::feed(std::string_view bytes) {
    if (!valid_)
        return false;
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const auto* const end = p + bytes.size();
    while (p < end) {
        if (pending_ == 0) {
            // Most text is ASCII: skip it eight bytes at a time.
            while (end - p >= 8) {
                std::uint64_t word = 0;
                std::memcpy(&word, p, 8);
                if ((word & 0x8080808080808080ULL) != 0)
                    break;
                p += 8;
            }
            if (p == end)
                break;
            const unsigned char b = *p++;
            if (b < 0x80)
                continue;
            if (b >= 0xC2 && b <= 0xDF) {
                pending_ = 1, next_lo_ = 0x80, next_hi_ = 0xBF;
            } else if (b == 0xE0) {
                pending_ = 2, next_lo_ = 0xA0, next_hi_ = 0xBF;  // no overlong forms
            } else if (b == 0xED) {
                pending_ = 2, next_lo_ = 0x80, next_hi_ = 0x9F;  // no surrogates
            } else if (b >= 0xE1 && b <= 0xEF) {
                pending_ = 2, next_lo_ = 0x80, next_hi_ = 0xBF;
            } else if (b == 0xF0) {
                pending_ = 3, next_lo_ = 0x90, next_hi_ = 0xBF;
            } else if (b >= 0xF1 && b <= 0xF3) {
                pending_ = 3, next_lo_ = 0x80, next_hi_ = 0xBF;
            } else if (b == 0xF4) {
                pending_ = 3, next_lo_ = 0x80, next_hi_ = 0x8F;  // nothing above U+10FFFF
            } else {
                valid_ = false;
                return false;
            }
        } else {
            const unsigned char b = *p++;
            if (b < next_lo_ || b > next_hi_) {
                valid_ = false;
                return false;
            }
            --pending_;
            next_lo_ = 0x80, next_hi_ = 0xBF;
        }
    }
    return true;
}

std::string cp1252_to_utf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    for (const char ch : bytes) {
        const auto& c = kCp1252[static_cast<unsigned char>(ch)];
        out.append(c.bytes.data(), c.size);
    }
    return out;
}

result<opened_text, import_error> open_text(const raw_opener& open_raw) {
    // First pass: is it text, and is it UTF-8?
    auto check = open_decoded(open_raw);
    if (!check)
        return check.error();
    const std::string_view first = check->first;
    if (starts_with(first, "\xFF\xFE") || starts_with(first, "\xFE\xFF")) {
        return file_error(
            "not a recognised export: the text is UTF-16 (\"Unicode text\"); save it as UTF-8");
    }
    utf8_validator validator;
    std::uint64_t offset = 0;
    std::vector<char> block(kBlockSize);
    std::string_view chunk = first;
    for (;;) {
        if (const void* nul = std::memchr(chunk.data(), '\0', chunk.size()); nul != nullptr) {
            const auto at =
                offset + static_cast<std::uint64_t>(static_cast<const char*>(nul) - chunk.data());
            return file_error(fmt::format(
                "not a recognised export: binary data (a NUL byte at byte {}), not text", at));
        }
        validator.feed(chunk);
        offset += chunk.size();
        auto n = check->rest->read(block);
        if (!n)
            return n.error();
        if (*n == 0)
            break;
        chunk = std::string_view(block.data(), *n);
    }
    const auto encoding = validator.finish() ? text_encoding::utf8 : text_encoding::windows_1252;
    check->rest.reset();

    // Second pass: the same bytes as UTF-8 text without a byte-order mark. The
    // mark is dropped even on a file that then turns out not to be UTF-8.
    auto again = open_decoded(open_raw);
    if (!again)
        return again.error();
    std::string head = std::move(again->first);
    if (starts_with(head, kUtf8Bom))
        head.erase(0, kUtf8Bom.size());
    source_ptr text = make_prefixed_source(std::move(head), std::move(again->rest));
    if (encoding == text_encoding::windows_1252)
        text = make_cp1252_source(std::move(text));
    return opened_text{std::move(text), encoding, again->gzipped};
}

}  // namespace shd::ingest
