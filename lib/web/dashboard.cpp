#include "web/dashboard.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "alerts/words.hpp"
#include "core/feed_catalog.hpp"
#include "core/marketplaces.hpp"
#include "core/metric_catalog.hpp"
#include "web/escape.hpp"
#include "web/svg_chart.hpp"

namespace shd::web {
namespace {

using metrics::metric_status;

// System fonts only; tabular figures so rates line up. Colours follow
// WCAG AA contrast for the text on its badge.
constexpr std::string_view kStyle = R"css(
:root {
  color-scheme: light dark;
  --ink: #1f2328; --muted: #59636e; --line: #d8dee4; --page: #f3f4f6; --card: #ffffff;
  --ok: #1a7f37; --ok-bg: #dafbe1; --risk: #8a5a00; --risk-bg: #fff1c2;
  --breach: #c0262d; --breach-bg: #ffe4e2; --none: #59636e; --none-bg: #eaeef2;
  --risk-accent: #d4a72c; --none-accent: #afb8c1; --link: #0b5cad;
  --chart-series: #1d4f91; --chart-warn: #b45309; --chart-target: #b91c1c;
  --chart-risk: #fdf3dc; --chart-breach: #fbe4e4; --chart-grid: #e3e6ea; --chart-text: #5b6470;
}
/* The same roles, readable on a dark page; it follows the system's setting
   (on screen: paper stays light). */
@media screen and (prefers-color-scheme: dark) {
  :root {
    --ink: #e6edf3; --muted: #a3adb8; --line: #363d46; --page: #0f1419; --card: #181e25;
    --ok: #56d364; --ok-bg: #11301b; --risk: #e3b341; --risk-bg: #3a2c0c;
    --breach: #ff7b72; --breach-bg: #4a1719; --none: #a3adb8; --none-bg: #262c34;
    --risk-accent: #bb8009; --none-accent: #57606a; --link: #79c0ff;
    --chart-series: #79b8ff; --chart-warn: #e3b341; --chart-target: #ff7b72;
    --chart-risk: #2e2610; --chart-breach: #3b1a1c; --chart-grid: #2f363e; --chart-text: #a3adb8;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--page); color: var(--ink);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans",
    "Liberation Sans", Arial, sans-serif;
  font-variant-numeric: tabular-nums;
}
a { color: var(--link); }
.page { max-width: 1320px; margin: 0 auto; padding: 24px 24px 40px; }
.masthead {
  background: var(--card); border: 1px solid var(--line); border-radius: 12px;
  padding: 20px 24px; margin-bottom: 20px;
}
.masthead-top { display: flex; flex-wrap: wrap; gap: 12px 24px; align-items: flex-start;
  justify-content: space-between; }
.eyebrow { margin: 0 0 2px; color: var(--muted); font-size: 12px; font-weight: 600;
  letter-spacing: .08em; text-transform: uppercase; }
h1 { margin: 0; font-size: 26px; line-height: 1.2; overflow-wrap: anywhere; }
h2 { margin: 0; font-size: 20px; line-height: 1.25; }
h3 { margin: 0; font-size: 15px; line-height: 1.3; }
.overall { display: flex; align-items: center; gap: 10px; font-size: 14px; color: var(--muted); }
.overall .badge { font-size: 14px; padding: 4px 12px; }
.facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr));
  gap: 12px 24px; margin: 18px 0 0; padding: 16px 0 0; border-top: 1px solid var(--line); }
.facts div { min-width: 0; }
.facts dt { color: var(--muted); font-size: 12px; font-weight: 600; letter-spacing: .04em;
  text-transform: uppercase; }
.facts dd { margin: 2px 0 0; font-weight: 500; overflow-wrap: anywhere; }
.ago { color: var(--muted); font-weight: 400; }
.jump { display: flex; flex-wrap: wrap; gap: 8px; margin: 16px 0 0; padding: 0; list-style: none; }
.jump a { display: inline-flex; gap: 8px; align-items: center; padding: 4px 6px 4px 12px;
  border: 1px solid var(--line); border-radius: 999px; color: var(--ink);
  text-decoration: none; font-weight: 600; font-size: 14px; }
.jump a:hover, .jump a:focus { border-color: var(--muted); }
.attention { background: var(--card); border: 1px solid var(--line);
  border-left: 6px solid var(--accent, var(--ok)); border-radius: 12px; padding: 16px 20px;
  margin: 0 0 28px; }
.attention.breached { --accent: var(--breach); } .attention.at_risk { --accent: var(--risk-accent); }
.attention h3 { margin: 14px 0 6px; color: var(--muted); font-size: 12px; font-weight: 600;
  letter-spacing: .04em; text-transform: uppercase; }
.attention-list { margin: 0; padding: 0; list-style: none; }
.attention-list li { display: flex; flex-wrap: wrap; align-items: baseline; gap: 2px 10px;
  padding: 7px 0; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
.attention-list li:last-child { border-bottom: 0; }
.attention-list .badge { align-self: center; }
.attention-list .what { font-weight: 600; }
.attention-list .detail { color: var(--muted); font-size: 14px; flex-basis: 100%; }
.all-clear { margin: 8px 0 0; color: var(--muted); }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 0 0 16px; color: var(--muted);
  font-size: 13px; }
.key { display: inline-block; width: 22px; height: 0; vertical-align: middle; margin-right: 6px;
  border-top: 2px solid; }
.key-series { border-color: var(--chart-series); }
.key-warn { border-color: var(--chart-warn); border-top-style: dotted; }
.key-target { border-color: var(--chart-target); border-top-style: dashed; }
.key-zone { width: 14px; height: 10px; border: 0; }
.key-risk { background: var(--chart-risk); } .key-breach { background: var(--chart-breach); }
.marketplace { margin: 0 0 36px; }
.mp-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 14px;
  margin: 0 0 14px; padding-bottom: 8px; border-bottom: 2px solid var(--line); }
.mp-code { display: inline-block; min-width: 2.4em; padding: 1px 8px; margin-right: 6px;
  border-radius: 6px; background: var(--ink); color: var(--card); font-size: 16px;
  text-align: center; }
.mp-meta { color: var(--muted); font-size: 13px; overflow-wrap: anywhere; }
.mp-head .summary { margin-left: auto; color: var(--muted); font-size: 13px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 340px), 1fr));
  gap: 16px; }
