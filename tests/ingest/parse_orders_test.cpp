// The All Orders and Unshipped reports, from real samples and the worked example.
#include <gtest/gtest.h>

#include "parse_test_support.hpp"
#include "support/test_support.hpp"

namespace shd::ingest {
namespace {

using test::at;
using test::collected;

const char* kUnshippedSample =
    "samples/littlesnaf_unshipped-orders_GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING.txt";

TEST(ParseAllOrders, WorkedExample) {
    collected got;
    auto r = test::parse_path(shd::test::data_file("worked-example/rnd9024-orders-1.txt"), got);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->format, file_format::all_orders);
    EXPECT_EQ(r->rows, 766);
    const auto rows = got.all<order_item_row>();
    ASSERT_EQ(rows.size(), 766u);
    EXPECT_EQ(got.lines.front(), 2);
    EXPECT_EQ(got.lines.back(), 767);

    const auto& first = rows.front();
    EXPECT_EQ(first.order_id, "111-1838544-2232306");
    EXPECT_EQ(first.marketplace_id, "A1VC38T7YXB528");
    EXPECT_EQ(first.sales_channel, "Amazon.co.jp");
    EXPECT_EQ(first.fulfillment_channel, "AFN");
    EXPECT_EQ(first.purchased_at, at("2025-08-17T17:39:52Z"));
    EXPECT_EQ(first.last_updated_at, at("2025-08-17T20:39:52Z"));
    EXPECT_EQ(first.order_status, "Shipped");
    EXPECT_FALSE(first.is_cancelled);
    EXPECT_FALSE(first.buyer_requested_cancel);
    EXPECT_EQ(first.sku, "U2-45C9-ZCR3");
    EXPECT_EQ(first.asin, "B08105PQYD");
    EXPECT_EQ(first.item_key, "U2-45C9-ZCR3|B08105PQYD");  // no order-item-id column
    EXPECT_EQ(first.quantity, 1);
    EXPECT_EQ(first.item_status, "Shipped");
    EXPECT_FALSE(first.item_cancelled);

    // Line 77: the Orders API spelling "Canceled", requested by the buyer, quantity 0.
    const auto& canceled = rows[77 - 2];
    EXPECT_EQ(canceled.order_id, "113-0578442-1591529");
    EXPECT_EQ(canceled.order_status, "Cancelled");
    EXPECT_TRUE(canceled.is_cancelled);
    EXPECT_TRUE(canceled.buyer_requested_cancel);
    EXPECT_EQ(canceled.quantity, 0);
    EXPECT_EQ(canceled.item_status, "");
    EXPECT_FALSE(canceled.item_cancelled);

    // Line 560: a Non-Amazon order is kept, with no marketplace.
    const auto& other = rows[560 - 2];
    EXPECT_EQ(other.order_id, "S01-3162066-5310356");
    EXPECT_EQ(other.sales_channel, "Non-Amazon");
    EXPECT_FALSE(other.marketplace_id.has_value());
    EXPECT_EQ(other.fulfillment_channel, "MFN");

    int cancelled = 0, mfn = 0, non_amazon = 0, us = 0;
    for (const auto& row : rows) {
        cancelled += row.is_cancelled;
        mfn += row.fulfillment_channel == "MFN";
        non_amazon += !row.marketplace_id;
        us += row.marketplace_id == "ATVPDKIKX0DER";
    }
    EXPECT_EQ(cancelled, 10);
    EXPECT_EQ(mfn, 570);
    EXPECT_EQ(non_amazon, 3);
    EXPECT_EQ(us, 104);
}

TEST(ParseAllOrders, ArchivedVariantHeaderIsRecognised) {
    const std::string fixture = shd::test::read_file(shd::test::data_file(
        "samples/airbyte_GET_FLAT_FILE_ARCHIVED_ORDERS_DATA_BY_ORDER_DATE.header-fixture.tsv"));
    // The header alone: a valid, empty All Orders export.
    const std::string header = fixture.substr(0, fixture.find('\n') + 1);
    collected got;
    auto r = test::parse_text(header, got);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->format, file_format::all_orders);
    EXPECT_EQ(r->rows, 0);
    // The fixture repeats the header as rows: line 2 is no order.
    collected got2;
    auto bad = test::parse_text(fixture, got2);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().to_string(),
              "test-file: line 2: this line repeats the header row (two reports joined into one "
              "file?); a report has its header once, on line 1");
}

std::string all_orders_with(const std::string& rows) {
    return "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsales-channel\t"
           "order-item-id\tsku\tasin\titem-status\tquantity\tis-buyer-requested-cancellation\n" +
           rows;
}

