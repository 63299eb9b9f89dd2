// store_results / load_results: every row kept per evaluation time, NULLs for
// no data, idempotent on re-store.
#include "metrics/history.hpp"

#include "metrics_fixture.hpp"

namespace shd::metrics::test {
namespace {

TEST(History, StoresEveryRowOfAnEvaluation) {
    metrics_db db;
    db.order("c", kUS, "MFN", T() - days(1), {.cancelled = true});
    db.order("o", kUS, "MFN", T() - days(1));
    const auto e = db.evaluate(T());
    auto stored = store_results(db.db(), e);
    ASSERT_TRUE(stored) << stored.error().text;
    EXPECT_EQ(*stored, e.metrics.size());
    EXPECT_EQ(db.db().handle().execAndGet("SELECT COUNT(*) FROM metric_results").getInt64(),
              static_cast<std::int64_t>(e.metrics.size()));

    auto loaded = load_results(db.db(), T(), T());
    ASSERT_TRUE(loaded);
    ASSERT_EQ(loaded->size(), e.metrics.size());
    for (std::size_t i = 0; i < e.metrics.size(); ++i) {
        const auto& a = e.metrics[i];
        const auto& b = (*loaded)[i];
        EXPECT_EQ(b.evaluated_at, T());
        EXPECT_EQ(b.metric, a.metric);
        EXPECT_EQ(b.marketplace_id, a.marketplace_id);
        EXPECT_EQ(b.channel, a.channel);
        EXPECT_EQ(b.window_days, a.window_days);
        EXPECT_EQ(b.numerator, a.numerator);
        EXPECT_EQ(b.denominator, a.denominator);
        EXPECT_EQ(b.rate, a.rate);
        EXPECT_EQ(b.status, a.status);
        EXPECT_EQ(b.headroom, a.headroom);
    }
    const auto& cr = row(e, metric_key::cancellation_rate, kUS, "MFN", 7);
    EXPECT_EQ(cr.rate, 0.5);
    EXPECT_EQ(db.db()
                  .handle()
                  .execAndGet("SELECT COUNT(*) FROM metric_results WHERE rate IS NULL AND"
                              " headroom IS NULL AND status = 'no_data'")
                  .getInt64(),
              2 + 2 + 1 + 3);  // ODR (orders are in the lag), LDR 10/30, VTR, RR 7/30/90
}

TEST(History, RestoringTheSameEvaluationReplacesIt) {
    metrics_db db;
    db.order("o", kUS, "MFN", T() - days(1));
    const auto e = db.evaluate(T());
    ASSERT_TRUE(store_results(db.db(), e));
    ASSERT_TRUE(store_results(db.db(), e));
    ASSERT_TRUE(store_results(db.db(), db.evaluate(T() + hours(1))));
    EXPECT_EQ(db.db().handle().execAndGet("SELECT COUNT(*) FROM metric_results").getInt64(),
              static_cast<std::int64_t>(2 * e.metrics.size()));
    auto first = load_results(db.db(), T(), T() + std::chrono::seconds(1));
    ASSERT_TRUE(first);
    EXPECT_EQ(first->size(), e.metrics.size());
    auto both = load_results(db.db(), T(), T() + hours(1));
    ASSERT_TRUE(both);
    EXPECT_EQ(both->size(), 2 * e.metrics.size());
    EXPECT_EQ(both->front().evaluated_at, T());
    EXPECT_EQ(both->back().evaluated_at, T() + hours(1));
}

TEST(History, ReadOnlyDatabaseReportsAnError) {
    shd::test::temp_dir dir;
    { ASSERT_TRUE(store::database::open(dir / "db.sqlite")); }
    auto ro = store::database::open(dir / "db.sqlite", store::open_options{.read_only = true});
    ASSERT_TRUE(ro);
    evaluation e;
    e.as_of = T();
    metric_result r;
    r.marketplace_id = kUS;
    r.channel = "MFN";
    r.window_days = 60;
    e.metrics.push_back(r);
    auto stored = store_results(*ro, e);
    ASSERT_FALSE(stored);
    EXPECT_NE(stored.error().text.find("storing metric results failed"), std::string::npos);
}

}  // namespace
}  // namespace shd::metrics::test