.card { display: flex; flex-direction: column; min-width: 0; background: var(--card);
  border: 1px solid var(--line); border-top: 4px solid var(--accent, var(--none));
  border-radius: 10px; padding: 14px 16px 12px; }
.card.ok { --accent: var(--ok); } .card.at_risk { --accent: var(--risk-accent); }
.card.breached { --accent: var(--breach); } .card.no_data { --accent: var(--none-accent); }
.card-head { display: flex; justify-content: space-between; align-items: flex-start; gap: 10px; }
.ok-rows { margin-top: 16px; background: var(--card); border: 1px solid var(--line);
  border-radius: 10px; }
.ok-rows > h3 { padding: 10px 14px 4px; color: var(--muted); font-size: 12px; font-weight: 600;
  letter-spacing: .04em; text-transform: uppercase; }
details.row-ok { border-top: 1px solid var(--line); }
details.row-ok:first-of-type { border-top: 0; }
details.row-ok > summary { display: flex; flex-wrap: wrap; align-items: baseline; gap: 2px 10px;
  padding: 6px 14px; cursor: pointer; overflow-wrap: anywhere; }
details.row-ok > summary { list-style: none; }
details.row-ok > summary::-webkit-details-marker { display: none; }
details.row-ok > summary::before { content: "\25B8"; color: var(--muted); }
details.row-ok[open] > summary::before { content: "\25BE"; }
details.row-ok > summary .what { font-weight: 600; }
details.row-ok > summary .where, details.row-ok > summary .levels { margin: 0; }
details.row-ok > summary .rate-inline { font-weight: 700; }
details.row-ok[open] > summary { border-bottom: 1px dashed var(--line); }
details.row-ok .row-body { padding: 4px 14px 12px; }
.where { margin: 2px 0 0; color: var(--muted); font-size: 13px; }
.badge { display: inline-block; flex: none; padding: 2px 9px; border-radius: 999px;
  border: 1px solid currentColor; font-size: 12px; font-weight: 700; letter-spacing: .03em;
  text-transform: uppercase; white-space: nowrap; }
.badge.ok { color: var(--ok); background: var(--ok-bg); }
.badge.at_risk { color: var(--risk); background: var(--risk-bg); }
.badge.breached { color: var(--breach); background: var(--breach-bg); }
.badge.no_data { color: var(--none); background: var(--none-bg); }
.figures { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 14px; margin: 10px 0 4px; }
.rate { font-size: 30px; font-weight: 700; line-height: 1.1; letter-spacing: -.01em; }
.rate.none { color: var(--muted); }
.levels { color: var(--muted); font-size: 13px; }
.levels b { color: var(--ink); font-weight: 600; }
.note { margin: 2px 0 0; font-size: 13px; }
.caveat { margin: 6px 0 0; padding: 4px 8px; border-radius: 6px; background: var(--none-bg);
  color: var(--ink); font-size: 12.5px; }
.amazon { margin: 6px 0 0; color: var(--muted); font-size: 12.5px; }
.stale { margin: 6px 0 0; padding: 4px 8px; border-radius: 6px; background: var(--risk-bg);
  color: var(--ink); font-size: 12.5px; }
.amazon.flagged { color: var(--risk); font-weight: 600; }
figure { margin: auto 0 0; padding-top: 10px; }
svg.chart { display: block; width: 100%; height: auto; overflow: visible; }
/* The charts' own colours are the light ones; these follow the scheme. */
svg.chart .zone-breached { fill: var(--chart-breach); }
svg.chart .zone-at-risk { fill: var(--chart-risk); }
svg.chart .y-axis, svg.chart .x-axis, svg.chart text.empty { fill: var(--chart-text); }
svg.chart .y-axis line, svg.chart .x-axis line { stroke: var(--chart-grid); }
svg.chart .target-line { stroke: var(--chart-target); }
svg.chart .warn-line { stroke: var(--chart-warn); }
svg.chart .target-label { fill: var(--chart-target); }
svg.chart .warn-label { fill: var(--chart-warn); }
svg.chart .target-label, svg.chart .warn-label, svg.chart text.empty,
svg.chart .latest { stroke: var(--card); }
svg.chart .series { stroke: var(--chart-series); }
svg.chart .latest { fill: var(--chart-series); }
.panels { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 420px), 1fr));
  gap: 16px; margin-top: 16px; }
.panel { min-width: 0; background: var(--card); border: 1px solid var(--line);
  border-radius: 10px; padding: 14px 18px; }
.panel ul { margin: 8px 0 0; padding-left: 20px; }
.panel li { margin: 3px 0; overflow-wrap: anywhere; }
.links { overflow-wrap: anywhere; }
.empty-note { margin: 8px 0 0; color: var(--muted); }
.table-wrap { margin-top: 10px; }
/* Tables wrap their cells rather than scroll sideways: IDs anywhere, words
   too on a phone. */
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th, td { padding: 7px 10px; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; overflow-wrap: break-word; }
td.id, td.alert-name { overflow-wrap: anywhere; }
th { color: var(--muted); font-size: 12px; font-weight: 600; letter-spacing: .04em;
  text-transform: uppercase; }
td.alert-name { min-width: 8em; }
tr:last-child td { border-bottom: 0; }
.state { font-weight: 600; }
.state.resolved { color: var(--muted); font-weight: 500; }
.quiet { color: var(--muted); font-size: 12px; }
.notice { background: var(--card); border: 1px dashed var(--line); border-radius: 10px;
  padding: 18px; color: var(--muted); }