TEST(ParseAllOrders, ColumnsInAnyOrderAndValueRules) {
    const std::string text =
        "  SALES-CHANNEL \tquantity\tunknown-column\tamazon-order-id\torder-status\t"
        "fulfillment-channel\tpurchase-date\titem-status\torder-item-id\n"
        "amazon.de\t2\tignored\tA-1\tPartiallyShipped\tMerchant\t2025-09-24T05:02:50-07:00\t"
        "Canceled\t555\n"
        "Amazon.co.uk\t\t\tA-2\tPending\tAFN\t2025-09-24\t\t\n";
    collected got;
    auto r = test::parse_text(text, got);
    ASSERT_TRUE(r) << r.error().to_string();
    const auto rows = got.all<order_item_row>();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].marketplace_id, "A1PA6795UKMFR9");
    EXPECT_EQ(rows[0].quantity, 2);
    EXPECT_EQ(rows[0].order_status, "PartiallyShipped");
    EXPECT_EQ(rows[0].purchased_at, at("2025-09-24T12:02:50Z"));
    EXPECT_EQ(rows[0].item_key, "555");
    EXPECT_TRUE(rows[0].item_cancelled);
    EXPECT_EQ(rows[0].item_status, "Cancelled");
    EXPECT_FALSE(rows[0].is_cancelled);
    EXPECT_FALSE(rows[0].last_updated_at.has_value());
    EXPECT_EQ(rows[1].marketplace_id, "A1F83G8C2ARO7P");
    EXPECT_EQ(rows[1].fulfillment_channel, "AFN");
    EXPECT_FALSE(rows[1].quantity.has_value());
    EXPECT_EQ(rows[1].purchased_at, at("2025-09-24T00:00:00Z"));
    EXPECT_EQ(rows[1].item_key, "|");  // neither an item id nor sku/asin columns
}

struct bad_row_case {
    std::string row;
    std::string error;
};

TEST(ParseAllOrders, BadValuesNameTheLineAndField) {
    const std::vector<bad_row_case> cases = {
        {"A\t2025-13-01\tShipped\tMerchant\tAmazon.com\t1\ts\ta\t\t1\tfalse\n",
         "line 3, field purchase-date: not an ISO-8601 timestamp with an offset or Z"},
        {"A\t2025-09-24T05:02:50\tShipped\tMerchant\tAmazon.com\t1\ts\ta\t\t1\tfalse\n",
         "line 3, field purchase-date: not an ISO-8601 timestamp with an offset or Z: a date and "
         "time without an offset (the time zone would be a guess)"},
        {"A\t2025-09-24\tLost\tMerchant\tAmazon.com\t1\ts\ta\t\t1\tfalse\n",
         "line 3, field order-status: unknown order-status (expected Pending, Unshipped, "
         "PartiallyShipped, Shipping, Shipped or Cancelled)"},
        {"A\t2025-09-24\tShipped\tSeller\tAmazon.com\t1\ts\ta\t\t1\tfalse\n",
         "line 3, field fulfillment-channel: unknown fulfillment-channel (expected Merchant or "
         "Amazon)"},
        {"A\t2025-09-24\tShipped\tMerchant\tAmazon.moon\t1\ts\ta\t\t1\tfalse\n",
         "line 3, field sales-channel: unknown sales channel: neither a marketplace of Amazon's "
         "marketplace table (by name, such as Amazon.de, or by ID) nor Non-Amazon"},
        {"A\t2025-09-24\tShipped\tMerchant\tAmazon.com\t1\ts\ta\t\t-1\tfalse\n",
         "line 3, field quantity: a negative number (expected 0 or more)"},
        {"A\t2025-09-24\tShipped\tMerchant\tAmazon.com\t1\ts\ta\t\tmany\tfalse\n",
         "line 3, field quantity: not a whole number"},
        {"A\t2025-09-24\tShipped\tMerchant\tAmazon.com\t1\ts\ta\t\t1\tyes\n",
         "line 3, field is-buyer-requested-cancellation: not true or false"},
        {"\t2025-09-24\tShipped\tMerchant\tAmazon.com\t1\ts\ta\t\t1\tfalse\n",
         "line 3, field amazon-order-id: required field is empty"},
        {"A\t\tShipped\tMerchant\tAmazon.com\t1\ts\ta\t\t1\tfalse\n",
         "line 3, field purchase-date: required field is empty"},
    };
    const std::string good = "G\t2025-09-24\tShipped\tMerchant\tAmazon.com\t1\ts\ta\t\t1\tfalse\n";
    for (const auto& c : cases) {
        collected got;
        auto r = test::parse_text(all_orders_with(good + c.row), got);
        ASSERT_FALSE(r) << c.row;
        EXPECT_EQ(r.error().where_and_why(), c.error);
        EXPECT_EQ(r.error().file, "test-file");
        EXPECT_EQ(r.error().line, 3);
    }
}

