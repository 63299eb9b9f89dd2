// Which channel gets which alert: matchers and send_resolved.
#include "alerts/routing.hpp"

#include <gtest/gtest.h>

namespace shd::alerts {
namespace {

alert_change change(std::string kind, std::string metric, std::string marketplace,
                    std::string state = "firing") {
    alert_change c;
    c.kind = std::move(kind);
    c.metric = std::move(metric);
    c.marketplace = std::move(marketplace);
    c.state = std::move(state);
    c.fingerprint = c.kind + "|" + c.metric + "|" + c.marketplace;
    return c;
}

constexpr const char* kUk = "A1F83G8C2ARO7P";
constexpr const char* kDe = "A1PA6795UKMFR9";

TEST(Routing, AChannelWithoutMatchersGetsEverything) {
    const config::alert_channel channel;
    EXPECT_TRUE(channel_wants(channel, change("metric", "late_dispatch_rate", kUk), "at_risk"));
    EXPECT_TRUE(channel_wants(channel, change("stale_data", "stale_data", ""), "breached"));
    EXPECT_TRUE(
        channel_wants(channel, change("metric", "cancellation_rate", kDe, "resolved"), "breached"));
}

TEST(Routing, EveryGivenKeyMustMatchAndAnyValueWithinAKeyDoes) {
    config::alert_channel uk_dispatch;
    uk_dispatch.match.marketplaces = {kUk};
    uk_dispatch.match.metrics = {"late_dispatch_rate", "order_defect_rate"};
    EXPECT_TRUE(channel_wants(uk_dispatch, change("metric", "late_dispatch_rate", kUk), "at_risk"));
    EXPECT_TRUE(channel_wants(uk_dispatch, change("metric", "order_defect_rate", kUk), "at_risk"));
    EXPECT_FALSE(
        channel_wants(uk_dispatch, change("metric", "late_dispatch_rate", kDe), "at_risk"));
    EXPECT_FALSE(channel_wants(uk_dispatch, change("metric", "cancellation_rate", kUk), "at_risk"));
    // Deadlines are about the metric they count against.
    EXPECT_TRUE(
        channel_wants(uk_dispatch, change("ship_deadline", "ship_deadline", kUk), "at_risk"));
    EXPECT_FALSE(
        channel_wants(uk_dispatch, change("message_deadline", "message_deadline", kUk), "at_risk"));
    // An alert of the whole account passes the marketplace matcher, not the metric one.
    EXPECT_FALSE(channel_wants(uk_dispatch, change("stale_data", "stale_data", ""), "at_risk"));
    config::alert_channel uk_only;
    uk_only.match.marketplaces = {kUk};
    EXPECT_TRUE(channel_wants(uk_only, change("stale_data", "stale_data", ""), "at_risk"));
    EXPECT_TRUE(channel_wants(uk_only, change("sp_api_auth", "sp_api_auth", ""), "breached"));
}

TEST(Routing, ADivergenceFromAmazonIsAboutItsMetric) {
    auto divergence = change("amazon_divergence", "amazon_divergence", kUk);
    divergence.fingerprint = std::string("amazon_divergence|order_defect_rate|") + kUk + "|all";
    EXPECT_EQ(concerned_metric(divergence), "order_defect_rate");
    config::alert_channel odr;
    odr.match.metrics = {"order_defect_rate"};
    EXPECT_TRUE(channel_wants(odr, divergence, "at_risk"));
    odr.match.metrics = {"late_dispatch_rate"};
    EXPECT_FALSE(channel_wants(odr, divergence, "at_risk"));
}

TEST(Routing, KindsAndSeverities) {
    config::alert_channel pager;
    pager.match.severities = {"breached"};
    pager.match.kinds = {"metric", "amazon"};
    EXPECT_TRUE(channel_wants(pager, change("metric", "late_dispatch_rate", kUk), "breached"));
    EXPECT_FALSE(channel_wants(pager, change("metric", "late_dispatch_rate", kUk), "at_risk"));
    EXPECT_TRUE(channel_wants(pager, change("account_status", "account_status", kUk), "breached"));
    EXPECT_FALSE(channel_wants(pager, change("stale_data", "stale_data", ""), "breached"));
    EXPECT_FALSE(channel_wants(pager, change("sp_api_source", "sp_api_source", kUk), "breached"));
    EXPECT_EQ(kind_group("message_deadline"), "deadline");
    EXPECT_EQ(kind_group("sp_api_secret_expiry"), "source");
    EXPECT_EQ(kind_group("ahr_status"), "amazon");
    EXPECT_EQ(kind_group("something_new"), "");
}

TEST(Routing, SendResolvedFalseDropsResolvesOnly) {
    config::alert_channel chat;
    chat.send_resolved = false;
    EXPECT_TRUE(channel_wants(chat, change("metric", "late_dispatch_rate", kUk), "breached"));
    EXPECT_FALSE(
        channel_wants(chat, change("metric", "late_dispatch_rate", kUk, "resolved"), "breached"));
}

}  // namespace
}  // namespace shd::alerts