.foot { margin-top: 28px; color: var(--muted); font-size: 12.5px; text-align: center; }
@media (max-width: 640px) {
  body { font-size: 14px; }
  .page { padding: 10px 10px 28px; }
  .masthead { padding: 12px 14px; margin-bottom: 12px; }
  .facts { gap: 8px 16px; margin-top: 10px; padding-top: 10px; }
  .jump { margin-top: 10px; }
  h1 { font-size: 21px; }
  .rate { font-size: 26px; }
  .mp-head .summary { margin-left: 0; }
  .attention { padding: 12px 14px; }
  .card { padding: 12px 12px 10px; }
  .panel { padding: 12px; }
  th, td { padding: 6px; overflow-wrap: anywhere; }
  table { font-size: 13px; }
  th { letter-spacing: 0; }
  details.row-ok > summary { padding: 6px 10px; }
  details.row-ok > summary .levels { display: none; }
}
@media print {
  @page { margin: 12mm; }
  body { background: #fff; font-size: 11pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .page { max-width: none; padding: 0; }
  .masthead, .card, .panel { border-color: #999; }
  .jump, .legend { display: none; }
  .card, .panel, tr { break-inside: avoid; }
  .marketplace { break-before: page; }
  .marketplace:first-of-type { break-before: auto; }
  .cards { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  a { color: inherit; text-decoration: none; }
}
)css";

std::string esc(std::string_view s) {
    return html_escape(s);
}

std::string_view status_label(metric_status s) {
    switch (s) {
        case metric_status::ok:
            return "OK";
        case metric_status::at_risk:
            return "At risk";
        case metric_status::breached:
            return "Breached";
        case metric_status::no_data:
            return "No data";
    }
    return "No data";
}

// Worse is larger. No data is below ok: a quiet window is not a problem by
// itself, and a page with one healthy row is not "no data".
int severity_rank(metric_status s) {
    switch (s) {
        case metric_status::no_data:
            return 0;
        case metric_status::ok:
            return 1;
        case metric_status::at_risk:
            return 2;
        case metric_status::breached:
            return 3;
    }
    return 0;
}

metric_status worst(const std::vector<const metrics::metric_result*>& rows) {
    metric_status w = metric_status::no_data;
    for (const auto* r : rows) {
        if (severity_rank(r->status) > severity_rank(w))
            w = r->status;
    }
    return w;
}

std::string badge(metric_status s) {
    return fmt::format("<span class=\"badge {}\">{}</span>", metrics::status_name(s),
                       status_label(s));
}

std::string when(instant t, instant now) {
    const std::string at = alerts::format_utc_minute(t);
    if (t > now)
        return fmt::format("{} <span class=\"ago\">(in {})</span>", esc(at),
                           esc(alerts::format_span(t - now)));
    if (now - t < std::chrono::minutes{1})
        return fmt::format("{} <span class=\"ago\">(just now)</span>", esc(at));
    return fmt::format("{} <span class=\"ago\">({} ago)</span>", esc(at),
                       esc(alerts::format_span(now - t)));
}

std::string counts_summary(const std::vector<const metrics::metric_result*>& rows) {
    std::map<metric_status, int> n;
    for (const auto* r : rows)
        ++n[r->status];
    std::vector<std::string> parts;
    for (const auto s : {metric_status::breached, metric_status::at_risk, metric_status::ok,
                         metric_status::no_data}) {
        if (n[s] > 0)
            parts.push_back(fmt::format("{} {}", n[s], status_label(s)));
    }
    if (parts.empty())
        return "no metrics";
    return fmt::format("{}", fmt::join(parts, " · "));
}

std::string channel_text(std::string_view channel) {
    return channel == "all" ? std::string("All channels") : std::string(channel);
}

std::string marketplace_name(std::string_view id) {
    for (const auto& m : known_marketplaces()) {
        if (m.id == id)
            return std::string(m.sales_channel);
    }
    return {};
}

using row_key = std::tuple<metric_key, std::string, std::string, int>;

row_key key_of(const metrics::metric_result& r) {
    return {r.metric, r.marketplace_id, r.channel, r.window_days};
}

std::map<row_key, std::vector<chart_point>> history_by_row(const snapshot& s) {
    std::map<row_key, std::vector<chart_point>> out;
    for (const auto& h : s.history) {
        if (!h.rate)
            continue;
        out[{h.metric, h.marketplace_id, h.channel, h.window_days}].push_back(
            {h.evaluated_at, *h.rate});
    }
    for (auto& [key, points] : out) {
        std::stable_sort(points.begin(), points.end(),
                         [](const auto& a, const auto& b) { return a.at < b.at; });
    }
    return out;
}

const metrics::amazon_metric* amazon_for(const metrics::evaluation& e,
                                         const metrics::metric_result& r) {
    for (const auto& snap : e.amazon) {
        if (snap.marketplace_id != r.marketplace_id)
            continue;
        for (const auto& m : snap.metrics) {
            if (m.metric == definition(r.metric).name && m.channel == r.channel &&
                m.our_window_days == r.window_days && m.rate)
                return &m;
        }
    }
    return nullptr;
}

std::string odr_components_text(const metrics::odr_components& c) {
    const auto n = [](std::int64_t v, std::string_view one, std::string_view many) {
        return fmt::format("{} {}", v, v == 1 ? one : many);
    };
    return fmt::format("{} · {} · {}",
                       n(c.negative_feedback, "negative feedback", "negative feedback"),
                       n(c.a_to_z_claim, "A-to-z claim", "A-to-z claims"),
                       n(c.chargeback, "chargeback", "chargebacks"));
}

// Worst first: breached, at risk, then rows that cannot be trusted (no data,
// a stale feed), then OK; within a rank the least headroom first.
int attention_rank(const metrics::metric_result& r) {
    if (r.status == metric_status::breached)
        return 3;
    if (r.status == metric_status::at_risk)
        return 2;
    if (r.status == metric_status::no_data || r.stale)
        return 1;
    return 0;
}

bool worst_first(const metrics::metric_result* a, const metrics::metric_result* b) {
    const int ra = attention_rank(*a);
    const int rb = attention_rank(*b);
    if (ra != rb)
        return ra > rb;
    const auto none = std::numeric_limits<std::int64_t>::max();
    return a->headroom.value_or(none) < b->headroom.value_or(none);
}

std::vector<const metrics::metric_result*> sorted_worst_first(
    std::vector<const metrics::metric_result*> rows) {
    std::stable_sort(rows.begin(), rows.end(), worst_first);
    return rows;
}

// The anchor of a row's card, for the links from "Needs attention".
std::string row_anchor(const metrics::metric_result& r) {
    return fmt::format("row-{}-{}-{}-{}", r.marketplace_id, definition(r.metric).name, r.channel,
                       r.window_days);
}

std::string where_words(const metrics::metric_result& r) {
    return fmt::format("{} · {} days", channel_text(r.channel), r.window_days);
}

std::string levels_html(const metrics::metric_result& r) {
    const bool lower = definition(r.metric).direction == metric_direction::lower_is_better;
    return fmt::format("<span class=\"levels\">warn at <b>{}</b> · target {} <b>{}</b></span>",
                       esc(alerts::format_percent(r.warn)), lower ? "under" : "over",
                       esc(alerts::format_percent(r.target)));
}

void write_card_body(std::string& out, const metrics::evaluation& e,
                     const metrics::metric_result& r, const std::vector<chart_point>* history);

// A row that needs a look: a card with its figures, notes and chart.
void write_card(std::string& out, const metrics::evaluation& e, const metrics::metric_result& r,
                const std::vector<chart_point>* history) {
    const auto& def = definition(r.metric);
    out += fmt::format(
        "<article class=\"card {}\" id=\"{}\" data-metric=\"{}\" data-channel=\"{}\" "
        "data-window=\"{}\">",
        metrics::status_name(r.status), esc(row_anchor(r)), esc(def.name), esc(r.channel),
        r.window_days);
    out += fmt::format(
        "<div class=\"card-head\"><div><h3>{}</h3><p class=\"where\">{}</p></div>{}</div>",
        esc(def.title), esc(where_words(r)), badge(r.status));
    write_card_body(out, e, r, history);
    out += "</article>";
}

// An OK row: one line (badge, name, rate, levels) that opens to the card's
// figures and chart.
void write_compact_row(std::string& out, const metrics::evaluation& e,
                       const metrics::metric_result& r, const std::vector<chart_point>* history) {
    const auto& def = definition(r.metric);
    out += fmt::format(
        "<details class=\"row-ok\" id=\"{}\" data-metric=\"{}\" data-channel=\"{}\" "
        "data-window=\"{}\"><summary>{}<span class=\"what\">{}</span><span class=\"where\">{}"
        "</span><span class=\"rate-inline\">{}</span>{}</summary><div class=\"row-body\">",
        esc(row_anchor(r)), esc(def.name), esc(r.channel), r.window_days, badge(r.status),
        esc(def.title), esc(where_words(r)),
        r.rate ? esc(alerts::format_percent(*r.rate)) : std::string("—"), levels_html(r));
    write_card_body(out, e, r, history);
    out += "</div></details>";
}

void write_card_body(std::string& out, const metrics::evaluation& e,
                     const metrics::metric_result& r, const std::vector<chart_point>* history) {
    const auto& def = definition(r.metric);
    out += "<div class=\"figures\">";
    if (r.rate)
        out += fmt::format("<span class=\"rate\">{}</span>", esc(alerts::format_percent(*r.rate)));
    else
        out += "<span class=\"rate none\">—</span>";
    out += levels_html(r);
    out += "</div>";

    const std::string headroom = alerts::headroom_text(r);
    if (!headroom.empty())
        out += fmt::format("<p class=\"note\">{}</p>", esc(headroom));
    else
        out += fmt::format("<p class=\"note\">No data in this {}-day window.</p>", r.window_days);
    if (r.components && r.numerator > 0)
        out +=
            fmt::format("<p class=\"note where\">{}</p>", esc(odr_components_text(*r.components)));
    const std::string caveat = alerts::small_sample_caveat(r);
    if (!caveat.empty())
        out += fmt::format("<p class=\"caveat\">{}</p>", esc(caveat));
    if (r.stale) {
        const bool alerting =
            r.status == metric_status::at_risk || r.status == metric_status::breached;
        out += fmt::format("<p class=\"stale\" data-stale=\"true\">Stale data: {}.{}</p>",
                           esc(r.stale_reason),
                           alerting ? " Its alert is held until the feed arrives again." : "");
    }
    if (const auto* a = amazon_for(e, r)) {
        std::string text = fmt::format("Amazon reports {}", alerts::format_percent(*a->rate));
        if (!a->status.empty())
            text += fmt::format(" ({})", a->status);
        if (a->flagged && a->difference)
            text += fmt::format("; ours differs by {:+.2f} points", *a->difference * 100);
        out +=
            fmt::format("<p class=\"amazon{}\">{}.</p>", a->flagged ? " flagged" : "", esc(text));
    }

    chart_spec spec;
    spec.metric = std::string(def.name);
    spec.marketplace = r.marketplace_id;
    spec.channel = r.channel;
    spec.window_days = r.window_days;
    spec.label = fmt::format("{}, {}, {}, {} days", def.title, marketplace_code(r.marketplace_id),
                             channel_text(r.channel), r.window_days);
    spec.from = e.as_of - days(kHistoryDays);
    spec.to = e.as_of;
    spec.warn = r.warn;
    spec.target = r.target;
    spec.direction = def.direction;
    if (history)
        spec.points = *history;
    out += "<figure>";
    out += render_svg_chart(spec);
    out += "</figure>";
}

// "45 s" below a minute, else "3 h 20 min".
std::string response_time_text(double seconds) {
    const auto whole = static_cast<std::int64_t>(std::llround(seconds));
    if (whole < 60)
        return fmt::format("{} s", whole);
    return alerts::format_span(std::chrono::seconds{whole});
}

// The buyer messages' service metrics of one marketplace, one line per
// window: they inform, they carry no status.
void write_message_service(std::string& out, const metrics::evaluation& e, const std::string& id,
                           instant now) {
    std::vector<const metrics::message_service_row*> rows;
    for (const auto& r : e.message_service) {
        if (r.marketplace_id == id)
            rows.push_back(&r);
    }
    if (rows.empty())
        return;
    out +=
        "<section class=\"panel message-service\"><h3>Buyer messages</h3>"
        "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Window</th>"
        "<th scope=\"col\">Messages</th><th scope=\"col\">First reply, median</th>"
        "<th scope=\"col\">90th percentile</th><th scope=\"col\">Waiting</th>"
        "<th scope=\"col\">Oldest waiting</th></tr></thead><tbody>";
    for (const auto* r : rows) {
        const auto time_or_dash = [](const std::optional<double>& v) {
            return v ? esc(response_time_text(*v)) : std::string("—");
        };
        std::string waiting = fmt::format("{}", r->waiting);
        if (r->waiting_overdue > 0)
            waiting += fmt::format(" ({} overdue)", r->waiting_overdue);
        const std::string oldest =
            r->oldest_waiting_received_at
                ? fmt::format("{}, received {}", esc(r->oldest_waiting_message_id),
                              when(*r->oldest_waiting_received_at, now))
                : std::string("—");
        out += fmt::format(
            "<tr data-window=\"{}\" data-waiting=\"{}\"><td>{} days</td><td>{} ({} replied)</td>"
            "<td>{}</td><td>{}</td><td>{}</td><td class=\"time id\">{}</td></tr>",
            r->window_days, r->waiting, r->window_days, r->messages, r->replied,
            time_or_dash(r->first_response_median_seconds),
            time_or_dash(r->first_response_p90_seconds), esc(waiting), oldest);
    }
    out += "</tbody></table></div></section>";
}

void write_marketplace(std::string& out, const snapshot& s, const std::string& id, int index,
                       const std::vector<const metrics::metric_result*>& rows,
                       const std::map<row_key, std::vector<chart_point>>& history, instant now) {
    const auto& e = *s.evaluation;
    const std::string name = marketplace_name(id);
    out += fmt::format(
        "<section class=\"marketplace\" id=\"mp-{}\" aria-labelledby=\"mp-{}-title\" "
        "data-marketplace=\"{}\">",
        index, index, esc(id));
    out += "<div class=\"mp-head\">";
    out += fmt::format("<h2 id=\"mp-{}-title\"><span class=\"mp-code\">{}</span>{}</h2>", index,
                       esc(marketplace_code(id)), esc(name.empty() ? id : name));
    std::string meta = fmt::format("Marketplace {}", id);
    for (const auto& snap : e.amazon) {
        if (snap.marketplace_id == id && snap.account_status)
            meta += fmt::format(" · Amazon account status {} ({})", *snap.account_status,
                                alerts::format_utc_minute(snap.taken_at));
    }
    out += fmt::format("<span class=\"mp-meta\">{}</span>", esc(meta));
    out += fmt::format("<span class=\"summary\">{} {}</span>", badge(worst(rows)),
                       esc(counts_summary(rows)));
    out += "</div>";

    // The rows that need a look as cards, worst first; the OK ones after them,
    // a line each.
    const auto ordered = sorted_worst_first(rows);
    const auto history_of = [&](const metrics::metric_result& r) {
        const auto found = history.find(key_of(r));
        return found == history.end() ? nullptr : &found->second;
    };
    const auto first_ok = std::find_if(ordered.begin(), ordered.end(),
                                       [](const auto* r) { return attention_rank(*r) == 0; });
    if (first_ok != ordered.begin()) {
        out += "<div class=\"cards\">";
        for (auto it = ordered.begin(); it != first_ok; ++it)
            write_card(out, e, **it, history_of(**it));
        out += "</div>";
    }
    if (first_ok != ordered.end()) {
        out += fmt::format("<div class=\"ok-rows\"><h3>{} OK</h3>", ordered.end() - first_ok);
        for (auto it = first_ok; it != ordered.end(); ++it)
            write_compact_row(out, e, **it, history_of(**it));
        out += "</div>";
    }

    out += "<div class=\"panels\"><section class=\"panel upcoming\"><h3>What is coming</h3>";
    std::vector<std::string> lines;
    std::vector<alerts::id_link> links;
    for (const auto& u : e.upcoming) {
        if (u.marketplace_id == id) {
            lines = alerts::upcoming_lines(u, now, s.display_time_zone);
            links = alerts::upcoming_links(u);
        }
    }
    if (lines.empty()) {
        out +=
            "<p class=\"empty-note\">Nothing due: no order to ship within 24 hours, no buyer "
            "message waiting for a reply, no order defect about to leave its window.</p>";
    } else {
        out += "<ul>";
        for (const auto& line : lines)
            out += fmt::format("<li>{}</li>", esc(line));
        out += "</ul>";
        if (!links.empty()) {
            out += "<p class=\"links\">Open in Seller Central: ";
            for (std::size_t i = 0; i < links.size(); ++i) {
                const auto& l = links[i];
                out += i == 0 ? "" : ", ";
                out += l.url.empty() ? esc(l.kind + " " + l.id)
                                     : fmt::format("<a href=\"{}\" rel=\"noreferrer\">{} {}</a>",
                                                   esc(l.url), esc(l.kind), esc(l.id));
            }
            out += "</p>";
        }
    }
    out += "</section>";
    write_message_service(out, e, id, now);
    out += "</div></section>";
}

// A deadline alert ends with its deadline, met or missed: "Resolved" would
// claim it was met.
std::string_view alert_state_label(std::string_view state, std::string_view fingerprint) {
    if (state == "pending")
        return "Pending";
    if (state == "firing")
        return "Firing";
    if (state == "resolved" &&
        (fingerprint.starts_with("message_deadline|") || fingerprint.starts_with("ship_deadline|")))
        return "Deadline passed";
    if (state == "resolved")
        return "Resolved";
    return state;
}

// Per feed: when it last arrived, the newest data in it (for Amazon's report:
// its snapshot), its max_age and whether it is stale.
void write_feeds(std::string& out, const metrics::evaluation& e, instant now) {
    out +=
        "<section class=\"panel feeds\" aria-labelledby=\"feeds-title\">"
        "<h2 id=\"feeds-title\">Feeds</h2>"
        "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Feed</th>"
        "<th scope=\"col\">Last arrived</th><th scope=\"col\">Newest data</th>"
        "<th scope=\"col\">Max age</th><th scope=\"col\">State</th></tr></thead><tbody>";
    for (const auto& f : e.feeds) {
        const std::string state = !f.last_import_at
                                      ? "<span class=\"badge no_data\">Never imported</span>"
                                  : f.stale ? "<span class=\"badge at_risk\">Stale</span>"
                                            : "<span class=\"badge ok\">Fresh</span>";
        out += fmt::format(
            "<tr data-feed=\"{}\" data-stale=\"{}\"><td>{}</td><td class=\"time\">{}</td>"
            "<td class=\"time\">{}</td><td>{}</td><td>{}</td></tr>",
            esc(f.feed), f.stale ? "true" : "false", esc(f.words),
            f.last_import_at ? when(*f.last_import_at, now) : std::string("Never"),
            f.newest_data_at ? when(*f.newest_data_at, now) : std::string("—"),
            esc(format_span(f.max_age)), state);
    }
    out += "</tbody></table></div></section>";
}

// What the daemon fetched itself: per source, the last successful fetch and
// the newest data, as `status` shows them.
void write_sp_api_sources(std::string& out, const snapshot& s, instant now) {
    out +=
        "<section class=\"panel feeds sp-api-sources\" aria-labelledby=\"sources-title\">"
        "<h2 id=\"sources-title\">Fetched from Amazon</h2>"
        "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Source</th>"
        "<th scope=\"col\">Marketplace</th><th scope=\"col\">Last successful fetch</th>"
        "<th scope=\"col\">Newest data</th><th scope=\"col\">State</th></tr></thead><tbody>";
    for (const auto& r : s.sp_api_sources) {
        const std::string state =
            !r.last_error.empty()
                ? "<span class=\"badge at_risk\">Failing</span> " + esc(r.last_error)
            : r.behind           ? std::string("<span class=\"badge at_risk\">Behind</span>")
            : !r.last_success_at ? std::string("<span class=\"badge no_data\">Not yet</span>")
                                 : std::string("<span class=\"badge ok\">OK</span>");
        out += fmt::format(
            "<tr data-source=\"{}\" data-marketplace=\"{}\"><td>{}</td><td>{}</td>"
            "<td class=\"time\">{}</td><td class=\"time\">{}</td><td>{}</td></tr>",
            esc(r.source), esc(r.marketplace_id), esc(r.source),
            r.marketplace_id.empty() ? std::string("—") : esc(marketplace_code(r.marketplace_id)),
            r.last_success_at ? when(*r.last_success_at, now) : std::string("Never"),
            r.newest_data_at ? when(*r.newest_data_at, now) : std::string("—"), state);
    }
    out += "</tbody></table></div></section>";
}

void write_alerts(std::string& out, const snapshot& s, instant now) {
    out +=
        "<section class=\"panel alerts\" aria-labelledby=\"alerts-title\">"
        "<h2 id=\"alerts-title\">Recent alerts</h2>";
    if (s.alerts.empty()) {
        out += "<p class=\"empty-note\">No alerts yet.</p></section>";
        return;
    }
    out +=
        "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">State</th>"
        "<th scope=\"col\">Severity</th><th scope=\"col\">Alert</th><th scope=\"col\">Since</th>"
        "<th scope=\"col\">Resolved</th></tr></thead><tbody>";
    for (const auto& a : s.alerts) {
        const auto sev = metrics::status_from_name(a.severity);
        const std::string severity =
            sev ? badge(*sev)
                : fmt::format("<span class=\"badge no_data\">{}</span>", esc(a.severity));
        // A firing alert kept quiet says so beside its state.
        std::string quiet;
        if (a.silenced_by)
            quiet += fmt::format(" <span class=\"quiet\">silenced ({})</span>", *a.silenced_by);
        if (a.acknowledged)
            quiet += " <span class=\"quiet\">acknowledged</span>";
        out += fmt::format(
            "<tr data-fingerprint=\"{}\"><td><span class=\"state {}\">{}</span>{}</td><td>{}</td>"
            "<td class=\"alert-name\">{}</td><td class=\"time\">{}</td><td class=\"time\">{}</td>"
            "</tr>",
            esc(a.fingerprint), a.state == "resolved" ? "resolved" : "active",
            esc(alert_state_label(a.state, a.fingerprint)), quiet, severity,
            esc(a.title.empty() ? alert_title(a.fingerprint) : a.title), when(a.since, now),
            a.resolved_at ? when(*a.resolved_at, now) : std::string("—"));
    }
    out += "</tbody></table></div></section>";
}

// The silences in force: what they match, until when, who set them and why.
void write_silences(std::string& out, const snapshot& s, instant now) {
    out +=
        "<section class=\"panel silences\" aria-labelledby=\"silences-title\">"
        "<h2 id=\"silences-title\">Silences</h2>"
        "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">ID</th>"
        "<th scope=\"col\">State</th><th scope=\"col\">Matches</th>"
        "<th scope=\"col\">Ends</th><th scope=\"col\">By</th>"
        "<th scope=\"col\">Comment</th></tr></thead><tbody>";
    for (const auto& silence : s.silences) {
        out += fmt::format(
            "<tr data-silence=\"{}\"><td>{}</td><td>{}</td><td class=\"alert-name\">{}</td>"
            "<td class=\"time\">{}</td><td>{}</td><td>{}</td></tr>",
            silence.id, silence.id, esc(silence.state), esc(silence.matchers),
            when(silence.ends_at, now), esc(silence.created_by), esc(silence.comment));
    }
    out += "</tbody></table></div></section>";
}

// How many missed and how many coming deadlines "Needs attention" lists; the
// rest are counted there and listed in their marketplace.
constexpr std::size_t kAttentionDeadlines = 10;

// An order or message ID, linked to Seller Central when the marketplace is known.
std::string id_html(std::string_view id, const std::string& url) {
    if (url.empty())
        return fmt::format("<b>{}</b>", esc(id));
    return fmt::format("<a href=\"{}\" rel=\"noreferrer\">{}</a>", esc(url), esc(id));
}

struct attention_deadline {
    instant due;
    bool missed = false;
    std::string html;  // the line after the badge
};

// The deadlines of every marketplace: each order to ship and each message to
// answer, with its ID, link, and due time in local time beside UTC.
std::vector<attention_deadline> deadlines_of(const metrics::evaluation& e, std::string_view zone) {
    std::vector<attention_deadline> out;
    for (const auto& u : e.upcoming) {
        const std::string code = marketplace_code(u.marketplace_id);
        for (const auto& o : u.unconfirmed_orders) {
            const std::string order =
                id_html(o.order_id, seller_central_order_url(u.marketplace_id, o.order_id));
            const std::string at =
                esc(alerts::format_local_minute(o.latest_ship_at, u.marketplace_id, zone));
            out.push_back(
                {o.latest_ship_at, o.overdue,
                 o.overdue ? fmt::format("<span class=\"what\">Order {} ({})</span><span "
                                         "class=\"detail\">Not confirmed by its latest ship date, "
                                         "{}: missed, counts against the late dispatch rate."
                                         "</span>",
                                         order, esc(code), at)
                           : fmt::format("<span class=\"what\">Order {} ({})</span><span "
                                         "class=\"detail\">Must ship by {}.</span>",
                                         order, esc(code), at)});
        }
        for (const auto& m : u.unanswered_messages) {
            const std::string message =
                id_html(m.message_id, seller_central_messages_url(u.marketplace_id));
            const std::string order =
                m.order_id.empty() ? std::string() : fmt::format(", order {}", esc(m.order_id));
            const std::string at =
                esc(alerts::format_local_minute(m.reply_due_at, u.marketplace_id, zone));
            out.push_back(
                {m.reply_due_at, m.overdue,
                 m.overdue
                     ? fmt::format("<span class=\"what\">Buyer message {} ({}{})</span><span "
                                   "class=\"detail\">No reply by {}: missed, counts against the "
                                   "24-hour response rate.</span>",
                                   message, esc(code), order, at)
                     : fmt::format("<span class=\"what\">Buyer message {} ({}{})</span><span "
                                   "class=\"detail\">Reply by {}.</span>",
                                   message, esc(code), order, at)});
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        if (a.missed != b.missed)
            return a.missed;
        return a.due < b.due;
    });
    return out;
}

// What needs attention, first on the page: breached then at-risk rows (least
// headroom first), missed then coming deadlines with their IDs and links, and
// the other alerts pending or firing now. The rest of the page is the detail behind it.
void write_attention(std::string& out, const snapshot& s, instant now) {
    std::vector<const metrics::metric_result*> rows;
    std::vector<attention_deadline> deadlines;
    if (s.evaluation) {
        for (const auto& r : s.evaluation->metrics) {
            if (r.status == metric_status::breached || r.status == metric_status::at_risk)
                rows.push_back(&r);
        }
        rows = sorted_worst_first(std::move(rows));
        deadlines = deadlines_of(*s.evaluation, s.display_time_zone);
    }
    // Deadline alerts stay firing until their deadline whether or not the
    // message was answered; the deadlines above come from this evaluation.
    std::vector<const recent_alert*> active;
    for (const auto& a : s.alerts) {
        if (a.state != "resolved" && a.kind != "message_deadline" && a.kind != "ship_deadline")
            active.push_back(&a);
    }
    const bool any_missed =
        std::any_of(deadlines.begin(), deadlines.end(), [](const auto& d) { return d.missed; });
    const bool any_breached = std::any_of(rows.begin(), rows.end(), [](const auto* r) {
        return r->status == metric_status::breached;
    });
    const std::string_view tone = any_breached || any_missed ? "breached"
                                  : !rows.empty() || !deadlines.empty() || !active.empty()
                                      ? "at_risk"
                                      : "ok";
    out += fmt::format(
        "<section class=\"attention {}\" id=\"attention\" aria-labelledby=\"attention-title\">"
        "<h2 id=\"attention-title\">Needs attention</h2>",
        tone);
    if (rows.empty() && deadlines.empty() && active.empty()) {
        out += s.evaluation ? "<p class=\"all-clear\">Nothing needs attention: no metric is at "
                              "risk or breached and no deadline is due within 24 hours.</p>"
                            : "<p class=\"all-clear\">Nothing evaluated yet.</p>";
        out += "</section>\n";
        return;
    }

    if (!rows.empty()) {
        out += "<h3>Metrics</h3><ol class=\"attention-list metrics\">";
        for (const auto* r : rows) {
            const auto& def = definition(r->metric);
            std::string detail =
                fmt::format("{} · target {} {}", r->rate ? alerts::format_percent(*r->rate) : "—",
                            def.direction == metric_direction::lower_is_better ? "under" : "over",
                            alerts::format_percent(r->target));
            const std::string headroom = alerts::headroom_text(*r);
            if (!headroom.empty())
                detail += fmt::format(" · {}", headroom);
            if (r->clears_by)
                detail += fmt::format(" · Clears {} if nothing new goes wrong",
                                      alerts::format_local_minute(*r->clears_by, r->marketplace_id,
                                                                  s.display_time_zone));
            if (r->stale)
                detail += fmt::format(" · Stale data: {}", r->stale_reason);
            if (!detail.ends_with('.'))
                detail += '.';
            out += fmt::format(
                "<li data-kind=\"metric\" data-status=\"{}\" data-marketplace=\"{}\">{}<a "
                "class=\"what\" href=\"#{}\">{}, {}, {}</a><span class=\"detail\">{}</span></li>",
                metrics::status_name(r->status), esc(r->marketplace_id), badge(r->status),
                esc(row_anchor(*r)), esc(def.title), esc(marketplace_code(r->marketplace_id)),
                esc(where_words(*r)), esc(detail));
        }
        out += "</ol>";
    }

    if (!deadlines.empty()) {
        out += "<h3>Deadlines</h3><ol class=\"attention-list deadlines\">";
        std::size_t missed_shown = 0;
        std::size_t coming_shown = 0;
        std::size_t left_out = 0;
        for (const auto& d : deadlines) {
            std::size_t& shown = d.missed ? missed_shown : coming_shown;
            if (shown == kAttentionDeadlines) {
                ++left_out;
                continue;
            }
            ++shown;
            const std::string due_badge =
                d.missed ? std::string("<span class=\"badge breached\">Missed</span>")
                : d.due - now < std::chrono::minutes{1}
                    ? std::string("<span class=\"badge at_risk\">Due now</span>")
                    : fmt::format(
                          "<span class=\"badge at_risk\">Due in {}</span>",
                          esc(alerts::format_span(
                              std::chrono::duration_cast<std::chrono::seconds>(d.due - now))));
            out += fmt::format("<li data-kind=\"deadline\" data-missed=\"{}\">{}{}</li>",
                               d.missed ? "true" : "false", due_badge, d.html);
        }
        if (left_out > 0)
            out += fmt::format(
                "<li class=\"more\">And {} more, listed under their marketplace below.</li>",
                left_out);
        out += "</ol>";
    }

    if (!active.empty()) {
        out += "<h3>Alerts</h3><ol class=\"attention-list alerts\">";
        for (const auto* a : active) {
            const auto sev = metrics::status_from_name(a->severity);
            out += fmt::format(
                "<li data-kind=\"alert\" data-fingerprint=\"{}\">{}<span class=\"what\">{}</span>"
                "<span class=\"detail\">{} since {}</span></li>",
                esc(a->fingerprint),
                sev ? badge(*sev)
                    : fmt::format("<span class=\"badge no_data\">{}</span>", esc(a->severity)),
                esc(a->title.empty() ? alert_title(a->fingerprint) : a->title),
                esc(alert_state_label(a->state, a->fingerprint)), when(a->since, now));
        }
        out += "</ol>";
    }
    out += "</section>\n";
}

void write_head(std::string& out, const snapshot& s) {
    const std::string title = s.account.empty() ? std::string("Account health")
                                                : fmt::format("{} · Account health", s.account);
    out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out += fmt::format("<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n",
                       esc(kDashboardContentSecurityPolicy));
    out += "<meta http-equiv=\"refresh\" content=\"60\">\n";
    out += "<meta name=\"referrer\" content=\"no-referrer\">\n";
    out += "<meta name=\"color-scheme\" content=\"light dark\">\n";
    out += fmt::format("<title>{}</title>\n<style>{}</style>\n</head>\n", esc(title), kStyle);
}

}  // namespace

std::string alert_title(std::string_view fingerprint) {
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        const auto bar = fingerprint.find('|', start);
        parts.push_back(fingerprint.substr(
            start, bar == std::string_view::npos ? std::string_view::npos : bar - start));
        if (bar == std::string_view::npos)
            break;
        start = bar + 1;
    }
    if (parts.size() == 4) {
        if (const auto key = metric_from_name(parts[0])) {
            return fmt::format("{}, {}, {}, {} days", definition(*key).title,
                               marketplace_code(parts[1]), channel_text(parts[2]), parts[3]);
        }
    }
    if (parts.size() == 2 && parts[0] == "message_deadline")
        return fmt::format("Buyer message {} awaiting a reply", parts[1]);
    if (parts.size() == 2 && parts[0] == "ship_deadline")
        return fmt::format("Order {} not confirmed", parts[1]);
    if (fingerprint == "stale_data")
        return "No data imported";
    // Amazon's own signals and the SP-API's health (alerts/amazon_signals.hpp).
    if (parts.size() == 2 && parts[0] == "account_status")
        return fmt::format("Amazon account status, {}", marketplace_code(parts[1]));
    if (parts.size() == 2 && parts[0] == "ahr_status")
        return fmt::format("Account Health Rating worse, {}", marketplace_code(parts[1]));
    if (parts.size() == 3 && parts[0] == "policy_violations")
        return fmt::format("More {}, {}", parts[2], marketplace_code(parts[1]));
    if (parts.size() == 4 && parts[0] == "amazon_divergence") {
        const auto key = metric_from_name(parts[1]);
        return fmt::format("Ours differs from Amazon's: {}, {}, {}",
                           key ? std::string(definition(*key).title) : std::string(parts[1]),
                           marketplace_code(parts[2]), channel_text(parts[3]));
    }
    if (fingerprint == "sp_api_auth")
        return "SP-API credentials refused";
    if (fingerprint == "sp_api_secret_expiry")
        return "SP-API client secret expiring";
    if (parts.size() == 3 && parts[0] == "sp_api_source")
        return parts[2].empty() ? fmt::format("SP-API source {} not succeeding", parts[1])
                                : fmt::format("SP-API source {} not succeeding, {}", parts[1],
                                              marketplace_code(parts[2]));
    if (parts.size() == 2 && parts[0] == "stale_data") {
        const auto* feed = find_feed(parts[1]);
        return fmt::format("Stale feed: {}", feed ? feed->words : parts[1]);
    }
    return std::string(fingerprint);
}

