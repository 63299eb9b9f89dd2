#include "web/svg_chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>

#include "alerts/words.hpp"
#include "web/escape.hpp"

namespace shd::web {
namespace {

// Colours are presentation attributes, not page CSS, so a chart copied out of
// the page still draws the same.
constexpr std::string_view kSeriesColour = "#1d4f91";
constexpr std::string_view kWarnColour = "#b45309";
constexpr std::string_view kTargetColour = "#b91c1c";
constexpr std::string_view kRiskZone = "#fdf3dc";
constexpr std::string_view kBreachZone = "#fbe4e4";
constexpr std::string_view kGridColour = "#e3e6ea";
constexpr std::string_view kAxisText = "#5b6470";

// In user units: the chart is drawn from about 320 px wide (a phone) to 400 px
// for its 360 units, so 13 stays at 11 px or more.
constexpr double kLabelFont = 13;

// One decimal is a tenth of a user unit: finer than any screen shows.
std::string coord(double v) {
    std::string s = fmt::format("{:.1f}", v);
    if (s == "-0.0")
        s = "0.0";
    return s;
}

// A step of 1, 2 or 5 times a power of ten, the smallest that splits `span`
// into at most `intervals` parts.
double nice_step(double span, int intervals) {
    const double raw = span / intervals;
    double power = std::pow(10.0, std::floor(std::log10(raw)));
    for (int guard = 0; guard < 4; ++guard, power *= 10) {
        for (const double m : {1.0, 2.0, 5.0}) {
            if (m * power >= raw * (1 - 1e-9))
                return m * power;
        }
    }
    return raw;
}

bool drawable(const chart_point& p, const chart_spec& spec) {
    return !std::isnan(p.rate) && !std::isinf(p.rate) && p.at >= spec.from && p.at <= spec.to;
}

std::string iso_date(instant t) {
    const std::chrono::year_month_day d{std::chrono::floor<std::chrono::days>(t)};
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(d.year()),
                       static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
}

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Date ticks at UTC midnight: the 1st and 15th of each month for a span up
// to four months, the 1st for up to 13, every third month beyond.
std::vector<instant> date_ticks(instant from, instant to) {
    using namespace std::chrono;
    const auto span_days = duration_cast<seconds>(to - from).count() / 86400;
    const bool halves = span_days <= 124;
    const unsigned month_step = span_days <= 400 ? 1 : 3;
    std::vector<instant> ticks;
    year_month ym{year_month_day{floor<std::chrono::days>(from)}.year(),
                  year_month_day{floor<std::chrono::days>(from)}.month()};
    for (int guard = 0; guard < 200; ++guard, ym += months{month_step}) {
        for (const unsigned day : {1u, 15u}) {
            if (day == 15 && !halves)
                continue;
            const instant t{sys_days{ym / std::chrono::day{day}}};
            if (t > to)
                return ticks;
            if (t >= from)
                ticks.push_back(t);
        }
    }
    return ticks;
}

std::string tick_label(instant t) {
    const std::chrono::year_month_day d{std::chrono::floor<std::chrono::days>(t)};
    return fmt::format("{} {}", static_cast<unsigned>(d.day()),
                       kMonths[static_cast<unsigned>(d.month()) - 1]);
}

// The warn and target labels sit just above their lines at the left end (the
// right end holds the newest points, the ones people look at), unless the lines are too close for
// two labels or the upper one touches the top: then the lower line's label goes under it.
std::pair<double, double> label_positions(double y_warn, double y_target, const chart_layout& l) {
    constexpr double kAbove = 3;
    constexpr double kBelow = kLabelFont + 1;
    constexpr double kMinGap = kLabelFont + 3;
    double warn_y = y_warn - kAbove;
    double target_y = y_target - kAbove;
    const bool warn_upper = y_warn < y_target;
    double& upper = warn_upper ? warn_y : target_y;
    double& lower = warn_upper ? target_y : warn_y;
    const double upper_line = warn_upper ? y_warn : y_target;
    const double lower_line = warn_upper ? y_target : y_warn;
    if (upper_line - kAbove - kLabelFont < l.top - 2)
        upper = upper_line + kBelow;
    if (std::abs(lower - upper) < kMinGap)
        lower = lower_line + kBelow;
    return {warn_y, target_y};
}

std::string describe(const chart_spec& spec, std::span<const chart_point> points) {
    const auto days_shown =
        std::chrono::duration_cast<std::chrono::seconds>(spec.to - spec.from).count() / 86400;
    const std::string levels = fmt::format("warn {}, target {}", alerts::format_percent(spec.warn),
                                           alerts::format_percent(spec.target));
    if (points.empty())
        return fmt::format("{}: no history in the last {} days; {}.", spec.label, days_shown,
                           levels);
    const auto [lowest, highest] = std::minmax_element(
        points.begin(), points.end(), [](const auto& a, const auto& b) { return a.rate < b.rate; });
    return fmt::format("{}: {} {} from {} to {}, lowest {}, highest {}, latest {}; {}.", spec.label,
                       points.size(), points.size() == 1 ? "evaluation" : "evaluations",
                       iso_date(points.front().at), iso_date(points.back().at),
                       alerts::format_percent(lowest->rate), alerts::format_percent(highest->rate),
                       alerts::format_percent(points.back().rate), levels);
}

}  // namespace

y_scale choose_y_scale(metric_direction direction, double warn, double target,
                       std::span<const chart_point> points) {
    double lo = std::min(warn, target);
    double hi = std::max(warn, target);
    for (const auto& p : points) {
        if (std::isnan(p.rate) || std::isinf(p.rate))
            continue;
        lo = std::min(lo, p.rate);
        hi = std::max(hi, p.rate);
    }
    // The good end is the ideal rate; the bad end holds the worst value with
    // a margin, so a point on the edge is not drawn on the frame.
    constexpr double kMargin = 0.12;
    double bottom = 0;
    double top = 1;
    if (direction == metric_direction::lower_is_better) {
        bottom = std::min(0.0, lo);
        top = hi + kMargin * (hi - bottom);
    } else {
        top = std::max(1.0, hi);
        bottom = lo - kMargin * (top - lo);
        if (lo >= 0)
            bottom = std::max(bottom, 0.0);
    }
    if (top - bottom < 1e-9)
        top = bottom + 0.01;
    const double step = nice_step(top - bottom, 5);
    y_scale s;
    s.step = step;
    s.min = std::floor(bottom / step + 1e-9) * step;
    s.max = std::ceil(top / step - 1e-9) * step;
    // Rates are fractions: an axis past 0% or 100% only wastes room.
    if (lo >= 0)
        s.min = std::max(s.min, 0.0);
    if (hi <= 1)
        s.max = std::min(s.max, 1.0);
    return s;
}

double chart_y(const chart_layout& l, const y_scale& s, double rate) {
    const double plot = l.height - l.top - l.bottom;
    if (s.max <= s.min)
        return l.top + plot;
    return l.top + (s.max - rate) / (s.max - s.min) * plot;
}

double chart_x(const chart_layout& l, instant from, instant to, instant t) {
    const double plot = l.width - l.left - l.right;
    if (to <= from)
        return l.left + plot;
    const double f =
        static_cast<double>((t - from).count()) / static_cast<double>((to - from).count());
    return l.left + f * plot;
}

std::string render_svg_chart(const chart_spec& spec, const chart_layout& l) {
    std::vector<chart_point> points;
    for (const auto& p : spec.points) {
        if (drawable(p, spec))
            points.push_back(p);
    }
    const y_scale scale = choose_y_scale(spec.direction, spec.warn, spec.target, points);
    const auto y = [&](double rate) { return chart_y(l, scale, rate); };
    const auto x = [&](instant t) { return chart_x(l, spec.from, spec.to, t); };
    const double x0 = l.left;
    const double x1 = l.width - l.right;
    const double y_top = l.top;
    const double y_bottom = l.height - l.bottom;
    const std::string description = describe(spec, points);

    std::string out;
    out += fmt::format(
        "<svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\" "
        "data-metric=\"{}\" data-marketplace=\"{}\" data-channel=\"{}\" data-window=\"{}\">",
        coord(l.width), coord(l.height), html_escape(description), html_escape(spec.metric),
        html_escape(spec.marketplace), html_escape(spec.channel), spec.window_days);
    out += fmt::format("<title>{}</title>", html_escape(description));

    // Zones: between warn and target is at risk, past target is breached.
    const double yw = y(spec.warn);
    const double yt = y(spec.target);
    const bool lower_better = spec.direction == metric_direction::lower_is_better;
    const double breach_from = lower_better ? y_top : yt;
    const double breach_to = lower_better ? yt : y_bottom;
    out += fmt::format(
        "<rect class=\"zone-breached\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" "
        "fill=\"{}\"/>",
        coord(x0), coord(breach_from), coord(x1 - x0),
        coord(std::max(0.0, breach_to - breach_from)), kBreachZone);
    out += fmt::format(
        "<rect class=\"zone-at-risk\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" "
        "fill=\"{}\"/>",
        coord(x0), coord(std::min(yw, yt)), coord(x1 - x0), coord(std::abs(yt - yw)), kRiskZone);

    // Y grid and percentage ticks.
    out += fmt::format("<g class=\"y-axis\" font-size=\"{}\" fill=\"{}\" text-anchor=\"end\">",
                       kLabelFont, kAxisText);
    const int y_ticks = static_cast<int>(std::lround((scale.max - scale.min) / scale.step));
    for (int i = 0; i <= y_ticks; ++i) {
        const double v = scale.min + i * scale.step;
        const double yy = y(v);
        out += fmt::format(
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"1\"/>",
            coord(x0), coord(yy), coord(x1), coord(yy), kGridColour);
        out += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>", coord(x0 - 4), coord(yy + 4),
                           html_escape(alerts::format_percent(v)));
    }
    out += "</g>";

