#include "alerts/silences.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "alerts/routing.hpp"
#include "alerts/words.hpp"
#include "core/metric_catalog.hpp"

namespace shd::alerts {
namespace {

using json = nlohmann::json;

constexpr std::string_view kKeys = "marketplace, metric, severity, kind, alert";
constexpr std::chrono::seconds kShortestSilence{60};
constexpr std::chrono::seconds kLongestSilence{366LL * 86400};

std::vector<std::string>* member_for(silence_matchers& m, std::string_view key) {
    if (key == "marketplace")
        return &m.match.marketplaces;
    if (key == "metric")
        return &m.match.metrics;
    if (key == "severity")
        return &m.match.severities;
    if (key == "kind")
        return &m.match.kinds;
    if (key == "alert")
        return &m.alerts;
    return nullptr;
}

std::string choices_text(std::span<const std::string_view> choices) {
    std::string text;
    for (const auto& c : choices)
        text += (text.empty() ? "" : ", ") + std::string(c);
    return text;
}

std::optional<std::string> value_problem(std::string_view key, std::string_view value) {
    const auto one_of =
        [&](std::span<const std::string_view> choices) -> std::optional<std::string> {
        if (std::find(choices.begin(), choices.end(), value) != choices.end())
            return std::nullopt;
        return fmt::format("{}: '{}' is not one of: {}", key, value, choices_text(choices));
    };
    if (key == "marketplace") {
        if (auto problem = config::match_marketplace_problem(value))
            return fmt::format("marketplace: {}", *problem);
        return std::nullopt;
    }
    if (key == "metric") {
        if (metric_from_name(value))
            return std::nullopt;
        std::vector<std::string_view> names;
        for (const auto& d : all_metrics())
            names.push_back(d.name);
        return one_of(names);
    }
    if (key == "severity")
        return one_of(config::match_severity_values());
    if (key == "kind")
        return one_of(config::match_kind_values());
    // alert: a fingerprint as status shows it; any text but an empty one.
    return std::nullopt;
}

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ')
        text.remove_suffix(1);
    return text;
}

const std::vector<std::string>& values_of(const silence_matchers& m, std::string_view key) {
    auto& mutable_m = const_cast<silence_matchers&>(m);
    return *member_for(mutable_m, key);
}

constexpr std::string_view kKeyOrder[] = {"marketplace", "metric", "severity", "kind", "alert"};

}  // namespace

result<silence_matchers, error_message> parse_matchers(std::string_view text) {
    silence_matchers m;
    bool any = false;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto comma = text.find(',', start);
        const std::string_view item =
            trimmed(text.substr(start, comma == std::string_view::npos ? comma : comma - start));
        start = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
        if (item.empty())
            continue;
        const auto eq = item.find('=');
        if (eq == std::string_view::npos) {
            return error_message{
                fmt::format("--match: '{}' is not key=value (keys: {})", item, kKeys)};
        }
        const std::string_view key = trimmed(item.substr(0, eq));
        const std::string_view value = trimmed(item.substr(eq + 1));
        auto* values = member_for(m, key);
        if (values == nullptr) {
            return error_message{fmt::format("--match: unknown key '{}' (keys: {})", key, kKeys)};
        }
        if (value.empty())
            return error_message{fmt::format("--match: {} has no value", key)};
        if (auto problem = value_problem(key, value))
            return error_message{"--match: " + *problem};
        if (std::find(values->begin(), values->end(), value) == values->end())
            values->emplace_back(value);
        any = true;
    }
    if (!any) {
        return error_message{
            fmt::format("--match: no matcher given; write key=value,... (keys: {})", kKeys)};
    }
    return m;
}

std::string matchers_text(const silence_matchers& m) {
    std::string text;
    for (const auto key : kKeyOrder) {
        for (const auto& v : values_of(m, key))
            text += fmt::format("{}{}={}", text.empty() ? "" : ",", key, v);
    }
    return text;
}

