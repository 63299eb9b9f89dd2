// What notifications say: numbers, titles, headroom, caveats, upcoming lines.
#include "alerts/words.hpp"

#include <gtest/gtest.h>

#include <clocale>

#include "config/config.hpp"
#include "metrics/rules.hpp"

namespace shd::alerts {
namespace {

constexpr const char* kUS = "ATVPDKIKX0DER";
constexpr const char* kUK = "A1F83G8C2ARO7P";
const instant T0 = *parse_iso8601("2026-03-01T00:00:00Z");

metrics::metric_result row(metric_key key, std::int64_t numerator, std::int64_t denominator,
                           int window_days, const std::string& channel = "MFN",
                           const std::string& marketplace = kUS) {
    const config::config cfg = config::default_config();
    return metrics::make_result(key, marketplace, channel, window_days, cfg.metrics.at(key), T0,
                                {numerator, denominator, std::nullopt});
}

TEST(Words, Percent) {
    EXPECT_EQ(format_percent(0.046), "4.6%");
    EXPECT_EQ(format_percent(0.04), "4%");
    EXPECT_EQ(format_percent(0.0075), "0.75%");
    EXPECT_EQ(format_percent(29.0 / 30.0), "96.67%");
    EXPECT_EQ(format_percent(0), "0%");
    EXPECT_EQ(format_percent(1), "100%");
}

TEST(Words, PercentIgnoresTheCLocale) {
    // A decimal-comma locale must not turn 4.6% into 4,6%. Without de_DE the
    // test could not fail, so a missing locale is a failure
    // (scripts/install-deps.sh generates it).
    const char* previous = std::setlocale(LC_ALL, nullptr);
    const std::string saved = previous ? previous : "C";
    struct restore {
        std::string name;
        ~restore() { std::setlocale(LC_ALL, name.c_str()); }
    } restore_locale{saved};
    ASSERT_NE(std::setlocale(LC_ALL, "de_DE.UTF-8"), nullptr)
        << "the de_DE.UTF-8 locale is missing: run scripts/install-deps.sh";
    ASSERT_STREQ(std::localeconv()->decimal_point, ",");
    EXPECT_EQ(format_percent(0.046), "4.6%");
}

TEST(Words, TimesAndSpans) {
    EXPECT_EQ(format_utc_minute(*parse_iso8601("2026-03-01T14:05:59Z")), "2026-03-01 14:05 UTC");
    EXPECT_EQ(format_span(std::chrono::minutes(200)), "3 h 20 min");
    EXPECT_EQ(format_span(std::chrono::minutes(45)), "45 min");
    EXPECT_EQ(format_span(std::chrono::hours(20)), "20 h");
    EXPECT_EQ(format_span(std::chrono::hours(52)), "2 d 4 h");
    EXPECT_EQ(format_span(std::chrono::hours(48)), "2 d");
    EXPECT_EQ(format_span(std::chrono::seconds(59)), "0 min");
}

TEST(Words, Titles) {
    // 5 late of 108: 4.63 % against target 4 %.
    const auto breached = row(metric_key::late_dispatch_rate, 5, 108, 10);
    ASSERT_EQ(breached.status, metrics::metric_status::breached);
    EXPECT_EQ(metric_title(breached, transition::firing, severity::breached),
              "[BREACHED] Late dispatch rate 4.63% > 4% (US, 10 days)");
    const auto exactly = row(metric_key::late_dispatch_rate, 4, 100, 10);
    EXPECT_EQ(metric_title(exactly, transition::escalated, severity::breached),
              "[BREACHED] Late dispatch rate 4% ≥ 4% (US, 10 days)");
    const auto at_risk = row(metric_key::late_dispatch_rate, 32, 1000, 30);
    EXPECT_EQ(metric_title(at_risk, transition::repeat, severity::at_risk),
              "[AT RISK] Late dispatch rate 3.2% > warn 3% (US, 30 days)");
    const auto ok = row(metric_key::late_dispatch_rate, 2, 100, 10);
    EXPECT_EQ(metric_title(ok, transition::resolved, severity::breached),
              "[RESOLVED] Late dispatch rate 2% < warn 3% (US, 10 days)");
    const auto empty = row(metric_key::late_dispatch_rate, 0, 0, 10);
    EXPECT_EQ(metric_title(empty, transition::resolved, severity::at_risk),
              "[RESOLVED] Late dispatch rate: no orders in the window (US, 10 days)");
    // Two-channel metric: the channel is named. Higher-is-better compares downwards.
    const auto odr = row(metric_key::order_defect_rate, 2, 150, 60, "AFN", kUK);
    EXPECT_EQ(metric_title(odr, transition::firing, severity::breached),
              "[BREACHED] Order defect rate 1.33% > 1% (UK, AFN, 60 days)");
    const auto rr = row(metric_key::response_rate_24h, 89, 100, 7, "all");
    EXPECT_EQ(metric_title(rr, transition::firing, severity::breached),
              "[BREACHED] 24-hour response rate 89% < 90% (US, 7 days)");
    const auto rr_warn = row(metric_key::response_rate_24h, 93, 100, 7, "all");
    EXPECT_EQ(metric_title(rr_warn, transition::firing, severity::at_risk),
              "[AT RISK] 24-hour response rate 93% < warn 95% (US, 7 days)");
    // Unknown marketplace IDs are shown as they are.
    const auto unknown = row(metric_key::cancellation_rate, 3, 100, 7, "MFN", "AZZZZZZZZZ");
    EXPECT_EQ(metric_title(unknown, transition::firing, severity::breached),
              "[BREACHED] Pre-fulfilment cancel rate 3% > 2.5% (AZZZZZZZZZ, 7 days)");
}

TEST(Words, HeadroomLowerIsBetter) {
    // 31 of 1000 late: headroom 8 (39/1000 < 4 %), so the 9th breaches.
    const auto r = row(metric_key::late_dispatch_rate, 31, 1000, 10);
    ASSERT_EQ(r.headroom, 8);
    EXPECT_EQ(headroom_text(r), "9 more late dispatches in this 10-day window breach 4%.");
    // 3 of 100: headroom 0, the next one breaches.
    const auto edge = row(metric_key::late_dispatch_rate, 3, 100, 10);
    ASSERT_EQ(edge.headroom, 0);
    EXPECT_EQ(headroom_text(edge), "The next late dispatch in this 10-day window breaches 4%.");
    const auto breached = row(metric_key::late_dispatch_rate, 5, 108, 10);
    EXPECT_EQ(headroom_text(breached),
              "Past the 4% target: 5 late dispatches among 108 orders in this 10-day window.");
    const auto ok = row(metric_key::late_dispatch_rate, 1, 100, 10);
    EXPECT_EQ(headroom_text(ok), "1 late dispatch among 100 orders in this 10-day window.");
    EXPECT_EQ(headroom_text(row(metric_key::late_dispatch_rate, 0, 0, 10)), "");
}

TEST(Words, HeadroomHigherIsBetter) {
    // 94 of 100 answered in time: 94/(100+k) > 0.9 for k <= 4; the 5th late reply breaches.
    const auto r = row(metric_key::response_rate_24h, 94, 100, 7, "all");
    ASSERT_EQ(r.status, metrics::metric_status::at_risk);
    ASSERT_EQ(r.headroom, 4);
    EXPECT_EQ(headroom_text(r), "5 more late replies in this 7-day window breach 90%.");
    const auto vtr = row(metric_key::valid_tracking_rate, 180, 200, 30);
    EXPECT_EQ(headroom_text(vtr),
              "Past the 95% target: 20 shipments without valid tracking among 200 shipments in "
              "this 30-day window.");
}

TEST(Words, SmallSampleCaveat) {
    EXPECT_EQ(small_sample_caveat(row(metric_key::late_dispatch_rate, 1, 12, 10)),
              "Small sample: 12 orders in the window; one order moves the rate by 8.3 points.");
    EXPECT_EQ(small_sample_caveat(row(metric_key::response_rate_24h, 1, 1, 7, "all")),
              "Small sample: 1 message in the window; one message moves the rate by 100 points.");
    EXPECT_EQ(small_sample_caveat(row(metric_key::valid_tracking_rate, 99, 99, 30)),
              "Small sample: 99 shipments in the window; one shipment moves the rate by 1 "
              "point.");
    EXPECT_EQ(small_sample_caveat(row(metric_key::late_dispatch_rate, 1, 100, 10)),
              "");  // 100 is enough
    EXPECT_EQ(small_sample_caveat(row(metric_key::late_dispatch_rate, 0, 0, 10)), "");
}

TEST(Words, AdviceForEveryMetric) {
    for (const auto& m : all_metrics())
        EXPECT_FALSE(metric_advice(m.key).empty()) << m.name;
}

TEST(Words, DescribeMetric) {
    const auto r = row(metric_key::late_dispatch_rate, 2, 40, 10);
    const auto a = describe_metric(r, "late_dispatch_rate|ATVPDKIKX0DER|MFN|10", transition::firing,
                                   severity::breached, T0);
    EXPECT_EQ(a.kind, "metric");
    EXPECT_EQ(a.metric, "late_dispatch_rate");
    EXPECT_EQ(a.marketplace, kUS);
    EXPECT_EQ(a.channel, "MFN");
    EXPECT_EQ(a.window_days, 10);
    EXPECT_EQ(a.state, "firing");
    EXPECT_EQ(a.severity, "breached");
    EXPECT_EQ(a.rate, 0.05);
    EXPECT_EQ(a.warn, 0.03);
    EXPECT_EQ(a.target, 0.04);
    EXPECT_EQ(a.numerator, 2);
    EXPECT_EQ(a.denominator, 40);
    EXPECT_EQ(a.headroom, 0);
    EXPECT_TRUE(a.low_volume);
    EXPECT_EQ(a.since, T0);
    EXPECT_EQ(a.title, "[BREACHED] Late dispatch rate 5% > 4% (US, 10 days)");
    EXPECT_FALSE(a.advice.empty());
    EXPECT_EQ(a.caveat,
              "Small sample: 40 orders in the window; one order moves the rate by 2.5 points.");
    const auto resolved = describe_metric(row(metric_key::late_dispatch_rate, 0, 40, 10), "fp",
                                          transition::resolved, severity::breached, T0);
    EXPECT_EQ(resolved.state, "resolved");
    EXPECT_EQ(resolved.severity, "breached");
    EXPECT_EQ(resolved.advice, "");
}

TEST(Words, LocalTimeBesideUtc) {
    // 03:00 UTC on 1 March is 19:00 the evening before in Seattle (PST).
    EXPECT_EQ(format_local_minute(T0 + std::chrono::hours(3), kUS),
              "2026-02-28 19:00 PST (2026-03-01 03:00 UTC)");
    // Summer time in London: BST, one hour ahead.
    EXPECT_EQ(format_local_minute(*parse_iso8601("2026-07-01T12:30:00Z"), kUK),
              "2026-07-01 13:30 BST (2026-07-01 12:30 UTC)");
    // A configured display zone wins over the marketplace's.
    EXPECT_EQ(format_local_minute(T0, kUS, "Europe/Berlin"),
              "2026-03-01 01:00 CET (2026-03-01 00:00 UTC)");
    // Unknown marketplace, or UTC: UTC alone.
    EXPECT_EQ(format_local_minute(T0, "XYZ"), "2026-03-01 00:00 UTC");
    EXPECT_EQ(format_local_minute(T0, kUS, "UTC"), "2026-03-01 00:00 UTC");
}

TEST(Words, IdsThenHowManyMore) {
    EXPECT_EQ(ids_text({"A"}), "A");
    EXPECT_EQ(ids_text({"A", "B"}), "A and B");
    EXPECT_EQ(ids_text({"A", "B", "C"}), "A, B and C");
    EXPECT_EQ(ids_text({"A", "B", "C", "D", "E"}), "A, B, C and 2 more");
}

TEST(Words, DeadlinesAndStaleData) {
    const instant now = T0;
    const metrics::unanswered_message m{"M-1", "111-222", now - std::chrono::hours(21),
                                        now + std::chrono::hours(3), false};
    const auto a = describe_message_deadline(m, kUS, "message_deadline|M-1", now);
    EXPECT_EQ(a.title, "[AT RISK] Buyer message M-1 without reply: due in 3 h (US)");
    EXPECT_EQ(a.headroom_text,
              "Message M-1 about order 111-222 arrived 2026-02-27 19:00 PST (2026-02-28 03:00 "
              "UTC); the reply is due by 2026-02-28 19:00 PST (2026-03-01 03:00 UTC).");
    EXPECT_EQ(a.kind, "message_deadline");
    EXPECT_EQ(a.severity, "at_risk");
    EXPECT_EQ(a.state, "firing");
    EXPECT_EQ(a.transition, "firing");
    ASSERT_EQ(a.links.size(), 2u);
    EXPECT_EQ(a.links[0],
              (id_link{"message", "M-1", "https://sellercentral.amazon.com/messaging/inbox"}));
    EXPECT_EQ(a.links[1], (id_link{"order", "111-222",
                                   "https://sellercentral.amazon.com/orders-v3/order/111-222"}));

    // Past its deadline: missed, counting against the metric; no "before the deadline".
    const metrics::unanswered_message missed{"M-2", "", now - std::chrono::hours(25),
                                             now - std::chrono::hours(1), true};
    const auto b = describe_message_deadline(missed, kUK, "message_deadline|M-2", now);
    EXPECT_EQ(b.title, "[MISSED] Buyer message M-2 not answered within 24 hours (UK)");
    EXPECT_EQ(b.headroom_text,
              "Message M-2 arrived 2026-02-27 23:00 GMT (2026-02-27 23:00 UTC); the reply was due "
              "by 2026-02-28 23:00 GMT (2026-02-28 23:00 UTC). Missed: it counts against the "
              "24-hour response rate.");
    EXPECT_EQ(b.advice.find("before the deadline"), std::string::npos);
    EXPECT_EQ(b.links,
              (std::vector<id_link>{
                  {"message", "M-2", "https://sellercentral.amazon.co.uk/messaging/inbox"}}));
    EXPECT_EQ(journal_priority(b), 4);

    const metrics::unconfirmed_order o{"111-333", now + std::chrono::minutes(150), false};
    const auto c = describe_ship_deadline(o, kUK, "ship_deadline|111-333", now);
    EXPECT_EQ(c.title,
              "[AT RISK] Order 111-333 not confirmed: latest ship date in 2 h 30 min (UK)");
    EXPECT_EQ(c.headroom_text, "Latest ship date 2026-03-01 02:30 GMT (2026-03-01 02:30 UTC).");
    EXPECT_EQ(
        c.links,
        (std::vector<id_link>{
            {"order", "111-333", "https://sellercentral.amazon.co.uk/orders-v3/order/111-333"}}));
    EXPECT_EQ(journal_priority(c), 6);
    const metrics::unconfirmed_order late{"111-444", now - std::chrono::minutes(1), true};
    const auto d = describe_ship_deadline(late, kUS, "x", now);
    EXPECT_EQ(d.title, "[MISSED] Order 111-444 not confirmed by its latest ship date (US)");
    EXPECT_EQ(d.headroom_text,
              "The latest ship date was 2026-02-28 15:59 PST (2026-02-28 23:59 UTC). Missed: the "
              "order counts against the late dispatch rate.");
    EXPECT_EQ(d.title.find("RESOLVED"), std::string::npos);
    EXPECT_EQ(d.advice.find("before"), std::string::npos);

    metrics::feed_freshness f;
    f.feed = "shipments";
    f.words = "shipments";
    f.max_age = std::chrono::hours(36);
    f.last_import_at = now - std::chrono::hours(40);
    f.age = std::chrono::hours(40);
    f.stale = true;
    const auto stale = describe_stale_feed(f, "stale_data|shipments", false, now, now);
    EXPECT_EQ(stale.title,
              "[AT RISK] Stale feed: shipments last arrived 1 d 16 h ago (max 1 d 12 h)");
    EXPECT_EQ(stale.headroom_text,
              "Shipments last arrived at 2026-02-27 08:00 UTC. Metrics counted from it are "
              "flagged stale, and their alerts are held until it arrives again.");
    EXPECT_EQ(stale.state, "firing");
    EXPECT_EQ(stale.kind, "stale_data");
    f.last_import_at = now;
    f.age = std::chrono::seconds{0};
    f.stale = false;
    const auto back =
        describe_stale_feed(f, "stale_data|shipments", true, now, now - std::chrono::hours(4));
    EXPECT_EQ(back.title, "[RESOLVED] Feed arriving again: shipments");
    EXPECT_EQ(back.headroom_text, "Shipments arrived at 2026-03-01 00:00 UTC.");
    EXPECT_EQ(back.state, "resolved");
    EXPECT_EQ(back.since, now - std::chrono::hours(4));
}

TEST(Words, UpcomingLines) {
    metrics::upcoming_events e;
    e.marketplace_id = kUS;
    e.unconfirmed_orders = {{"A", T0 + std::chrono::hours(2), false},
                            {"B", T0 + std::chrono::hours(5), false},
                            {"C", T0 - std::chrono::hours(1), true}};
    e.unanswered_messages = {
        {"M1", "", T0 - std::chrono::hours(13), T0 + std::chrono::hours(11), false},
        {"M2", "", T0 - std::chrono::hours(30), T0 - std::chrono::hours(6), true},
        {"M3", "", T0 - std::chrono::hours(40), T0 - std::chrono::hours(16), true}};
    e.defects_leaving = {
        {"D1", "MFN", 60, T0, T0 + days(3), {"a_to_z_claim"}},
        {"D2", "AFN", 60, T0, T0 + days(5), {"negative_feedback"}},
        {"D3", "MFN", 90, T0, T0 + days(20), {"chargeback"}},
    };
    e.unconfirmed_orders.push_back({"E", T0 + std::chrono::hours(6), false});
    e.unconfirmed_orders.push_back({"F", T0 + std::chrono::hours(7), false});
    e.unconfirmed_orders.push_back({"G", T0 + std::chrono::hours(8), false});
    const auto lines = upcoming_lines(e, T0);
    ASSERT_EQ(lines.size(), 6u);
    // Worst first: what is already missed, then what is coming, each naming its IDs.
    EXPECT_EQ(lines[0],
              "1 order missed the latest ship date and not confirmed (US): C. Missed: counts "
              "against the late dispatch rate.");
    EXPECT_EQ(lines[1],
              "5 orders must ship within 24 h (US), the first by 2026-02-28 18:00 PST "
              "(2026-03-01 02:00 UTC): A, B, E and 2 more.");
    EXPECT_EQ(lines[2],
              "2 buyer messages missed the 24-hour reply deadline (US): M3 and M2. Missed: counts "
              "against the response rate.");
    EXPECT_EQ(lines[3],
              "1 buyer message awaits a reply (US), the first due by 2026-03-01 03:00 PST "
              "(2026-03-01 11:00 UTC): M1.");
    EXPECT_EQ(lines[4],
              "2 order defects leave the 60-day order defect window within 7 days (US); the "
              "first on 2026-03-03 16:00 PST (2026-03-04 00:00 UTC).");
    EXPECT_EQ(lines[5],
              "The next order defect leaves the 90-day order defect window on 2026-03-20 17:00 "
              "PDT (2026-03-21 00:00 UTC) (US).");
    const auto links = upcoming_links(e);
    ASSERT_EQ(links.size(), 7u);  // C; A, B, E; M3, M2; M1
    EXPECT_EQ(links[0].url, "https://sellercentral.amazon.com/orders-v3/order/C");
    EXPECT_EQ(links[3].id, "E");
    EXPECT_EQ(links[4],
              (id_link{"message", "M3", "https://sellercentral.amazon.com/messaging/inbox"}));
    // A display zone changes the local half only.
    EXPECT_EQ(upcoming_lines(e, T0, "Asia/Tokyo")[1],
              "5 orders must ship within 24 h (US), the first by 2026-03-01 11:00 JST "
              "(2026-03-01 02:00 UTC): A, B, E and 2 more.");
    metrics::upcoming_events quiet;
    quiet.marketplace_id = kUS;
    EXPECT_TRUE(upcoming_lines(quiet, T0).empty());
}

TEST(Words, BreachSaysWhenItClears) {
    auto r = row(metric_key::late_dispatch_rate, 2, 40, 10);
    r.clears_by = T0 + days(4);
    const auto a = describe_metric(r, "fp", transition::firing, severity::breached, T0);
    EXPECT_EQ(a.clears_at, T0 + days(4));
    EXPECT_EQ(a.headroom_text,
              "Past the 4% target: 2 late dispatches among 40 orders in this 10-day window. If "
              "nothing new goes wrong, it is back under 4% by 2026-03-04 16:00 PST (2026-03-05 "
              "00:00 UTC), when its oldest late dispatches leave the window.");
    EXPECT_EQ(a.transition, "firing");
    EXPECT_EQ(journal_line(a), "alert firing: [BREACHED] Late dispatch rate 5% > 4% (US, 10 days)");
    EXPECT_EQ(journal_priority(a), 4);
    auto repeat = describe_metric(r, "fp", transition::repeat, severity::breached, T0);
    EXPECT_EQ(journal_line(repeat).substr(0, 13), "alert repeat:");
    EXPECT_EQ(journal_priority(repeat), 4);
    const auto resolved = describe_metric(row(metric_key::late_dispatch_rate, 0, 40, 10), "fp",
                                          transition::resolved, severity::breached, T0);
    EXPECT_FALSE(resolved.clears_at);
    EXPECT_EQ(journal_priority(resolved), 6);
    EXPECT_EQ(journal_line(resolved).substr(0, 15), "alert resolved:");
    const auto at_risk = describe_metric(row(metric_key::late_dispatch_rate, 14, 400, 10), "fp",
                                         transition::firing, severity::at_risk, T0);
    EXPECT_EQ(journal_priority(at_risk), 6);
}

// A response rate is back inside its target when it rises over it, not under.
TEST(Words, ABreachedResponseRateClearsBackOverItsTarget) {
    auto r = row(metric_key::response_rate_24h, 0, 1, 7, "all");
    r.clears_by = T0 + days(6);
    const auto a = describe_metric(r, "fp", transition::firing, severity::breached, T0);
    EXPECT_EQ(a.clears_at, T0 + days(6));
    EXPECT_EQ(a.headroom_text,
              "Past the 90% target: 1 late reply among 1 message in this 7-day window. If nothing "
              "new goes wrong, it is back over 90% by 2026-03-06 16:00 PST (2026-03-07 00:00 "
              "UTC), when its oldest late replies leave the window.");
    EXPECT_EQ(a.headroom_text.find("back under"), std::string::npos);
}

}  // namespace
}  // namespace shd::alerts
