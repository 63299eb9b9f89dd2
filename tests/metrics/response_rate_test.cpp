// response_rate_24h: on time / late / pending as of T, no_response_needed,
// and which marketplace a message belongs to.
#include "metrics_fixture.hpp"

namespace shd::metrics::test {
namespace {

using std::chrono::seconds;
constexpr auto rr = metric_key::response_rate_24h;

TEST(ResponseRate, OnTimeLateAndPending) {
    metrics_db db;
    const auto received = T() - days(3);
    db.message("reply-at-24h", std::nullopt, kUS, received, received + hours(24));
    db.message("reply-24h-1s", std::nullopt, kUS, received, received + hours(24) + seconds(1));
    db.message("reply-fast", std::nullopt, kUS, received, received + hours(1));
    db.message("never", std::nullopt, kUS, received, std::nullopt);
    db.message("pending-exactly-24h", std::nullopt, kUS, T() - hours(24), std::nullopt);
    db.message("late-24h-1s", std::nullopt, kUS, T() - hours(24) - seconds(1), std::nullopt);
    db.message("pending-fresh", std::nullopt, kUS, T() - hours(2), std::nullopt);
    db.message("thanks", std::nullopt, kUS, received, std::nullopt, /*no_response_needed=*/true);
    // On time: reply-at-24h, reply-fast. Late: reply-24h-1s, never, late-24h-1s.
    const auto e = db.evaluate(T());
    EXPECT_EQ(counts(e, rr, kUS, "all", 7), counts_pair(2, 5));
    EXPECT_EQ(counts(e, rr, kUS, "all", 30), counts_pair(2, 5));
    EXPECT_EQ(counts(e, rr, kUS, "all", 90), counts_pair(2, 5));
}

TEST(ResponseRate, ReplyAfterTHasNotHappened) {
    metrics_db db;
    // Received 30 h before T, replied after T: as of T, late (no reply, > 24 h).
    db.message("late", std::nullopt, kUS, T() - hours(30), T() + hours(1));
    // Received 2 h before T, replied after T: pending, left out.
    db.message("pending", std::nullopt, kUS, T() - hours(2), T() + hours(1));
    // Received after T: does not exist yet.
    db.message("future", std::nullopt, kUS, T() + seconds(1), T() + hours(1));
    EXPECT_EQ(counts(db.evaluate(T()), rr, kUS, "all", 7), counts_pair(0, 1));
    // The same rows as of T + 2h: "pending" and "future" were answered
    // within 24 h, "late" stays late.
    EXPECT_EQ(counts(db.evaluate(T() + hours(2)), rr, kUS, "all", 7), counts_pair(2, 3));
}

TEST(ResponseRate, WindowEdgesByReceipt) {
    metrics_db db;
    db.message("start-excluded", std::nullopt, kUS, T() - days(7), T() - days(7) + hours(1));
    db.message("start-included", std::nullopt, kUS, T() - days(7) + seconds(1),
               T() - days(7) + hours(1));
    db.message("at-T", std::nullopt, kUS, T(), T());
    const auto e = db.evaluate(T());
    EXPECT_EQ(counts(e, rr, kUS, "all", 7), counts_pair(2, 2));
    EXPECT_EQ(counts(e, rr, kUS, "all", 30), counts_pair(3, 3));
}

TEST(ResponseRate, MarketplaceOwnElseOrdersElseDefault) {
    metrics_db db;
    db.order("jp-order", kJP, "MFN", T() - days(10));
    db.order("web-order", std::nullopt, "MFN", T() - days(10));
    const auto received = T() - days(2);
    const auto fast = received + hours(1);
    // Own marketplace wins over the order's.
    db.message("own", std::string("jp-order"), kCA, received, fast);
    // No own marketplace: the order's.
    db.message("from-order", std::string("jp-order"), std::nullopt, received, fast);
    db.message("empty-own", std::string("jp-order"), std::string(""), received, fast);
    // Neither: the default (US), also for an unknown or Non-Amazon order.
    db.message("no-order", std::nullopt, std::nullopt, received, fast);
    db.message("unknown-order", std::string("missing"), std::nullopt, received, fast);
    db.message("non-amazon-order", std::string("web-order"), std::nullopt, received, fast);
    auto cfg = config::default_config();
    cfg.default_marketplace = kUS;
    const auto e = db.evaluate(cfg, T());
    EXPECT_EQ(counts(e, rr, kCA, "all", 7), counts_pair(1, 1));
    EXPECT_EQ(counts(e, rr, kJP, "all", 7), counts_pair(2, 2));
    EXPECT_EQ(counts(e, rr, kUS, "all", 7), counts_pair(3, 3));
}

TEST(ResponseRate, NoResponseNeededIsLeftOutEntirely) {
    metrics_db db;
    db.message("thanks", std::nullopt, kUS, T() - days(3), std::nullopt, true);
    const auto e = db.evaluate(T());
    const auto& r = row(e, rr, kUS, "all", 7);
    EXPECT_EQ(r.denominator, 0);
    EXPECT_EQ(r.status, metric_status::no_data);
    EXPECT_EQ(r.rate, std::nullopt);
    EXPECT_EQ(r.headroom, std::nullopt);
    EXPECT_TRUE(r.low_volume);
}

}  // namespace
}  // namespace shd::metrics::test
