// The dashboard page as text: escaping, one chart per metric row in the
// right order, no script and no network load, the empty states, alerts.
#include "web/dashboard.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <stdexcept>

#include "web/svg_chart.hpp"
#include "web_fixture.hpp"

namespace shd::web {
namespace {

using namespace shd::web::test;
using ::testing::HasSubstr;
using ::testing::Not;

instant now_of(const snapshot& s) {
    return s.evaluation->as_of + std::chrono::minutes(3);
}

// The <svg class="chart" ...>...</svg> fragments, in page order.
std::vector<std::string> charts(const std::string& page) {
    std::vector<std::string> out;
    for (auto pos = page.find("<svg class=\"chart\""); pos != std::string::npos;
         pos = page.find("<svg class=\"chart\"", pos + 1))
        out.push_back(page.substr(pos, page.find("</svg>", pos) + 6 - pos));
    return out;
}

std::string attribute(const std::string& tag_text, const std::string& name) {
    const std::regex re(" " + name + "=\"([^\"]*)\"");
    std::smatch m;
    const std::string tag = tag_text.substr(0, tag_text.find('>'));
    return std::regex_search(tag, m, re) ? std::string(m[1]) : std::string("<none>");
}

// Attributes like onload= or onclick= inside any tag.
std::size_t event_handler_attributes(const std::string& page) {
    static const std::regex handler("\\son[a-z]+\\s*=");
    std::size_t n = 0;
    for (auto open = page.find('<'); open != std::string::npos; open = page.find('<', open + 1)) {
        const std::string tag = page.substr(open, page.find('>', open) - open);
        n += std::regex_search(tag, handler);
    }
    return n;
}

TEST(Dashboard, EventHandlerCheckFindsOne) {
    EXPECT_EQ(event_handler_attributes("<p class=\"on\">on it</p><body onload=\"x()\">"), 1u);
}

TEST(Dashboard, EscapesTheAccountName) {
    snapshot s = realistic_snapshot();
    s.account = "<script>alert(1)</script>";
    const std::string page = render_dashboard(s, now_of(s));
    EXPECT_THAT(page, Not(HasSubstr("<script>alert(1)</script>")));
    EXPECT_THAT(page, Not(HasSubstr("<script")));
    EXPECT_THAT(page, HasSubstr("<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>"));
    EXPECT_THAT(page, HasSubstr("<title>&lt;script&gt;alert(1)&lt;/script&gt; · Account health"));
}

TEST(Dashboard, SilencesAndQuietAlertsAreShown) {
    snapshot s = realistic_snapshot();
    const instant now = now_of(s);
    EXPECT_THAT(render_dashboard(s, now), Not(HasSubstr("id=\"silences-title\"")));
    s.silences = {{4, "active", "marketplace=A1F83G8C2ARO7P,metric=cancellation_rate",
                   now - std::chrono::hours(1), now + std::chrono::hours(3), "carrier <strike>",
                   "ops"}};
    s.alerts[0].silenced_by = 4;
    s.alerts[1].acknowledged = true;
    const std::string page = render_dashboard(s, now);
    EXPECT_THAT(page, HasSubstr("<h2 id=\"silences-title\">Silences</h2>"));
    EXPECT_THAT(page, HasSubstr("<tr data-silence=\"4\"><td>4</td><td>active</td>"
                                "<td class=\"alert-name\">marketplace=A1F83G8C2ARO7P,"
                                "metric=cancellation_rate</td>"));
    EXPECT_THAT(page, HasSubstr("carrier &lt;strike&gt;"));
    EXPECT_THAT(page, HasSubstr("<span class=\"quiet\">silenced (4)</span>"));
    EXPECT_THAT(page, HasSubstr("<span class=\"quiet\">acknowledged</span>"));
    EXPECT_LT(page.find("silences-title"), page.find("alerts-title"));
}

TEST(Dashboard, EscapesIdsFingerprintsAndUpcomingLines) {
    snapshot s = realistic_snapshot();
    const std::string evil = "X\"><img src=x onerror=alert(1)>";
    s.evaluation->metrics.push_back(
        make_row(evil, metric_key::late_dispatch_rate, "MFN", 10, 1, 50, s.evaluation->as_of));
    metrics::upcoming_events u;
    u.marketplace_id = evil;
    u.unconfirmed_orders = {{"<b>order</b>", s.evaluation->as_of + hours(2), false}};
    s.evaluation->upcoming.push_back(u);
    s.alerts.push_back({"late_dispatch_rate|" + evil + "|MFN|10", "metric", "at_risk", "firing",
                        s.evaluation->as_of, std::nullopt});
    s.alerts.push_back({"ship_deadline|<b>order</b>", "ship_deadline", "at_risk", "firing",
                        s.evaluation->as_of, std::nullopt});
    s.version = "<i>0.1</i>";
    const std::string page = render_dashboard(s, now_of(s));
    EXPECT_THAT(page, Not(HasSubstr("<img")));
    EXPECT_THAT(page, Not(HasSubstr("<b>order")));
    EXPECT_THAT(page, Not(HasSubstr("<i>0.1")));
    EXPECT_THAT(page, HasSubstr("X&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    EXPECT_THAT(page, HasSubstr("Order &lt;b&gt;order&lt;/b&gt; not confirmed"));
}

TEST(Dashboard, NoScriptAndNothingFromTheNetwork) {
    const snapshot s = realistic_snapshot();
    const std::string page = render_dashboard(s, now_of(s));
    EXPECT_THAT(page, Not(HasSubstr("<script")));
    EXPECT_THAT(page, Not(HasSubstr("http://")));
    // The only https:// are links a seller follows to Seller Central, never
    // something the page loads.
    std::size_t https_count = 0;
    std::size_t seller_central_links = 0;
    for (auto at = page.find("https://"); at != std::string::npos;
         at = page.find("https://", at + 1))
        ++https_count;
    for (auto at = page.find("<a href=\"https://sellercentral."); at != std::string::npos;
         at = page.find("<a href=\"https://sellercentral.", at + 1))
        ++seller_central_links;
    EXPECT_EQ(https_count, seller_central_links);
    EXPECT_THAT(page, Not(HasSubstr("//fonts")));
    EXPECT_THAT(page, Not(HasSubstr("<link")));
    EXPECT_THAT(page, Not(HasSubstr("<img")));
    EXPECT_THAT(page, Not(HasSubstr("@import")));
    EXPECT_THAT(page, Not(HasSubstr("url(")));
    EXPECT_EQ(event_handler_attributes(page), 0u);
    EXPECT_THAT(page, HasSubstr("<meta http-equiv=\"refresh\" content=\"60\">"));
    EXPECT_THAT(page,
                HasSubstr("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                          "&#39;none&#39;; style-src &#39;unsafe-inline&#39;;"));
    EXPECT_EQ(page.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0), 0u);
    EXPECT_THAT(page, HasSubstr("<meta name=\"viewport\""));
    EXPECT_THAT(page, HasSubstr("@media print"));
}

// The chart of a metric row, found by its data attributes; "" when absent.
std::string chart_of(const std::vector<std::string>& found, const metrics::metric_result& r) {
    for (const auto& c : found) {
        if (attribute(c, "data-metric") == definition(r.metric).name &&
            attribute(c, "data-marketplace") == r.marketplace_id &&
            attribute(c, "data-channel") == r.channel &&
            attribute(c, "data-window") == std::to_string(r.window_days))
            return c;
    }
    return {};
}

const metrics::metric_result& row_of(const snapshot& s, const std::string& chart) {
    for (const auto& r : s.evaluation->metrics) {
        if (chart_of({chart}, r) == chart)
            return r;
    }
    throw std::runtime_error("no row for a chart");
}

// Breached 3, at risk 2, no data or stale 1, OK 0.
int rank_of(const metrics::metric_result& r) {
    using metrics::metric_status;
    if (r.status == metric_status::breached)
        return 3;
    if (r.status == metric_status::at_risk)
        return 2;
    return r.status == metric_status::no_data || r.stale ? 1 : 0;
}

TEST(Dashboard, OneChartPerMetricRowWorstFirstInEachMarketplace) {
    const snapshot s = realistic_snapshot();
    const std::string page = render_dashboard(s, now_of(s));
    const auto found = charts(page);
    const auto& rows = s.evaluation->metrics;
    ASSERT_EQ(found.size(), rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const std::string chart = chart_of(found, rows[i]);
        ASSERT_FALSE(chart.empty()) << i;
        EXPECT_EQ(count(chart, "class=\"warn-line\""), 1u) << i;
        EXPECT_EQ(count(chart, "class=\"target-line\""), 1u) << i;
    }
    // Sections by marketplace ID: UK (A1F83G8C2ARO7P) before US (ATVPDKIKX0DER).
    const auto uk = page.find("<span class=\"mp-code\">UK</span>Amazon.co.uk</h2>");
    const auto us = page.find("<span class=\"mp-code\">US</span>Amazon.com</h2>");
    ASSERT_NE(uk, std::string::npos);
    ASSERT_NE(us, std::string::npos);
    EXPECT_LT(uk, us);
    // Within a marketplace, worst first; among OK rows, the least headroom first.
    for (std::size_t i = 1; i < found.size(); ++i) {
        const auto& before = row_of(s, found[i - 1]);
        const auto& after = row_of(s, found[i]);
        if (before.marketplace_id != after.marketplace_id)
            continue;
        EXPECT_GE(rank_of(before), rank_of(after)) << i;
        if (rank_of(before) == rank_of(after) && before.headroom && after.headroom) {
            EXPECT_LE(*before.headroom, *after.headroom) << i;
        }
    }
    EXPECT_EQ(attribute(found[0], "data-metric"), "cancellation_rate");  // UK, breached
    const auto first_us = std::find_if(found.begin(), found.end(), [](const std::string& c) {
        return attribute(c, "data-marketplace") == kUS;
    });
    ASSERT_NE(first_us, found.end());
    EXPECT_EQ(attribute(*first_us, "data-metric"), "late_dispatch_rate");  // US, at risk
    EXPECT_EQ(attribute(*first_us, "data-window"), "10");
}

TEST(Dashboard, OkRowsAreOneLineThatOpensToTheirChart) {
    const snapshot s = realistic_snapshot();
    const std::string page = render_dashboard(s, now_of(s));
    std::size_t ok_rows = 0;
    for (const auto& r : s.evaluation->metrics)
        ok_rows += rank_of(r) == 0;
    ASSERT_GT(ok_rows, 0u);
    EXPECT_EQ(count(page, "<details class=\"row-ok\""), ok_rows);
    EXPECT_EQ(count(page, "<article class=\"card "), s.evaluation->metrics.size() - ok_rows);
    EXPECT_THAT(page, HasSubstr("<details class=\"row-ok\" id=\"row-ATVPDKIKX0DER-"
                                "valid_tracking_rate-MFN-30\" data-metric=\"valid_tracking_rate\" "
                                "data-channel=\"MFN\" data-window=\"30\"><summary><span "
                                "class=\"badge ok\">OK</span><span class=\"what\">Valid "
                                "tracking rate</span><span class=\"where\">MFN · 30 days</span>"
                                "<span class=\"rate-inline\">98.81%</span>"));
    // Every OK row comes after every card of its marketplace.
    const auto us = page.find("data-marketplace=\"ATVPDKIKX0DER\">");
    const auto us_end = page.find("</section></div></section>", us);
    const std::string us_part = page.substr(us, us_end - us);
    EXPECT_LT(us_part.rfind("<article class=\"card "), us_part.find("<details class=\"row-ok\""));
}

TEST(Dashboard, NeedsAttentionComesFirstWorstFirstWithIdsAndLinks) {
    snapshot s = realistic_snapshot();
    auto& us = s.evaluation->upcoming[1];
    ASSERT_EQ(us.marketplace_id, kUS);
    us.unanswered_messages.push_back(
        {"MSG-70001", "", s.evaluation->as_of - hours(30), s.evaluation->as_of - hours(6), true});
    const std::string page = render_dashboard(s, now_of(s));
    const auto attention = page.find("<section class=\"attention breached\" id=\"attention\"");
    ASSERT_NE(attention, std::string::npos);
    // Before any marketplace, chart or table.
    EXPECT_LT(attention, page.find("<section class=\"marketplace\""));
    EXPECT_LT(attention, page.find("<svg"));
    EXPECT_LT(attention, page.find("<table"));
    const std::string part = page.substr(attention, page.find("</section>", attention) - attention);
    // Breached, then at risk.
    const auto breached = part.find(
        "<li data-kind=\"metric\" data-status=\"breached\" "
        "data-marketplace=\"A1F83G8C2ARO7P\"><span class=\"badge "
        "breached\">Breached</span><a class=\"what\" href=\"#row-"
        "A1F83G8C2ARO7P-cancellation_rate-MFN-7\">Pre-fulfilment cancel "
        "rate, UK, MFN · 7 days</a>");
    const auto at_risk = part.find(
        "<li data-kind=\"metric\" data-status=\"at_risk\" "
        "data-marketplace=\"ATVPDKIKX0DER\"><span class=\"badge "
        "at_risk\">At risk</span><a class=\"what\" href=\"#row-"
        "ATVPDKIKX0DER-late_dispatch_rate-MFN-10\">");
    ASSERT_NE(breached, std::string::npos) << part;
    ASSERT_NE(at_risk, std::string::npos) << part;
    EXPECT_LT(breached, at_risk);
    EXPECT_THAT(part, HasSubstr("3.53% · target under 4% · The next late dispatch in this 10-day "
                                "window breaches 4%.</span>"));
    EXPECT_EQ(count(part, "data-kind=\"metric\""), 2u);
    // Missed deadlines (orders and messages) before coming ones, each with its
    // ID, link and local time beside UTC.
    const auto missed_order = part.find(
        "<li data-kind=\"deadline\" data-missed=\"true\"><span class=\"badge breached\">Missed"
        "</span><span class=\"what\">Order <a href=\"https://sellercentral.amazon.com/orders-v3/"
        "order/113-0087651-5520139\" rel=\"noreferrer\">113-0087651-5520139</a> (US)</span>"
        "<span class=\"detail\">Not confirmed by its latest ship date, 2026-03-01 02:00 PST "
        "(2026-03-01 10:00 UTC): missed, counts against the late dispatch rate.</span></li>");
    const auto missed_message = part.find(
        "<span class=\"what\">Buyer message <a href=\"https://sellercentral.amazon.com/messaging/"
        "inbox\" rel=\"noreferrer\">MSG-70001</a> (US)</span><span class=\"detail\">No reply by "
        "2026-02-28 22:00 PST (2026-03-01 06:00 UTC): missed, counts against the 24-hour "
        "response rate.</span>");
    const auto coming_order = part.find(
        "<li data-kind=\"deadline\" data-missed=\"false\"><span class=\"badge at_risk\">Due in "
        "4 h 57 min</span><span class=\"what\">Order <a href=\"https://sellercentral.amazon.com/"
        "orders-v3/order/113-4410982-7730611\" rel=\"noreferrer\">113-4410982-7730611</a> (US)"
        "</span><span class=\"detail\">Must ship by 2026-03-01 09:00 PST (2026-03-01 17:00 "
        "UTC).</span></li>");
    const auto coming_message = part.find(
        "MSG-88121</a> (US, order 113-2231907-6612093)</span><span class=\"detail\">Reply by "
        "2026-03-01 13:00 PST (2026-03-01 21:00 UTC).</span>");
    ASSERT_NE(missed_order, std::string::npos) << part;
    ASSERT_NE(missed_message, std::string::npos) << part;
    ASSERT_NE(coming_order, std::string::npos) << part;
    ASSERT_NE(coming_message, std::string::npos) << part;
    EXPECT_LT(std::max(missed_order, missed_message), std::min(coming_order, coming_message));
    EXPECT_LT(coming_order, coming_message);  // due 17:00 before 21:00 UTC
    EXPECT_LT(at_risk, std::min(missed_order, missed_message));
    EXPECT_THAT(part, Not(HasSubstr("esolved")));
    // The alerts firing or pending now, not the resolved ones; a deadline
    // alert is its deadline above (a reply does not end the alert).
    EXPECT_EQ(count(part, "data-kind=\"alert\""), 2u);
    EXPECT_THAT(part, HasSubstr("<li data-kind=\"alert\" data-fingerprint=\"cancellation_rate|"
                                "A1F83G8C2ARO7P|MFN|7\">"));
    EXPECT_THAT(part, Not(HasSubstr("data-fingerprint=\"message_deadline|")));
}

TEST(Dashboard, NeedsAttentionPutsTheLeastHeadroomFirstAndCountsWhatItLeavesOut) {
    snapshot s = realistic_snapshot();
    auto& e = *s.evaluation;
    // Two more at-risk rows: US 30-day late dispatch with room for 3 more
    // (16 in 510: 3.1%), DE 10-day with none (3 in 90: 3.3%, the next breaches).
    e.metrics.push_back(
        make_row("A1PA6795UKMFR9", metric_key::late_dispatch_rate, "MFN", 10, 3, 90, e.as_of));
    for (auto& r : e.metrics) {
        if (r.marketplace_id == kUS && r.metric == metric_key::late_dispatch_rate &&
            r.window_days == 30)
            r = make_row(kUS, metric_key::late_dispatch_rate, "MFN", 30, 16, 510, e.as_of);
    }
    // Twelve more orders due: ten coming ones are listed, the rest counted.
    auto& us = e.upcoming[1];
    for (int i = 0; i < 12; ++i)
        us.unconfirmed_orders.push_back({fmt::format("113-7000000-{:07}", i),
                                         e.as_of + hours(10) + std::chrono::minutes(i), false});
    const std::string page = render_dashboard(s, now_of(s));
    const auto at = page.find("id=\"attention\"");
    const std::string part = page.substr(at, page.find("</section>", at) - at);
    std::vector<std::string> risk_anchors;
    const std::string key = "data-status=\"at_risk\"";
    for (auto p = part.find(key); p != std::string::npos; p = part.find(key, p + 1)) {
        const auto href = part.find("href=\"#", p) + 7;
        risk_anchors.push_back(part.substr(href, part.find('"', href) - href));
    }
    ASSERT_EQ(risk_anchors.size(), 3u) << part;
    EXPECT_EQ(risk_anchors[2], "row-ATVPDKIKX0DER-late_dispatch_rate-MFN-30");  // 3 to spare
    for (std::size_t i = 0; i < 2; ++i)
        EXPECT_NE(risk_anchors[i], "row-ATVPDKIKX0DER-late_dispatch_rate-MFN-30") << i;
    EXPECT_EQ(count(part, "data-missed=\"false\""), 10u);
    EXPECT_EQ(count(part, "data-missed=\"true\""), 1u);
    // 2 + 12 + 1 message coming, 10 shown.
    EXPECT_THAT(part, HasSubstr("<li class=\"more\">And 5 more, listed under their marketplace "
                                "below.</li>"));
}

TEST(Dashboard, ADisplayTimeZoneReplacesTheMarketplacesOwn) {
    snapshot s = realistic_snapshot();
    s.display_time_zone = "Europe/Berlin";
    const std::string page = render_dashboard(s, now_of(s));
    // Needs attention and what is coming alike.
    EXPECT_THAT(page, HasSubstr("Must ship by 2026-03-01 18:00 CET (2026-03-01 17:00 UTC)."));
    EXPECT_THAT(page, HasSubstr("the first by 2026-03-01 18:00 CET (2026-03-01 17:00 UTC)"));
    EXPECT_THAT(page, Not(HasSubstr(" PST (")));
}

TEST(Dashboard, NothingNeedsAttentionSaysSo) {
    snapshot s = realistic_snapshot();
    auto& e = *s.evaluation;
    std::erase_if(e.metrics, [](const auto& r) { return r.status != metrics::metric_status::ok; });
    e.upcoming.clear();
    s.alerts.clear();
    const std::string page = render_dashboard(s, now_of(s));
    EXPECT_THAT(page, HasSubstr("<section class=\"attention ok\" id=\"attention\""));
    EXPECT_THAT(page, HasSubstr("Nothing needs attention"));
    EXPECT_EQ(count(page, "<article class=\"card "), 0u);
}

TEST(Dashboard, WarnAndTargetLinesWhereTheRowsScalePutsThem) {
    const snapshot s = realistic_snapshot();
    const std::string page = render_dashboard(s, now_of(s));
    const auto found = charts(page);
    ASSERT_EQ(found.size(), s.evaluation->metrics.size());
    for (std::size_t i = 0; i < found.size(); ++i) {
        const auto& r = row_of(s, found[i]);
        std::vector<chart_point> points;
        for (const auto& h : s.history) {
            if (h.metric == r.metric && h.marketplace_id == r.marketplace_id &&
                h.channel == r.channel && h.window_days == r.window_days)
                points.push_back({h.evaluated_at, *h.rate});
        }
        const y_scale scale =
            choose_y_scale(definition(r.metric).direction, r.warn, r.target, points);
        const chart_layout layout;
        const auto line_y = [&](const std::string& cls) {
            const auto at_line = found[i].find("<line class=\"" + cls + "\"");
            return at_line == std::string::npos ? std::string("<none>")
                                                : attribute(found[i].substr(at_line), "y1");
        };
        EXPECT_EQ(line_y("warn-line"), fmt::format("{:.1f}", chart_y(layout, scale, r.warn))) << i;
        EXPECT_EQ(line_y("target-line"), fmt::format("{:.1f}", chart_y(layout, scale, r.target)))
            << i;
    }
    // The US 10-day late dispatch chart: [0%, 5%] on the 120-unit plot, so
    // target 4% at y 34 and warn 3% at y 58.
    const auto ldr = std::find_if(found.begin(), found.end(), [](const std::string& c) {
        return attribute(c, "data-metric") == "late_dispatch_rate" &&
               attribute(c, "data-marketplace") == kUS && attribute(c, "data-window") == "10";
    });
    ASSERT_NE(ldr, found.end());
    EXPECT_THAT(*ldr, HasSubstr("<line class=\"target-line\" x1=\"44.0\" y1=\"34.0\""));
    EXPECT_THAT(*ldr, HasSubstr("<line class=\"warn-line\" x1=\"44.0\" y1=\"58.0\""));
}

TEST(Dashboard, PolylinePointsMatchTheRowsHistory) {
    snapshot s = realistic_snapshot();
    // Thin out one row's history: 30 points instead of 90.
    std::erase_if(s.history, [](const metrics::stored_result& h) {
        return h.metric == metric_key::cancellation_rate && h.marketplace_id == kUK &&
               (to_unix(h.evaluated_at) / 86400) % 3 != 0;
    });
    const std::string page = render_dashboard(s, now_of(s));
    for (const auto& chart : charts(page)) {
        const std::string metric = attribute(chart, "data-metric");
        const std::string marketplace = attribute(chart, "data-marketplace");
        const std::string channel = attribute(chart, "data-channel");
        const int window = std::stoi(attribute(chart, "data-window"));
        const auto expected = std::count_if(s.history.begin(), s.history.end(), [&](const auto& h) {
            return definition(h.metric).name == metric && h.marketplace_id == marketplace &&
                   h.channel == channel && h.window_days == window;
        });
        const auto start = chart.find("<polyline");
        ASSERT_NE(start, std::string::npos) << metric;
        const std::string points = attribute(chart.substr(start), "points");
        EXPECT_EQ(static_cast<long>(count(points, ",")), expected) << metric << " " << marketplace;
        EXPECT_EQ(expected, metric == "cancellation_rate" && marketplace == kUK ? 30 : 90);
    }
}

TEST(Dashboard, EmptyStateWhenARowHasNoHistory) {
    snapshot s = realistic_snapshot();
    std::erase_if(s.history, [](const metrics::stored_result& h) {
        return h.metric == metric_key::valid_tracking_rate && h.marketplace_id == kUS;
    });
    const std::string page = render_dashboard(s, now_of(s));
    std::size_t empty = 0;
    for (const auto& chart : charts(page)) {
        const bool vtr_us = attribute(chart, "data-metric") == "valid_tracking_rate" &&
                            attribute(chart, "data-marketplace") == kUS;
        EXPECT_EQ(chart.find("No history in the last 90 days") != std::string::npos, vtr_us);
        EXPECT_EQ(chart.find("<polyline") == std::string::npos, vtr_us);
        empty += vtr_us;
    }
    EXPECT_EQ(empty, 1u);
}

TEST(Dashboard, HeaderShowsAccountTimesWorstStatusAndVersion) {
    const snapshot s = realistic_snapshot();
    const std::string page = render_dashboard(s, now_of(s));
    EXPECT_THAT(page, HasSubstr("<h1>Northwind Outdoor Ltd</h1>"));
    // UK cancellations are breached, the worst of all rows.
    EXPECT_THAT(page, HasSubstr("<div class=\"overall\">Overall <span class=\"badge breached\">"
                                "Breached</span></div>"));
    EXPECT_THAT(page, HasSubstr("<dt>Evaluated</dt><dd>2026-03-01 12:00 UTC <span "
                                "class=\"ago\">(3 min ago)</span></dd>"));
    EXPECT_THAT(page, HasSubstr("<dt>Last import</dt><dd>2026-03-01 11:35 UTC <span "
                                "class=\"ago\">(28 min ago)</span></dd>"));
    EXPECT_THAT(page, HasSubstr("<dt>Version</dt><dd>seller-healthd 0.1.0</dd>"));
    EXPECT_THAT(page, HasSubstr("<dd>1 Breached · 1 At risk · 16 OK</dd>"));
}

TEST(Dashboard, CardShowsRateLevelsHeadroomCaveatAndBadge) {
    const snapshot s = realistic_snapshot();
    const std::string page = render_dashboard(s, now_of(s));
    const auto card_start = page.find(
        "<article class=\"card at_risk\" id=\"row-ATVPDKIKX0DER-late_dispatch_rate-MFN-10\" "
        "data-metric=\"late_dispatch_rate\" data-channel=\"MFN\" data-window=\"10\">");
    ASSERT_NE(card_start, std::string::npos);
    const std::string card =
        page.substr(card_start, page.find("</article>", card_start) - card_start);
    EXPECT_THAT(card, HasSubstr("<h3>Late dispatch rate</h3><p class=\"where\">MFN · 10 days</p>"));
    EXPECT_THAT(card, HasSubstr("<span class=\"badge at_risk\">At risk</span>"));
    EXPECT_THAT(card, HasSubstr("<span class=\"rate\">3.53%</span>"));
    EXPECT_THAT(card, HasSubstr("warn at <b>3%</b> · target under <b>4%</b>"));
    EXPECT_THAT(card, HasSubstr("The next late dispatch in this 10-day window breaches 4%."));
    EXPECT_THAT(card, HasSubstr("Amazon reports 2.94% (GOOD); ours differs by +0.59 points."));
    // Low volume: the UK 7-day response rate, 12 messages.
    EXPECT_THAT(page, HasSubstr("<p class=\"caveat\">Small sample: 12 messages in the window; one "
                                "message moves the rate by 8.3 points.</p>"));
    // Higher-is-better wording.
    EXPECT_THAT(page, HasSubstr("warn at <b>97%</b> · target over <b>95%</b>"));
}

TEST(Dashboard, StaleCardSaysWhyAndFeedsPanelShowsAges) {
    snapshot s = realistic_snapshot();
    auto& e = *s.evaluation;
    for (auto& r : e.metrics) {
        if (r.metric == metric_key::late_dispatch_rate && r.window_days == 10 &&
            r.channel == "MFN") {
            r.stale = true;
            r.stale_reason = "shipments last arrived 3 d ago (max 1 d 12 h)";
        }
    }
    metrics::feed_freshness shipments;
    shipments.feed = "shipments";
    shipments.words = "shipments";
    shipments.max_age = hours(36);
    shipments.last_import_at = e.as_of - days(3);
    shipments.newest_data_at = e.as_of - days(3) - hours(2);
    shipments.age = days(3);
    shipments.stale = true;
    metrics::feed_freshness amazon;
    amazon.feed = "account_health";
    amazon.words = "Amazon's account-health report";
    amazon.max_age = hours(36);
    e.feeds = {shipments, amazon};
    const std::string page = render_dashboard(s, now_of(s));
    const auto card_start = page.find(
        "<article class=\"card at_risk\" id=\"row-ATVPDKIKX0DER-late_dispatch_rate-MFN-10\" "
        "data-metric=\"late_dispatch_rate\" data-channel=\"MFN\" data-window=\"10\">");
    ASSERT_NE(card_start, std::string::npos);
    const std::string card =
        page.substr(card_start, page.find("</article>", card_start) - card_start);
    // The status stands; the reason and the hold sit on the card.
    EXPECT_THAT(card, HasSubstr("<span class=\"badge at_risk\">At risk</span>"));
    EXPECT_THAT(card, HasSubstr("<p class=\"stale\" data-stale=\"true\">Stale data: shipments "
                                "last arrived 3 d ago (max 1 d 12 h). Its alert is held until the "
                                "feed arrives again.</p>"));
    EXPECT_THAT(page, HasSubstr("<h2 id=\"feeds-title\">Feeds</h2>"));
    EXPECT_THAT(page, HasSubstr("<tr data-feed=\"shipments\" data-stale=\"true\"><td>shipments"
                                "</td>"));
    EXPECT_THAT(page, HasSubstr("(3 d ago)"));
    EXPECT_THAT(page, HasSubstr("<span class=\"badge at_risk\">Stale</span>"));
    EXPECT_THAT(page, HasSubstr("<tr data-feed=\"account_health\" data-stale=\"false\"><td>"
                                "Amazon&#39;s account-health report</td><td class=\"time\">Never"
                                "</td>"));
}

TEST(Dashboard, NoDataRowSaysSo) {
    snapshot s = realistic_snapshot();
    s.evaluation->metrics.push_back(make_row("A1PA6795UKMFR9", metric_key::cancellation_rate, "MFN",
                                             7, 0, 0, s.evaluation->as_of));
    const std::string page = render_dashboard(s, now_of(s));
    EXPECT_THAT(page, HasSubstr("<span class=\"mp-code\">DE</span>Amazon.de</h2>"));
    EXPECT_THAT(page, HasSubstr("<span class=\"badge no_data\">No data</span>"));
    EXPECT_THAT(page, HasSubstr("<span class=\"rate none\">—</span>"));
    EXPECT_THAT(page, HasSubstr("No data in this 7-day window."));
}

TEST(Dashboard, WhatIsComingPerMarketplace) {
    const snapshot s = realistic_snapshot();
    const std::string page = render_dashboard(s, now_of(s));
    const auto us = page.find("<span class=\"mp-code\">US</span>");
    const auto uk = page.find("<span class=\"mp-code\">UK</span>");
    const std::string us_part = page.substr(us, page.find("</section></div></section>", us) - us);
    const std::string uk_part = page.substr(uk, page.find("</section></div></section>", uk) - uk);
    // Worst first, local time beside UTC, the IDs at stake and their Seller Central links.
    EXPECT_THAT(us_part, HasSubstr("<li>1 order missed the latest ship date and not confirmed "
                                   "(US): 113-0087651-5520139. Missed: counts against the late "
                                   "dispatch rate.</li><li>2 orders must ship within 24 h (US), "
                                   "the first by 2026-03-01 09:00 PST (2026-03-01 17:00 UTC): "
                                   "113-4410982-7730611 and 113-9921034-1182245.</li>"));
    EXPECT_THAT(us_part, HasSubstr("<a href=\"https://sellercentral.amazon.com/orders-v3/order/"
                                   "113-0087651-5520139\" rel=\"noreferrer\">order "
                                   "113-0087651-5520139</a>"));
    EXPECT_THAT(us_part, HasSubstr("<a href=\"https://sellercentral.amazon.com/messaging/inbox\" "
                                   "rel=\"noreferrer\">message MSG-88121</a>"));
    EXPECT_THAT(us_part, HasSubstr("1 buyer message awaits a reply (US)"));
    EXPECT_THAT(uk_part, HasSubstr("<p class=\"empty-note\">Nothing due"));
}

TEST(Dashboard, BuyerMessageServicePerMarketplaceAndWindow) {
    snapshot s = realistic_snapshot();
    auto& e = *s.evaluation;
    metrics::message_service_row us;
    us.marketplace_id = kUS;
    us.window_days = 7;
    us.window = {e.as_of - days(7), e.as_of};
    us.messages = 5;
    us.replied = 3;
    us.first_response_median_seconds = 45;
    us.first_response_p90_seconds = 3 * 3600 + 20 * 60;
    us.waiting = 2;
    us.waiting_overdue = 1;
    us.oldest_waiting_received_at = e.as_of - days(2);
    us.oldest_waiting_message_id = "<m-old>";
    metrics::message_service_row uk;
    uk.marketplace_id = kUK;
    uk.window_days = 30;
    uk.window = {e.as_of - days(30), e.as_of};
    e.message_service = {us, uk};
    const std::string page = render_dashboard(s, now_of(s));
    const auto us_at = page.find("<span class=\"mp-code\">US</span>");
    const auto uk_at = page.find("<span class=\"mp-code\">UK</span>");
    const std::string us_part =
        page.substr(us_at, page.find("</section></div></section>", us_at) - us_at);
    const std::string uk_part =
        page.substr(uk_at, page.find("</section></div></section>", uk_at) - uk_at);
    EXPECT_THAT(us_part, HasSubstr("<h3>Buyer messages</h3>"));
    EXPECT_THAT(us_part, HasSubstr("<tr data-window=\"7\" data-waiting=\"2\"><td>7 days</td>"
                                   "<td>5 (3 replied)</td><td>45 s</td><td>3 h 20 min</td>"
                                   "<td>2 (1 overdue)</td>"));
    // Escaped, like every text from data.
    EXPECT_THAT(us_part, HasSubstr("&lt;m-old&gt;, received"));
    EXPECT_THAT(us_part, Not(HasSubstr("data-window=\"30\" data-waiting")));
    EXPECT_THAT(uk_part, HasSubstr("<tr data-window=\"30\" data-waiting=\"0\"><td>30 days</td>"
                                   "<td>0 (0 replied)</td><td>—</td><td>—</td><td>0</td>"
                                   "<td class=\"time id\">—</td></tr>"));
    EXPECT_EQ(event_handler_attributes(page), 0u);
}

TEST(Dashboard, RecentAlertsWithReadableTitles) {
    const snapshot s = realistic_snapshot();
    const std::string page = render_dashboard(s, now_of(s));
    EXPECT_THAT(page, HasSubstr("<h2 id=\"alerts-title\">Recent alerts</h2>"));
    EXPECT_THAT(page,
                HasSubstr("<td class=\"alert-name\">Late dispatch rate, US, MFN, 10 days</td>"));
    EXPECT_THAT(page, HasSubstr("<td class=\"alert-name\">Pre-fulfilment cancel rate, UK, MFN, 7 "
                                "days</td>"));
    EXPECT_THAT(page, HasSubstr("<td class=\"alert-name\">Buyer message MSG-88121 awaiting a "
                                "reply</td>"));
    EXPECT_THAT(page, HasSubstr("<td class=\"alert-name\">No data imported</td>"));
    // A firing alert has no resolved time; a resolved one has both.
    EXPECT_THAT(page, HasSubstr("<span class=\"state active\">Firing</span></td><td><span "
                                "class=\"badge breached\">Breached</span>"));
    EXPECT_THAT(page, HasSubstr("<span class=\"state resolved\">Resolved</span>"));
}

TEST(Dashboard, AnAmazonSignalAlertShowsItsValues) {
    snapshot s = realistic_snapshot();
    s.alerts.push_back({"amazon_divergence|order_defect_rate|ATVPDKIKX0DER|MFN",
                        "amazon_divergence", "at_risk", "firing", s.evaluation->as_of - hours(2),
                        std::nullopt,
                        "order_defect_rate ATVPDKIKX0DER MFN: ours 1.20% vs Amazon's 0.40%"});
    const std::string page = render_dashboard(s, now_of(s));
    const auto row = page.find(
        "<tr data-fingerprint=\"amazon_divergence|order_defect_rate|ATVPDKIKX0DER|MFN\">");
    ASSERT_NE(row, std::string::npos);
    const std::string cells = page.substr(row, page.find("</tr>", row) - row);
    EXPECT_THAT(cells, HasSubstr("ours 1.20% vs Amazon&#39;s 0.40%"));
}

TEST(Dashboard, AnEndedDeadlineAlertIsNotResolved) {
    snapshot s = realistic_snapshot();
    s.alerts.push_back({"ship_deadline|113-0087651-5520139", "ship_deadline", "at_risk", "resolved",
                        s.evaluation->as_of - hours(6), s.evaluation->as_of - hours(1)});
    const std::string page = render_dashboard(s, now_of(s));
    const auto row = page.find("<tr data-fingerprint=\"ship_deadline|113-0087651-5520139\">");
    ASSERT_NE(row, std::string::npos);
    const std::string cells = page.substr(row, page.find("</tr>", row) - row);
    EXPECT_THAT(cells, HasSubstr("<span class=\"state resolved\">Deadline passed</span>"));
    EXPECT_THAT(cells, Not(HasSubstr("Resolved")));
    EXPECT_THAT(page, HasSubstr("<td class=\"time\">2026-02-10 12:00 UTC <span class=\"ago\">"
                                "(19 d ago)</span></td><td class=\"time\">2026-02-13 10:00 UTC"));
    EXPECT_EQ(count(page, "<tr data-fingerprint="), s.alerts.size());
}

TEST(Dashboard, BeforeTheFirstEvaluation) {
    snapshot s;
    s.account = "Acme";
    s.version = "0.1.0";
    const std::string page = render_dashboard(s, at("2026-03-01T12:00:00Z"));
    EXPECT_THAT(page, HasSubstr("No evaluation yet"));
    EXPECT_THAT(page, HasSubstr("<dt>Evaluated</dt><dd>Not yet</dd>"));
    EXPECT_THAT(page, HasSubstr("<dt>Last import</dt><dd>None yet</dd>"));
    EXPECT_THAT(page, HasSubstr("No alerts yet."));
    EXPECT_THAT(page, Not(HasSubstr("<svg")));
    EXPECT_EQ(page.substr(page.size() - 8), "</html>\n");
}

TEST(Dashboard, SameInputSameBytes) {
    const snapshot s = realistic_snapshot();
    EXPECT_EQ(render_dashboard(s, now_of(s)), render_dashboard(s, now_of(s)));
}

TEST(AlertTitle, FromFingerprints) {
    EXPECT_EQ(alert_title("late_dispatch_rate|ATVPDKIKX0DER|MFN|10"),
              "Late dispatch rate, US, MFN, 10 days");
    EXPECT_EQ(alert_title("response_rate_24h|A1F83G8C2ARO7P|all|30"),
              "24-hour response rate, UK, All channels, 30 days");
    EXPECT_EQ(alert_title("order_defect_rate|UNKNOWNID|AFN|60"),
              "Order defect rate, UNKNOWNID, AFN, 60 days");
    EXPECT_EQ(alert_title("message_deadline|M-1"), "Buyer message M-1 awaiting a reply");
    EXPECT_EQ(alert_title("ship_deadline|113-1"), "Order 113-1 not confirmed");
    EXPECT_EQ(alert_title("stale_data"), "No data imported");
    EXPECT_EQ(alert_title("stale_data|shipments"), "Stale feed: shipments");
    EXPECT_EQ(alert_title("stale_data|sp_api_orders"), "Stale feed: sp_api_orders");
    EXPECT_EQ(alert_title("account_status|ATVPDKIKX0DER"), "Amazon account status, US");
    EXPECT_EQ(alert_title("ahr_status|ATVPDKIKX0DER"), "Account Health Rating worse, US");
    EXPECT_EQ(alert_title("policy_violations|ATVPDKIKX0DER|listingPolicyViolations"),
              "More listingPolicyViolations, US");
    EXPECT_EQ(alert_title("amazon_divergence|order_defect_rate|ATVPDKIKX0DER|MFN"),
              "Ours differs from Amazon's: Order defect rate, US, MFN");
    EXPECT_EQ(alert_title("sp_api_auth"), "SP-API credentials refused");
    EXPECT_EQ(alert_title("sp_api_source|finances|"), "SP-API source finances not succeeding");
    EXPECT_EQ(alert_title("no_such_metric|X|MFN|10"), "no_such_metric|X|MFN|10");
    EXPECT_EQ(alert_title(""), "");
}

}  // namespace
}  // namespace shd::web

namespace shd::web {
namespace {

TEST(Dashboard, ShowsEachFetchedSourceWithItsLastSuccessAndNewestData) {
    snapshot s = realistic_snapshot();
    const instant now = now_of(s);
    EXPECT_EQ(render_dashboard(s, now).find("sources-title"), std::string::npos);

    s.sp_api_sources = {
        {"orders", kUS, now - std::chrono::minutes(20), now - std::chrono::minutes(25), "", false},
        {"finances", "", std::nullopt, std::nullopt, "listFinancialEvents: <refused> 403", false},
        {"feedback", kUK, now - hours(30), now - days(2), "", true}};
    const std::string page = render_dashboard(s, now);
    EXPECT_THAT(page, ::testing::HasSubstr("<h2 id=\"sources-title\">Fetched from Amazon</h2>"));
    EXPECT_THAT(
        page, ::testing::HasSubstr("<tr data-source=\"orders\" data-marketplace=\"ATVPDKIKX0DER\">"
                                   "<td>orders</td><td>US</td>"));
    EXPECT_THAT(page, ::testing::HasSubstr("(20 min ago)"));
    EXPECT_THAT(page, ::testing::HasSubstr("<span class=\"badge ok\">OK</span>"));
    // An error is shown escaped, beside the state.
    EXPECT_THAT(page, ::testing::HasSubstr(
                          "<td>finances</td><td>—</td><td class=\"time\">Never</td>"
                          "<td class=\"time\">—</td><td><span class=\"badge at_risk\">Failing"
                          "</span> listFinancialEvents: &lt;refused&gt; 403</td>"));
    EXPECT_THAT(page, ::testing::HasSubstr("<span class=\"badge at_risk\">Behind</span>"));
}

}  // namespace
}  // namespace shd::web
