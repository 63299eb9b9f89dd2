// valid_tracking_rate: shipments of MFN orders not cancelled, by confirmation
// time; tracking_valid decides when given, else a non-empty tracking ID.
#include "metrics_fixture.hpp"

namespace shd::metrics::test {
namespace {

using std::chrono::seconds;
constexpr auto vtr = metric_key::valid_tracking_rate;

TEST(ValidTrackingRate, TrackingValidityRule) {
    metrics_db db;
    const auto confirmed = T() - days(3);
    db.order("with-id", kUS, "MFN", T() - days(5));
    db.shipment("with-id", T() - days(2), confirmed, "1Z999");
    db.order("empty-id", kUS, "MFN", T() - days(5));
    db.shipment("empty-id", T() - days(2), confirmed, "");
    db.order("id-but-invalid", kUS, "MFN", T() - days(5));
    db.shipment("id-but-invalid", T() - days(2), confirmed, "1Z999", false);
    db.order("no-id-but-valid", kUS, "MFN", T() - days(5));
    db.shipment("no-id-but-valid", T() - days(2), confirmed, "", true);
    db.order("null-id", kUS, "MFN", T() - days(5));
    db.shipment("null-id", T() - days(2), confirmed, "x");
    db.exec("UPDATE shipments SET tracking_id = NULL WHERE order_id = 'null-id'");
    const auto evaluated = db.evaluate(T());
    const auto& r = row(evaluated, vtr, kUS, "MFN", 30);
    EXPECT_EQ(r.numerator, 2);
    EXPECT_EQ(r.denominator, 5);
    EXPECT_EQ(r.status, metric_status::breached);
    EXPECT_EQ(r.headroom, 0);
}

TEST(ValidTrackingRate, WindowByConfirmationTimeAsOfT) {
    metrics_db db;
    db.order("start-excluded", kUS, "MFN", T() - days(40));
    db.shipment("start-excluded", T() - days(29), T() - days(30));
    db.order("start-included", kUS, "MFN", T() - days(40));
    db.shipment("start-included", T() - days(29), T() - days(30) + seconds(1));
    db.order("at-T", kUS, "MFN", T() - days(2));
    db.shipment("at-T", T() + days(1), T());
    db.order("after-T", kUS, "MFN", T() - days(2));
    db.shipment("after-T", T() + days(1), T() + seconds(1));
    db.order("unconfirmed", kUS, "MFN", T() - days(2));
    db.shipment("unconfirmed", T() - days(1), std::nullopt);
    EXPECT_EQ(counts(db.evaluate(T()), vtr, kUS, "MFN", 30), counts_pair(2, 2));
}

TEST(ValidTrackingRate, OnlyExistingMfnOrdersNotCancelled) {
    metrics_db db;
    db.order("afn", kUS, "AFN", T() - days(5));
    db.shipment("afn", T() - days(3), T() - days(4), "");
    db.order("cancelled", kUS, "MFN", T() - days(5), {.cancelled = true});
    db.shipment("cancelled", T() - days(3), T() - days(4), "");
    db.order("web", std::nullopt, "MFN", T() - days(5));
    db.shipment("web", T() - days(3), T() - days(4), "");
    db.shipment("no-order-yet", T() - days(3), T() - days(4), "");
    db.order("partly-cancelled", kUS, "MFN", T() - days(5), {.item_cancelled = true});
    db.shipment("partly-cancelled", T() - days(3), T() - days(4), "1Z1");
    db.order("future", kUS, "MFN", T() + seconds(1));
    db.shipment("future", T() - days(3), T() - days(4), "");
    EXPECT_EQ(counts(db.evaluate(T()), vtr, kUS, "MFN", 30), counts_pair(1, 1));
    db.order("no-order-yet", kUS, "MFN", T() - days(5));
    EXPECT_EQ(counts(db.evaluate(T()), vtr, kUS, "MFN", 30), counts_pair(1, 2));
}

TEST(ValidTrackingRate, HeadroomCountsNewUntrackedShipments) {
    metrics_db db;
    for (int i = 0; i < 100; ++i) {
        const auto id = "o" + std::to_string(i);
        db.order(id, kUS, "MFN", T() - days(5));
        db.shipment(id, T() - days(3), T() - days(4), i < 98 ? "1Z" : "");
    }
    // 98/100 ok; 98/103 = 0.9515 > 0.95, 98/104 = 0.9423 is not.
    const auto evaluated = db.evaluate(T());
    const auto& r = row(evaluated, vtr, kUS, "MFN", 30);
    EXPECT_EQ(r.status, metric_status::ok);
    EXPECT_EQ(r.headroom, 3);
    EXPECT_FALSE(r.low_volume);
}

}  // namespace
}  // namespace shd::metrics::test
