// The real-world variants of Amazon's reports (docs/formats.md): headers
// without sales-channel, other spellings of a column, every marketplace,
// header-only files, Amazon reports the daemon does not read, and the files
// that are refused by name instead of being read wrongly.
#include <algorithm>
#include <clocale>
#include <string>
#include <vector>

#include "core/marketplaces.hpp"
#include "parse_test_support.hpp"
#include "support/test_support.hpp"

namespace shd::ingest {
namespace {

using test::at;
using test::collected;

const char* const kUnshippedSample =
    "samples/littlesnaf_unshipped-orders_GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING.txt";

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const auto cut = s.find(sep, start);
        out.push_back(s.substr(start, cut == std::string::npos ? cut : cut - start));
        if (cut == std::string::npos)
            return out;
        start = cut + 1;
    }
}

std::string join(const std::vector<std::string>& parts, char sep) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i > 0)
            out += sep;
        out += parts[i];
    }
    return out;
}

// The real Unshipped sample as a marketplace without sales-channel writes it:
// the column gone, is-iba added beside verge-of-cancellation and
// verge-of-lateShipment (already in the sample).
std::string unshipped_without_sales_channel() {
    const std::string sample = shd::test::read_file(shd::test::data_file(kUnshippedSample));
    const auto lines = split(sample, '\n');
    const auto header = split(lines[0], '\t');
    const auto drop = static_cast<std::size_t>(
        std::find(header.begin(), header.end(), "sales-channel") - header.begin());
    EXPECT_LT(drop, header.size());
    std::string out;
    for (const auto& line : lines) {
        if (line.empty())
            continue;
        auto fields = split(line, '\t');
        if (drop < fields.size())
            fields.erase(fields.begin() + static_cast<long>(drop));
        fields.push_back(&line == &lines[0] ? "is-iba" : "false");
        out += join(fields, '\t') + "\n";
    }
    return out;
}

parse_context with_account_marketplace(std::string id) {
    auto ctx = test::make_context();
    ctx.account_marketplace = std::move(id);
    return ctx;
}

import_error error_of(std::string_view text, const parse_context& ctx = test::make_context()) {
    collected got;
    auto r = test::parse_text(text, got, ctx);
    EXPECT_FALSE(r) << text;
    return r ? import_error{} : r.error();
}

// ---- 1. Unshipped report without sales-channel ----

TEST(ParseVariants, UnshippedWithoutSalesChannelIsTheConfiguredMarketplace) {
    const std::string text = unshipped_without_sales_channel();
    ASSERT_EQ(text.find("sales-channel"), std::string::npos);
    ASSERT_NE(text.find("verge-of-lateShipment"), std::string::npos);
    collected got;
    auto r = test::parse_text(text, got, with_account_marketplace("A1PA6795UKMFR9"));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->format, file_format::unshipped);
    const auto rows = got.all<unshipped_row>();
    ASSERT_EQ(rows.size(), 4u);
    for (const auto& row : rows) {
        EXPECT_EQ(row.marketplace_id, std::optional<std::string>("A1PA6795UKMFR9"));
        EXPECT_EQ(row.sales_channel, "Amazon.de");
    }
    EXPECT_EQ(rows[0].order_id, "111-0687106-4490606");
    EXPECT_EQ(rows[0].promise_at, at("2025-09-26T06:59:59+00:00"));
}

TEST(ParseVariants, UnshippedWithoutSalesChannelAndNoConfiguredMarketplaceIsRefused) {
    const auto e = error_of(unshipped_without_sales_channel());
    EXPECT_EQ(e.to_string(),
              "test-file: line 1, field sales-channel: this Unshipped orders report has no "
              "sales-channel column, so its orders belong to the account's marketplace, and the "
              "configuration does not state it: set `marketplace` (a marketplace ID, e.g. "
              "A1PA6795UKMFR9 for Amazon.de) in the config file");
    // With the column, no config is needed.
    collected got;
    auto r = test::parse_path(shd::test::data_file(kUnshippedSample), got);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(got.all<unshipped_row>()[0].marketplace_id,
              std::optional<std::string>("ATVPDKIKX0DER"));
}

// ---- 2. Header-only files ----

