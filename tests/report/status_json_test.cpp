// status --json: field names, nulls with no data, components only for ODR,
// full-precision rates, upcoming and amazon sections.
#include "report/status_json.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace shd::report {
namespace {

using metrics::metric_result;
using metrics::metric_status;

instant T() {
    return *parse_iso8601("2026-03-01T00:00:00Z");
}

metrics::evaluation sample() {
    metrics::evaluation e;
    e.as_of = T();
    metric_result odr;
    odr.metric = metric_key::order_defect_rate;
    odr.marketplace_id = "ATVPDKIKX0DER";
    odr.channel = "MFN";
    odr.window_days = 60;
    odr.lag_days = 14;
    odr.window = {T() - days(74), T() - days(14)};
    odr.numerator = 3;
    odr.denominator = 412;
    odr.rate = 3.0 / 412.0;
    odr.target = 0.01;
    odr.warn = 0.0075;
    odr.status = metric_status::ok;
    odr.headroom = 1;
    odr.low_volume = false;
    odr.components = metrics::odr_components{1, 2, 0};
    e.metrics.push_back(odr);
    metric_result vtr;
    vtr.metric = metric_key::valid_tracking_rate;
    vtr.marketplace_id = "ATVPDKIKX0DER";
    vtr.channel = "MFN";
    vtr.window_days = 30;
    vtr.window = {T() - days(30), T()};
    vtr.target = 0.95;
    vtr.warn = 0.97;
    vtr.status = metric_status::no_data;
    vtr.low_volume = true;
    e.metrics.push_back(vtr);

    metrics::upcoming_events u;
    u.marketplace_id = "ATVPDKIKX0DER";
    u.unconfirmed_orders.push_back({"111-1", T() - hours(2), true});
    u.unanswered_messages.push_back({"m1", "", T() - hours(13), T() + hours(11), false});
    u.defects_leaving.push_back(
        {"111-2", "MFN", 60, T() - days(70), T() + days(4), {"a_to_z_claim"}});
    e.upcoming.push_back(u);

    metrics::amazon_snapshot s;
    s.marketplace_id = "ATVPDKIKX0DER";
    s.snapshot_id = 7;
    s.taken_at = T() - days(1);
    s.account_status = "NORMAL";
    metrics::amazon_metric m;
    m.metric = "order_defect_rate";
    m.channel = "MFN";
    m.rate = 0.02;
    m.status = "BAD";
    m.window_from = T() - days(75);
    m.window_to = T() - days(15);
    m.our_window_days = 60;
    m.our_rate = 3.0 / 412.0;
    m.difference = 3.0 / 412.0 - 0.02;
    m.flagged = true;
    s.metrics.push_back(m);
    e.amazon.push_back(s);
    return e;
}

TEST(StatusJson, MetricRowsKeepTheContractNames) {
    const auto j = nlohmann::json::parse(status_json(sample()));
    EXPECT_EQ(j["as_of"], "2026-03-01T00:00:00Z");
    const auto& odr = j["metrics"][0];
    EXPECT_EQ(odr["metric"], "order_defect_rate");
    EXPECT_EQ(odr["marketplace"], "ATVPDKIKX0DER");
    EXPECT_EQ(odr["channel"], "MFN");
    EXPECT_EQ(odr["window_days"], 60);
    EXPECT_EQ(odr["lag_days"], 14);
    EXPECT_EQ(odr["window_start"], "2025-12-17T00:00:00Z");
    EXPECT_EQ(odr["window_end"], "2026-02-15T00:00:00Z");
    EXPECT_EQ(odr["numerator"], 3);
    EXPECT_EQ(odr["denominator"], 412);
    EXPECT_EQ(odr["rate"].get<double>(), 3.0 / 412.0);  // full precision round trip
    EXPECT_EQ(odr["target"].get<double>(), 0.01);
    EXPECT_EQ(odr["warn"].get<double>(), 0.0075);
    EXPECT_EQ(odr["status"], "ok");
    EXPECT_EQ(odr["headroom"], 1);
    EXPECT_EQ(odr["low_volume"], false);
    EXPECT_EQ(odr["components"],
              (nlohmann::json{{"negative_feedback", 1}, {"a_to_z_claim", 2}, {"chargeback", 0}}));
    std::vector<std::string> keys;
    for (const auto& [k, v] : odr.items())
        keys.push_back(k);
    EXPECT_EQ(odr["stale"], false);
    EXPECT_TRUE(odr["stale_reason"].is_null());
    EXPECT_EQ(keys.size(), 18u);
}

TEST(StatusJson, StaleRowsAndFeeds) {
    auto e = sample();
    e.metrics[0].stale = true;
    e.metrics[0].stale_reason = "Feedback report last arrived 3 d ago (max 1 d 12 h)";
    metrics::feed_freshness fresh;
    fresh.feed = "all_orders";
    fresh.words = "All Orders report";
    fresh.max_age = hours(36);
    fresh.last_import_at = T() - hours(2);
    fresh.newest_data_at = T() - hours(5);
    fresh.imports = 4;
    fresh.age = hours(2);
    metrics::feed_freshness stale = fresh;
    stale.feed = "feedback";
    stale.last_import_at = T() - days(3);
    stale.newest_data_at = std::nullopt;
    stale.age = days(3);
    stale.stale = true;
    stale.reason = "Feedback report last arrived 3 d ago (max 1 d 12 h)";
    metrics::feed_freshness never;
    never.feed = "account_health";
    never.max_age = hours(36);
    e.feeds = {fresh, stale, never};
    const auto j = nlohmann::json::parse(status_json(e));
    // The status stands; the flag and the reason sit beside it.
    EXPECT_EQ(j["metrics"][0]["status"], "ok");
    EXPECT_EQ(j["metrics"][0]["stale"], true);
    EXPECT_EQ(j["metrics"][0]["stale_reason"],
              "Feedback report last arrived 3 d ago (max 1 d 12 h)");
    const auto& f = j["feeds"];
    ASSERT_EQ(f.size(), 3u);
    EXPECT_EQ(f[0], (nlohmann::json{{"feed", "all_orders"},
                                    {"last_import_at", "2026-02-28T22:00:00Z"},
                                    {"age_seconds", 7200},
                                    {"newest_data_at", "2026-02-28T19:00:00Z"},
                                    {"newest_data_age_seconds", 18000},
                                    {"max_age_seconds", 129600},
                                    {"imports", 4},
                                    {"stale", false},
                                    {"stale_reason", nullptr}}));
    EXPECT_EQ(f[1]["stale"], true);
    EXPECT_EQ(f[1]["stale_reason"], "Feedback report last arrived 3 d ago (max 1 d 12 h)");
    EXPECT_TRUE(f[1]["newest_data_at"].is_null());
    EXPECT_TRUE(f[2]["last_import_at"].is_null());
    EXPECT_TRUE(f[2]["age_seconds"].is_null());
    EXPECT_EQ(f[2]["stale"], false);
}

TEST(StatusJson, NoDataHasNullRateAndHeadroomAndNoComponents) {
    const auto j = nlohmann::json::parse(status_json(sample()));
    const auto& vtr = j["metrics"][1];
    EXPECT_TRUE(vtr["rate"].is_null());
    EXPECT_TRUE(vtr["headroom"].is_null());
    EXPECT_EQ(vtr["status"], "no_data");
    EXPECT_EQ(vtr["low_volume"], true);
    EXPECT_FALSE(vtr.contains("components"));
}

TEST(StatusJson, UpcomingAndAmazon) {
    const auto j = nlohmann::json::parse(status_json(sample()));
    const auto& u = j["upcoming"][0];
    EXPECT_EQ(u["marketplace"], "ATVPDKIKX0DER");
    EXPECT_EQ(u["unconfirmed_orders"][0]["order_id"], "111-1");
    EXPECT_EQ(u["unconfirmed_orders"][0]["latest_ship_date"], "2026-02-28T22:00:00Z");
    EXPECT_EQ(u["unconfirmed_orders"][0]["overdue"], true);
    EXPECT_TRUE(u["unanswered_messages"][0]["order_id"].is_null());
    EXPECT_EQ(u["unanswered_messages"][0]["reply_due"], "2026-03-01T11:00:00Z");
    EXPECT_EQ(u["defects_leaving_odr_window"][0]["leaves_window_at"], "2026-03-05T00:00:00Z");
    EXPECT_EQ(u["defects_leaving_odr_window"][0]["kinds"][0], "a_to_z_claim");
    const auto& a = j["amazon"][0];
    EXPECT_EQ(a["marketplace"], "ATVPDKIKX0DER");
    EXPECT_EQ(a["taken_at"], "2026-02-28T00:00:00Z");
    EXPECT_EQ(a["account_status"], "NORMAL");
    EXPECT_EQ(a["metrics"][0]["rate"].get<double>(), 0.02);
    EXPECT_EQ(a["metrics"][0]["status"], "BAD");
    EXPECT_EQ(a["metrics"][0]["window_start"], "2025-12-16T00:00:00Z");
    EXPECT_EQ(a["metrics"][0]["our_window_days"], 60);
    EXPECT_EQ(a["metrics"][0]["flagged"], true);
    EXPECT_TRUE(a["metrics"][0]["target"].is_null());
}

TEST(StatusJson, EmptyEvaluationHasEmptyArrays) {
    metrics::evaluation e;
    e.as_of = T();
    const auto j = nlohmann::json::parse(status_json(e));
    EXPECT_TRUE(j["metrics"].is_array() && j["metrics"].empty());
    EXPECT_TRUE(j["upcoming"].is_array() && j["upcoming"].empty());
    EXPECT_TRUE(j["amazon"].is_array() && j["amazon"].empty());
    EXPECT_TRUE(j["feeds"].is_array() && j["feeds"].empty());
}

}  // namespace
}  // namespace shd::report