std::string render_dashboard(const snapshot& s, instant now) {
    std::string out;
    out.reserve(64 * 1024);
    write_head(out, s);
    out += "<body>\n<div class=\"page\">\n";

    std::vector<const metrics::metric_result*> all_rows;
    std::map<std::string, std::vector<const metrics::metric_result*>> by_marketplace;
    if (s.evaluation) {
        for (const auto& r : s.evaluation->metrics) {
            all_rows.push_back(&r);
            by_marketplace[r.marketplace_id].push_back(&r);
        }
        for (const auto& u : s.evaluation->upcoming)
            by_marketplace[u.marketplace_id];
    }

    // Masthead.
    out +=
        "<header class=\"masthead\"><div class=\"masthead-top\"><div>"
        "<p class=\"eyebrow\">Account health</p>";
    out += fmt::format("<h1>{}</h1></div>", esc(s.account.empty() ? "Seller account" : s.account));
    out += fmt::format("<div class=\"overall\">Overall {}</div></div>",
                       s.evaluation ? badge(worst(all_rows)) : badge(metric_status::no_data));
    out += "<dl class=\"facts\">";
    out += fmt::format("<div><dt>Evaluated</dt><dd>{}</dd></div>",
                       s.evaluation ? when(s.evaluation->as_of, now) : std::string("Not yet"));
    out += fmt::format("<div><dt>Last import</dt><dd>{}</dd></div>",
                       s.counters.last_import_at ? when(*s.counters.last_import_at, now)
                                                 : std::string("None yet"));
    out += fmt::format("<div><dt>Metrics</dt><dd>{}</dd></div>",
                       s.evaluation ? esc(counts_summary(all_rows)) : std::string("—"));
    out += fmt::format("<div><dt>Version</dt><dd>seller-healthd {}</dd></div>", esc(s.version));
    out += "</dl>";
    if (by_marketplace.size() > 1) {
        out += "<ul class=\"jump\" aria-label=\"Marketplaces\">";
        int index = 0;
        for (const auto& [id, rows] : by_marketplace) {
            ++index;
            out += fmt::format("<li><a href=\"#mp-{}\">{} {}</a></li>", index,
                               esc(marketplace_code(id)), badge(worst(rows)));
        }
        out += "</ul>";
    }
    out += "</header>\n<main>\n";
    write_attention(out, s, now);
    if (s.evaluation) {
        out += fmt::format(
            "<p class=\"legend\"><span><i class=\"key key-series\"></i>rate at each evaluation, "
            "last {} days</span><span><i class=\"key key-warn\"></i>warn level</span>"
            "<span><i class=\"key key-target\"></i>Amazon's target</span>"
            "<span><i class=\"key key-zone key-risk\"></i>at risk</span>"
            "<span><i class=\"key key-zone key-breach\"></i>breached</span></p>",
            kHistoryDays);
    }

    if (!s.evaluation) {
        out +=
            "<p class=\"notice\">No evaluation yet: the daemon shows the metrics here after its "
            "first cycle.</p>\n";
    } else {
        const auto history = history_by_row(s);
        int index = 0;
        for (const auto& [id, rows] : by_marketplace) {
            write_marketplace(out, s, id, ++index, rows, history, now);
            out += '\n';
        }
    }
    if (s.evaluation && !s.evaluation->feeds.empty()) {
        write_feeds(out, *s.evaluation, now);
        out += '\n';
    }
    if (!s.sp_api_sources.empty()) {
        write_sp_api_sources(out, s, now);
        out += '\n';
    }
    if (!s.silences.empty()) {
        write_silences(out, s, now);
        out += '\n';
    }
    write_alerts(out, s, now);
    out += "\n</main>\n";
    out += fmt::format(
        "<footer class=\"foot\">Rendered {} · refreshes every minute · seller-healthd "
        "{}</footer>\n",
        esc(alerts::format_utc_minute(now)), esc(s.version));
    out += "</div>\n</body>\n</html>\n";
    return out;
}

}  // namespace shd::web
