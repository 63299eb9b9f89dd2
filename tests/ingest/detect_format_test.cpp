// detect_format, which orders an inbox and screens files before an import,
// must name the format parse_file reads, for every file parse_file accepts.
#include <gtest/gtest.h>

#include "parse_test_support.hpp"
#include "support/test_support.hpp"

namespace shd::ingest {
namespace {

using test::collected;

void expect_same_format(const std::filesystem::path& path, file_format expected) {
    collected got;
    auto parsed = test::parse_path(path, got);
    ASSERT_TRUE(parsed) << parsed.error().to_string();
    EXPECT_EQ(parsed->format, expected);
    auto detected = detect_format(path);
    ASSERT_TRUE(detected) << detected.error().to_string();
    EXPECT_EQ(*detected, expected);
}

TEST(DetectFormat, AgreesWithTheParserOnEachFormatsHeader) {
    shd::test::temp_dir dir;
    const std::vector<std::pair<std::string, file_format>> headers = {
        {"amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsales-channel\tsku\n",
         file_format::all_orders},
        {"order-id\tpurchase-date\tpromise-date\tsales-channel", file_format::unshipped},
        {"\xEF\xBB\xBF"
         "Date\tRating\tComments\tYour Response\tOrder ID\tRater Email\r\n",
         file_format::feedback},
        {"order_id,kind,occurred_at,status,rating\n", file_format::defects},
        {"  {\"accountStatuses\": []}", file_format::account_health},
    };
    for (const auto& [text, format] : headers) {
        SCOPED_TRACE(text);
        shd::test::write_file(dir / "export", text);
        expect_same_format(dir / "export", format);
    }
}

// Found by fuzzing (tests/fuzz/regressions/parse): a quoted header field with a
// line break in it. The parser reads the header record across both lines;
// detect_format read the first line alone, found the quote unterminated and
// called the file "not a recognised export", so the importer rejected a file
// its parser accepts.
TEST(DetectFormat, HeaderRecordWithAQuotedLineBreak) {
    shd::test::temp_dir dir;
    shd::test::write_file(dir / "defects.csv",
                          "order_id,kind,occurred_at,status,rating,\"a note\r\nover two lines\"\r\n"
                          "111-2222222-3333333,a_to_z_claim,2025-09-30T22:34:57Z,open,,\r\n");
    expect_same_format(dir / "defects.csv", file_format::defects);
}

TEST(DetectFormat, FuzzRegressionInput) {
    const auto input = std::filesystem::path(SHD_SOURCE_DIR) /
                       "tests/fuzz/regressions/parse/header-quoted-field-spans-lines";
    expect_same_format(input, file_format::defects);
}

}  // namespace
}  // namespace shd::ingest