TEST(ParseVariants, HeaderOnlyIsAnEmptyExportOfEveryKind) {
    const std::string unshipped = unshipped_without_sales_channel();
    const std::string archived = shd::test::read_file(shd::test::data_file(
        "samples/airbyte_GET_FLAT_FILE_ARCHIVED_ORDERS_DATA_BY_ORDER_DATE.header-fixture.tsv"));
    const std::string feedback = shd::test::read_file(
        shd::test::data_file("samples/airbyte_GET_SELLER_FEEDBACK_DATA.header-fixture.tsv"));
    const std::string with_channel = shd::test::read_file(shd::test::data_file(kUnshippedSample));
    const std::vector<std::pair<std::string, file_format>> headers = {
        {unshipped.substr(0, unshipped.find('\n') + 1), file_format::unshipped},
        {with_channel.substr(0, with_channel.find('\n') + 1), file_format::unshipped},
        {archived.substr(0, archived.find('\n') + 1), file_format::all_orders},
        {feedback.substr(0, feedback.find('\n') + 1), file_format::feedback},
        {"Date\tRating\tComments\tResponse\tOrder ID\n", file_format::feedback},
        {"order_id,latest_ship_date\n", file_format::shipments},
        {"order_id,kind,occurred_at\n", file_format::defects},
        {"message_id,received_at\n", file_format::messages},
    };
    for (const auto& [header, format] : headers) {
        std::string no_newline = header.substr(0, header.size() - 1);
        std::string crlf = no_newline + "\r\n";
        for (const std::string& text :
             {header, no_newline, crlf, "\xEF\xBB\xBF" + crlf + "\r\n\n", "\n\n" + header + "\n"}) {
            collected got;
            // No configured marketplace: a header without rows places no order.
            auto r = test::parse_text(text, got);
            ASSERT_TRUE(r) << text << ": " << r.error().to_string();
            EXPECT_EQ(r->format, format) << text;
            EXPECT_EQ(r->rows, 0) << text;
            EXPECT_TRUE(got.records.empty());
        }
    }
    // Gzipped, CR LF, an Unshipped header without sales-channel and no configured marketplace.
    collected got;
    auto r = test::parse_path(
        shd::test::data_file("gzip/unshipped-no-sales-channel-header-only.txt.gz"), got);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->format, file_format::unshipped);
    EXPECT_EQ(r->rows, 0);
}

// ---- 3. Other spellings of a column ----

TEST(ParseVariants, AllOrdersWithQuantityPurchased) {
    const std::string header =
        "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsales-channel\tsku\t";
    collected got;
    auto r =
        test::parse_text(header +
                             "quantity-purchased\n"
                             "A-1\t2025-09-24T00:00:00Z\tShipped\tMerchant\tAmazon.com\ts\t3\n",
                         got);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(got.all<order_item_row>().at(0).quantity, std::optional<int>(3));
    // Both: quantity wins; quantity-purchased is still checked as a number only when read.
    collected both;
    r = test::parse_text(header +
                             "quantity\tquantity-purchased\n"
                             "A-1\t2025-09-24T00:00:00Z\tShipped\tMerchant\tAmazon.com\ts\t2\t3\n",
                         both);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(both.all<order_item_row>().at(0).quantity, std::optional<int>(2));
    // A bad quantity-purchased is named by its own column.
    const auto e = error_of(header +
                            "quantity-purchased\n"
                            "A-1\t2025-09-24T00:00:00Z\tShipped\tMerchant\tAmazon.com\ts\tmany\n");
    EXPECT_EQ(e.where_and_why(), "line 2, field quantity-purchased: not a whole number");
}

TEST(ParseVariants, FeedbackWithResponseForYourResponse) {
    collected got;
    auto r = test::parse_text(
        "Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n"
        "11/12/25\t1\tbroken\t\t111-1234567-1234567\tx@marketplace.amazon.com\n",
        got);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->format, file_format::feedback);
    const auto rows = got.all<defect_row>();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].occurred_at, at("2025-11-12"));
    // Recognised by Response alone too (no Rater Email, no Your Response).
    collected alone;
    r = test::parse_text("Date\tRating\tResponse\tOrder ID\n11/12/25\t2\t\tO-1\n", alone);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->format, file_format::feedback);
}

// ---- 4. Every marketplace, by name and by ID ----

