// order_defect_rate: window edges with its 14-day lag, channels, one count per
// order, the importer's `counts` decision, and "as of T" for defects.
#include "metrics_fixture.hpp"

namespace shd::metrics::test {
namespace {

using std::chrono::seconds;
constexpr auto odr = metric_key::order_defect_rate;

TEST(OrderDefectRate, WindowEdgesAndLag) {
    metrics_db db;
    // Window (T - 74d, T - 14d].
    db.order("start-excluded", kUS, "MFN", T() - days(74));
    db.order("start-included", kUS, "MFN", T() - days(74) + seconds(1));
    db.order("end-included", kUS, "MFN", T() - days(14));
    db.order("in-lag", kUS, "MFN", T() - days(14) + seconds(1));
    db.order("at-T", kUS, "MFN", T());
    for (const char* id : {"start-excluded", "start-included", "end-included", "in-lag", "at-T"}) {
        db.defect(id, "a_to_z_claim", T() - days(1), "open", std::nullopt, true);
    }
    const auto e = db.evaluate(T());
    const auto& r = row(e, odr, kUS, "MFN", 60);
    EXPECT_EQ(r.denominator, 2);
    EXPECT_EQ(r.numerator, 2);
    EXPECT_EQ(r.lag_days, 14);
    EXPECT_EQ(format_iso8601(r.window.start), "2025-12-17T00:00:00Z");
    EXPECT_EQ(format_iso8601(r.window.end), "2026-02-15T00:00:00Z");
}

TEST(OrderDefectRate, ChannelsAreSeparateRows) {
    metrics_db db;
    db.order("m1", kUS, "MFN", T() - days(20));
    db.order("m2", kUS, "MFN", T() - days(20));
    db.order("a1", kUS, "AFN", T() - days(20));
    db.defect("a1", "chargeback", T() - days(2), "open", std::nullopt, true);
    const auto e = db.evaluate(T());
    EXPECT_EQ(counts(e, odr, kUS, "MFN", 60), counts_pair(0, 2));
    EXPECT_EQ(counts(e, odr, kUS, "AFN", 60), counts_pair(1, 1));
    EXPECT_EQ(row(e, odr, kUS, "AFN", 60).components, (odr_components{0, 0, 1}));
}

TEST(OrderDefectRate, AnyStatusCountsInDenominator) {
    metrics_db db;
    db.order("shipped", kUS, "MFN", T() - days(20));
    db.order("cancelled", kUS, "MFN", T() - days(20), {.cancelled = true});
    EXPECT_EQ(counts(db.evaluate(T()), odr, kUS, "MFN", 60), counts_pair(0, 2));
}

TEST(OrderDefectRate, MultiItemOrderCountsOnce) {
    metrics_db db;
    db.order("o1", kUS, "MFN", T() - days(20));
    db.item("o1", "item-1", "Shipped");
    db.item("o1", "item-2", "Shipped");
    db.item("o1", "item-3", "Shipped");
    db.defect("o1", "negative_feedback", T() - days(3), "active", 1, true);
    EXPECT_EQ(counts(db.evaluate(T()), odr, kUS, "MFN", 60), counts_pair(1, 1));
}

TEST(OrderDefectRate, OrderWithTwoDefectsCountsOnceButInBothComponents) {
    metrics_db db;
    db.order("o1", kUS, "MFN", T() - days(20));
    db.order("o2", kUS, "MFN", T() - days(20));
    db.defect("o1", "negative_feedback", T() - days(3), "active", 2, true);
    db.defect("o1", "a_to_z_claim", T() - days(2), "granted", std::nullopt, true);
    const auto e = db.evaluate(T());
    const auto& r = row(e, odr, kUS, "MFN", 60);
    EXPECT_EQ(r.numerator, 1);
    EXPECT_EQ(r.denominator, 2);
    EXPECT_EQ(r.components, (odr_components{1, 1, 0}));
}

TEST(OrderDefectRate, OnlyCountingDefectsCount) {
    // The importer sets `counts` by the spec's rule; these are the rows it
    // writes for defects that are no defect.
    metrics_db db;
    const auto day = T() - days(30);
    db.order("removed-feedback", kUS, "MFN", day);
    db.defect("removed-feedback", "negative_feedback", T() - days(5), "removed", 1, false);
    db.order("three-stars", kUS, "MFN", day);
    db.defect("three-stars", "negative_feedback", T() - days(5), "active", 3, false);
    db.order("denied-claim", kUS, "MFN", day);
    db.defect("denied-claim", "a_to_z_claim", T() - days(5), "denied", std::nullopt, false);
    db.order("protected-claim", kUS, "MFN", day);
    db.defect("protected-claim", "a_to_z_claim", T() - days(5), "protected", std::nullopt, false);
    db.order("withdrawn-claim", kUS, "MFN", day);
    db.defect("withdrawn-claim", "a_to_z_claim", T() - days(5), "withdrawn", std::nullopt, false);
    db.order("reversed-chargeback", kUS, "MFN", day);
    db.defect("reversed-chargeback", "chargeback", T() - days(5), "reversed", std::nullopt, false);
    db.order("lost-chargeback", kUS, "MFN", day);
    db.defect("lost-chargeback", "chargeback", T() - days(5), "lost", std::nullopt, true);
    const auto e = db.evaluate(T());
    const auto& r = row(e, odr, kUS, "MFN", 60);
    EXPECT_EQ(r.numerator, 1);
    EXPECT_EQ(r.denominator, 7);
    EXPECT_EQ(r.components, (odr_components{0, 0, 1}));
}

TEST(OrderDefectRate, DefectAfterTHasNotHappened) {
    metrics_db db;
    db.order("o1", kUS, "MFN", T() - days(20));
    db.defect("o1", "negative_feedback", T() + seconds(1), "active", 1, true);
    db.order("o2", kUS, "MFN", T() - days(20));
    db.defect("o2", "negative_feedback", T(), "active", 1, true);  // at T: known
    const auto e = db.evaluate(T());
    EXPECT_EQ(counts(e, odr, kUS, "MFN", 60), counts_pair(1, 2));
    EXPECT_EQ(row(e, odr, kUS, "MFN", 60).components, (odr_components{1, 0, 0}));
}

TEST(OrderDefectRate, DefectCountsWhateverTheOrderDate) {
    // The defect occurred after the window closed (but before T): it still
    // counts for its order, which is in the window by its purchase date.
    metrics_db db;
    db.order("o1", kUS, "MFN", T() - days(70));
    db.defect("o1", "a_to_z_claim", T() - days(1), "open", std::nullopt, true);
    EXPECT_EQ(counts(db.evaluate(T()), odr, kUS, "MFN", 60), counts_pair(1, 1));
}

TEST(OrderDefectRate, OrderPurchasedAfterTDoesNotExist) {
    metrics_db db;
    db.order("o1", kUS, "MFN", T() - days(20));
    db.order("future", kUS, "MFN", T() + seconds(1));
    db.defect("future", "a_to_z_claim", T() - days(1), "open", std::nullopt, true);
    // With the window ending at T (lag 0), the later order is still absent.
    auto cfg = config::default_config();
    cfg.metrics[odr].lag_days = 0;
    EXPECT_EQ(counts(db.evaluate(cfg, T()), odr, kUS, "MFN", 60), counts_pair(0, 1));
}

TEST(OrderDefectRate, DefectWithoutImportedOrderWaitsForTheOrder) {
    metrics_db db;
    db.order("other", kUS, "MFN", T() - days(20));
    db.defect("late-order", "a_to_z_claim", T() - days(1), "open", std::nullopt, true);
    EXPECT_EQ(counts(db.evaluate(T()), odr, kUS, "MFN", 60), counts_pair(0, 1));
    db.order("late-order", kUS, "MFN", T() - days(20));
    EXPECT_EQ(counts(db.evaluate(T()), odr, kUS, "MFN", 60), counts_pair(1, 2));
}

TEST(OrderDefectRate, NonAmazonOrdersNeverCount) {
    metrics_db db;
    db.order("amazon", kUS, "MFN", T() - days(20));
    db.order("web-shop", std::nullopt, "MFN", T() - days(20));
    db.defect("web-shop", "chargeback", T() - days(2), "open", std::nullopt, true);
    const auto e = db.evaluate(T());
    EXPECT_EQ(counts(e, odr, kUS, "MFN", 60), counts_pair(0, 1));
    for (const auto& r : e.metrics)
        EXPECT_EQ(r.marketplace_id, kUS);
}

TEST(OrderDefectRate, SeveralWindowsFromConfig) {
    metrics_db db;
    db.order("recent", kUS, "MFN", T() - days(20));
    db.order("old", kUS, "MFN", T() - days(60));
    db.defect("old", "chargeback", T() - days(2), "open", std::nullopt, true);
    auto cfg = config::default_config();
    cfg.metrics[odr].windows = {30, 60};
    const auto e = db.evaluate(cfg, T());
    EXPECT_EQ(counts(e, odr, kUS, "MFN", 30), counts_pair(0, 1));  // (T-44d, T-14d]
    EXPECT_EQ(counts(e, odr, kUS, "MFN", 60), counts_pair(1, 2));
}

}  // namespace
}  // namespace shd::metrics::test
