#include "report/status_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "core/marketplaces.hpp"

namespace shd::report {
namespace {

constexpr std::string_view kReset = "\033[0m";

std::string_view status_color(metrics::metric_status s) {
    switch (s) {
        case metrics::metric_status::ok:
            return "\033[32m";
        case metrics::metric_status::at_risk:
            return "\033[33m";
        case metrics::metric_status::breached:
            return "\033[1;31m";
        case metrics::metric_status::no_data:
            return "\033[2m";
    }
    return "";
}

struct cell {
    std::string text;
    std::string_view color;  // empty: none
};

// Left-aligned columns two spaces apart; colour wraps the padded text so it
// never shifts the columns.
void render(std::string& out, const std::vector<std::vector<cell>>& rows, bool color) {
    std::vector<std::size_t> widths;
    for (const auto& row : rows) {
        widths.resize(std::max(widths.size(), row.size()), 0);
        for (std::size_t i = 0; i < row.size(); ++i) {
            widths[i] = std::max(widths[i], row[i].text.size());
        }
    }
    for (const auto& row : rows) {
        std::string line = "  ";
        for (std::size_t i = 0; i < row.size(); ++i) {
            std::string padded = row[i].text;
            if (i + 1 < row.size())
                padded.resize(widths[i] + 2, ' ');
            if (color && !row[i].color.empty()) {
                // Colour the text only, not the padding after it.
                const auto text_end = row[i].text.size();
                line += fmt::format("{}{}{}{}", row[i].color, padded.substr(0, text_end), kReset,
                                    padded.substr(text_end));
            } else {
                line += padded;
            }
        }
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        out += line;
        out += '\n';
    }
}

std::string metric_label(const metrics::metric_result& r) {
    const auto& def = definition(r.metric);
    if (r.channel == "all")
        return std::string(def.title);
    return fmt::format("{} ({})", def.title, r.channel);
}

std::string window_label(const metrics::metric_result& r) {
    if (r.lag_days == 0)
        return fmt::format("{}d", r.window_days);
    return fmt::format("{}d, lag {}d", r.window_days, r.lag_days);
}

std::string date_of(instant t) {
    return format_iso8601(t).substr(0, 10);
}

const metrics::amazon_metric* amazon_for(const metrics::amazon_snapshot* snapshot,
                                         const metrics::metric_result& r) {
    if (snapshot == nullptr)
        return nullptr;
    for (const auto& m : snapshot->metrics) {
        if (m.our_window_days == r.window_days && m.metric == definition(r.metric).name &&
            m.channel == r.channel) {
            return &m;
        }
    }
    return nullptr;
}

template <class T, class F>
void list_items(std::string& out, const std::vector<T>& items, std::size_t max_listed, F line) {
    for (std::size_t i = 0; i < items.size() && i < max_listed; ++i) {
        out += "      " + line(items[i]) + "\n";
    }
    if (items.size() > max_listed) {
        out += fmt::format("      ... and {} more\n", items.size() - max_listed);
    }
}

void render_upcoming(std::string& out, const metrics::upcoming_events& u,
                     const table_options& options) {
    if (u.unconfirmed_orders.empty() && u.unanswered_messages.empty() &&
        u.defects_leaving.empty()) {
        return;
    }
    out += "\n  Upcoming\n";
    if (!u.unconfirmed_orders.empty()) {
        const auto overdue = std::count_if(u.unconfirmed_orders.begin(), u.unconfirmed_orders.end(),
                                           [](const auto& o) { return o.overdue; });
        out += fmt::format(
            "    {} MFN order(s) not confirmed, ship-by within 24 h or passed ({} overdue):\n",
            u.unconfirmed_orders.size(), overdue);
        list_items(
            out, u.unconfirmed_orders, options.max_listed, [](const metrics::unconfirmed_order& o) {
                return fmt::format("{}  ship by {}{}", o.order_id, format_iso8601(o.latest_ship_at),
                                   o.overdue ? "  (overdue)" : "");
            });
    }
    if (!u.unanswered_messages.empty()) {
        const auto overdue =
            std::count_if(u.unanswered_messages.begin(), u.unanswered_messages.end(),
                          [](const auto& m) { return m.overdue; });
        out += fmt::format("    {} message(s) without a reply for over 12 h ({} past 24 h):\n",
                           u.unanswered_messages.size(), overdue);
        list_items(out, u.unanswered_messages, options.max_listed,
                   [](const metrics::unanswered_message& m) {
                       return fmt::format("{}  reply due {}{}", m.message_id,
                                          format_iso8601(m.reply_due_at),
                                          m.overdue ? "  (late)" : "");
                   });
    }
    if (!u.defects_leaving.empty()) {
        out +=
            fmt::format("    {} order defect(s) leave the ODR window:\n", u.defects_leaving.size());
        list_items(out, u.defects_leaving, options.max_listed,
                   [](const metrics::defect_leaving_window& d) {
                       std::string kinds;
                       for (const auto& k : d.kinds)
                           kinds += (kinds.empty() ? "" : ", ") + k;
                       return fmt::format("{}  {} ({}, {}d window: {})", date_of(d.leaves_at),
                                          d.order_id, d.channel, d.window_days, kinds);
                   });
    }
}

std::string ago(std::optional<std::chrono::seconds> age) {
    return age ? format_span(*age) + " ago" : "-";
}

// Per feed: when it last arrived and how old its newest data is (for
// Amazon's report: its snapshot), as of T. Nothing when no feed has arrived.
void render_feeds(std::string& out, const metrics::evaluation& e, const table_options& options) {
    const bool any = std::any_of(e.feeds.begin(), e.feeds.end(),
                                 [](const auto& f) { return f.last_import_at.has_value(); });
    if (!any)
        return;
    out += "\nFeeds\n";
    std::vector<std::vector<cell>> rows;
    rows.push_back(
        {{"Feed", {}}, {"Last arrived", {}}, {"Newest data", {}}, {"Max age", {}}, {"State", {}}});
    for (const auto& f : e.feeds) {
        std::optional<std::chrono::seconds> data_age;
        if (f.newest_data_at)
            data_age = e.as_of - *f.newest_data_at;
        std::string data = ago(data_age);
        if (data_age && *data_age < std::chrono::seconds{0})
            data = "after the as-of time";
        std::string state = !f.last_import_at ? "never imported" : (f.stale ? "stale" : "fresh");
        rows.push_back({{f.feed, {}},
                        {!f.last_import_at             ? std::string("never")
                         : *f.last_import_at > e.as_of ? std::string("after the as-of time")
                                                       : ago(f.age),
                         {}},
                        {data, {}},
                        {format_span(f.max_age), {}},
                        {state, f.stale ? status_color(metrics::metric_status::at_risk)
                                        : std::string_view{}}});
    }
    render(out, rows, options.color);
}

}  // namespace

std::string format_percent(double rate) {
    return fmt::format("{:.2f}%", rate * 100.0);
}

std::string status_table(const metrics::evaluation& e, const table_options& options) {
    std::string out = fmt::format("Account health as of {}\n", format_iso8601(e.as_of));
    if (e.metrics.empty()) {
        out += "\nNo orders or messages imported yet.\n";
        render_feeds(out, e, options);
        return out;
    }
    std::map<std::string, const metrics::amazon_snapshot*> snapshots;
    for (const auto& s : e.amazon)
        snapshots[s.marketplace_id] = &s;
    std::map<std::string, const metrics::upcoming_events*> upcoming;
    for (const auto& u : e.upcoming)
        upcoming[u.marketplace_id] = &u;

    bool any_low_volume = false;
    bool any_flagged = false;
    std::vector<std::string> stale_reasons;
    for (auto begin = e.metrics.begin(); begin != e.metrics.end();) {
        const auto& marketplace = begin->marketplace_id;
        auto end = std::find_if(begin, e.metrics.end(), [&](const metrics::metric_result& r) {
            return r.marketplace_id != marketplace;
        });
        const auto snapshot_it = snapshots.find(marketplace);
        const metrics::amazon_snapshot* snapshot =
            snapshot_it == snapshots.end() ? nullptr : snapshot_it->second;

        out += fmt::format("\n{} ({})", marketplace_code(marketplace), marketplace);
        if (snapshot != nullptr) {
            out += fmt::format("  Amazon snapshot of {}", format_iso8601(snapshot->taken_at));
            if (snapshot->account_status)
                out += ", account " + *snapshot->account_status;
        }
        out += "\n";

        std::vector<std::vector<cell>> rows;
        std::vector<cell> header{{"Metric", {}}, {"Window", {}}, {"Value", {}},  {"Count", {}},
                                 {"Warn", {}},   {"Target", {}}, {"Status", {}}, {"Headroom", {}}};
        if (snapshot != nullptr)
            header.push_back({"Amazon", {}});
        rows.push_back(std::move(header));
        for (auto it = begin; it != end; ++it) {
            const auto& r = *it;
            const bool lower = definition(r.metric).direction == metric_direction::lower_is_better;
            std::string value = r.rate ? format_percent(*r.rate) : "-";
            if (r.low_volume && r.rate) {
                value += " *";
                any_low_volume = true;
            }
            std::vector<cell> row{
                {metric_label(r), {}},
                {window_label(r), {}},
                {value, {}},
                {fmt::format("{}/{}", r.numerator, r.denominator), {}},
                {format_percent(r.warn), {}},
                {fmt::format("{} {}", lower ? "<" : ">", format_percent(r.target)), {}},
                {std::string(metrics::status_name(r.status)) + (r.stale ? " (stale)" : ""),
                 status_color(r.status)},
                {r.headroom ? std::to_string(*r.headroom) : "-", {}},
            };
            if (snapshot != nullptr) {
                std::string amazon = "-";
                if (const auto* m = amazon_for(snapshot, r)) {
                    amazon = m->rate ? format_percent(*m->rate) : "-";
                    if (!m->status.empty())
                        amazon += " " + m->status;
                    if (m->flagged) {
                        amazon += " (differs)";
                        any_flagged = true;
                    }
                }
                row.push_back({amazon, {}});
            }
            rows.push_back(std::move(row));
            if (r.stale && std::find(stale_reasons.begin(), stale_reasons.end(), r.stale_reason) ==
                               stale_reasons.end()) {
                stale_reasons.push_back(r.stale_reason);
            }
        }
        render(out, rows, options.color);
        if (auto u = upcoming.find(marketplace); u != upcoming.end()) {
            render_upcoming(out, *u->second, options);
        }
        begin = end;
    }
    if (any_low_volume || any_flagged || !stale_reasons.empty())
        out += "\n";
    if (any_low_volume)
        out += "* small sample: fewer orders than min_orders in the window\n";
    if (any_flagged) {
        out += fmt::format("(differs): our rate and Amazon's differ by more than {}\n",
                           format_percent(e.reconcile_tolerance));
    }
    for (const auto& reason : stale_reasons)
        out += fmt::format("(stale): alerts held: {}\n", reason);
    render_feeds(out, e, options);
    return out;
}

}  // namespace shd::report