TEST(ParseVariants, EveryMarketplaceOfAmazonsTableByNameAndById) {
    const std::vector<std::pair<std::string, std::string>> table = {
        {"Amazon.com", "ATVPDKIKX0DER"},     {"Amazon.ca", "A2EUQ1WTGCTBG2"},
        {"Amazon.com.mx", "A1AM78C64UM0Y8"}, {"Amazon.com.br", "A2Q3Y263D00KWC"},
        {"Amazon.ie", "A28R8C7NBKEWEA"},     {"Amazon.es", "A1RKKUPIHCS9HS"},
        {"Amazon.co.uk", "A1F83G8C2ARO7P"},  {"Amazon.fr", "A13V1IB3VIYZZH"},
        {"Amazon.com.be", "AMEN7PMS3EDWL"},  {"Amazon.nl", "A1805IZSGTT6HS"},
        {"Amazon.de", "A1PA6795UKMFR9"},     {"Amazon.it", "APJ6JRA9NG5V4"},
        {"Amazon.se", "A2NODRKZP88ZB9"},     {"Amazon.co.za", "AE08WJ6YKNBMC"},
        {"Amazon.pl", "A1C3SOZRARQ6R3"},     {"Amazon.eg", "ARBP9OOSHTCHU"},
        {"Amazon.com.tr", "A33AVAJ2PDY3EV"}, {"Amazon.sa", "A17E79C6D8DWNP"},
        {"Amazon.ae", "A2VIGQ35RCS4UG"},     {"Amazon.in", "A21TJRUUN4KGV"},
        {"Amazon.sg", "A19VAU5U5O7RUS"},     {"Amazon.com.au", "A39IBJ37TRP1C6"},
        {"Amazon.co.jp", "A1VC38T7YXB528"},
    };
    EXPECT_EQ(shd::known_marketplaces().size(), table.size());
    std::string text =
        "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsales-channel\n";
    int n = 0;
    for (const auto& [name, id] : table) {
        for (const std::string& channel : {name, id}) {
            text +=
                "O-" + std::to_string(++n) + "\t2025-09-24\tShipped\tMerchant\t" + channel + "\n";
        }
    }
    collected got;
    auto r = test::parse_text(text, got);
    ASSERT_TRUE(r) << r.error().to_string();
    const auto rows = got.all<order_item_row>();
    ASSERT_EQ(rows.size(), 2 * table.size());
    for (std::size_t i = 0; i < table.size(); ++i) {
        EXPECT_EQ(rows[2 * i].marketplace_id, std::optional<std::string>(table[i].second))
            << table[i].first;
        EXPECT_EQ(rows[2 * i + 1].marketplace_id, std::optional<std::string>(table[i].second))
            << table[i].second;
    }
    // Names in any case; IDs exactly as Amazon writes them.
    EXPECT_EQ(shd::marketplace_for_sales_channel_or_id("AMAZON.CO.ZA"),
              std::optional<std::string_view>("AE08WJ6YKNBMC"));
    EXPECT_FALSE(shd::marketplace_for_sales_channel_or_id("a1pa6795ukmfr9"));
    EXPECT_FALSE(shd::marketplace_for_sales_channel_or_id("Amazon.cn"));
}

// ---- 5. Amazon reports the daemon does not read; a repeated header ----

TEST(ParseVariants, OtherAmazonReportsAreNamed) {
    struct foreign_case {
        std::string header;
        std::string report;
    };
    const std::vector<foreign_case> cases = {
        {"amazon-order-id\tmerchant-order-id\tshipment-id\tshipment-item-id\tamazon-order-item-id\t"
         "purchase-date\tpayments-date\tshipment-date\tsales-channel\tfulfillment-center-id\n",
         "FBA shipments report (GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL)"},
        {shd::test::read_file(shd::test::data_file(
             "samples/airbyte_GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE.header-fixture.tsv")),
         "returns report (GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE)"},
        {"return-date\torder-id\tsku\tasin\tfnsku\tproduct-name\tquantity\tfulfillment-center-id\t"
         "detailed-disposition\treason\tstatus\tlicense-plate-number\tcustomer-comments\n",
         "FBA customer returns report (GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA)"},
        {"settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount\t"
         "currency\ttransaction-type\torder-id\tmerchant-order-id\tadjustment-id\n",
         "settlement report (GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE)"},
        {"item-name\titem-description\tlisting-id\tseller-sku\tprice\tquantity\topen-date\n",
         "listings report (GET_MERCHANT_LISTINGS_ALL_DATA)"},
        {"sku\tfnsku\tasin\tproduct-name\tcondition\tyour-price\tmfn-listing-exists\t"
         "mfn-fulfillable-quantity\tafn-listing-exists\tafn-warehouse-quantity\n",
         "FBA inventory report (GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA)"},
    };
    for (const auto& c : cases) {
        const auto e = error_of(c.header);
        EXPECT_EQ(e.line, 1);
        EXPECT_EQ(
            e.reason.rfind("Amazon's " + c.report + ", which seller-healthd does not read", 0), 0u)
            << e.reason;
    }
}