std::string matchers_json(const silence_matchers& m) {
    json j = json::object();
    for (const auto key : kKeyOrder) {
        const auto& values = values_of(m, key);
        if (!values.empty())
            j[std::string(key)] = values;
    }
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

result<silence_matchers, error_message> matchers_from_json(std::string_view text) {
    try {
        const json j = json::parse(text);
        if (!j.is_object())
            return error_message{"silence matchers are not a JSON object"};
        silence_matchers m;
        for (const auto& [key, values] : j.items()) {
            auto* member = member_for(m, key);
            if (member == nullptr)
                return error_message{fmt::format("silence matchers: unknown key '{}'", key)};
            *member = values.get<std::vector<std::string>>();
        }
        return m;
    } catch (const json::exception& e) {
        return error_message{fmt::format("silence matchers are not readable: {}", e.what())};
    }
}

result<std::chrono::seconds, error_message> parse_silence_duration(std::string_view text) {
    const auto d = parse_duration(text);
    if (!d) {
        return error_message{fmt::format(
            "--for: '{}' is not a duration such as 30m, 4h or 2d (a number and s, m, h or d)",
            text)};
    }
    if (*d < kShortestSilence || *d > kLongestSilence) {
        return error_message{
            fmt::format("--for: {} is out of range (1m to 366d)", format_duration(*d))};
    }
    return *d;
}

std::string_view silence_state_name(silence_state s) {
    switch (s) {
        case silence_state::pending:
            return "pending";
        case silence_state::active:
            return "active";
        case silence_state::expired:
            return "expired";
    }
    return "expired";
}

silence_state state_at(const silence& s, instant t) {
    const instant end = s.expired_at ? std::min(s.ends_at, *s.expired_at) : s.ends_at;
    if (t >= end)
        return silence_state::expired;
    if (t < s.starts_at)
        return silence_state::pending;
    return silence_state::active;
}

bool silence_matches(const silence_matchers& m, const alert_change& change,
                     std::string_view severity) {
    if (!m.alerts.empty() &&
        std::find(m.alerts.begin(), m.alerts.end(), change.fingerprint) == m.alerts.end())
        return false;
    return match_accepts(m.match, change, severity, false);
}

std::optional<long long> silenced_by(const std::vector<silence>& silences,
                                     const alert_change& change, std::string_view severity,
                                     instant t) {
    for (const auto& s : silences) {
        if (state_at(s, t) == silence_state::active &&
            silence_matches(s.matchers, change, severity))
            return s.id;
    }
    return std::nullopt;
}

bool ack_holds(const alert_ack& a, instant episode_start, severity current) {
    return !a.ended_at && a.episode_start == episode_start && a.acked_severity == current;
}

lifecycle unnotified(lifecycle next, const std::optional<lifecycle>& previous) {
    if (previous) {
        next.last_notified_at = previous->last_notified_at;
        next.last_notified_severity = previous->last_notified_severity;
        next.peak_notified_severity = previous->peak_notified_severity;
        next.notifications = previous->notifications;
    } else {
        next.last_notified_at.reset();
        next.last_notified_severity.reset();
        next.peak_notified_severity.reset();
        next.notifications = 0;
    }
    return next;
}

alert_change alert_identity(const std::string& fingerprint, const std::string& kind,
                            const std::string& last_observation) {
    alert_change c;
    c.kind = kind;
    c.fingerprint = fingerprint;
    const auto bar = fingerprint.find('|');
    if (kind == "metric") {
        c.metric = fingerprint.substr(0, bar);
        if (bar != std::string::npos) {
            const auto next = fingerprint.find('|', bar + 1);
            c.marketplace = fingerprint.substr(
                bar + 1, next == std::string::npos ? std::string::npos : next - bar - 1);
        }
    } else {
        c.metric = kind;
    }
    if (!last_observation.empty()) {
        const json j = json::parse(last_observation, nullptr, false);
        if (j.is_object() && j.contains("marketplace") && j.at("marketplace").is_string())
            c.marketplace = j.at("marketplace").get<std::string>();
    }
    return c;
}

std::vector<quiet_alert> quiet_alerts(const std::vector<open_alert>& alerts,
                                      const std::vector<silence>& silences,
                                      const std::vector<alert_ack>& acks, instant t) {
    std::vector<quiet_alert> out;
    for (const auto& a : alerts) {
        quiet_alert q{a, std::nullopt, std::nullopt};
        const auto current = severity_from_name(a.severity).value_or(severity::at_risk);
        for (const auto& ack : acks) {
            if (ack.fingerprint == a.fingerprint && ack_holds(ack, a.episode_start, current))
                q.ack = ack;
        }
        q.silenced_by = silenced_by(
            silences, alert_identity(a.fingerprint, a.kind, a.last_observation), a.severity, t);
        out.push_back(std::move(q));
    }
    return out;
}

std::vector<open_alert> alerts_named(const std::vector<open_alert>& alerts, std::string_view name) {
    std::vector<open_alert> out;
    if (name.empty())
        return out;
    for (const auto& a : alerts) {
        if (a.state == "firing" && a.fingerprint == name)
            return {a};
    }
    for (const auto& a : alerts) {
        if (a.state == "firing" && a.fingerprint.starts_with(name))
            out.push_back(a);
    }
    return out;
}

namespace {

using ordered = nlohmann::ordered_json;

ordered optional_time(const std::optional<instant>& t) {
    return t ? ordered(format_iso8601(*t)) : ordered(nullptr);
}

ordered silence_object(const silence& s, instant t) {
    ordered match = ordered::object();
    for (const auto key : kKeyOrder) {
        const auto& values = values_of(s.matchers, key);
        if (!values.empty())
            match[std::string(key)] = values;
    }
    return ordered{{"id", s.id},
                   {"state", std::string(silence_state_name(state_at(s, t)))},
                   {"matchers", matchers_text(s.matchers)},
                   {"match", std::move(match)},
                   {"starts_at", format_iso8601(s.starts_at)},
                   {"ends_at", format_iso8601(s.ends_at)},
                   {"expired_at", optional_time(s.expired_at)},
                   {"comment", s.comment},
                   {"created_by", s.created_by},
                   {"created_at", format_iso8601(s.created_at)}};
}

ordered silences_array(const std::vector<silence>& silences, instant t) {
    ordered list = ordered::array();
    for (const auto& s : silences)
        list.push_back(silence_object(s, t));
    return list;
}

// Splices `"name": member` in before the closing brace of a pretty-printed
// object, as report::with_inbox_json does (no second parse of a large document).
std::string spliced(const std::string& document, std::string_view name, const ordered& member) {
    constexpr std::string_view kClose = "\n}";
    const bool pretty_object = document.size() > 2 && document.front() == '{' &&
                               document.ends_with(kClose) &&
                               document.find(fmt::format("\n  \"{}\":", name)) == std::string::npos;
    if (!pretty_object) {
        ordered doc = ordered::parse(document);
        doc[std::string(name)] = member;
        return doc.dump(2);
    }
    const std::string text = member.dump(2, ' ', false, ordered::error_handler_t::replace);
    std::string out = document.substr(0, document.size() - kClose.size());
    out += fmt::format(",\n  \"{}\": ", name);
    for (char c : text) {
        out += c;
        if (c == '\n')
            out += "  ";
    }
    out += kClose;
    return out;
}

std::string until_text(const silence& s, instant t) {
    const instant end = s.expired_at ? std::min(s.ends_at, *s.expired_at) : s.ends_at;
    if (state_at(s, t) == silence_state::expired)
        return fmt::format("ended {}", format_utc_minute(end));
    if (state_at(s, t) == silence_state::pending)
        return fmt::format("from {} to {}", format_utc_minute(s.starts_at), format_utc_minute(end));
    return fmt::format("until {} ({} left)", format_utc_minute(end), format_span(end - t));
}

}  // namespace

std::string silences_json(const std::vector<silence>& silences, instant t) {
    return silences_array(silences, t).dump(2, ' ', false, ordered::error_handler_t::replace);
}

std::string silences_table(const std::vector<silence>& silences, instant t) {
    if (silences.empty())
        return "No silences.\n";
    std::string out;
    for (const auto& s : silences) {
        out += fmt::format("{:>4}  {:<8} {}  {}", s.id, silence_state_name(state_at(s, t)),
                           matchers_text(s.matchers), until_text(s, t));
        if (!s.created_by.empty())
            out += fmt::format("  by {}", s.created_by);
        if (!s.comment.empty())
            out += fmt::format("  \"{}\"", s.comment);
        out += '\n';
    }
    return out;
}

std::string with_quiet_json(const std::string& status_json, const std::vector<silence>& silences,
                            const std::vector<quiet_alert>& alerts, instant t) {
    std::vector<silence> in_force;
    for (const auto& s : silences) {
        if (state_at(s, t) != silence_state::expired)
            in_force.push_back(s);
    }
    ordered list = ordered::array();
    for (const auto& q : alerts) {
        list.push_back(ordered{
            {"fingerprint", q.alert.fingerprint},
            {"kind", q.alert.kind},
            {"state", q.alert.state},
            {"severity", q.alert.severity},
            {"since", format_iso8601(q.alert.episode_start)},
            {"last_notified_at", optional_time(q.alert.last_notified_at)},
            {"acknowledged", q.ack.has_value()},
            {"acked_at", q.ack ? ordered(format_iso8601(q.ack->acked_at)) : ordered(nullptr)},
            {"ack_comment", q.ack ? ordered(q.ack->comment) : ordered(nullptr)},
            {"silenced_by", q.silenced_by ? ordered(*q.silenced_by) : ordered(nullptr)}});
    }
    return spliced(spliced(status_json, "silences", silences_array(in_force, t)), "alerts", list);
}

std::string quiet_table(const std::vector<silence>& silences,
                        const std::vector<quiet_alert>& alerts, instant t) {
    std::string out;
    std::vector<silence> in_force;
    for (const auto& s : silences) {
        if (state_at(s, t) != silence_state::expired)
            in_force.push_back(s);
    }
    if (!in_force.empty())
        out += "\nSilences\n" + silences_table(in_force, t);
    std::string firing;
    for (const auto& q : alerts) {
        if (q.alert.state != "firing")
            continue;
        std::string why;
        if (q.silenced_by)
            why = fmt::format("silenced by {}", *q.silenced_by);
        if (q.ack) {
            why += fmt::format("{}acknowledged {}", why.empty() ? "" : ", ",
                               format_utc_minute(q.ack->acked_at));
        }
        firing +=
            fmt::format("  {}  {}  since {}{}{}\n", q.alert.fingerprint, q.alert.severity,
                        format_utc_minute(q.alert.episode_start), why.empty() ? "" : "  ", why);
    }
    if (!firing.empty())
        out += "\nFiring alerts (`ack` takes the first column)\n" + firing;
    return out;
}

}  // namespace shd::alerts
