// Amazon's snapshot beside ours: newest snapshot as of T per marketplace,
// pairing by metric/channel/window, and the tolerance flag.
#include "metrics/reconcile.hpp"

#include "metrics_fixture.hpp"

namespace shd::metrics::test {
namespace {

class snapshots : public ::testing::Test {
  protected:
    void snapshot(int id, instant taken) {
        SQLite::Statement q(db.db().handle(),
                            "INSERT INTO account_health_snapshots (id, import_id, taken_at,"
                            " document) VALUES (?, 1, ?, '{}')");
        q.bind(1, id);
        q.bind(2, static_cast<std::int64_t>(to_unix(taken)));
        q.exec();
    }
    void metric(int snapshot_id, const std::string& marketplace, const std::string& name,
                const std::string& channel, std::optional<double> rate, const std::string& status,
                std::optional<instant> from = std::nullopt,
                std::optional<instant> to = std::nullopt) {
        SQLite::Statement q(db.db().handle(),
                            "INSERT INTO account_health_metrics (snapshot_id, marketplace_id,"
                            " metric, channel, rate, status, target, window_from, window_to)"
                            " VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)");
        q.bind(1, snapshot_id);
        q.bind(2, marketplace);
        q.bind(3, name);
        q.bind(4, channel);
        if (rate)
            q.bind(5, *rate);
        q.bind(6, status);
        if (from)
            q.bind(7, static_cast<std::int64_t>(to_unix(*from)));
        if (to)
            q.bind(8, static_cast<std::int64_t>(to_unix(*to)));
        q.exec();
    }
    void account_status(int snapshot_id, const std::string& marketplace,
                        const std::string& status) {
        SQLite::Statement q(db.db().handle(), "INSERT INTO account_statuses VALUES (?, ?, ?)");
        q.bind(1, snapshot_id);
        q.bind(2, marketplace);
        q.bind(3, status);
        q.exec();
    }
    metrics_db db;
};

TEST_F(snapshots, NewestSnapshotAsOfTPerMarketplace) {
    db.order("o", kUS, "MFN", T() - days(20));
    snapshot(1, T() - days(3));
    snapshot(2, T() - days(1));
    snapshot(3, T() + days(1));  // not taken yet as of T
    metric(1, kUS, "order_defect_rate", "MFN", 0.02, "BAD");
    metric(1, kJP, "order_defect_rate", "MFN", 0.0, "GOOD");
    metric(2, kUS, "order_defect_rate", "MFN", 0.001, "GOOD");
    metric(3, kUS, "order_defect_rate", "MFN", 0.5, "BAD");
    account_status(2, kUS, "NORMAL");
    const auto e = db.evaluate(T());
    ASSERT_EQ(e.amazon.size(), 2u);
    EXPECT_EQ(e.amazon[0].marketplace_id, kJP);
    EXPECT_EQ(e.amazon[0].snapshot_id, 1);
    EXPECT_EQ(e.amazon[0].account_status, std::nullopt);
    EXPECT_EQ(e.amazon[1].marketplace_id, kUS);
    EXPECT_EQ(e.amazon[1].snapshot_id, 2);
    EXPECT_EQ(e.amazon[1].taken_at, T() - days(1));
    EXPECT_EQ(e.amazon[1].account_status, "NORMAL");
    ASSERT_EQ(e.amazon[1].metrics.size(), 1u);
    const auto& m = e.amazon[1].metrics[0];
    EXPECT_EQ(m.rate, 0.001);
    EXPECT_EQ(m.status, "GOOD");
    EXPECT_EQ(m.our_window_days, 60);
    EXPECT_EQ(m.our_rate, 0.0);
    EXPECT_FALSE(m.flagged);
    // As of later, snapshot 3 is known.
    EXPECT_EQ(db.evaluate(T() + days(2)).amazon[1].snapshot_id, 3);
}

TEST_F(snapshots, FlagsDifferencesBeyondTolerance) {
    // Our cancellation rate: 1 of 10 = 0.1.
    db.order("c", kUS, "MFN", T() - days(1), {.cancelled = true});
    for (int i = 0; i < 9; ++i)
        db.order("o" + std::to_string(i), kUS, "MFN", T() - days(1));
    snapshot(1, T() - days(1));
    metric(1, kUS, "cancellation_rate", "MFN", 0.104, "BAD");
    metric(1, kUS, "order_defect_rate", "AFN", std::nullopt, "NONE");
    metric(1, kUS, "late_dispatch_rate", "MFN", 0.2, "BAD");  // our rate is null
    metric(1, kUS, "customerServiceDissatisfactionRate", "all", 0.3, "BAD");
    auto cfg = config::default_config();
    cfg.reconcile_tolerance = 0.005;
    auto e = db.evaluate(cfg, T());
    ASSERT_EQ(e.amazon.size(), 1u);
    const auto& ms = e.amazon[0].metrics;
    ASSERT_EQ(ms.size(), 4u);
    // Sorted by metric name.
    EXPECT_EQ(ms[0].metric, "cancellation_rate");
    EXPECT_FALSE(ms[0].flagged);
    EXPECT_NEAR(*ms[0].difference, -0.004, 1e-12);
    EXPECT_EQ(ms[1].metric, "customerServiceDissatisfactionRate");
    EXPECT_EQ(ms[1].our_rate, std::nullopt);
    EXPECT_EQ(ms[1].our_window_days, std::nullopt);
    EXPECT_FALSE(ms[1].flagged);
    EXPECT_EQ(ms[2].metric, "late_dispatch_rate");
    EXPECT_EQ(ms[2].our_window_days, 10);  // no window given: our shortest
    EXPECT_EQ(ms[2].difference, std::nullopt);
    EXPECT_FALSE(ms[2].flagged);
    EXPECT_EQ(ms[3].metric, "order_defect_rate");
    EXPECT_FALSE(ms[3].flagged);

    cfg.reconcile_tolerance = 0.003;
    e = db.evaluate(cfg, T());
    EXPECT_TRUE(e.amazon[0].metrics[0].flagged);
}

TEST(Reconcile, PairsWithTheClosestWindow) {
    metric_result ten, thirty;
    ten.metric = thirty.metric = metric_key::late_dispatch_rate;
    ten.marketplace_id = thirty.marketplace_id = kUS;
    ten.channel = thirty.channel = "MFN";
    ten.window_days = 10;
    ten.rate = 0.01;
    thirty.window_days = 30;
    thirty.rate = 0.05;
    amazon_snapshot s;
    s.marketplace_id = kUS;
    amazon_metric m;
    m.metric = "late_dispatch_rate";
    m.channel = "MFN";
    m.rate = 0.04;
    m.window_from = T() - days(29);
    m.window_to = T() - std::chrono::seconds(1);  // ~29 days: closest to 30
    s.metrics.push_back(m);
    m.window_from = T() - days(10);
    m.window_to = T();
    s.metrics.push_back(m);
    const auto out = reconcile({s}, {ten, thirty}, 0.005);
    EXPECT_EQ(out[0].metrics[0].our_window_days, 30);
    EXPECT_TRUE(out[0].metrics[0].flagged);  // 0.05 vs 0.04
    EXPECT_EQ(out[0].metrics[1].our_window_days, 10);
    EXPECT_TRUE(out[0].metrics[1].flagged);  // 0.01 vs 0.04
}

TEST(Reconcile, ExactToleranceIsNotFlagged) {
    metric_result ours;
    ours.metric = metric_key::order_defect_rate;
    ours.marketplace_id = kUS;
    ours.channel = "MFN";
    ours.window_days = 60;
    ours.rate = 0.015;
    amazon_snapshot s;
    s.marketplace_id = kUS;
    amazon_metric m;
    m.metric = "order_defect_rate";
    m.channel = "MFN";
    m.rate = 0.01;
    s.metrics.push_back(m);
    EXPECT_FALSE(reconcile({s}, {ours}, 0.005)[0].metrics[0].flagged);
    EXPECT_TRUE(reconcile({s}, {ours}, 0.0049)[0].metrics[0].flagged);
}

}  // namespace
}  // namespace shd::metrics::test
