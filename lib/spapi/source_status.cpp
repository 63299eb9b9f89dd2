#include "spapi/source_status.hpp"

#include <SQLiteCpp/Exception.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace shd::spapi {
namespace {

using json = nlohmann::ordered_json;

json time_json(const std::optional<instant>& t) {
    return t ? json(format_iso8601(*t)) : json(nullptr);
}

std::string ago(const std::optional<instant>& t, instant now) {
    if (!t)
        return "never";
    // `status --at` a time before the fetch (the demo's story is dated).
    if (*t > now)
        return "after the as-of time";
    return format_span(now - *t) + " ago";
}

}  // namespace

std::string with_sources_json(const std::string& status_json,
                              const std::vector<source_state>& sources) {
    json doc = json::parse(status_json);
    json list = json::array();
    for (const auto& s : sources) {
        json entry{
            {"source", s.source},
            {"marketplace_id", s.marketplace_id.empty() ? json(nullptr) : json(s.marketplace_id)},
            {"last_success_at", time_json(s.last_success_at)},
            {"newest_data_at", time_json(s.newest_data_at)},
            {"last_attempt_at", time_json(s.last_attempt_at)},
            {"last_error", s.last_error.empty() ? json(nullptr) : json(s.last_error)},
            {"behind", s.behind}};
        if (s.progress_from) {
            entry["first_pass"] = json{{"from", time_json(s.progress_from)},
                                       {"to", time_json(s.progress_to)},
                                       {"complete", s.progress_until.has_value()}};
        }
        list.push_back(std::move(entry));
    }
    doc["sources"] = std::move(list);
    return doc.dump(2);
}

std::string sources_table(const std::vector<source_state>& sources, instant now) {
    if (sources.empty())
        return "";
    std::string out = "\nSP-API sources:\n";
    for (const auto& s : sources) {
        const std::string where =
            s.marketplace_id.empty() ? s.source : s.source + " " + s.marketplace_id;
        out += fmt::format("  {:<28} last success {:<20} newest data {}", where,
                           ago(s.last_success_at, now),
                           s.newest_data_at ? format_iso8601(*s.newest_data_at) : "none");
        if (s.behind)
            out += "  BEHIND: catching up through reports";
        if (s.progress_from && !s.progress_until)
            out += "  first pass in progress (late dispatch and valid tracking are stale)";
        if (!s.last_error.empty())
            out += "\n    last error: " + s.last_error;
        out += "\n";
    }
    return out;
}

std::vector<source_state> load_source_states_or_none(store::database& db) {
    try {
        return load_source_states(db);
    } catch (const SQLite::Exception&) {
        return {};
    }
}

}  // namespace shd::spapi
