// cancellation_rate: MFN orders by purchase date; cancelled (order or item)
// unless requested by the buyer in either report.
#include "metrics_fixture.hpp"

namespace shd::metrics::test {
namespace {

using std::chrono::seconds;
constexpr auto cr = metric_key::cancellation_rate;

TEST(CancellationRate, CountsSellerCancellations) {
    metrics_db db;
    db.order("shipped", kUS, "MFN", T() - days(2));
    db.order("cancelled", kUS, "MFN", T() - days(2), {.cancelled = true});
    db.order("item-cancelled", kUS, "MFN", T() - days(2), {.item_cancelled = true});
    db.item("item-cancelled", "i1", "Shipped");
    db.item("item-cancelled", "i2", "Cancelled");
    db.order("buyer-asked", kUS, "MFN", T() - days(2),
             {.cancelled = true, .buyer_requested = true});
    db.order("buyer-asked-unshipped", kUS, "MFN", T() - days(2), {.cancelled = true});
    db.unshipped("buyer-asked-unshipped", T() + days(1), /*buyer_requested=*/true);
    db.order("unshipped-not-buyer", kUS, "MFN", T() - days(2), {.cancelled = true});
    db.unshipped("unshipped-not-buyer", T() + days(1), false);
    // 6 orders, cancelled by the seller: cancelled, item-cancelled, unshipped-not-buyer.
    EXPECT_EQ(counts(db.evaluate(T()), cr, kUS, "MFN", 7), counts_pair(3, 6));
}

TEST(CancellationRate, AfnAndNonAmazonLeftOut) {
    metrics_db db;
    db.order("afn", kUS, "AFN", T() - days(2), {.cancelled = true});
    db.order("web", std::nullopt, "MFN", T() - days(2), {.cancelled = true});
    db.order("mfn", kUS, "MFN", T() - days(2));
    EXPECT_EQ(counts(db.evaluate(T()), cr, kUS, "MFN", 7), counts_pair(0, 1));
}

TEST(CancellationRate, WindowEdgesAndOrdersAfterT) {
    metrics_db db;
    db.order("start-excluded", kUS, "MFN", T() - days(7), {.cancelled = true});
    db.order("start-included", kUS, "MFN", T() - days(7) + seconds(1), {.cancelled = true});
    db.order("at-T", kUS, "MFN", T());
    db.order("after-T", kUS, "MFN", T() + seconds(1), {.cancelled = true});
    const auto evaluated = db.evaluate(T());
    const auto& r = row(evaluated, cr, kUS, "MFN", 7);
    EXPECT_EQ(r.numerator, 1);
    EXPECT_EQ(r.denominator, 2);
    EXPECT_EQ(r.status, metric_status::breached);
    EXPECT_EQ(format_iso8601(r.window.start), "2026-02-22T00:00:00Z");
    EXPECT_EQ(format_iso8601(r.window.end), "2026-03-01T00:00:00Z");
}

TEST(CancellationRate, StatusExactlyAtWarnAndAtTarget) {
    // warn 0.02 = 1/50, target 0.025 = 1/40.
    {
        metrics_db db;
        db.order("c", kUS, "MFN", T() - days(1), {.cancelled = true});
        for (int i = 0; i < 49; ++i)
            db.order("o" + std::to_string(i), kUS, "MFN", T() - days(1));
        const auto evaluated = db.evaluate(T());
        const auto& r = row(evaluated, cr, kUS, "MFN", 7);
        EXPECT_EQ(r.rate, 0.02);
        EXPECT_EQ(r.status, metric_status::at_risk);
        EXPECT_EQ(r.headroom, 0);  // 2/50 = 0.04 >= 0.025
        EXPECT_TRUE(r.low_volume);
    }
    {
        metrics_db db;
        db.order("c", kUS, "MFN", T() - days(1), {.cancelled = true});
        for (int i = 0; i < 39; ++i)
            db.order("o" + std::to_string(i), kUS, "MFN", T() - days(1));
        const auto evaluated = db.evaluate(T());
        const auto& r = row(evaluated, cr, kUS, "MFN", 7);
        EXPECT_EQ(r.rate, 0.025);
        EXPECT_EQ(r.status, metric_status::breached);
        EXPECT_EQ(r.headroom, 0);
    }
}

}  // namespace
}  // namespace shd::metrics::test
