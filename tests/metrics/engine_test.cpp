// Which rows exist, their order, per-marketplace overrides, no data and low
// volume, and that evaluation never writes.
#include <SQLiteCpp/Database.h>

#include <set>
#include <tuple>

#include "metrics_fixture.hpp"

namespace shd::metrics::test {
namespace {

using std::chrono::seconds;

// Default config: ODR MFN+AFN (60), LDR (10, 30), CR (7), VTR (30), RR (7, 30, 90).
constexpr std::size_t kRowsPerMarketplace = 2 + 2 + 1 + 1 + 3;

TEST(Engine, EmptyDatabaseHasNoRows) {
    metrics_db db;
    const auto e = db.evaluate(T());
    EXPECT_TRUE(e.metrics.empty());
    EXPECT_TRUE(e.upcoming.empty());
    EXPECT_TRUE(e.amazon.empty());
    EXPECT_EQ(e.as_of, T());
}

TEST(Engine, EveryMarketplaceWithAnOrderOrMessageGetsEveryRow) {
    metrics_db db;
    // An order far outside every window still makes its marketplace appear.
    db.order("old-jp", kJP, "AFN", T() - days(400));
    // A marketplace with only a message (its own marketplace).
    db.message("ca-question", std::nullopt, kCA, T() - days(200), std::nullopt);
    // Non-Amazon orders make no marketplace.
    db.order("web", std::nullopt, "MFN", T() - days(1));
    const auto e = db.evaluate(T());
    ASSERT_EQ(e.metrics.size(), 2 * kRowsPerMarketplace);
    std::set<std::string> marketplaces;
    for (const auto& r : e.metrics) {
        marketplaces.insert(r.marketplace_id);
        EXPECT_EQ(r.status, metric_status::no_data);
        EXPECT_EQ(r.rate, std::nullopt);
        EXPECT_EQ(r.headroom, std::nullopt);
        EXPECT_TRUE(r.low_volume);
        EXPECT_EQ(r.components.has_value(), r.metric == metric_key::order_defect_rate);
    }
    EXPECT_EQ(marketplaces, (std::set<std::string>{kCA, kJP}));
}

TEST(Engine, MessageFallingToDefaultMakesTheDefaultMarketplaceAppear) {
    metrics_db db;
    db.order("jp", kJP, "MFN", T() - days(3));
    db.message("pre-sale", std::nullopt, std::nullopt, T() - days(3), std::nullopt);
    auto cfg = config::default_config();
    cfg.default_marketplace = kCA;
    const auto e = db.evaluate(cfg, T());
    std::set<std::string> marketplaces;
    for (const auto& r : e.metrics)
        marketplaces.insert(r.marketplace_id);
    EXPECT_EQ(marketplaces, (std::set<std::string>{kCA, kJP}));
    EXPECT_EQ(counts(e, metric_key::response_rate_24h, kCA, "all", 7), counts_pair(0, 1));
}

TEST(Engine, MessageOfAKnownOrderDoesNotAddTheDefault) {
    metrics_db db;
    db.order("jp", kJP, "MFN", T() - days(3));
    db.message("about-jp", std::string("jp"), std::nullopt, T() - days(3), std::nullopt);
    const auto e = db.evaluate(T());
    for (const auto& r : e.metrics)
        EXPECT_EQ(r.marketplace_id, kJP);
    EXPECT_EQ(e.metrics.size(), kRowsPerMarketplace);
}

TEST(Engine, RowsAreSortedByMarketplaceCatalogChannelWindow) {
    metrics_db db;
    db.order("us", kUS, "MFN", T() - days(3));
    db.order("jp", kJP, "MFN", T() - days(3));
    const auto e = db.evaluate(T());
    std::vector<std::tuple<std::string, std::string, std::string, int>> got;
    for (const auto& r : e.metrics) {
        got.emplace_back(r.marketplace_id, std::string(definition(r.metric).name), r.channel,
                         r.window_days);
    }
    std::vector<std::tuple<std::string, std::string, std::string, int>> expected;
    for (const char* m : {kJP, kUS}) {  // A1VC... < ATVP...
        expected.emplace_back(m, "order_defect_rate", "MFN", 60);
        expected.emplace_back(m, "order_defect_rate", "AFN", 60);
        expected.emplace_back(m, "late_dispatch_rate", "MFN", 10);
        expected.emplace_back(m, "late_dispatch_rate", "MFN", 30);
        expected.emplace_back(m, "cancellation_rate", "MFN", 7);
        expected.emplace_back(m, "valid_tracking_rate", "MFN", 30);
        expected.emplace_back(m, "response_rate_24h", "all", 7);
        expected.emplace_back(m, "response_rate_24h", "all", 30);
        expected.emplace_back(m, "response_rate_24h", "all", 90);
    }
    EXPECT_EQ(got, expected);
}

TEST(Engine, PerMarketplaceOverrides) {
    metrics_db db;
    db.order("us", kUS, "MFN", T() - days(3));
    db.order("jp", kJP, "MFN", T() - days(3));
    db.order("jp-cancel", kJP, "MFN", T() - days(9), {.cancelled = true});
    auto cfg = config::default_config();
    auto jp = cfg.metrics;
    jp[metric_key::cancellation_rate] = config::metric_thresholds{0.5, 0.25, {14}, 0, 1};
    jp[metric_key::late_dispatch_rate].windows = {7, 14, 30};
    cfg.marketplace_metrics[kJP] = jp;
    const auto e = db.evaluate(cfg, T());
    const auto& jp_cr = row(e, metric_key::cancellation_rate, kJP, "MFN", 14);
    EXPECT_EQ(jp_cr.numerator, 1);
    EXPECT_EQ(jp_cr.denominator, 2);
    EXPECT_EQ(jp_cr.target, 0.5);
    EXPECT_EQ(jp_cr.warn, 0.25);
    EXPECT_EQ(jp_cr.status, metric_status::breached);
    EXPECT_FALSE(jp_cr.low_volume);
    EXPECT_THROW(row(e, metric_key::cancellation_rate, kJP, "MFN", 7), std::runtime_error);
    EXPECT_NO_THROW(row(e, metric_key::late_dispatch_rate, kJP, "MFN", 14));
    EXPECT_THROW(row(e, metric_key::late_dispatch_rate, kUS, "MFN", 14), std::runtime_error);
    const auto& us_cr = row(e, metric_key::cancellation_rate, kUS, "MFN", 7);
    EXPECT_EQ(us_cr.target, 0.025);
    EXPECT_EQ(e.metrics.size(), 2 * kRowsPerMarketplace + 1);
}

TEST(Engine, LowVolumeAndMinOrders) {
    metrics_db db;
    for (int i = 0; i < 10; ++i)
        db.order("o" + std::to_string(i), kUS, "MFN", T() - days(2));
    auto cfg = config::default_config();
    cfg.metrics[metric_key::cancellation_rate].min_orders = 10;
    const auto e = db.evaluate(cfg, T());
    EXPECT_FALSE(row(e, metric_key::cancellation_rate, kUS, "MFN", 7).low_volume);
    cfg.metrics[metric_key::cancellation_rate].min_orders = 11;
    EXPECT_TRUE(
        row(db.evaluate(cfg, T()), metric_key::cancellation_rate, kUS, "MFN", 7).low_volume);
}

TEST(Engine, HeadroomInBothDirections) {
    metrics_db db;
    // ODR: 3 defective of 412 MFN orders: (3 + 1)/412 < 1%, (3 + 2)/412 is not.
    for (int i = 0; i < 412; ++i) {
        db.order("o" + std::to_string(i), kUS, "MFN", T() - days(20));
    }
    db.defect("o1", "negative_feedback", T() - days(1), "active", 1, true);
    db.defect("o2", "a_to_z_claim", T() - days(1), "open", std::nullopt, true);
    db.defect("o3", "a_to_z_claim", T() - days(1), "open", std::nullopt, true);
    // Response: 59 of 63 on time: 59/65 > 90%, 59/66 is not.
    for (int i = 0; i < 63; ++i) {
        const auto received = T() - days(3);
        db.message("m" + std::to_string(i), std::nullopt, kUS, received,
                   received + (i < 59 ? hours(1) : hours(30)));
    }
    const auto e = db.evaluate(T());
    const auto& odr = row(e, metric_key::order_defect_rate, kUS, "MFN", 60);
    EXPECT_EQ(odr.numerator, 3);
    EXPECT_EQ(odr.denominator, 412);
    EXPECT_DOUBLE_EQ(*odr.rate, 3.0 / 412.0);
    EXPECT_EQ(odr.status, metric_status::ok);
    EXPECT_EQ(odr.headroom, 1);
    EXPECT_FALSE(odr.low_volume);
    EXPECT_EQ(odr.components, (odr_components{1, 2, 0}));
    const auto& rr = row(e, metric_key::response_rate_24h, kUS, "all", 7);
    EXPECT_EQ(rr.status, metric_status::at_risk);
    EXPECT_EQ(rr.headroom, 2);
}

TEST(Engine, EvaluationDoesNotWrite) {
    metrics_db db;
    db.order("o1", kUS, "MFN", T() - days(2));
    const auto before = db.db().handle().execAndGet("SELECT total_changes()").getInt64();
    (void)db.evaluate(T());
    const auto after = db.db().handle().execAndGet("SELECT total_changes()").getInt64();
    EXPECT_EQ(before, after);
    EXPECT_EQ(db.db().handle().execAndGet("SELECT COUNT(*) FROM metric_results").getInt(), 0);
}

TEST(Engine, WorksOnAReadOnlyConnection) {
    shd::test::temp_dir dir;
    {
        auto rw = store::database::open(dir / "db.sqlite");
        ASSERT_TRUE(rw);
        rw->handle().exec(
            "INSERT INTO imports VALUES (1, 'f', 'x', 'all_orders', 0, 0, 0, 'imported');"
            "INSERT INTO orders VALUES ('o1', 'ATVPDKIKX0DER', 'Amazon.com', 'MFN', 1772150400,"
            " 'Shipped', 0, 0, 0, NULL, 'all_orders', 1)");
    }
    auto ro = store::database::open(dir / "db.sqlite", store::open_options{.read_only = true});
    ASSERT_TRUE(ro) << ro.error().text;
    auto e = evaluate(*ro, config::default_config(), T());
    ASSERT_TRUE(e) << e.error().text;
    EXPECT_EQ(counts(*e, metric_key::cancellation_rate, kUS, "MFN", 7), counts_pair(0, 1));
}

}  // namespace
}  // namespace shd::metrics::test
