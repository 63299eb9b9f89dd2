// The history chart: the y scale, where the warn and target lines land, one
// polyline vertex per point, the empty state, and escaping.
#include "web/svg_chart.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <regex>

#include "web_fixture.hpp"

namespace shd::web {
namespace {

using namespace shd::web::test;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<chart_point> daily(instant from, std::vector<double> rates) {
    std::vector<chart_point> out;
    for (std::size_t i = 0; i < rates.size(); ++i)
        out.push_back({from + days(static_cast<long long>(i) + 1), rates[i]});
    return out;
}

chart_spec ldr_spec() {
    chart_spec c;
    c.metric = "late_dispatch_rate";
    c.marketplace = kUS;
    c.channel = "MFN";
    c.window_days = 10;
    c.label = "Late dispatch rate, US, MFN, 10 days";
    c.to = at("2026-03-01T12:00:00Z");
    c.from = c.to - days(90);
    c.warn = 0.03;
    c.target = 0.04;
    c.points = daily(c.from, {0.01, 0.02, 0.035, 0.0353});
    return c;
}

// The attribute `name` of the first element whose start tag contains `marker`.
std::string attribute(const std::string& svg, const std::string& marker, const std::string& name) {
    const auto at_marker = svg.find(marker);
    if (at_marker == std::string::npos)
        return "<missing " + marker + ">";
    const auto tag_start = svg.rfind('<', at_marker);
    const auto tag_end = svg.find('>', at_marker);
    const std::string tag = svg.substr(tag_start, tag_end - tag_start);
    const std::regex re(" " + name + "=\"([^\"]*)\"");
    std::smatch m;
    if (!std::regex_search(tag, m, re))
        return "<no " + name + ">";
    return m[1];
}

TEST(YScale, LowerIsBetterStartsAtZeroAndHoldsTheTarget) {
    const auto c = ldr_spec();
    const y_scale s = choose_y_scale(c.direction, c.warn, c.target, c.points);
    EXPECT_DOUBLE_EQ(s.min, 0.0);
    EXPECT_NEAR(s.max, 0.05, 1e-12);
    EXPECT_NEAR(s.step, 0.01, 1e-12);
}

TEST(YScale, HigherIsBetterEndsAtOneAndHoldsTheTarget) {
    const instant from = at("2026-01-01T00:00:00Z");
    const auto points = daily(from, {0.96, 0.99, 1.0});
    const y_scale s = choose_y_scale(metric_direction::higher_is_better, 0.97, 0.95, points);
    EXPECT_NEAR(s.min, 0.94, 1e-12);
    EXPECT_DOUBLE_EQ(s.max, 1.0);
    EXPECT_NEAR(s.step, 0.02, 1e-12);
}

TEST(YScale, DataFarPastTheTargetWidensTheAxis) {
    const instant from = at("2026-01-01T00:00:00Z");
    const auto points = daily(from, {0.02, 0.18});
    const y_scale s = choose_y_scale(metric_direction::lower_is_better, 0.03, 0.04, points);
    EXPECT_DOUBLE_EQ(s.min, 0.0);
    EXPECT_GE(s.max, 0.18);
    EXPECT_LE(s.max, 0.25);
    // Without data: both levels and a margin.
    const y_scale empty = choose_y_scale(metric_direction::lower_is_better, 0.0075, 0.01, {});
    EXPECT_DOUBLE_EQ(empty.min, 0.0);
    EXPECT_NEAR(empty.max, 0.015, 1e-12);
    // A response rate deep below its target still shows 100% and the target.
    const y_scale low =
        choose_y_scale(metric_direction::higher_is_better, 0.95, 0.90, daily(from, {0.41, 0.6}));
    EXPECT_DOUBLE_EQ(low.max, 1.0);
    EXPECT_LE(low.min, 0.41);
    EXPECT_GE(low.min, 0.2);
}

TEST(SvgChart, WarnAndTargetLinesAtTheirYForAKnownScale) {
    // Scale [0, 5%] (see YScale.LowerIsBetter...), default layout: plot from
    // y = 10 to y = 130, so 4% is at 10 + 0.2 * 120 = 34 and 3% at 58.
    const std::string svg = render_svg_chart(ldr_spec());
    EXPECT_EQ(attribute(svg, "class=\"target-line\"", "y1"), "34.0");
    EXPECT_EQ(attribute(svg, "class=\"target-line\"", "y2"), "34.0");
    EXPECT_EQ(attribute(svg, "class=\"warn-line\"", "y1"), "58.0");
    EXPECT_EQ(attribute(svg, "class=\"warn-line\"", "y2"), "58.0");
    // They span the plot: x from the left margin to the right one.
    EXPECT_EQ(attribute(svg, "class=\"warn-line\"", "x1"), "44.0");
    EXPECT_EQ(attribute(svg, "class=\"warn-line\"", "x2"), "352.0");
    // Labelled with their levels.
    EXPECT_THAT(svg, HasSubstr(">warn 3%</text>"));
    EXPECT_THAT(svg, HasSubstr(">target 4%</text>"));
    const chart_layout l;
    EXPECT_DOUBLE_EQ(chart_y(l, {0, 0.05, 0.01}, 0.04), 34.0);
    EXPECT_DOUBLE_EQ(chart_y(l, {0, 0.05, 0.01}, 0.0), 130.0);
}

TEST(SvgChart, OnePolylineVertexPerPointAtItsPlace) {
    const auto spec = ldr_spec();
    const std::string svg = render_svg_chart(spec);
    ASSERT_EQ(count(svg, "<polyline"), 1u);
    const std::string points = attribute(svg, "<polyline", "points");
    const std::regex vertex("(-?[0-9.]+),(-?[0-9.]+)");
    std::vector<std::pair<double, double>> xy;
    for (auto it = std::sregex_iterator(points.begin(), points.end(), vertex);
         it != std::sregex_iterator(); ++it)
        xy.emplace_back(std::stod((*it)[1]), std::stod((*it)[2]));
    ASSERT_EQ(xy.size(), spec.points.size());
    // Day 1 of 90 is 1/90 of the 308-unit plot in from the left; 1% is at
    // 130 - 0.2 * 120 = 106.
    EXPECT_NEAR(xy[0].first, 44 + 308.0 / 90, 0.05);
    EXPECT_NEAR(xy[0].second, 106.0, 0.05);
    // x grows with time; the last vertex is day 4, 3.53%.
    for (std::size_t i = 1; i < xy.size(); ++i)
        EXPECT_GT(xy[i].first, xy[i - 1].first);
    EXPECT_NEAR(xy[3].second, 130 - 0.0353 / 0.05 * 120, 0.05);
    // The newest point is marked.
    EXPECT_EQ(attribute(svg, "class=\"latest\"", "cx"), fmt::format("{:.1f}", xy[3].first));
}

TEST(SvgChart, SkipsPointsOutsideTheRangeAndNaN) {
    auto spec = ldr_spec();
    spec.points.push_back({spec.from - days(3), 0.02});
    spec.points.push_back({spec.to + days(1), 0.02});
    spec.points.push_back({spec.to - days(1), std::numeric_limits<double>::quiet_NaN()});
    const std::string points = attribute(render_svg_chart(spec), "<polyline", "points");
    EXPECT_EQ(count(points, ","), 4u);
    EXPECT_THAT(points, Not(HasSubstr("nan")));
}

TEST(SvgChart, EmptyStateWithoutHistoryKeepsTheLevels) {
    auto spec = ldr_spec();
    spec.points.clear();
    const std::string svg = render_svg_chart(spec);
    EXPECT_THAT(svg, HasSubstr("<text class=\"empty\""));
    EXPECT_THAT(svg, HasSubstr(">No history in the last 90 days</text>"));
    EXPECT_THAT(svg, Not(HasSubstr("<polyline")));
    EXPECT_THAT(svg, HasSubstr("class=\"warn-line\""));
    EXPECT_THAT(svg, HasSubstr("class=\"target-line\""));
    EXPECT_THAT(svg, HasSubstr("no history in the last 90 days"));  // in the title
}

TEST(SvgChart, DataAttributesTitleAndAriaLabel) {
    const std::string svg = render_svg_chart(ldr_spec());
    EXPECT_EQ(svg.rfind("<svg class=\"chart\"", 0), 0u);
    EXPECT_EQ(attribute(svg, "<svg", "data-metric"), "late_dispatch_rate");
    EXPECT_EQ(attribute(svg, "<svg", "data-marketplace"), "ATVPDKIKX0DER");
    EXPECT_EQ(attribute(svg, "<svg", "data-channel"), "MFN");
    EXPECT_EQ(attribute(svg, "<svg", "data-window"), "10");
    EXPECT_EQ(attribute(svg, "<svg", "role"), "img");
    const std::string description =
        "Late dispatch rate, US, MFN, 10 days: 4 evaluations from 2025-12-02 to 2025-12-05, "
        "lowest 1%, highest 3.53%, latest 3.53%; warn 3%, target 4%.";
    EXPECT_EQ(attribute(svg, "<svg", "aria-label"), description);
    EXPECT_THAT(svg, HasSubstr("<title>" + description + "</title>"));
    EXPECT_EQ(svg.substr(svg.size() - 6), "</svg>");
}

TEST(SvgChart, DateTicksOnThe1stAnd15th) {
    const std::string svg = render_svg_chart(ldr_spec());
    // 2025-12-01 12:00 to 2026-03-01 12:00: Dec 15, Jan 1, Jan 15, Feb 1, Feb 15; Mar 1 00:00 too.
    for (const char* label : {">15 Dec<", ">1 Jan<", ">15 Jan<", ">1 Feb<", ">15 Feb<"})
        EXPECT_THAT(svg, HasSubstr(label)) << label;
    EXPECT_THAT(svg, Not(HasSubstr(">1 Dec<")));
    // Percent ticks 0% .. 5%.
    for (const char* label : {">0%<", ">1%<", ">2%<", ">3%<", ">4%<", ">5%<"})
        EXPECT_THAT(svg, HasSubstr(label)) << label;
}

TEST(SvgChart, EscapesEveryText) {
    auto spec = ldr_spec();
    spec.label = "<b>\"x\" & 'y'</b>";
    spec.marketplace = "\"><script>";
    spec.channel = "<i>";
    spec.metric = "a&b";
    const std::string svg = render_svg_chart(spec);
    EXPECT_THAT(svg, Not(HasSubstr("<b>")));
    EXPECT_THAT(svg, Not(HasSubstr("<script")));
    EXPECT_THAT(svg, Not(HasSubstr("<i>")));
    EXPECT_THAT(svg, HasSubstr("data-marketplace=\"&quot;&gt;&lt;script&gt;\""));
    EXPECT_THAT(svg, HasSubstr("data-metric=\"a&amp;b\""));
    EXPECT_THAT(svg, HasSubstr("&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;"));
}

TEST(SvgChart, LabelsOfCloseLevelsDoNotOverlap) {
    auto spec = ldr_spec();
    spec.warn = 0.038;  // 2.4 units from the target line
    const std::string svg = render_svg_chart(spec);
    const double warn_y = std::stod(attribute(svg, "class=\"warn-label\"", "y"));
    const double target_y = std::stod(attribute(svg, "class=\"target-label\"", "y"));
    EXPECT_GE(std::abs(warn_y - target_y), 9.5);
}

TEST(SvgChart, SameSpecSameBytes) {
    EXPECT_EQ(render_svg_chart(ldr_spec()), render_svg_chart(ldr_spec()));
}

}  // namespace
}  // namespace shd::web
