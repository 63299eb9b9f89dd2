// The notification JSON: the contract between the lifecycle and delivery.
#include "alerts/notification.hpp"

#include <gtest/gtest.h>

namespace shd::alerts {
namespace {

const instant T0 = *parse_iso8601("2026-03-01T12:34:56Z");

notification sample() {
    notification n;
    n.idempotency_key = "0123abcd";
    n.account = "Müller \"Handel\" GmbH";
    n.created_at = T0;
    alert_change a;
    a.kind = "metric";
    a.fingerprint = "late_dispatch_rate|ATVPDKIKX0DER|MFN|10";
    a.metric = "late_dispatch_rate";
    a.marketplace = "ATVPDKIKX0DER";
    a.channel = "MFN";
    a.window_days = 10;
    a.state = "firing";
    a.severity = "breached";
    a.rate = 5.0 / 108.0;
    a.warn = 0.03;
    a.target = 0.04;
    a.numerator = 5;
    a.denominator = 108;
    a.headroom = 0;
    a.low_volume = false;
    a.since = T0 - std::chrono::hours(3);
    a.title = "[BREACHED] Late dispatch rate 4.63% > 4% (US, 10 days)";
    a.headroom_text = "Past the 4% target.";
    a.advice = "Ship on time.";
    a.caveat = "";
    alert_change b;
    b.kind = "stale_data";
    b.fingerprint = "stale_data";
    b.metric = "stale_data";
    b.state = "resolved";
    b.severity = "at_risk";
    b.since = T0 - std::chrono::hours(40);
    b.title = "[RESOLVED] Data is arriving again";
    n.alerts = {a, b};
    n.upcoming = {"2 orders must ship within 24 h (US); the first by 2026-03-01 14:00 UTC."};
    return n;
}

bool same(const alert_change& x, const alert_change& y) {
    return x.kind == y.kind && x.fingerprint == y.fingerprint && x.metric == y.metric &&
           x.marketplace == y.marketplace && x.channel == y.channel &&
           x.window_days == y.window_days && x.state == y.state && x.severity == y.severity &&
           x.rate == y.rate && x.warn == y.warn && x.target == y.target &&
           x.numerator == y.numerator && x.denominator == y.denominator &&
           x.headroom == y.headroom && x.low_volume == y.low_volume && x.since == y.since &&
           x.title == y.title && x.headroom_text == y.headroom_text && x.advice == y.advice &&
           x.caveat == y.caveat;
}

TEST(NotificationJson, RoundTrips) {
    const notification n = sample();
    const std::string text = to_json(n);
    auto back = notification_from_json(text);
    ASSERT_TRUE(back.has_value()) << back.error().text;
    EXPECT_EQ(back->idempotency_key, n.idempotency_key);
    EXPECT_EQ(back->account, n.account);
    EXPECT_EQ(back->created_at, n.created_at);
    EXPECT_EQ(back->is_test, false);
    ASSERT_EQ(back->alerts.size(), 2u);
    EXPECT_TRUE(same(back->alerts[0], n.alerts[0]));
    EXPECT_TRUE(same(back->alerts[1], n.alerts[1]));
    EXPECT_FALSE(back->alerts[1].rate.has_value());
    EXPECT_FALSE(back->alerts[1].headroom.has_value());
    EXPECT_EQ(back->upcoming, n.upcoming);
    EXPECT_EQ(to_json(*back), text);  // byte-stable
}

TEST(NotificationJson, Shape) {
    const std::string text = to_json(sample());
    EXPECT_NE(text.find("\"version\":1"), std::string::npos) << text;
    EXPECT_NE(text.find("\"created_at\":\"2026-03-01T12:34:56Z\""), std::string::npos) << text;
    EXPECT_NE(text.find("\"rate\":null"), std::string::npos) << text;
    EXPECT_NE(text.find("\"since\":\"2026-03-01T09:34:56Z\""), std::string::npos) << text;
}

TEST(NotificationJson, InvalidUtf8IsReplacedNotThrown) {
    notification n = sample();
    n.account = std::string("Shop \xff\xfe");
    const std::string text = to_json(n);
    auto back = notification_from_json(text);
    ASSERT_TRUE(back.has_value()) << back.error().text;
    EXPECT_TRUE(back->account.starts_with("Shop "));
}

TEST(NotificationJson, Errors) {
    EXPECT_FALSE(notification_from_json("").has_value());
    EXPECT_FALSE(notification_from_json("[]").has_value());
    EXPECT_FALSE(notification_from_json("{\"idempotency_key\":\"k\"}").has_value());
    std::string text = to_json(sample());
    std::string bad_time = text;
    bad_time.replace(bad_time.find("2026-03-01T12:34:56Z"), 20, "yesterday");
    auto e = notification_from_json(bad_time);
    ASSERT_FALSE(e.has_value());
    EXPECT_NE(e.error().text.find("created_at"), std::string::npos) << e.error().text;
    std::string bad_state = text;
    bad_state.replace(bad_state.find("\"firing\""), 8, "\"flying\"");
    EXPECT_FALSE(notification_from_json(bad_state).has_value());
    std::string newer = text;
    newer.replace(newer.find("\"version\":1"), 11, "\"version\":9");
    auto v = notification_from_json(newer);
    ASSERT_FALSE(v.has_value());
    EXPECT_NE(v.error().text.find("newer"), std::string::npos);
}

TEST(NotificationJson, HighestSeverity) {
    notification n = sample();
    EXPECT_EQ(highest_severity(n), "breached");
    n.alerts[0].severity = "at_risk";
    EXPECT_EQ(highest_severity(n), "at_risk");
    n.alerts.clear();
    EXPECT_EQ(highest_severity(n), "at_risk");
}

}  // namespace
}  // namespace shd::alerts
