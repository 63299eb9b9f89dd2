// Bytes to UTF-8 text: UTF-8 validation, Windows-1252, gzip, and the refusal
// of binary data.
#include "ingest/decode.hpp"

#include <gtest/gtest.h>

#include <string>

#include "support/test_support.hpp"

namespace shd::ingest {
namespace {

bool valid_utf8(std::string_view s) {
    utf8_validator v;
    v.feed(s);
    return v.finish();
}

// The same check, one byte per feed(): sequences cut across blocks.
bool valid_utf8_bytewise(std::string_view s) {
    utf8_validator v;
    for (char c : s)
        v.feed(std::string_view(&c, 1));
    return v.finish();
}

TEST(Utf8Validator, AcceptsUtf8AndRejectsEverythingElse) {
    const std::vector<std::string> good = {"",
                                           "plain ascii, long enough to use the eight-byte path",
                                           "caf\xC3\xA9",
                                           "\xE2\x82\xAC 5",
                                           "\xF0\x9F\x93\xA6 parcel",
                                           "\xEF\xBB\xBFwith BOM",
                                           "\xED\x9F\xBF",
                                           "\xF4\x8F\xBF\xBF"};
    for (const auto& s : good) {
        EXPECT_TRUE(valid_utf8(s)) << s;
        EXPECT_TRUE(valid_utf8_bytewise(s)) << s;
    }
    const std::vector<std::string> bad = {"caf\xE9",           // Windows-1252 e-acute
                                          "\xC3",              // cut short at the end
                                          "\xC0\xAF",          // overlong
                                          "\xE0\x80\xAF",      // overlong
                                          "\xED\xA0\x80",      // a surrogate
                                          "\xF4\x90\x80\x80",  // above U+10FFFF
                                          "\xF5\x80\x80\x80",
                                          "\x80",  // no lead byte
                                          "abcdefgh\x93quoted\x94"};
    for (const auto& s : bad) {
        EXPECT_FALSE(valid_utf8(s)) << s;
        EXPECT_FALSE(valid_utf8_bytewise(s)) << s;
    }
}

TEST(Cp1252, ConvertsToUtf8) {
    EXPECT_EQ(cp1252_to_utf8("caf\xE9"), "caf\xC3\xA9");
    EXPECT_EQ(cp1252_to_utf8("\x80 \x93q\x94 \x9F"),
              "\xE2\x82\xAC \xE2\x80\x9Cq\xE2\x80\x9D \xC5\xB8");
    EXPECT_EQ(cp1252_to_utf8("\x81"), "\xC2\x81");  // undefined in the code page: the C1 control
    EXPECT_EQ(cp1252_to_utf8("M\xFCller \xDF"), "M\xC3\xBCller \xC3\x9F");
}

std::string utf8_of(char32_t cp) {
    std::string out;
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return out;
}

// The code page's 0x80-0x9F row, from its published table (the 5 bytes it
// leaves undefined are the C1 controls of the same value). Every entry is
// checked: two swapped entries fail.
TEST(Cp1252, EveryByteOfTheTable) {
    constexpr char32_t kRow80[32] = {
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,  // 80-87
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,  // 88-8F
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,  // 90-97
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,  // 98-9F
    };
    std::string all_bytes;
    std::string all_expected;
    for (unsigned b = 0; b < 256; ++b) {
        const char32_t cp = (b >= 0x80 && b < 0xA0) ? kRow80[b - 0x80] : char32_t(b);
        const std::string byte(1, static_cast<char>(b));
        EXPECT_EQ(cp1252_to_utf8(byte), utf8_of(cp)) << "byte 0x" << std::hex << b;
        all_bytes += byte;
        all_expected += utf8_of(cp);
    }
    // The streaming reader uses the same table.
    all_bytes[0] = 'x';  // no NUL: that would be binary data
    all_expected[0] = 'x';
    auto t = open_text([&all_bytes]() -> result<source_ptr, import_error> {
        return make_memory_source(all_bytes, 7);
    });
    ASSERT_TRUE(t) << t.error().reason;
    EXPECT_EQ(t->encoding, text_encoding::windows_1252);
    std::string streamed;
    std::vector<char> buf(4096);
    for (;;) {
        auto n = t->text->read(buf);
        ASSERT_TRUE(n);
        if (*n == 0)
            break;
        streamed.append(buf.data(), *n);
    }
    EXPECT_EQ(streamed, all_expected);
}

std::string read_all(byte_source& src) {
    std::string out;
    std::vector<char> buf(4096);
    for (;;) {
        auto n = src.read(buf);
        if (!n)
            throw std::runtime_error(n.error().reason);
        if (*n == 0)
            return out;
        out.append(buf.data(), *n);
    }
}

result<opened_text, import_error> open_bytes(const std::string& bytes, std::size_t max_read = 3) {
    return open_text([&bytes, max_read]() -> result<source_ptr, import_error> {
        return make_memory_source(bytes, max_read);
    });
}

TEST(OpenText, Utf8PassesThroughWithoutItsBom) {
    const std::string bytes = "\xEF\xBB\xBFh\xC3\xA9\n1\n";  // outlives the source reading it
    auto t = open_bytes(bytes);
    ASSERT_TRUE(t) << t.error().reason;
    EXPECT_EQ(t->encoding, text_encoding::utf8);
    EXPECT_FALSE(t->gzipped);
    EXPECT_EQ(read_all(*t->text), "h\xC3\xA9\n1\n");
}

// Found by fuzzing (tests/fuzz/regressions/decode): two marks in a row. Only the
// first is a byte-order mark; the second is U+FEFF in the text, kept, so the
// header then names no known column instead of being silently repaired.
TEST(OpenText, OnlyTheFirstByteOrderMarkIsRemoved) {
    const std::string bytes = "\xEF\xBB\xBF\xEF\xBB\xBF";
    auto t = open_bytes(bytes, 1);
    ASSERT_TRUE(t) << t.error().reason;
    EXPECT_EQ(t->encoding, text_encoding::utf8);
    EXPECT_EQ(read_all(*t->text), "\xEF\xBB\xBF");
}

TEST(OpenText, NonUtf8IsReadAsWindows1252) {
    // Valid UTF-8 first, then a byte that is not: the whole file is Windows-1252.
    const std::string bytes = "\xEF\xBB\xBF\xC3\xA9t\xE9\n";  // outlives the source reading it
    auto t = open_bytes(bytes);
    ASSERT_TRUE(t) << t.error().reason;
    EXPECT_EQ(t->encoding, text_encoding::windows_1252);
    EXPECT_EQ(read_all(*t->text), "\xC3\x83\xC2\xA9t\xC3\xA9\n");
}

TEST(OpenText, LargeWindows1252TextConvertsAcrossBlocks) {
    std::string raw;
    while (raw.size() < 3 * kBlockSize)
        raw +=
            "Gr\xFC\xDF"
            "e \x80\n";
    auto t = open_bytes(raw, kBlockSize);
    ASSERT_TRUE(t);
    const std::string text = read_all(*t->text);
    EXPECT_EQ(text, cp1252_to_utf8(raw));
}

TEST(OpenText, GzipIsRecognisedByItsMagicBytes) {
    const std::string plain = test::read_file(test::data_file(
        "samples/littlesnaf_unshipped-orders_GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING.txt"));
    for (const char* name :
         {"gzip/unshipped-sample.txt.gz", "gzip/unshipped-sample-gzipped-no-extension.txt",
          "gzip/two-members.txt.gz"}) {
        const std::string gz = test::read_file(test::data_file(name));
        for (std::size_t max_read : {std::size_t{1}, std::size_t{100}, kBlockSize}) {
            auto t = open_bytes(gz, max_read);
            ASSERT_TRUE(t) << name << ": " << t.error().reason;
            EXPECT_TRUE(t->gzipped);
            EXPECT_EQ(read_all(*t->text), plain) << name;
        }
    }
}

TEST(OpenText, CorruptOrTruncatedGzipIsAnError) {
    for (const char* name :
         {"gzip/corrupt.txt.gz", "gzip/truncated.txt.gz", "gzip/trailing-garbage.txt.gz"}) {
        const std::string gz = test::read_file(test::data_file(name));
        auto t = open_bytes(gz, 64);
        ASSERT_FALSE(t) << name;
        EXPECT_EQ(t.error().reason.rfind("corrupt gzip data", 0), 0u) << t.error().reason;
    }
    // Cut at every length: never a crash, always the same kind of error.
    const std::string gz = test::read_file(test::data_file("gzip/unshipped-sample.txt.gz"));
    for (std::size_t n = 2; n < gz.size(); ++n) {
        auto t = open_bytes(gz.substr(0, n), 4096);
        ASSERT_FALSE(t) << "cut at " << n;
        EXPECT_EQ(t.error().reason.rfind("corrupt gzip data", 0), 0u) << t.error().reason;
    }
}

TEST(OpenText, BinaryDataIsRefused) {
    auto nul = open_bytes(std::string("order-id\tx\n1\t\0\x01\x02\n", 16));
    ASSERT_FALSE(nul);
    EXPECT_NE(nul.error().reason.find("binary data (a NUL byte at byte 13)"), std::string::npos)
        << nul.error().reason;

    auto zip = open_bytes(std::string("PK\x03\x04\x14\0\0\0", 8));
    ASSERT_FALSE(zip);
    EXPECT_NE(zip.error().reason.find("ZIP archive"), std::string::npos);

    auto utf16 = open_bytes(std::string("\xFF\xFEo\0r\0", 6));
    ASSERT_FALSE(utf16);
    EXPECT_NE(utf16.error().reason.find("UTF-16"), std::string::npos);
}

TEST(OpenFileSource, MissingFileIsAnError) {
    auto s = open_file_source("/nonexistent/seller-healthd/file.txt");
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().reason.find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace shd::ingest
