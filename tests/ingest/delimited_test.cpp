// The row splitter on its own: quoting, line ends, line numbers, and block
// boundaries (a memory source that hands out a few bytes at a time, and a
// small buffer that must grow).
#include "ingest/delimited.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ingest/decode.hpp"

namespace shd::ingest {
namespace {

struct split_record {
    long line;
    std::vector<std::string> fields;
    bool operator==(const split_record&) const = default;
};

std::ostream& operator<<(std::ostream& os, const split_record& r) {
    os << "{line " << r.line << ":";
    for (const auto& f : r.fields)
        os << " [" << f << "]";
    return os << "}";
}

struct split_result {
    std::vector<split_record> records;
    std::optional<split_error> error;
};

split_result split(std::string_view text, char delimiter, std::size_t max_read = kBlockSize,
                   std::size_t block = kBlockSize) {
    auto src = make_memory_source(text, max_read);
    delimited_reader reader(*src, delimiter, block);
    split_result out;
    for (;;) {
        auto more = reader.next();
        if (!more) {
            out.error = more.error().split;
            return out;
        }
        if (!*more)
            return out;
        split_record r{reader.line(), {}};
        for (auto f : reader.fields())
            r.fields.emplace_back(f);
        out.records.push_back(std::move(r));
    }
}

// Every way of cutting the input into blocks gives the same records.
void expect_same_at_every_cut(std::string_view text, char delimiter,
                              const std::vector<split_record>& expected) {
    for (std::size_t max_read : {1, 2, 3, 5, 7, 64}) {
        for (std::size_t block : {64, 4096}) {
            auto got = split(text, delimiter, max_read, block);
            ASSERT_FALSE(got.error) << got.error->reason << " (max_read " << max_read << ")";
            EXPECT_EQ(got.records, expected) << "max_read " << max_read << ", block " << block;
        }
    }
}

TEST(DelimitedReader, SplitsTabsAndCommas) {
    auto tsv = split("a\tb\tc\n1\t2\t3\n", '\t');
    ASSERT_FALSE(tsv.error);
    EXPECT_EQ(tsv.records, (std::vector<split_record>{{1, {"a", "b", "c"}}, {2, {"1", "2", "3"}}}));
    // A comma is data in a TSV, a tab is data in a CSV.
    auto csv = split("a,b\tc\n", ',');
    EXPECT_EQ(csv.records, (std::vector<split_record>{{1, {"a", "b\tc"}}}));
    auto tsv2 = split("a,b\tc\n", '\t');
    EXPECT_EQ(tsv2.records, (std::vector<split_record>{{1, {"a,b", "c"}}}));
}

TEST(DelimitedReader, QuotedFieldsHoldDelimitersQuotesAndNewlines) {
    const std::string text =
        "id,note,n\r\n"
        "1,\"comma, quote \"\" and\r\nCRLF\",x\r\n"
        "2,\"two lines\nof note\",y\r\n"
        "3,\"\",\"\"\"\"\r\n"
        "4,plain,\"tab\there\"\r\n";
    expect_same_at_every_cut(text, ',',
                             {{1, {"id", "note", "n"}},
                              {2, {"1", "comma, quote \" and\r\nCRLF", "x"}},
                              {4, {"2", "two lines\nof note", "y"}},
                              {6, {"3", "", "\""}},
                              {7, {"4", "plain", "tab\there"}}});
}

TEST(DelimitedReader, TabSeparatedTextHasNoQuoting) {
    // Amazon's reports carry quotes as data, even at the start of a field.
    expect_same_at_every_cut("a\tb\tc\n\"Deluxe\" Mug\t\"x\"\"y\t\"open\n5\t6\t7\n", '\t',
                             {{1, {"a", "b", "c"}},
                              {2, {"\"Deluxe\" Mug", "\"x\"\"y", "\"open"}},
                              {3, {"5", "6", "7"}}});
}

TEST(DelimitedReader, QuoteInsideAFieldIsAnOrdinaryCharacter) {
    expect_same_at_every_cut("a,b\n12\" pan,say \"hi\"\n", ',',
                             {{1, {"a", "b"}}, {2, {"12\" pan", "say \"hi\""}}});
}

TEST(DelimitedReader, LineEndsBlankLinesAndTheLastLine) {
    // CRLF and LF mixed, blank lines skipped but counted, no newline at the end.
    expect_same_at_every_cut("h1,h2\r\n\r\na,b\n\nc,d", ',',
                             {{1, {"h1", "h2"}}, {3, {"a", "b"}}, {5, {"c", "d"}}});
    // Empty fields, including trailing ones.
    expect_same_at_every_cut("a\t\t\n\t\tz\r\n", '\t', {{1, {"a", "", ""}}, {2, {"", "", "z"}}});
    // A lone CR inside a field is data.
    expect_same_at_every_cut("a\rb,c\n", ',', {{1, {"a\rb", "c"}}});
}

TEST(DelimitedReader, QuotedFieldAtTheVeryEnd) {
    expect_same_at_every_cut("a,\"b\"", ',', {{1, {"a", "b"}}});
    expect_same_at_every_cut("a,\"b\"\r", ',', {{1, {"a", "b"}}});
    expect_same_at_every_cut("a,\"b\"\"\"", ',', {{1, {"a", "b\""}}});
}

TEST(DelimitedReader, LineNumbersCountEveryPhysicalLine) {
    const std::string text = "h\n\"1\n2\n3\"\nnext\n\"a\r\nb\"\nlast\n";
    expect_same_at_every_cut(
        text, ',', {{1, {"h"}}, {2, {"1\n2\n3"}}, {5, {"next"}}, {6, {"a\r\nb"}}, {8, {"last"}}});
}

TEST(DelimitedReader, UnterminatedQuoteIsAnErrorAtTheLineWhereTheRecordStarts) {
    for (std::size_t max_read : {1, 3, 1024}) {
        auto r = split("a,b\n1,2\n3,\"never closed\n4,5\n6,7\n", ',', max_read, 64);
        ASSERT_TRUE(r.error);
        EXPECT_EQ(r.error->line, 3);
        EXPECT_EQ(r.error->field_index, 1);
        EXPECT_NE(r.error->reason.find("unterminated quoted field"), std::string::npos);
        EXPECT_EQ(r.records.size(), 2u);
    }
}

TEST(DelimitedReader, TextAfterAClosingQuoteIsAnError) {
    auto r = split("a,b\n\"x\"y,2\n", ',');
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->line, 2);
    EXPECT_EQ(r.error->field_index, 0);
    EXPECT_NE(r.error->reason.find("after a closing quote"), std::string::npos);
}

TEST(DelimitedReader, LongRecordsGrowTheBuffer) {
    const std::string big(100000, 'x');
    const std::string text = "a,b\n\"" + big + "\"," + big + "\nz,z\n";
    auto r = split(text, ',', 4096, 64);
    ASSERT_FALSE(r.error);
    ASSERT_EQ(r.records.size(), 3u);
    EXPECT_EQ(r.records[1].fields[0], big);
    EXPECT_EQ(r.records[1].fields[1], big);
    EXPECT_EQ(r.records[2], (split_record{3, {"z", "z"}}));
}

TEST(DelimitedReader, ARecordOverTheLimitIsAnErrorNotAMemorySpike) {
    // An unterminated quote near the start of a big file.
    std::string text = "a,b\n1,\"oops\n";
    const std::string line(1000, 'y');
    while (text.size() <= kMaxRecordBytes + 4096)
        text += line + "\n";
    auto r = split(text, ',', kBlockSize, 4096);
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->line, 2);
    EXPECT_NE(r.error->reason.find("longer than 16 MiB"), std::string::npos);
}

TEST(DelimitedReader, EmptyInputHasNoRecords) {
    EXPECT_TRUE(split("", ',').records.empty());
    EXPECT_TRUE(split("\n\r\n\n", ',').records.empty());
}

}  // namespace
}  // namespace shd::ingest