TEST(ParseAllOrders, BooleansAndStatusesAreCaseInsensitive) {
    collected got;
    auto r = test::parse_text(
        all_orders_with(
            "A\t2025-09-24\tcanceled\tmerchant\tAMAZON.COM\t1\ts\ta\tCANCELLED\t1\tTRUE\n"
            "B\t2025-09-24\tShipped\tMFN\tnon-amazon\t\ts\ta\tShipped\t1\t\n"),
        got);
    ASSERT_TRUE(r) << r.error().to_string();
    const auto rows = got.all<order_item_row>();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].order_status, "Cancelled");
    EXPECT_TRUE(rows[0].is_cancelled);
    EXPECT_TRUE(rows[0].item_cancelled);
    EXPECT_TRUE(rows[0].buyer_requested_cancel);
    EXPECT_EQ(rows[0].marketplace_id, "ATVPDKIKX0DER");
    EXPECT_FALSE(rows[1].buyer_requested_cancel);  // empty is false
    EXPECT_FALSE(rows[1].marketplace_id.has_value());
    EXPECT_EQ(rows[1].item_key, "s|a");  // order-item-id empty: sku|asin
}

TEST(ParseAllOrders, DuplicateRowsAreBothEmitted) {
    const std::string row = "A\t2025-09-24\tShipped\tMerchant\tAmazon.com\t1\ts\ta\t\t1\tfalse\n";
    collected got;
    auto r = test::parse_text(all_orders_with(row + row), got);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->rows, 2);
    ASSERT_EQ(got.lines, (std::vector<long>{2, 3}));
    const auto rows = got.all<order_item_row>();
    EXPECT_EQ(rows[0].order_id, rows[1].order_id);
    EXPECT_EQ(rows[0].item_key, rows[1].item_key);
}

TEST(ParseUnshipped, LittlesnafSampleWithShortRows) {
    collected got;
    auto r = test::parse_path(shd::test::data_file(kUnshippedSample), got);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->format, file_format::unshipped);
    EXPECT_EQ(r->rows, 4);
    const auto rows = got.all<unshipped_row>();
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0].order_id, "111-0687106-4490606");  // a 39-field row, padded
    EXPECT_EQ(rows[1].order_id, "111-0687106-4490606");  // the same order, second item
    EXPECT_EQ(rows[0].purchased_at, at("2025-09-24T12:02:50Z"));
    EXPECT_EQ(rows[0].promise_at, at("2025-09-26T06:59:59Z"));
    EXPECT_EQ(rows[0].sales_channel, "Amazon.com");
    EXPECT_EQ(rows[0].marketplace_id, "ATVPDKIKX0DER");
    EXPECT_FALSE(rows[0].buyer_requested_cancel);
    EXPECT_EQ(rows[3].order_id, "333-3333333-3333333");
    EXPECT_EQ(rows[3].purchased_at, at("2025-09-26T15:00:53Z"));
    EXPECT_EQ(rows[3].promise_at, at("2025-09-28T06:59:59Z"));
    EXPECT_EQ(got.lines, (std::vector<long>{2, 3, 4, 5}));
}

TEST(ParseUnshipped, WorkedExample) {
    collected got;
    auto r = test::parse_path(shd::test::data_file("worked-example/rnd9024-unshipped.txt"), got);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->format, file_format::unshipped);
    const auto rows = got.all<unshipped_row>();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[1].order_id, "503-7987857-0434632");
    EXPECT_EQ(rows[1].purchased_at, at("2025-08-18T08:01:06Z"));
    EXPECT_EQ(rows[1].promise_at, at("2025-08-21T06:59:59Z"));
}

TEST(ParseUnshipped, GzippedSampleReadsTheSame) {
    for (const char* name :
         {"gzip/unshipped-sample.txt.gz", "gzip/unshipped-sample-gzipped-no-extension.txt"}) {
        collected plain, gz;
        ASSERT_TRUE(test::parse_path(shd::test::data_file(kUnshippedSample), plain));
        auto r = test::parse_path(shd::test::data_file(name), gz);
        ASSERT_TRUE(r) << r.error().to_string();
        EXPECT_EQ(r->format, file_format::unshipped);
        const auto a = plain.all<unshipped_row>();
        const auto b = gz.all<unshipped_row>();
        ASSERT_EQ(b.size(), 4u);
        for (std::size_t i = 0; i < a.size(); ++i) {
            EXPECT_EQ(a[i].order_id, b[i].order_id);
            EXPECT_EQ(a[i].promise_at, b[i].promise_at);
        }
    }
}

TEST(ParseUnshipped, CorruptGzipFileIsAnError) {
    collected got;
    auto r = test::parse_path(shd::test::data_file("gzip/corrupt.txt.gz"), got);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().line, 0);
    EXPECT_EQ(r.error().reason.rfind("corrupt gzip data", 0), 0u) << r.error().reason;
    EXPECT_TRUE(got.records.empty());
}

}  // namespace
}  // namespace shd::ingest
