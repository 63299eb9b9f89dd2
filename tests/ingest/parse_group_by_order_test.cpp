// parse_context::group_by_order: the All Orders rows come in runs of up to
// kOrderRunRows lines, each sorted by order ID, and are otherwise exactly the
// rows of a parse in file order: every line once, with the same fields, and
// the rows of one order in file order (so a later row still wins).
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "ingest/parse_test_support.hpp"

namespace shd::ingest::test {
namespace {

// Enough rows for three runs; random-looking IDs; every 7th order with a
// second item 3,000 lines further down; every 11th order again near the end
// with another status; some rows without last-updated-date, quantity or an
// Amazon marketplace.
std::string scattered_orders() {
    std::string text =
        "amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\t"
        "sales-channel\tsku\tasin\tquantity\titem-status\tis-buyer-requested-cancellation\n";
    std::map<long, std::string> later;  // line index -> row
    auto id = [](long n) {
        const long long s = (n * 7919LL * 104729LL + 12345) % 100000000000000LL;
        return "1" + std::to_string(10 + n % 90) + "-" + std::to_string(1000000 + s % 9000000) +
               "-" + std::to_string(1000000 + (s / 9000000) % 9000000);
    };
    auto row = [&](long n, const std::string& status, const std::string& sku) {
        return id(n) + "\t2025-0" + std::to_string(1 + n % 9) + "-1" + std::to_string(n % 10) +
               "T10:00:00Z\t" +
               (n % 5 == 0 ? "" : "2025-10-01T00:00:0" + std::to_string(n % 10) + "Z") + "\t" +
               status + "\t" + (n % 2 ? "Merchant" : "Amazon") + "\t" +
               (n % 13 == 0 ? "Non-Amazon" : "Amazon.com") + "\t" + sku + "\tB0" +
               std::to_string(10000000 + n) + "\t" + (n % 3 == 0 ? "" : "2") + "\t" +
               (status == "Cancelled" ? "Cancelled" : "Shipped") + "\t" +
               (n % 17 == 0 ? "true" : "false") + "\n";
    };
    long line = 0;
    for (long n = 0; n < 36000; ++n) {
        text += row(n, n % 20 == 0 ? "Cancelled" : "Shipped", "SKU-A");
        ++line;
        if (n % 7 == 0)
            later[line + 3000] = row(n, "Shipped", "SKU-B");
        while (!later.empty() && later.begin()->first <= line) {
            text += later.begin()->second;
            later.erase(later.begin());
            ++line;
        }
    }
    for (const auto& [at, r] : later)
        text += r;
    for (long n = 0; n < 36000; n += 11)
        text += row(n, "Cancelled", "SKU-A");
    return text;
}

bool same_row(const order_item_row& a, const order_item_row& b) {
    return a.order_id == b.order_id && a.marketplace_id == b.marketplace_id &&
           a.sales_channel == b.sales_channel && a.fulfillment_channel == b.fulfillment_channel &&
           a.purchased_at == b.purchased_at && a.order_status == b.order_status &&
           a.is_cancelled == b.is_cancelled && a.last_updated_at == b.last_updated_at &&
           a.buyer_requested_cancel == b.buyer_requested_cancel && a.item_key == b.item_key &&
           a.sku == b.sku && a.asin == b.asin && a.quantity == b.quantity &&
           a.item_status == b.item_status && a.item_cancelled == b.item_cancelled;
}

TEST(ParseGroupByOrder, SameRowsSortedInRunsWithEachOrdersRowsInFileOrder) {
    const std::string text = scattered_orders();
    collected plain, grouped;
    auto ctx = make_context();
    ASSERT_TRUE(parse_text(text, plain, ctx));
    ctx.group_by_order = true;
    auto parsed = parse_text(text, grouped, ctx);
    ASSERT_TRUE(parsed);

    const auto a = plain.all<order_item_row>();
    const auto b = grouped.all<order_item_row>();
    ASSERT_EQ(a.size(), b.size());
    ASSERT_GT(a.size(), 2 * kOrderRunRows);
    EXPECT_EQ(parsed->rows, static_cast<long>(a.size()));

    // Every line once, with the same fields as in file order.
    std::map<long, const order_item_row*> by_line;
    for (std::size_t i = 0; i < a.size(); ++i)
        by_line[plain.lines[i]] = &a[i];
    std::map<long, int> seen;
    for (std::size_t i = 0; i < b.size(); ++i) {
        const long line = grouped.lines[i];
        ASSERT_TRUE(by_line.contains(line)) << line;
        EXPECT_TRUE(same_row(*by_line.at(line), b[i])) << "line " << line;
        EXPECT_EQ(++seen[line], 1) << "line " << line;
    }
    EXPECT_EQ(seen.size(), by_line.size());

    // Sorted within each run; an order's rows keep their file order.
    std::map<std::string, long> last_line;
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (i % kOrderRunRows != 0) {
            EXPECT_LE(b[i - 1].order_id, b[i].order_id) << "row " << i;
        }
        auto [it, first] = last_line.emplace(b[i].order_id, grouped.lines[i]);
        if (!first) {
            EXPECT_LT(it->second, grouped.lines[i]) << b[i].order_id;
            it->second = grouped.lines[i];
        }
    }
    // The plain parse is in file order and not sorted (the test would prove
    // nothing on a file that is).
    bool plain_sorted = true;
    for (std::size_t i = 1; i < a.size() && plain_sorted; ++i)
        plain_sorted = a[i - 1].order_id <= a[i].order_id;
    EXPECT_FALSE(plain_sorted);
}

TEST(ParseGroupByOrder, AnErrorAfterARunIsStillTheFilesError) {
    std::string text = scattered_orders();
    text +=
        "999-0000000-0000001\tnot a "
        "date\t\tShipped\tMerchant\tAmazon.com\tS\tA\t1\tShipped\tfalse\n";
    collected grouped;
    auto ctx = make_context();
    ctx.group_by_order = true;
    auto parsed = parse_text(text, grouped, ctx);
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().field, "purchase-date");
}

}  // namespace
}  // namespace shd::ingest::test