TEST(ParseVariants, ARepeatedHeaderRowIsRefusedByLine) {
    const std::string archived = shd::test::read_file(shd::test::data_file(
        "samples/airbyte_GET_FLAT_FILE_ARCHIVED_ORDERS_DATA_BY_ORDER_DATE.header-fixture.tsv"));
    EXPECT_EQ(error_of(archived).line, 2);
    const std::string header = archived.substr(0, archived.find('\n') + 1);
    const std::string row =
        "A-1\t\t2025-09-24T00:00:00Z\t\tShipped\tMerchant\tAmazon.com\n";  // padded
    EXPECT_EQ(error_of(header + row + row + header).where_and_why(),
              "line 4: this line repeats the header row (two reports joined into one file?); a "
              "report has its header once, on line 1");
    // A short header must repeat exactly: an order called "order_id" is data.
    collected got;
    auto r = test::parse_text("order_id,latest_ship_date\norder_id,2025-09-24\n", got);
    ASSERT_TRUE(r) << r.error().to_string();
    // Also in our CSVs, also in another case.
    EXPECT_EQ(
        error_of("order_id,latest_ship_date\nO-1,2025-09-24\nORDER_ID,Latest_Ship_Date\n").line, 3);
}

// ---- 6. Refused by name, never taken silently ----

TEST(ParseVariants, CrOnlyLineEndsAreRefused) {
    for (const std::string text : {"order_id,latest_ship_date\rO-1,2025-09-24\rO-2,2025-09-25\r",
                                   "amazon-order-id\tpurchase-date\torder-status\tfulfillment-"
                                   "channel\tsales-channel\rA\t2025-"
                                   "09-24\tShipped\tMerchant\tAmazon.com\r"}) {
        const auto e = error_of(text);
        EXPECT_EQ(e.to_string(),
                  "test-file: line 1: the lines end in CR alone (old Mac OS line ends), which "
                  "this reader does not split; save the file with LF or CR LF line ends");
    }
}

TEST(ParseVariants, DuplicateColumnIsRefused) {
    const auto e = error_of(
        "order_id,latest_ship_date,confirmed_at,Latest_Ship_Date\nO-1,2025-09-24,,2025-09-25\n");
    EXPECT_EQ(e.where_and_why(),
              "line 1, field latest_ship_date: the column appears twice in the header (columns 2 "
              "and 4); a column must be named once");
    // Even when the file has no rows: the header alone is ambiguous.
    EXPECT_EQ(error_of("order-id\torder-id\tpurchase-date\tpromise-date\tsales-channel\n").field,
              "order-id");
}

TEST(ParseVariants, ControlCharactersInAnIdAreRefused) {
    const std::string orders =
        "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsales-channel\n";
    EXPECT_EQ(error_of(orders + "A-\x1b[31m1\t2025-09-24\tShipped\tMerchant\tAmazon.com\n")
                  .where_and_why(),
              "line 2, field amazon-order-id: a control character (\\x1b) in an ID");
    // A C1 control in UTF-8.
    EXPECT_EQ(error_of(orders + "A-\xC2\x9B"
                                "1\t2025-09-24\tShipped\tMerchant\tAmazon.com\n")
                  .where_and_why(),
              "line 2, field amazon-order-id: a control character (\\u009b) in an ID");
    EXPECT_EQ(error_of("message_id,order_id,received_at\nm-1,O\x7f,2025-09-24\n").field,
              "order_id");
    EXPECT_EQ(error_of("order_id,latest_ship_date\nO\x01,2025-09-24\n").field, "order_id");
    EXPECT_EQ(error_of("Date\tRating\tOrder ID\n11/12/25\t1\tO\x02\n").field, "Order ID");
    EXPECT_EQ(error_of("order_id,kind,occurred_at\nO\x03,chargeback,2025-09-24\n").field,
              "order_id");
    EXPECT_EQ(error_of("order-id\tpurchase-date\tpromise-date\tsales-channel\n"
                       "O\x04\t2025-09-24\t2025-09-25\tAmazon.com\n")
                  .field,
              "order-id");
    // Non-ASCII is fine in a UTF-8 file ...
    collected got;
    auto ok =
        test::parse_text(orders + "A-\xC3\xA9\t2025-09-24\tShipped\tMerchant\tAmazon.com\n", got);
    ASSERT_TRUE(ok) << ok.error().to_string();
    // ... but in a file that is not UTF-8 an ID's bytes are not trusted.
    const auto e = error_of(orders + "A-\xE9\t2025-09-24\tShipped\tMerchant\tAmazon.com\n");
    EXPECT_EQ(e.field, "amazon-order-id");
    EXPECT_EQ(e.reason.rfind("not valid UTF-8", 0), 0u) << e.reason;
    // Other columns of such a file are read as Windows-1252 as before.
    collected latin;
    ok = test::parse_text(
        "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsales-channel\tsku\n"
        "A-1\t2025-09-24\tShipped\tMerchant\tAmazon.de\tM\xFC"
        "tze\n",
        latin);
    ASSERT_TRUE(ok) << ok.error().to_string();
    EXPECT_EQ(latin.all<order_item_row>().at(0).sku, "M\xC3\xBCtze");
}

