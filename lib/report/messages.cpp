#include "report/messages.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/marketplaces.hpp"

namespace shd::report {
namespace {

using json = nlohmann::ordered_json;

// Left-aligned columns two spaces apart, a two-space indent, no trailing blanks.
void render(std::string& out, const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> widths;
    for (const auto& row : rows) {
        widths.resize(std::max(widths.size(), row.size()), 0);
        for (std::size_t i = 0; i < row.size(); ++i)
            widths[i] = std::max(widths[i], row[i].size());
    }
    for (const auto& row : rows) {
        std::string line = "  ";
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size())
                line.append(widths[i] + 2 - row[i].size(), ' ');
        }
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        out += line;
        out += '\n';
    }
}

std::string reply_text(const metrics::message_fact& m, instant as_of) {
    const auto state = metrics::classify_reply(m, as_of);
    const auto reply = metrics::reply_as_of(m, as_of);
    const instant due = metrics::reply_due(m);
    switch (state) {
        case metrics::reply_state::answered:
        case metrics::reply_state::answered_late:
            return fmt::format(
                "{} {} ({})",
                state == metrics::reply_state::answered ? "answered" : "answered late",
                format_iso8601(*reply), format_span(*reply - m.received_at));
        case metrics::reply_state::pending:
            return fmt::format("pending (due in {})", format_span(due - as_of));
        case metrics::reply_state::missed:
            return fmt::format("missed (due {} ago)", format_span(as_of - due));
        case metrics::reply_state::no_response_needed:
            return m.marked_no_response_needed ? "no response needed (marked)"
                                               : "no response needed";
    }
    return {};
}

// Whole seconds as people read them: "45 s", "2 min 5 s" below an hour, else
// format_span's "3 h 20 min".
std::string seconds_text(double s) {
    const auto whole = static_cast<long long>(std::llround(s));
    if (whole < 60)
        return fmt::format("{} s", whole);
    if (whole < 3600)
        return fmt::format("{} min {} s", whole / 60, whole % 60);
    return format_span(std::chrono::seconds{whole});
}

}  // namespace

std::string messages_list_json(std::span<const metrics::message_fact> messages, instant as_of) {
    json rows = json::array();
    for (const auto& m : messages) {
        const auto reply = metrics::reply_as_of(m, as_of);
        json row;
        row["message_id"] = m.message_id;
        row["order_id"] = m.order_id.empty() ? json(nullptr) : json(m.order_id);
        row["marketplace"] = m.marketplace_id;
        row["received_at"] = format_iso8601(m.received_at);
        row["reply_due"] = format_iso8601(metrics::reply_due(m));
        row["responded_at"] = reply ? json(format_iso8601(*reply)) : json(nullptr);
        row["response_seconds"] = reply ? json((*reply - m.received_at).count()) : json(nullptr);
        row["state"] = std::string(metrics::reply_state_name(metrics::classify_reply(m, as_of)));
        row["no_response_needed"] = m.no_response_needed();
        row["marked_no_response_needed"] = m.marked_no_response_needed;
        rows.push_back(std::move(row));
    }
    json doc;
    doc["as_of"] = format_iso8601(as_of);
    doc["messages"] = std::move(rows);
    return doc.dump(2, ' ', false, json::error_handler_t::replace);
}

std::string messages_list_table(std::span<const metrics::message_fact> messages, instant as_of,
                                bool waiting_only) {
    std::string out = fmt::format("Buyer messages as of {}\n", format_iso8601(as_of));
    if (messages.empty()) {
        out += waiting_only ? "\nNo buyer message waits for a reply.\n"
                            : "\nNo buyer messages imported yet.\n";
        return out;
    }
    std::vector<std::vector<std::string>> rows{
        {"Message", "Order", "Marketplace", "Received", "Due", "Reply"}};
    for (const auto& m : messages) {
        rows.push_back({m.message_id, m.order_id.empty() ? "-" : m.order_id,
                        marketplace_code(m.marketplace_id), format_iso8601(m.received_at),
                        format_iso8601(metrics::reply_due(m)), reply_text(m, as_of)});
    }
    out += '\n';
    render(out, rows);
    return out;
}

std::string message_service_table(std::span<const metrics::message_service_row> rows) {
    if (rows.empty())
        return {};
    std::string out = "\nBuyer messages (service, informs only)\n";
    std::vector<std::vector<std::string>> table{{"Marketplace", "Window", "Messages", "Replied",
                                                 "First reply median", "90th percentile", "Waiting",
                                                 "Oldest waiting"}};
    for (const auto& r : rows) {
        std::string oldest = "-";
        if (r.oldest_waiting_received_at) {
            oldest = fmt::format("{} ({})", r.oldest_waiting_message_id,
                                 format_iso8601(*r.oldest_waiting_received_at));
        }
        std::string waiting = std::to_string(r.waiting);
        if (r.waiting_overdue > 0)
            waiting += fmt::format(" ({} overdue)", r.waiting_overdue);
        table.push_back(
            {marketplace_code(r.marketplace_id), fmt::format("{}d", r.window_days),
             std::to_string(r.messages), std::to_string(r.replied),
             r.first_response_median_seconds ? seconds_text(*r.first_response_median_seconds) : "-",
             r.first_response_p90_seconds ? seconds_text(*r.first_response_p90_seconds) : "-",
             waiting, oldest});
    }
    render(out, table);
    return out;
}

}  // namespace shd::report
