// The Feedback report: dates in each marketplace's order, ratings, defects.
#include <gtest/gtest.h>

#include "parse_test_support.hpp"
#include "support/test_support.hpp"

namespace shd::ingest {
namespace {

using test::at;
using test::collected;

const std::string kHeader = "Date\tRating\tComments\tYour Response\tOrder ID\tRater Email\n";

TEST(ParseFeedback, WorkedExampleJapanUsesTheOrdersMarketplace) {
    // The orders are Japanese (known from the All Orders import); the config says US.
    const auto ctx =
        test::make_context("ATVPDKIKX0DER", {{"112-4404820-4119085", "A1VC38T7YXB528"},
                                             {"112-0549499-4342814", "A1VC38T7YXB528"},
                                             {"112-0026024-1550954", "A1VC38T7YXB528"}});
    collected got;
    auto r =
        test::parse_path(shd::test::data_file("worked-example/rnd9024-feedback-JP.txt"), got, ctx);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->format, file_format::feedback);
    EXPECT_EQ(r->rows, 3);
    const auto rows = got.all<defect_row>();
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].order_id, "112-4404820-4119085");
    EXPECT_EQ(rows[0].kind, "negative_feedback");
    EXPECT_EQ(rows[0].status, "active");
    EXPECT_EQ(rows[0].occurred_at, at("2025-10-12T00:00:00Z"));  // YY/M/D
    EXPECT_EQ(rows[0].rating, 2);
    EXPECT_TRUE(rows[0].counts);
    EXPECT_EQ(rows[1].occurred_at, at("2025-11-12T00:00:00Z"));
    EXPECT_EQ(rows[2].occurred_at, at("2025-08-25T00:00:00Z"));
    EXPECT_EQ(rows[2].rating, 1);
    EXPECT_EQ(got.lines, (std::vector<long>{2, 3, 4}));
}

TEST(ParseFeedback, WorkedExampleJapanWithoutItsOrdersIsReadAsUsAndFails) {
    collected got;
    auto r = test::parse_path(shd::test::data_file("worked-example/rnd9024-feedback-JP.txt"), got);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().where_and_why(), "line 2, field Date: not a date in the US format M/D/YY");
}

TEST(ParseFeedback, WorkedExampleUsThreeStarsIsNoDefect) {
    collected got;
    auto r = test::parse_path(shd::test::data_file("worked-example/rnd9024-feedback-US.txt"), got);
    ASSERT_TRUE(r) << r.error().to_string();
    const auto rows = got.all<defect_row>();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].order_id, "114-2048838-3301791");
    EXPECT_EQ(rows[0].occurred_at, at("2025-09-23T00:00:00Z"));
    EXPECT_EQ(rows[0].rating, 3);
    EXPECT_FALSE(rows[0].counts);
}

TEST(ParseFeedback, AirbyteFixtureHeaderIsRecognisedAndItsRepeatedHeaderRowsAreRejected) {
    const std::string fixture = shd::test::read_file(
        shd::test::data_file("samples/airbyte_GET_SELLER_FEEDBACK_DATA.header-fixture.tsv"));
    collected got;
    auto header_only = test::parse_text(fixture.substr(0, fixture.find('\n') + 1), got);
    ASSERT_TRUE(header_only) << header_only.error().to_string();
    EXPECT_EQ(header_only->format, file_format::feedback);
    EXPECT_EQ(header_only->rows, 0);
    auto r = test::parse_text(fixture, got);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().where_and_why(),
              "line 2: this line repeats the header row (two reports joined into one file?); a "
              "report has its header once, on line 1");
}

TEST(ParseFeedback, EachMarketplacesDateOrder) {
    struct date_case {
        std::string marketplace;
        std::string date;
        std::string expected;
    };
    const std::vector<date_case> cases = {
        {"ATVPDKIKX0DER", "10/2/25", "2025-10-02"},      // US M/D/YY
        {"ATVPDKIKX0DER", "1/31/2025", "2025-01-31"},    // a spreadsheet's four-digit year
        {"A1VC38T7YXB528", "25/1/31", "2025-01-31"},     // JP YY/M/D
        {"A2NODRKZP88ZB9", "2025-01-31", "2025-01-31"},  // SE
        {"A1PA6795UKMFR9", "31.1.25", "2025-01-31"},     // DE D.M.YY
        {"A1F83G8C2ARO7P", "10/2/25", "2025-02-10"},     // UK D/M/YY
        {"A1F83G8C2ARO7P", "29/02/24", "2024-02-29"},
    };
    for (const auto& c : cases) {
        collected got;
        auto r = test::parse_text(kHeader + c.date + "\t1\t\t\tO-1\t\n", got,
                                  test::make_context(c.marketplace));
        ASSERT_TRUE(r) << c.marketplace << " " << c.date << ": " << r.error().to_string();
        ASSERT_EQ(got.records.size(), 1u);
        EXPECT_EQ(std::get<defect_row>(got.records[0]).occurred_at, at(c.expected))
            << c.marketplace << " " << c.date;
    }
    const std::vector<date_case> bad = {
        {"ATVPDKIKX0DER", "13/2/25", ""},    {"A1F83G8C2ARO7P", "29/02/25", ""},
        {"A2NODRKZP88ZB9", "25-01-31", ""},  {"A1PA6795UKMFR9", "31/1/25", ""},
        {"ATVPDKIKX0DER", "2025-10-02", ""}, {"ATVPDKIKX0DER", "10/2/125", ""},
    };
    for (const auto& c : bad) {
        collected got;
        auto r = test::parse_text(kHeader + c.date + "\t1\t\t\tO-1\t\n", got,
                                  test::make_context(c.marketplace));
        ASSERT_FALSE(r) << c.marketplace << " " << c.date;
        EXPECT_EQ(r.error().field, "Date");
        EXPECT_EQ(r.error().line, 2);
    }
}

TEST(ParseFeedback, RatingsAndHeaderSpelling) {
    // Header names matched case-insensitively and trimmed, columns in any order.
    const std::string text =
        " order id \tRATING\tdate\n"
        "O-1\t1\t1/2/25\n"
        "O-2\t2\t1/2/25\n"
        "O-3\t3\t1/2/25\n"
        "O-4\t5\t1/2/25\n";
    collected got;
    auto r = test::parse_text(text, got);
    ASSERT_TRUE(r) << r.error().to_string();
    const auto rows = got.all<defect_row>();
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_TRUE(rows[0].counts);
    EXPECT_TRUE(rows[1].counts);
    EXPECT_FALSE(rows[2].counts);
    EXPECT_FALSE(rows[3].counts);
    EXPECT_EQ(rows[3].rating, 5);

    for (const std::string rating : {"0", "6", "", "two"}) {
        collected bad;
        auto e = test::parse_text(kHeader + "1/2/25\t" + rating + "\t\t\tO-1\t\n", bad);
        ASSERT_FALSE(e) << rating;
        EXPECT_EQ(e.error().field, "Rating");
    }
}

}  // namespace
}  // namespace shd::ingest
