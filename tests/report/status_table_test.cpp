// The human table: one section per marketplace, values as percentages, no
// colour unless asked, Amazon's column when a snapshot exists.
#include "report/status_table.hpp"

#include <gtest/gtest.h>

namespace shd::report {
namespace {

using metrics::metric_result;
using metrics::metric_status;

instant T() {
    return *parse_iso8601("2026-03-01T00:00:00Z");
}

metric_result make_row(const std::string& marketplace, metric_key key, const std::string& channel,
                       int window, std::int64_t num, std::int64_t den, metric_status status) {
    metric_result r;
    r.metric = key;
    r.marketplace_id = marketplace;
    r.channel = channel;
    r.window_days = window;
    r.lag_days = key == metric_key::order_defect_rate ? 14 : 0;
    r.numerator = num;
    r.denominator = den;
    if (den > 0) {
        r.rate = static_cast<double>(num) / static_cast<double>(den);
        r.headroom = 1;
    }
    r.target = definition(key).default_target;
    r.warn = definition(key).default_warn;
    r.status = status;
    r.low_volume = den < 100;
    return r;
}

metrics::evaluation sample() {
    metrics::evaluation e;
    e.as_of = T();
    e.reconcile_tolerance = 0.005;
    e.metrics.push_back(make_row("A1VC38T7YXB528", metric_key::order_defect_rate, "MFN", 60, 3, 412,
                                 metric_status::ok));
    e.metrics.push_back(make_row("A1VC38T7YXB528", metric_key::valid_tracking_rate, "MFN", 30, 0, 0,
                                 metric_status::no_data));
    e.metrics.push_back(make_row("ATVPDKIKX0DER", metric_key::cancellation_rate, "MFN", 7, 1, 25,
                                 metric_status::breached));
    metrics::amazon_snapshot s;
    s.marketplace_id = "ATVPDKIKX0DER";
    s.taken_at = T() - days(1);
    s.account_status = "AT_RISK";
    metrics::amazon_metric m;
    m.metric = "cancellation_rate";
    m.channel = "MFN";
    m.rate = 0.03;
    m.status = "BAD";
    m.our_window_days = 7;
    m.our_rate = 0.04;
    m.difference = 0.01;
    m.flagged = true;
    s.metrics.push_back(m);
    e.amazon.push_back(s);
    metrics::upcoming_events u;
    u.marketplace_id = "ATVPDKIKX0DER";
    for (int i = 0; i < 7; ++i) {
        u.unconfirmed_orders.push_back({"111-" + std::to_string(i), T() + hours(i), false});
    }
    e.upcoming.push_back(u);
    return e;
}

TEST(StatusTable, OneSectionPerMarketplaceWithValues) {
    const auto text = status_table(sample());
    EXPECT_NE(text.find("Account health as of 2026-03-01T00:00:00Z"), std::string::npos);
    EXPECT_NE(text.find("JP (A1VC38T7YXB528)"), std::string::npos);
    EXPECT_NE(text.find("US (ATVPDKIKX0DER)"), std::string::npos);
    EXPECT_LT(text.find("JP (A1VC38T7YXB528)"), text.find("US (ATVPDKIKX0DER)"));
    EXPECT_NE(text.find("Order defect rate (MFN)"), std::string::npos);
    EXPECT_NE(text.find("60d, lag 14d"), std::string::npos);
    EXPECT_NE(text.find("0.73%"), std::string::npos);
    EXPECT_NE(text.find("3/412"), std::string::npos);
    EXPECT_NE(text.find("< 1.00%"), std::string::npos);
    EXPECT_NE(text.find("> 95.00%"), std::string::npos);
    EXPECT_NE(text.find("no_data"), std::string::npos);
    EXPECT_NE(text.find("breached"), std::string::npos);
}

TEST(StatusTable, NoColourUnlessAsked) {
    EXPECT_EQ(status_table(sample()).find('\033'), std::string::npos);
    const auto coloured = status_table(sample(), table_options{.color = true});
    EXPECT_NE(coloured.find("\033[1;31mbreached\033[0m"), std::string::npos);
    EXPECT_NE(coloured.find("\033[32mok\033[0m"), std::string::npos);
}

TEST(StatusTable, AmazonColumnAndDifferenceFlag) {
    const auto text = status_table(sample());
    EXPECT_NE(text.find("Amazon snapshot of 2026-02-28T00:00:00Z, account AT_RISK"),
              std::string::npos);
    EXPECT_NE(text.find("3.00% BAD (differs)"), std::string::npos);
    EXPECT_NE(text.find("differ by more than 0.50%"), std::string::npos);
}

TEST(StatusTable, UpcomingListsAreCapped) {
    const auto text = status_table(sample(), table_options{.max_listed = 3});
    EXPECT_NE(text.find("7 MFN order(s) not confirmed"), std::string::npos);
    EXPECT_NE(text.find("111-2"), std::string::npos);
    EXPECT_EQ(text.find("111-3"), std::string::npos);
    EXPECT_NE(text.find("... and 4 more"), std::string::npos);
}

TEST(StatusTable, EmptyDatabaseSaysSo) {
    metrics::evaluation e;
    e.as_of = T();
    EXPECT_NE(status_table(e).find("No orders or messages imported yet."), std::string::npos);
}

TEST(StatusTable, StaleRowsSayWhyAndFeedsShowTheirAge) {
    auto e = sample();
    e.metrics[2].stale = true;
    e.metrics[2].stale_reason = "All Orders report last arrived 3 d ago (max 1 d 12 h)";
    metrics::feed_freshness orders;
    orders.feed = "all_orders";
    orders.words = "All Orders report";
    orders.max_age = hours(36);
    orders.last_import_at = T() - days(3);
    orders.newest_data_at = T() - days(3) - hours(5);
    orders.age = days(3);
    orders.stale = true;
    orders.reason = e.metrics[2].stale_reason;
    metrics::feed_freshness amazon;
    amazon.feed = "account_health";
    amazon.words = "Amazon's account-health report";
    amazon.max_age = hours(36);
    amazon.last_import_at = T() - hours(20);
    amazon.newest_data_at = T() - days(1);
    amazon.age = hours(20);
    metrics::feed_freshness never;
    never.feed = "shipments";
    never.max_age = hours(48);
    e.feeds = {orders, never, amazon};
    const std::string out = status_table(e);
    EXPECT_NE(out.find("breached (stale)"), std::string::npos) << out;
    EXPECT_NE(
        out.find("(stale): alerts held: All Orders report last arrived 3 d ago (max 1 d 12 h)"),
        std::string::npos)
        << out;
    EXPECT_NE(out.find("\nFeeds\n"
                       "  Feed            Last arrived  Newest data  Max age   State\n"
                       "  all_orders      3 d ago       3 d 5 h ago  1 d 12 h  stale\n"
                       "  shipments       never         -            2 d       never imported\n"
                       "  account_health  20 h ago      1 d ago      1 d 12 h  fresh\n"),
              std::string::npos)
        << out;
}

TEST(StatusTable, FormatPercent) {
    EXPECT_EQ(format_percent(0.0072815), "0.73%");
    EXPECT_EQ(format_percent(1.0), "100.00%");
    EXPECT_EQ(format_percent(0.0), "0.00%");
}

}  // namespace
}  // namespace shd::report
