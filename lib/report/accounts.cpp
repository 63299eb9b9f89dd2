#include "report/accounts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <tuple>

#include "core/marketplaces.hpp"
#include "report/status_table.hpp"

namespace shd::report {
namespace {

using json = nlohmann::ordered_json;

int status_rank(metrics::metric_status s) {
    switch (s) {
        case metrics::metric_status::breached:
            return 0;
        case metrics::metric_status::at_risk:
            return 1;
        case metrics::metric_status::ok:
            return 2;
        case metrics::metric_status::no_data:
            return 3;
    }
    return 3;
}

std::int64_t headroom_of(const std::optional<metrics::metric_result>& r) {
    if (!r || !r->headroom)
        return std::numeric_limits<std::int64_t>::max();
    return *r->headroom;
}

bool worse_row(const metrics::metric_result& a, const metrics::metric_result& b) {
    const auto ha = a.headroom.value_or(std::numeric_limits<std::int64_t>::max());
    const auto hb = b.headroom.value_or(std::numeric_limits<std::int64_t>::max());
    return std::tuple(status_rank(a.status), ha) < std::tuple(status_rank(b.status), hb);
}

account_summary summarize(account_input in) {
    account_summary s;
    s.account = std::move(in.account);
    s.config_path = std::move(in.config_path);
    s.database = std::move(in.database);
    s.error = std::move(in.error);
    if (!in.evaluation) {
        s.state = account_state::unknown;
        return s;
    }
    for (const auto& r : in.evaluation->metrics) {
        switch (r.status) {
            case metrics::metric_status::breached:
                ++s.breached;
                break;
            case metrics::metric_status::at_risk:
                ++s.at_risk;
                break;
            case metrics::metric_status::ok:
                ++s.ok;
                break;
            case metrics::metric_status::no_data:
                ++s.no_data;
                break;
        }
        if (!s.worst || worse_row(r, *s.worst))
            s.worst = r;
    }
    if (s.breached > 0)
        s.state = account_state::breached;
    else if (s.at_risk > 0)
        s.state = account_state::at_risk;
    else if (s.ok > 0)
        s.state = account_state::ok;
    else
        s.state = account_state::unknown;
    if (s.state == account_state::unknown && s.error.empty())
        s.error = "no data: no orders or messages imported";
    s.evaluation = std::move(in.evaluation);
    return s;
}

// "late_dispatch_rate US MFN 10d".
std::string row_name(const metrics::metric_result& r) {
    return fmt::format("{} {} {} {}d", definition(r.metric).name,
                       marketplace_code(r.marketplace_id), r.channel, r.window_days);
}

std::string_view state_color(account_state s) {
    switch (s) {
        case account_state::breached:
            return "\033[1;31m";
        case account_state::at_risk:
            return "\033[33m";
        case account_state::unknown:
            return "\033[35m";
        case account_state::ok:
            return "\033[32m";
    }
    return "";
}

std::string_view state_word(account_state s) {
    switch (s) {
        case account_state::breached:
            return "breached";
        case account_state::at_risk:
            return "at risk";
        case account_state::unknown:
            return "unknown";
        case account_state::ok:
            return "ok";
    }
    return "";
}

// Nagios perfdata labels are quoted with '; a quote, '=' or '|' in one
// cannot be.
std::string perf_label(std::string text) {
    for (char& c : text) {
        if (c == '\'' || c == '=' || c == '|')
            c = '_';
    }
    return text;
}

// 'acme late_dispatch_rate US MFN 10d'=0.0353;0.03;0.04;0;1 for lower-is-better
// metrics; higher-is-better ones alert below their levels ("W:" ranges).
std::string perfdata_of(const account_summary& s) {
    std::string out = fmt::format("'{} breached'={} '{} at_risk'={}", perf_label(s.account),
                                  s.breached, perf_label(s.account), s.at_risk);
    if (!s.evaluation)
        return out;
    for (const auto& r : s.evaluation->metrics) {
        if (!r.rate)
            continue;
        const bool lower = definition(r.metric).direction == metric_direction::lower_is_better;
        out += fmt::format(" '{} {}'={};{}{};{}{};0;1", perf_label(s.account), row_name(r), *r.rate,
                           r.warn, lower ? "" : ":", r.target, lower ? "" : ":");
    }
    return out;
}

std::string worst_text(const account_summary& s) {
    if (!s.error.empty())
        return fmt::format("{}: {}", s.account, s.error);
    const auto& r = *s.worst;
    return fmt::format("{}: {} {} {} (warn {}, target {}, headroom {})", s.account,
                       state_word(s.state), row_name(r), format_percent(*r.rate),
                       format_percent(r.warn), format_percent(r.target),
                       r.headroom ? std::to_string(*r.headroom) : "-");
}

}  // namespace

std::string_view state_name(account_state s) {
    switch (s) {
        case account_state::breached:
            return "breached";
        case account_state::at_risk:
            return "at_risk";
        case account_state::unknown:
            return "unknown";
        case account_state::ok:
            return "ok";
    }
    return "unknown";
}

std::vector<account_summary> summarize_accounts(std::vector<account_input> inputs) {
    std::vector<account_summary> rows;
    rows.reserve(inputs.size());
    for (auto& in : inputs)
        rows.push_back(summarize(std::move(in)));
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
        return std::tuple(static_cast<int>(a.state), headroom_of(a.worst), a.account) <
               std::tuple(static_cast<int>(b.state), headroom_of(b.worst), b.account);
    });
    return rows;
}

