// Deadlines: unconfirmed MFN orders due within 24 h or past, messages
// unanswered for over 12 h, and when current defects leave the ODR window.
#include "metrics_fixture.hpp"

namespace shd::metrics::test {
namespace {

using std::chrono::seconds;

const upcoming_events& upcoming_of(const evaluation& e, const std::string& marketplace) {
    for (const auto& u : e.upcoming) {
        if (u.marketplace_id == marketplace)
            return u;
    }
    throw std::runtime_error("no upcoming entry for " + marketplace);
}

TEST(Upcoming, UnconfirmedOrdersDueWithin24HoursOrPast) {
    metrics_db db;
    db.order("due-in-24h", kUS, "MFN", T() - days(1));
    db.shipment("due-in-24h", T() + hours(24), std::nullopt);
    db.order("due-later", kUS, "MFN", T() - days(1));
    db.shipment("due-later", T() + hours(24) + seconds(1), std::nullopt);
    db.order("past", kUS, "MFN", T() - days(4));
    db.shipment("past", T() - days(2), std::nullopt);
    db.order("confirmed", kUS, "MFN", T() - days(1));
    db.shipment("confirmed", T() + hours(2), T() - hours(1));
    db.order("confirmed-after-T", kUS, "MFN", T() - days(1));
    db.shipment("confirmed-after-T", T() + hours(3), T() + hours(1));
    db.order("from-unshipped", kUS, "MFN", T() - days(1));
    db.unshipped("from-unshipped", T() + hours(5));
    db.order("afn", kUS, "AFN", T() - days(1));
    db.shipment("afn", T() + hours(2), std::nullopt);
    db.order("cancelled", kUS, "MFN", T() - days(1), {.cancelled = true});
    db.shipment("cancelled", T() + hours(2), std::nullopt);
    db.order("out-of-every-window", kUS, "MFN", T() - days(40));
    db.shipment("out-of-every-window", T() - days(30), std::nullopt);
    const auto e = db.evaluate(T());
    const auto& u = upcoming_of(e, kUS);
    ASSERT_EQ(u.unconfirmed_orders.size(), 4u);
    EXPECT_EQ(u.unconfirmed_orders[0].order_id, "past");
    EXPECT_TRUE(u.unconfirmed_orders[0].overdue);
    EXPECT_EQ(u.unconfirmed_orders[1].order_id, "confirmed-after-T");
    EXPECT_FALSE(u.unconfirmed_orders[1].overdue);
    EXPECT_EQ(u.unconfirmed_orders[2].order_id, "from-unshipped");
    EXPECT_EQ(u.unconfirmed_orders[2].latest_ship_at, T() + hours(5));
    EXPECT_EQ(u.unconfirmed_orders[3].order_id, "due-in-24h");
}

TEST(Upcoming, MessagesUnansweredForOver12Hours) {
    metrics_db db;
    db.order("jp-order", kJP, "MFN", T() - days(3));
    db.message("exactly-12h", std::nullopt, kUS, T() - hours(12), std::nullopt);
    db.message("13h", std::nullopt, kUS, T() - hours(13), std::nullopt);
    db.message("30h", std::string("jp-order"), std::nullopt, T() - hours(30), std::nullopt);
    db.message("answered", std::nullopt, kUS, T() - hours(20), T() - hours(1));
    db.message("answered-after-T", std::nullopt, kUS, T() - hours(20), T() + hours(1));
    db.message("thanks", std::nullopt, kUS, T() - hours(20), std::nullopt, true);
    const auto e = db.evaluate(T());
    const auto& us = upcoming_of(e, kUS);
    ASSERT_EQ(us.unanswered_messages.size(), 2u);
    EXPECT_EQ(us.unanswered_messages[0].message_id, "answered-after-T");
    EXPECT_FALSE(us.unanswered_messages[0].overdue);
    EXPECT_EQ(us.unanswered_messages[0].reply_due_at, T() + hours(4));
    EXPECT_EQ(us.unanswered_messages[1].message_id, "13h");
    const auto& jp = upcoming_of(e, kJP);
    ASSERT_EQ(jp.unanswered_messages.size(), 1u);
    EXPECT_EQ(jp.unanswered_messages[0].message_id, "30h");
    EXPECT_EQ(jp.unanswered_messages[0].order_id, "jp-order");
    EXPECT_TRUE(jp.unanswered_messages[0].overdue);
}

TEST(Upcoming, DefectsLeaveTheOdrWindowAtPurchasePlusLagPlusWindow) {
    metrics_db db;
    db.order("o1", kUS, "MFN", T() - days(70));
    db.defect("o1", "negative_feedback", T() - days(50), "active", 1, true);
    db.defect("o1", "chargeback", T() - days(40), "open", std::nullopt, true);
    db.order("o2", kUS, "AFN", T() - days(20));
    db.defect("o2", "a_to_z_claim", T() - days(10), "open", std::nullopt, true);
    db.order("in-lag", kUS, "MFN", T() - days(5));
    db.defect("in-lag", "a_to_z_claim", T() - days(1), "open", std::nullopt, true);
    db.order("not-counting", kUS, "MFN", T() - days(20));
    db.defect("not-counting", "a_to_z_claim", T() - days(1), "denied", std::nullopt, false);
    const auto e = db.evaluate(T());
    const auto& u = upcoming_of(e, kUS);
    ASSERT_EQ(u.defects_leaving.size(), 2u);
    EXPECT_EQ(u.defects_leaving[0].order_id, "o1");
    EXPECT_EQ(u.defects_leaving[0].leaves_at, T() + days(4));  // T-70d + 74d
    EXPECT_EQ(u.defects_leaving[0].kinds,
              (std::vector<std::string>{"chargeback", "negative_feedback"}));
    EXPECT_EQ(u.defects_leaving[0].channel, "MFN");
    EXPECT_EQ(u.defects_leaving[1].order_id, "o2");
    EXPECT_EQ(u.defects_leaving[1].leaves_at, T() + days(54));
    EXPECT_EQ(u.defects_leaving[1].window_days, 60);
}

TEST(Upcoming, OneEntryPerMarketplaceEvenWhenEmpty) {
    metrics_db db;
    db.order("us", kUS, "AFN", T() - days(3));
    db.order("jp", kJP, "AFN", T() - days(3));
    const auto e = db.evaluate(T());
    ASSERT_EQ(e.upcoming.size(), 2u);
    EXPECT_EQ(e.upcoming[0].marketplace_id, kJP);
    EXPECT_EQ(e.upcoming[1].marketplace_id, kUS);
    EXPECT_TRUE(e.upcoming[1].unconfirmed_orders.empty());
}

}  // namespace
}  // namespace shd::metrics::test