TEST(ParseVariants, AccountHealthFieldsOfTheWrongTypeAreRefusedByPath) {
    struct json_case {
        std::string document;
        std::string field;
        std::string reason;
    };
    const std::vector<json_case> cases = {
        {R"({"performanceMetrics": [{"marketplaceId": "ATVPDKIKX0DER",
             "lateShipmentRate": {"orderCount": "499", "lateShipmentCount": 10}}]})",
         "performanceMetrics[0].lateShipmentRate.orderCount",
         "a string where a whole number is expected"},
        {R"({"performanceMetrics": [{"lateShipmentRate": {"rate": "0.02"}}]})",
         "performanceMetrics[0].lateShipmentRate.rate", "a string where a number is expected"},
        {R"({"performanceMetrics": [{"validTrackingRate": {"status": 3}}]})",
         "performanceMetrics[0].validTrackingRate.status", "a number where a string is expected"},
        {R"({"performanceMetrics": [{"marketplaceId": 5}]})", "performanceMetrics[0].marketplaceId",
         "a number where a string is expected"},
        {R"({"accountStatuses": {"marketplaceId": "ATVPDKIKX0DER"}})", "accountStatuses",
         "an object where an array is expected"},
        {R"({"accountStatuses": [{"marketplaceId": "ATVPDKIKX0DER", "status": true}]})",
         "accountStatuses[0].status", "a boolean where a string is expected"},
        {R"({"performanceMetrics": [{"orderDefectRate": {"mfn": {"orderCount": 1.5}}}]})",
         "performanceMetrics[0].orderDefectRate.mfn.orderCount", "not a whole number (a count)"},
        {R"({"performanceMetrics": [{"orderDefectRate": [{"fulfillmentType": "afn",
             "orderWithDefects": {"count": "2"}}]}]})",
         "performanceMetrics[0].orderDefectRate[0].orderWithDefects.count",
         "a string where a whole number is expected"},
        {R"({"performanceMetrics": [{"lateShipmentRate": {"reportingDateRange":
             {"reportingDateTo": "yesterday"}}}]})",
         "performanceMetrics[0].lateShipmentRate.reportingDateRange.reportingDateTo",
         "not an ISO-8601 timestamp with an offset or Z"},
        {R"({"performanceMetrics": [{"lateShipmentRate": 0.02}]})",
         "performanceMetrics[0].lateShipmentRate", "a number where an object is expected"},
    };
    for (const auto& c : cases) {
        const auto e = error_of(c.document);
        EXPECT_EQ(e.field, c.field) << c.document;
        EXPECT_EQ(e.reason, c.reason) << c.document;
        EXPECT_EQ(e.file, "test-file");
    }
    // null is "not given", and unknown members of any type are skipped.
    collected got;
    auto ok = test::parse_text(
        R"({"performanceMetrics": [{"lateShipmentRate": {"rate": null, "orderCount": 4},
             "somethingNew": "text", "otherNew": 3}]})",
        got);
    ASSERT_TRUE(ok) << ok.error().to_string();
}

