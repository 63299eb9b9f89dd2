// What every file goes through: recognition by header, decoding, row shape,
// and the errors for files that are not what they should be.
#include <gtest/gtest.h>

#include "parse_test_support.hpp"
#include "support/test_support.hpp"

namespace shd::ingest {
namespace {

using test::at;
using test::collected;

const std::string kOrdersHeader =
    "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsales-channel\tsku\n";
const std::string kOrderRow = "A-1\t2025-09-24T00:00:00Z\tShipped\tMerchant\tAmazon.com\tSKU-1\n";

import_error parse_error(const std::string& text) {
    collected got;
    auto r = test::parse_text(text, got);
    if (r)
        throw std::runtime_error("expected an error, got " + std::to_string(r->rows) + " rows");
    return r.error();
}

TEST(ParseErrors, EmptyFile) {
    for (const std::string text :
         {"", " ", "\n\n", " \t\r\n  \n", "\xEF\xBB\xBF", "\xEF\xBB\xBF\r\n"}) {
        const auto e = parse_error(text);
        EXPECT_EQ(e.to_string(), "test-file: empty file: no header row") << text;
        EXPECT_EQ(e.line, 0);
    }
}

TEST(ParseErrors, HeaderOnlyIsAValidEmptyExportOfEachFormat) {
    const std::vector<std::pair<std::string, file_format>> headers = {
        {kOrdersHeader, file_format::all_orders},
        {"order-id\tpurchase-date\tpromise-date\tsales-channel", file_format::unshipped},
        {"Date\tRating\tComments\tYour Response\tOrder ID\tRater Email\r\n", file_format::feedback},
        {"order_id,latest_ship_date,confirmed_at,tracking_id,carrier,tracking_valid\n",
         file_format::shipments},
        {"order_id,kind,occurred_at,status,rating\n", file_format::defects},
        {"message_id,order_id,marketplace_id,received_at,responded_at,no_response_needed\n",
         file_format::messages},
        {"{\"accountStatuses\": []}", file_format::account_health},
    };
    for (const auto& [text, format] : headers) {
        collected got;
        auto r = test::parse_text(text, got);
        ASSERT_TRUE(r) << text << ": " << r.error().to_string();
        EXPECT_EQ(r->format, format) << text;
        EXPECT_EQ(r->rows, format == file_format::account_health ? 1 : 0);
    }
}

TEST(ParseErrors, UnknownFormat) {
    const auto e = parse_error("name,age\nbob,3\n");
    EXPECT_EQ(e.line, 1);
    EXPECT_EQ(e.field, "");
    EXPECT_EQ(e.reason.rfind("not a recognised export: the header's 2 columns are none of", 0), 0u)
        << e.reason;
    // The unknown column names are file content: not repeated.
    EXPECT_EQ(e.reason.find("name"), std::string::npos) << e.reason;
    // Amazon's returns report is a real export, but not one we read.
    collected got;
    auto returns = test::parse_path(
        shd::test::data_file(
            "samples/airbyte_GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE.header-fixture.tsv"),
        got);
    ASSERT_FALSE(returns);
    EXPECT_EQ(returns.error().reason.rfind("Amazon's returns report "
                                           "(GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE), which "
                                           "seller-healthd does not read",
                                           0),
              0u)
        << returns.error().reason;
    // The file name does not matter: a CSV named like a report is still a CSV.
    EXPECT_EQ(parse_error("just one line of prose\n").reason.rfind("not a recognised export", 0),
              0u);
}

TEST(ParseErrors, MissingRequiredColumnNamesIt) {
    const auto e =
        parse_error("order-id\tpurchase-date\tsales-channel\n1\t2025-09-24\tAmazon.com\n");
    EXPECT_EQ(e.where_and_why(),
              "line 1, field promise-date: missing required column (the file looks like the "
              "Unshipped orders report)");
    const auto e2 = parse_error("amazon-order-id\tsku\n");
    EXPECT_EQ(e2.field, "purchase-date");
    EXPECT_NE(e2.reason.find("also missing: order-status, fulfillment-channel, sales-channel"),
              std::string::npos)
        << e2.reason;
    const auto e3 = parse_error("message_id,order_id\n");
    EXPECT_EQ(e3.field, "received_at");
    const auto e4 = parse_error("order_id,kind,status\n");
    EXPECT_EQ(e4.field, "occurred_at");
}

TEST(ParseErrors, TruncatedLastLine) {
    // Cut between fields: padded, then a required field is empty.
    const auto e = parse_error(kOrdersHeader + kOrderRow + "A-2\t2025-09-24T00:00:00Z\tShipped");
    EXPECT_EQ(e.to_string(),
              "test-file: line 3, field fulfillment-channel: required field is empty");
    // Cut inside a field.
    const auto e2 = parse_error(kOrdersHeader + kOrderRow + "A-2\t2025-09-24T00:00:00Z\tShi");
    EXPECT_EQ(e2.where_and_why(),
              "line 3, field order-status: unknown order-status (expected "
              "Pending, Unshipped, PartiallyShipped, Shipping, Shipped or "
              "Cancelled)");
    const auto e3 = parse_error(kOrdersHeader + kOrderRow + "A-2\t2025-09-");
    EXPECT_EQ(e3.field, "purchase-date");
    // A complete last line without its newline is fine.
    collected got;
    auto r = test::parse_text(kOrdersHeader + kOrderRow + kOrderRow.substr(0, kOrderRow.size() - 1),
                              got);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->rows, 2);
    EXPECT_EQ(got.all<order_item_row>().back().sku, "SKU-1");
}

TEST(ParseErrors, ShortRowsArePaddedLongRowsAreErrors) {
    collected got;
    // sku is missing at the end of the row: padded with an empty field.
    auto r =
        test::parse_text(kOrdersHeader + "A-1\t2025-09-24\tShipped\tMerchant\tAmazon.com\n", got);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(got.all<order_item_row>().at(0).sku, "");

    const auto e = parse_error(kOrdersHeader + kOrderRow +
                               "A-1\t2025-09-24\tShipped\tMerchant\tAmazon.com\tS\textra\n");
    EXPECT_EQ(e.where_and_why(), "line 3: the row has 7 fields but the header has 6");
}

TEST(ParseErrors, UnterminatedQuoteNamesTheLineAndColumn) {
    const auto e = parse_error(
        "order_id,latest_ship_date,confirmed_at,tracking_id,carrier\n"
        "O-1,2025-10-01,,T1,UPS\n"
        "O-2,2025-10-01,,\"T2,UPS\n"
        "O-3,2025-10-01,,T3,UPS\n");
    EXPECT_EQ(e.where_and_why(),
              "line 3, field tracking_id: unterminated quoted field (no closing quote before the "
              "end of the file)");
}

TEST(ParseErrors, ErrorLinesCountLinesInsideQuotedFields) {
    const auto e = parse_error(
        "order_id,kind,occurred_at,comment\n"
        "O-1,chargeback,2025-10-01,\"three\nline\ncomment\"\n"
        "O-2,chargeback,2025-10-01,\"\"\n"
        "O-3,chargeback,not-a-date,x\n");
    EXPECT_EQ(e.line, 6);
    EXPECT_EQ(e.field, "occurred_at");
}

TEST(ParseErrors, Windows1252TextIsConverted) {
    // 0xE9 is e-acute in Windows-1252 and invalid as UTF-8.
    collected got;
    auto r = test::parse_text(
        kOrdersHeader + "A-1\t2025-09-24\tShipped\tMerchant\tAmazon.de\tCaf\xE9-\x80\n", got);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(got.all<order_item_row>().at(0).sku, "Caf\xC3\xA9-\xE2\x82\xAC");
    // Valid UTF-8 stays as it is.
    collected utf8;
    ASSERT_TRUE(test::parse_text(
        kOrdersHeader + "A-1\t2025-09-24\tShipped\tMerchant\tAmazon.de\tCaf\xC3\xA9\n", utf8));
    EXPECT_EQ(utf8.all<order_item_row>().at(0).sku, "Caf\xC3\xA9");
}

TEST(ParseErrors, BomAndCrlfAreHandled) {
    collected got;
    auto r =
        test::parse_text("\xEF\xBB\xBFmessage_id,received_at\r\nM-1,2025-10-01T00:00:00Z\r\n", got);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->format, file_format::messages);
    EXPECT_EQ(got.all<message_row>().at(0).received_at, at("2025-10-01T00:00:00Z"));
}

