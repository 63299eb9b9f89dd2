// The history chart of one metric row as an inline SVG fragment: the rate
// over the x range as a polyline, the warn and target levels as labelled
// horizontal lines over tinted at-risk and breached zones, percentage ticks on
// the y axis and date ticks (UTC) on the x axis. The y axis always holds both
// levels and every point, so a rate far inside or far past the target still
// shows where it stands. Pure and deterministic: the same spec gives the same
// bytes. All text is HTML-escaped; the SVG has no xmlns (inline SVG in HTML
// needs none) and refers to nothing outside itself.
//
// Hooks for tests and scripts: <svg class="chart"> with data-metric,
// data-marketplace, data-channel and data-window; <line class="warn-line">,
// <line class="target-line">, <polyline class="series">, <text class="empty">.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/metric_catalog.hpp"
#include "core/time.hpp"

namespace shd::web {

struct chart_point {
    instant at;
    double rate = 0;
};

struct chart_spec {
    std::string metric;       // "late_dispatch_rate"
    std::string marketplace;  // "ATVPDKIKX0DER"
    std::string channel;      // MFN, AFN, all
    int window_days = 0;
    std::string label;  // accessible name: "Late dispatch rate, US, MFN, 10 days"
    instant from;       // the x axis, (from, to]
    instant to;
    double warn = 0;
    double target = 0;
    metric_direction direction = metric_direction::lower_is_better;
    // Oldest first. Points outside [from, to] and NaN rates are not drawn.
    std::vector<chart_point> points;
};

// The drawing area in SVG user units (the viewBox), and the margins around
// the plot for the tick labels.
struct chart_layout {
    double width = 360;
    double height = 152;
    double left = 44;
    double right = 8;
    double top = 10;
    double bottom = 22;
};

// The y axis, [min, max] in rate units, with a tick every `step`.
struct y_scale {
    double min = 0;
    double max = 1;
    double step = 0.2;
};

// The axis from the ideal rate (0% for lower-is-better metrics, 100% for the
// others) to past the worst of warn, target and the points, by a margin of
// 12% of the span, rounded out to a "nice" step (1, 2 or 5 times a power of
// ten, at most 5 intervals). It never leaves [0, 1] while the values are in it.
y_scale choose_y_scale(metric_direction direction, double warn, double target,
                       std::span<const chart_point> points);

// Where a rate or an instant lands in the viewBox.
double chart_y(const chart_layout& layout, const y_scale& scale, double rate);
double chart_x(const chart_layout& layout, instant from, instant to, instant t);

std::string render_svg_chart(const chart_spec& spec, const chart_layout& layout = {});

}  // namespace shd::web