// A decimal-comma locale changes nothing a parser reads. Without de_DE the
// test could not fail, so a missing locale is a failure
// (scripts/install-deps.sh generates it).
TEST(ParseVariants, ADecimalCommaLocaleChangesNothing) {
    const char* previous = std::setlocale(LC_ALL, nullptr);
    struct restore {
        std::string name;
        ~restore() { std::setlocale(LC_ALL, name.c_str()); }
    } restore_locale{previous ? previous : "C"};
    ASSERT_NE(std::setlocale(LC_ALL, "de_DE.UTF-8"), nullptr)
        << "the de_DE.UTF-8 locale is missing: run scripts/install-deps.sh";
    ASSERT_STREQ(std::localeconv()->decimal_point, ",");
    collected got;
    auto r = test::parse_text(
        R"({"performanceMetrics": [{"marketplaceId": "A1PA6795UKMFR9",
             "lateShipmentRate": {"rate": 0.025, "targetValue": 4e-2, "orderCount": 1000.0}}]})",
        got);
    ASSERT_TRUE(r) << r.error().to_string();
    const auto& m = std::get<account_health_snapshot>(got.records.at(0)).metrics.at(0);
    EXPECT_EQ(m.rate, std::optional<double>(0.025));
    EXPECT_EQ(m.target, std::optional<double>(0.04));
    EXPECT_EQ(m.denominator, std::optional<long long>(1000));
    collected orders;
    r = test::parse_text(
        "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsales-channel\t"
        "quantity\n"
        "A-1\t2025-09-24T08:32:50-03:30\tShipped\tMerchant\tAmazon.de\t1.000\n",
        orders);
    ASSERT_FALSE(r);  // "1.000" is no whole number, in any locale
    EXPECT_EQ(r.error().field, "quantity");
}

// ---- 7. Errors describe, never quote ----

TEST(ParseVariants, ErrorsNeverQuoteTheFilesContent) {
    const std::string marker = "Zq9Secret";
    const std::string orders =
        "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsales-channel\t"
        "quantity\tis-buyer-requested-cancellation\n";
    const std::vector<std::string> files = {
        orders + "A\t" + marker + "\tShipped\tMerchant\tAmazon.com\t1\tfalse\n",
        orders + "A\t2025-09-24T10:00:00" + marker + "\tShipped\tMerchant\tAmazon.com\t1\tfalse\n",
        orders + "A\t2025-09-24\t" + marker + "\tMerchant\tAmazon.com\t1\tfalse\n",
        orders + "A\t2025-09-24\tShipped\t" + marker + "\tAmazon.com\t1\tfalse\n",
        orders + "A\t2025-09-24\tShipped\tMerchant\t" + marker + "\t1\tfalse\n",
        orders + "A\t2025-09-24\tShipped\tMerchant\tAmazon.com\t" + marker + "\tfalse\n",
        orders + "A\t2025-09-24\tShipped\tMerchant\tAmazon.com\t-9" + marker + "\tfalse\n",
        orders + "A\t2025-09-24\tShipped\tMerchant\tAmazon.com\t1\t" + marker + "\n",
        "Date\tRating\tOrder ID\n" + marker + "\t1\tO-1\n",
        "Date\tRating\tOrder ID\n11/12/25\t" + marker + "\tO-1\n",
        "order_id,kind,occurred_at\nO-1," + marker + ",2025-09-24\n",
        "order_id,kind,occurred_at,status\nO-1,chargeback,2025-09-24," + marker + "\n",
        "message_id,marketplace_id,received_at\nm," + marker + ",2025-09-24\n",
        "order_id,latest_ship_date,tracking_valid\nO-1,2025-09-24," + marker + "\n",
        "name," + marker + "\n1,2\n",
        "{\"performanceMetrics\": [tru" + marker + "]}",
        "{\"performanceMetrics\": [{\"lateShipmentRate\": {\"rate\": \"" + marker + "\"}}]}",
        "{\"performanceMetrics\": [{\"" + marker + "\": {\"rate\": \"x\"}}]}",
    };
    for (const auto& text : files) {
        const auto e = error_of(text);
        EXPECT_EQ(e.to_string().find(marker), std::string::npos) << e.to_string();
        EXPECT_EQ(e.to_string().find("Zq9"), std::string::npos) << e.to_string();
    }
}

TEST(ParseVariants, ControlCharactersInAnErrorAreEscaped) {
    import_error e{"in\x1b[2Jbox/x\x07.csv", 3, "col\tumn", "bad \x01 thing \xC2\x85"};
    EXPECT_EQ(e.to_string(),
              "in\\x1b[2Jbox/x\\x07.csv: line 3, field col\\x09umn: bad \\x01 "
              "thing \\xc2\\x85");
}

}  // namespace
}  // namespace shd::ingest