std::string accounts_table(const std::vector<account_summary>& rows, bool color) {
    std::vector<std::vector<std::string>> cells{{"Account", "State", "Breached", "At risk",
                                                 "Worst metric", "Value", "Target", "Headroom",
                                                 "Problem"}};
    for (const auto& s : rows) {
        std::vector<std::string> row{s.account, std::string(state_word(s.state)),
                                     std::to_string(s.breached), std::to_string(s.at_risk)};
        if (s.worst && s.worst->rate) {
            const auto& r = *s.worst;
            const bool lower = definition(r.metric).direction == metric_direction::lower_is_better;
            row.push_back(row_name(r));
            row.push_back(format_percent(*r.rate));
            row.push_back(fmt::format("{} {}", lower ? "<" : ">", format_percent(r.target)));
            row.push_back(r.headroom ? std::to_string(*r.headroom) : "-");
        } else {
            row.insert(row.end(), {"-", "-", "-", "-"});
        }
        row.push_back(s.error);
        cells.push_back(std::move(row));
    }
    std::vector<std::size_t> widths(cells.front().size(), 0);
    for (const auto& row : cells) {
        for (std::size_t i = 0; i < row.size(); ++i)
            widths[i] = std::max(widths[i], row[i].size());
    }
    std::string out;
    for (std::size_t line = 0; line < cells.size(); ++line) {
        std::string text;
        for (std::size_t i = 0; i < cells[line].size(); ++i) {
            std::string cell = cells[line][i];
            const std::size_t visible = cell.size();
            if (i + 1 < cells[line].size())
                cell.resize(widths[i] + 2, ' ');
            if (color && line > 0 && i == 1) {
                const auto state = rows[line - 1].state;
                cell = fmt::format("{}{}\033[0m{}", state_color(state), cell.substr(0, visible),
                                   cell.substr(visible));
            }
            text += cell;
        }
        while (!text.empty() && text.back() == ' ')
            text.pop_back();
        out += text + "\n";
    }
    return out;
}

std::string accounts_json(const std::vector<account_summary>& rows) {
    json doc = json::array();
    for (const auto& s : rows) {
        json j;
        j["account"] = s.account;
        j["config"] = s.config_path;
        j["database"] = s.database.empty() ? json(nullptr) : json(s.database);
        j["state"] = std::string(state_name(s.state));
        j["as_of"] = s.evaluation ? json(format_iso8601(s.evaluation->as_of)) : json(nullptr);
        j["breached"] = s.breached;
        j["at_risk"] = s.at_risk;
        j["ok"] = s.ok;
        j["no_data"] = s.no_data;
        if (s.worst && s.worst->rate) {
            const auto& r = *s.worst;
            j["worst"] = json{{"metric", std::string(definition(r.metric).name)},
                              {"marketplace", r.marketplace_id},
                              {"marketplace_code", std::string(marketplace_code(r.marketplace_id))},
                              {"channel", r.channel},
                              {"window_days", r.window_days},
                              {"status", std::string(metrics::status_name(r.status))},
                              {"rate", *r.rate},
                              {"warn", r.warn},
                              {"target", r.target},
                              {"headroom", r.headroom ? json(*r.headroom) : json(nullptr)}};
        } else {
            j["worst"] = nullptr;
        }
        j["error"] = s.error.empty() ? json(nullptr) : json(s.error);
        doc.push_back(std::move(j));
    }
    return doc.dump(2, ' ', false, json::error_handler_t::replace);
}

plugin_result plugin_check(const std::vector<account_summary>& rows) {
    int count[4] = {0, 0, 0, 0};
    for (const auto& s : rows)
        ++count[static_cast<int>(s.state)];
    plugin_result result;
    std::string_view word;
    if (count[0] > 0) {
        result.exit_code = 2;
        word = "CRITICAL";
    } else if (count[1] > 0) {
        result.exit_code = 1;
        word = "WARNING";
    } else if (count[2] > 0 || rows.empty()) {
        result.exit_code = 3;
        word = "UNKNOWN";
    } else {
        result.exit_code = 0;
        word = "OK";
    }
    std::string summary;
    if (rows.empty()) {
        summary = "no accounts";
    } else if (rows.size() == 1) {
        const auto& s = rows.front();
        if (s.state == account_state::ok) {
            summary = fmt::format("{}: ok, {} rows with data, none at risk", s.account, s.ok);
            if (s.worst && s.worst->headroom) {
                summary +=
                    fmt::format("; least headroom {} ({})", *s.worst->headroom, row_name(*s.worst));
            }
        } else {
            summary = worst_text(s);
        }
    } else {
        summary = fmt::format("{} accounts: {} breached, {} at risk, {} unknown, {} ok",
                              rows.size(), count[0], count[1], count[2], count[3]);
        for (const auto& s : rows) {
            if (s.state != account_state::ok)
                summary += "; " + worst_text(s);
        }
    }
    // '|' separates the text from the perfdata; none may appear before it.
    std::replace(summary.begin(), summary.end(), '|', '/');
    std::replace(summary.begin(), summary.end(), '\n', ' ');
    std::string perfdata;
    for (const auto& s : rows)
        perfdata += (perfdata.empty() ? "" : " ") + perfdata_of(s);
    result.line = fmt::format("SELLER-HEALTH {} - {}", word, summary);
    if (!perfdata.empty())
        result.line += " | " + perfdata;
    return result;
}

}  // namespace shd::report
