// late_dispatch_rate: which orders are counted, which are late, shipments vs
// the Unshipped report's promise date, and "as of T" for confirmations.
#include "metrics_fixture.hpp"

namespace shd::metrics::test {
namespace {

using std::chrono::seconds;
constexpr auto ldr = metric_key::late_dispatch_rate;

TEST(LateDispatchRate, OnTimeAndLateShipments) {
    metrics_db db;
    db.order("on-time", kUS, "MFN", T() - days(5));
    db.shipment("on-time", T() - days(3), T() - days(4));
    db.order("exactly-at-ship-by", kUS, "MFN", T() - days(5));
    db.shipment("exactly-at-ship-by", T() - days(3), T() - days(3));
    db.order("one-second-late", kUS, "MFN", T() - days(5));
    db.shipment("one-second-late", T() - days(3), T() - days(3) + seconds(1));
    const auto e = db.evaluate(T());
    EXPECT_EQ(counts(e, ldr, kUS, "MFN", 10), counts_pair(1, 3));
    EXPECT_EQ(counts(e, ldr, kUS, "MFN", 30), counts_pair(1, 3));
}

TEST(LateDispatchRate, WindowEdgesByLatestShipDate) {
    metrics_db db;
    db.order("o-excluded", kUS, "MFN", T() - days(12));
    db.shipment("o-excluded", T() - days(10), T() - days(11));
    db.order("o-included", kUS, "MFN", T() - days(12));
    db.shipment("o-included", T() - days(10) + seconds(1), T() - days(11));
    db.order("o-at-T", kUS, "MFN", T() - days(2));
    db.shipment("o-at-T", T(), T() - days(1));  // confirmed: counted even at T
    const auto e = db.evaluate(T());
    EXPECT_EQ(counts(e, ldr, kUS, "MFN", 10), counts_pair(0, 2));
    EXPECT_EQ(counts(e, ldr, kUS, "MFN", 30), counts_pair(0, 3));
}

TEST(LateDispatchRate, UnconfirmedPastShipByIsLateNotYetDueIsNotCounted) {
    metrics_db db;
    db.order("past", kUS, "MFN", T() - days(5));
    db.shipment("past", T() - seconds(1), std::nullopt);
    db.order("due-at-T", kUS, "MFN", T() - days(5));
    db.shipment("due-at-T", T(), std::nullopt);  // can still ship on time
    db.order("due-later", kUS, "MFN", T() - days(1));
    db.shipment("due-later", T() + days(1), std::nullopt);
    EXPECT_EQ(counts(db.evaluate(T()), ldr, kUS, "MFN", 10), counts_pair(1, 1));
}

TEST(LateDispatchRate, ConfirmationAfterTHasNotHappened) {
    metrics_db db;
    // Ship-by T - 1d, confirmed after T: as of T it is unconfirmed past its
    // ship-by date, so late.
    db.order("confirmed-after-T", kUS, "MFN", T() - days(5));
    db.shipment("confirmed-after-T", T() - days(1), T() + seconds(1));
    // Ship-by T + 2h, confirmed at T + 1h: as of T not counted yet (it can
    // still ship on time); as of T + 1d counted, on time.
    db.order("due-after-T", kUS, "MFN", T() - days(2));
    db.shipment("due-after-T", T() + hours(2), T() + hours(1));
    EXPECT_EQ(counts(db.evaluate(T()), ldr, kUS, "MFN", 10), counts_pair(1, 1));
    EXPECT_EQ(counts(db.evaluate(T() + days(1)), ldr, kUS, "MFN", 10), counts_pair(1, 2));
}

TEST(LateDispatchRate, AfnCancelledAndNonAmazonAreLeftOut) {
    metrics_db db;
    db.order("afn", kUS, "AFN", T() - days(5));
    db.shipment("afn", T() - days(3), std::nullopt);
    db.order("cancelled", kUS, "MFN", T() - days(5), {.cancelled = true});
    db.shipment("cancelled", T() - days(3), std::nullopt);
    db.order("web", std::nullopt, "MFN", T() - days(5));
    db.shipment("web", T() - days(3), std::nullopt);
    db.order("counted", kUS, "MFN", T() - days(5));
    db.shipment("counted", T() - days(3), T() - days(4));
    EXPECT_EQ(counts(db.evaluate(T()), ldr, kUS, "MFN", 10), counts_pair(0, 1));
}

TEST(LateDispatchRate, ItemCancellationDoesNotExclude) {
    metrics_db db;
    db.order("partly-cancelled", kUS, "MFN", T() - days(5), {.item_cancelled = true});
    db.shipment("partly-cancelled", T() - days(3), T() - days(2));
    EXPECT_EQ(counts(db.evaluate(T()), ldr, kUS, "MFN", 10), counts_pair(1, 1));
}

TEST(LateDispatchRate, PromiseDateWhenNoShipmentsRow) {
    metrics_db db;
    db.order("unshipped-past", kUS, "MFN", T() - days(5));
    db.unshipped("unshipped-past", T() - days(2));
    db.order("unshipped-future", kUS, "MFN", T() - days(1));
    db.unshipped("unshipped-future", T() + days(1));
    db.order("unshipped-at-T", kUS, "MFN", T() - days(1));
    db.unshipped("unshipped-at-T", T());
    db.order("unshipped-old", kUS, "MFN", T() - days(20));
    db.unshipped("unshipped-old", T() - days(15));
    const auto e = db.evaluate(T());
    EXPECT_EQ(counts(e, ldr, kUS, "MFN", 10), counts_pair(1, 1));
    EXPECT_EQ(counts(e, ldr, kUS, "MFN", 30), counts_pair(2, 2));
}

TEST(LateDispatchRate, ShipmentsRowWinsOverPromiseDate) {
    metrics_db db;
    // The Unshipped report said ship by T-5d (missed); the shipping software
    // says T-2d and confirmed T-3d: on time, attributed to T-2d.
    db.order("o1", kUS, "MFN", T() - days(12));
    db.unshipped("o1", T() - days(11));
    db.shipment("o1", T() - days(2), T() - days(3));
    const auto e = db.evaluate(T());
    EXPECT_EQ(counts(e, ldr, kUS, "MFN", 10), counts_pair(0, 1));
    EXPECT_EQ(counts(e, ldr, kUS, "MFN", 30), counts_pair(0, 1));
}

TEST(LateDispatchRate, ShipmentWithoutImportedOrderWaitsForTheOrder) {
    metrics_db db;
    db.order("other", kUS, "MFN", T() - days(5));
    db.shipment("other", T() - days(3), T() - days(4));
    db.shipment("not-yet", T() - days(3), std::nullopt);
    EXPECT_EQ(counts(db.evaluate(T()), ldr, kUS, "MFN", 10), counts_pair(0, 1));
    db.order("not-yet", kUS, "MFN", T() - days(5));
    EXPECT_EQ(counts(db.evaluate(T()), ldr, kUS, "MFN", 10), counts_pair(1, 2));
}

TEST(LateDispatchRate, OrderPurchasedAfterTDoesNotExist) {
    metrics_db db;
    db.order("future", kUS, "MFN", T() + seconds(1));
    db.shipment("future", T() - days(1), std::nullopt);  // inconsistent, still ignored
    db.order("now", kUS, "MFN", T() - days(3));
    db.shipment("now", T() - days(1), T() - days(2));
    EXPECT_EQ(counts(db.evaluate(T()), ldr, kUS, "MFN", 10), counts_pair(0, 1));
}

}  // namespace
}  // namespace shd::metrics::test