TEST(ParseErrors, BinaryGarbage) {
    std::string garbage;
    for (int i = 0; i < 4096; ++i)
        garbage += static_cast<char>((i * 7919 + 13) % 256);
    const auto e = parse_error(garbage);
    EXPECT_EQ(e.reason.rfind("not a recognised export", 0), 0u) << e.reason;
    // Garbage without NUL bytes still fails on its header.
    std::string no_nul;
    for (int i = 0; i < 4096; ++i)
        no_nul += static_cast<char>(1 + (i * 7919 + 13) % 255);
    const auto e2 = parse_error(no_nul);
    EXPECT_EQ(e2.line, 1);
    EXPECT_TRUE(e2.reason.rfind("not a recognised export", 0) == 0 ||
                e2.reason.rfind("the lines end in CR alone", 0) == 0)
        << e2.reason;
    // Without CR either: the header fits no format.
    std::string no_cr;
    for (const char c : no_nul)
        no_cr += c == '\r' ? 'x' : c;
    EXPECT_EQ(parse_error(no_cr).reason.rfind("not a recognised export", 0), 0u)
        << parse_error(no_cr).reason;
}

TEST(ParseErrors, MissingFile) {
    collected got;
    auto r = test::parse_path("/nonexistent/dir/orders.txt", got);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().file, "test-file");
    EXPECT_NE(r.error().reason.find("cannot open"), std::string::npos);
}

TEST(ParseStreaming, LargeGeneratedFileThroughParseFile) {
    // 200,000 rows (about 30 MB) read in blocks; line numbers stay exact.
    shd::test::temp_dir dir;
    const auto path = dir / "orders.txt";
    {
        std::string text = kOrdersHeader;
        text.reserve(200000 * 110);
        for (int i = 0; i < 200000; ++i) {
            text += "111-" + std::to_string(1000000 + i) +
                    "\t2025-09-24T12:02:50+00:00\tShipped\tMerchant\tAmazon.com\t";
            // Every 1000th SKU starts with a quote: data in a tab-separated report.
            text += i % 1000 == 0 ? "\"Deluxe\" mug\n" : "SKU-" + std::to_string(i) + "\n";
        }
        shd::test::write_file(path, text);
    }
    long rows = 0;
    long last_line = 0;
    std::string last_order;
    std::string first_sku;
    auto r = parse_file(path, test::make_context(), [&](const record& rec, long line) {
        const auto& o = std::get<order_item_row>(rec);
        if (rows == 0)
            first_sku = o.sku;
        ++rows;
        last_line = line;
        last_order = o.order_id;
    });
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->rows, 200000);
    EXPECT_EQ(rows, 200000);
    EXPECT_EQ(first_sku, "\"Deluxe\" mug");
    EXPECT_EQ(last_order, "111-1199999");
    EXPECT_EQ(last_line, 1 + 200000);  // the header, then one line per row
}

}  // namespace
}  // namespace shd::ingest