    // Date ticks.
    out += fmt::format("<g class=\"x-axis\" font-size=\"{}\" fill=\"{}\" text-anchor=\"middle\">",
                       kLabelFont, kAxisText);
    for (const instant t : date_ticks(spec.from, spec.to)) {
        const double xx = x(t);
        out += fmt::format(
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"1\"/>",
            coord(xx), coord(y_top), coord(xx), coord(y_bottom + 3), kGridColour);
        // A label that would run off either edge is left out; the tick stays.
        constexpr double kHalfLabel = 17;
        if (xx - kHalfLabel < 0 || xx + kHalfLabel > l.width)
            continue;
        out += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>", coord(xx),
                           coord(y_bottom + 3 + kLabelFont), tick_label(t));
    }
    out += "</g>";

    // The levels.
    const auto [warn_label_y, target_label_y] = label_positions(yw, yt, l);
    out += fmt::format(
        "<line class=\"target-line\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" "
        "stroke-width=\"1.25\" stroke-dasharray=\"5 3\"/>",
        coord(x0), coord(yt), coord(x1), coord(yt), kTargetColour);
    out += fmt::format(
        "<line class=\"warn-line\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" "
        "stroke-width=\"1.25\" stroke-dasharray=\"2 3\"/>",
        coord(x0), coord(yw), coord(x1), coord(yw), kWarnColour);
    // The halo (a stroke painted under the fill) keeps a label readable over
    // the series.
    constexpr std::string_view kHalo =
        "stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\" stroke-linejoin=\"round\"";
    out += fmt::format(
        "<text class=\"target-label\" x=\"{}\" y=\"{}\" font-size=\"{}\" font-weight=\"600\" "
        "text-anchor=\"start\" fill=\"{}\" {}>target {}</text>",
        coord(x0 + 4), coord(target_label_y), kLabelFont, kTargetColour, kHalo,
        html_escape(alerts::format_percent(spec.target)));
    out += fmt::format(
        "<text class=\"warn-label\" x=\"{}\" y=\"{}\" font-size=\"{}\" font-weight=\"600\" "
        "text-anchor=\"start\" fill=\"{}\" {}>warn {}</text>",
        coord(x0 + 4), coord(warn_label_y), kLabelFont, kWarnColour, kHalo,
        html_escape(alerts::format_percent(spec.warn)));

    if (points.empty()) {
        out += fmt::format(
            "<text class=\"empty\" x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"middle\" "
            "fill=\"{}\" {}>No history in the last {} days</text>",
            coord((x0 + x1) / 2), coord((y_top + y_bottom) / 2 + 4), kLabelFont, kAxisText, kHalo,
            std::chrono::duration_cast<std::chrono::seconds>(spec.to - spec.from).count() / 86400);
    } else {
        out += "<polyline class=\"series\" points=\"";
        for (std::size_t i = 0; i < points.size(); ++i) {
            if (i > 0)
                out += ' ';
            out += coord(x(points[i].at));
            out += ',';
            out += coord(y(points[i].rate));
        }
        out += fmt::format(
            "\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.75\" stroke-linejoin=\"round\" "
            "stroke-linecap=\"round\"/>",
            kSeriesColour);
        const auto& last = points.back();
        out += fmt::format(
            "<circle class=\"latest\" cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\" stroke=\"#ffffff\" "
            "stroke-width=\"1.5\"/>",
            coord(x(last.at)), coord(y(last.rate)), kSeriesColour);
    }
    out += "</svg>";
    return out;
}

}  // namespace shd::web
