#include "alerts/notification.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace shd::alerts {
namespace {

using json = nlohmann::ordered_json;

// The payload outlives the binary that wrote it (an upgrade with rows still in
// the outbox): a version lets a later reader tell old rows from new.
constexpr int kPayloadVersion = 1;

}  // namespace

json change_to_json(const alert_change& a) {
    json j;
    j["metric"] = a.metric;
    j["marketplace"] = a.marketplace;
    j["channel"] = a.channel;
    j["window_days"] = a.window_days;
    j["state"] = a.state;
    j["severity"] = a.severity;
    j["rate"] = a.rate ? json(*a.rate) : json(nullptr);
    j["warn"] = a.warn;
    j["target"] = a.target;
    j["numerator"] = a.numerator;
    j["denominator"] = a.denominator;
    j["headroom"] = a.headroom ? json(*a.headroom) : json(nullptr);
    j["low_volume"] = a.low_volume;
    j["since"] = format_iso8601(a.since);
    j["kind"] = a.kind;
    j["fingerprint"] = a.fingerprint;
    j["title"] = a.title;
    j["headroom_text"] = a.headroom_text;
    j["advice"] = a.advice;
    j["caveat"] = a.caveat;
    j["transition"] = a.transition;
    j["clears_at"] = a.clears_at ? json(format_iso8601(*a.clears_at)) : json(nullptr);
    j["ends_at"] = a.ends_at ? json(format_iso8601(*a.ends_at)) : json(nullptr);
    j["links"] = links_to_json(a.links);
    if (a.signal)
        j["signal"] = signal_to_json(*a.signal);
    if (a.decided_at)
        j["decided_at"] = format_iso8601(*a.decided_at);
    return j;
}

json digest_to_json(const digest_part& d) {
    json j;
    j["local_date"] = d.local_date;
    j["time_zone"] = d.time_zone;
    j["since"] = format_iso8601(d.since);
    j["missed_deadlines"] = d.missed_deadlines;
    j["still_firing"] = json::array();
    for (const auto& a : d.still_firing)
        j["still_firing"].push_back(change_to_json(a));
    return j;
}

json signal_to_json(const signal_values& v) {
    const auto number = [](const auto& o) { return o ? json(*o) : json(nullptr); };
    json j;
    j["taken_at"] = v.taken_at ? json(format_iso8601(*v.taken_at)) : json(nullptr);
    j["subject"] = v.subject;
    j["status"] = v.status;
    j["previous_status"] = v.previous_status;
    j["count"] = number(v.count);
    j["previous_count"] = number(v.previous_count);
    j["our_rate"] = number(v.our_rate);
    j["amazon_rate"] = number(v.amazon_rate);
    j["tolerance"] = number(v.tolerance);
    j["amazon_numerator"] = number(v.amazon_numerator);
    j["amazon_denominator"] = number(v.amazon_denominator);
    return j;
}

json links_to_json(const std::vector<id_link>& links) {
    json out = json::array();
    for (const auto& l : links)
        out.push_back({{"kind", l.kind}, {"id", l.id}, {"url", l.url}});
    return out;
}

namespace {

instant instant_at(const json& j, const char* key) {
    const auto text = j.at(key).get<std::string>();
    const auto t = parse_iso8601(text);
    if (!t)
        throw std::invalid_argument(fmt::format("'{}' is not an ISO-8601 time: {}", key, text));
    return *t;
}

std::optional<instant> optional_instant_at(const json& j, const char* key) {
    if (!j.contains(key) || j.at(key).is_null())
        return std::nullopt;
    return instant_at(j, key);
}

std::vector<id_link> links_from_json(const json& j, const char* key) {
    std::vector<id_link> out;
    if (!j.contains(key))
        return out;
    for (const auto& l : j.at(key)) {
        out.push_back({l.at("kind").get<std::string>(), l.at("id").get<std::string>(),
                       l.at("url").get<std::string>()});
    }
    return out;
}

template <class T>
std::optional<T> optional_at(const json& j, const char* key) {
    if (!j.contains(key) || j.at(key).is_null())
        return std::nullopt;
    return j.at(key).get<T>();
}

signal_values signal_from_json(const json& j) {
    signal_values v;
    v.taken_at = optional_instant_at(j, "taken_at");
    v.subject = j.value("subject", std::string());
    v.status = j.value("status", std::string());
    v.previous_status = j.value("previous_status", std::string());
    v.count = optional_at<long long>(j, "count");
    v.previous_count = optional_at<long long>(j, "previous_count");
    v.our_rate = optional_at<double>(j, "our_rate");
    v.amazon_rate = optional_at<double>(j, "amazon_rate");
    v.tolerance = optional_at<double>(j, "tolerance");
    v.amazon_numerator = optional_at<long long>(j, "amazon_numerator");
    v.amazon_denominator = optional_at<long long>(j, "amazon_denominator");
    return v;
}

alert_change change_from_json(const json& j) {
    alert_change a;
    a.kind = j.at("kind").get<std::string>();
    a.fingerprint = j.at("fingerprint").get<std::string>();
    a.metric = j.at("metric").get<std::string>();
    a.marketplace = j.at("marketplace").get<std::string>();
    a.channel = j.at("channel").get<std::string>();
    a.window_days = j.at("window_days").get<int>();
    a.state = j.at("state").get<std::string>();
    a.severity = j.at("severity").get<std::string>();
    if (!j.at("rate").is_null())
        a.rate = j.at("rate").get<double>();
    a.warn = j.at("warn").get<double>();
    a.target = j.at("target").get<double>();
    a.numerator = j.at("numerator").get<long long>();
    a.denominator = j.at("denominator").get<long long>();
    if (!j.at("headroom").is_null())
        a.headroom = j.at("headroom").get<long long>();
    a.low_volume = j.at("low_volume").get<bool>();
    a.since = instant_at(j, "since");
    a.title = j.at("title").get<std::string>();
    a.headroom_text = j.at("headroom_text").get<std::string>();
    a.advice = j.at("advice").get<std::string>();
    a.caveat = j.at("caveat").get<std::string>();
    // Rows written before these fields existed: the state is the transition.
    a.transition = j.contains("transition") ? j.at("transition").get<std::string>() : a.state;
    a.clears_at = optional_instant_at(j, "clears_at");
    a.ends_at = optional_instant_at(j, "ends_at");
    a.links = links_from_json(j, "links");
    if (j.contains("signal") && j.at("signal").is_object())
        a.signal = signal_from_json(j.at("signal"));
    a.decided_at = optional_instant_at(j, "decided_at");
    if (a.state != "firing" && a.state != "resolved")
        throw std::invalid_argument("alert state must be firing or resolved, got " + a.state);
    if (a.severity != "at_risk" && a.severity != "breached")
        throw std::invalid_argument("alert severity must be at_risk or breached, got " +
                                    a.severity);
    return a;
}

}  // namespace

std::string to_json(const notification& n) {
    json j;
    j["version"] = kPayloadVersion;
    j["idempotency_key"] = n.idempotency_key;
    j["account"] = n.account;
    j["created_at"] = format_iso8601(n.created_at);
    j["is_test"] = n.is_test;
    j["alerts"] = json::array();
    for (const auto& a : n.alerts)
        j["alerts"].push_back(change_to_json(a));
    j["upcoming"] = n.upcoming;
    j["upcoming_links"] = links_to_json(n.upcoming_links);
    if (n.digest)
        j["digest"] = digest_to_json(*n.digest);
    // Replace, never throw, on invalid UTF-8: a title is built from file data.
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

result<notification, error_message> notification_from_json(std::string_view json_text) {
    try {
        const json j = json::parse(json_text);
        if (!j.is_object())
            return error_message{"notification JSON is not an object"};
        if (j.contains("version") && j.at("version").get<int>() > kPayloadVersion) {
            return error_message{fmt::format(
                "notification JSON version {} is newer than this seller-healthd understands ({})",
                j.at("version").get<int>(), kPayloadVersion)};
        }
        notification n;
        n.idempotency_key = j.at("idempotency_key").get<std::string>();
        n.account = j.at("account").get<std::string>();
        n.created_at = instant_at(j, "created_at");
        n.is_test = j.at("is_test").get<bool>();
        for (const auto& a : j.at("alerts"))
            n.alerts.push_back(change_from_json(a));
        n.upcoming = j.at("upcoming").get<std::vector<std::string>>();
        n.upcoming_links = links_from_json(j, "upcoming_links");
        if (j.contains("digest") && j.at("digest").is_object()) {
            const json& d = j.at("digest");
            digest_part part;
            part.local_date = d.at("local_date").get<std::string>();
            part.time_zone = d.at("time_zone").get<std::string>();
            part.since = instant_at(d, "since");
            part.missed_deadlines = d.at("missed_deadlines").get<std::vector<std::string>>();
            for (const auto& a : d.at("still_firing"))
                part.still_firing.push_back(change_from_json(a));
            n.digest = std::move(part);
        }
        return n;
    } catch (const nlohmann::json::exception& e) {
        return error_message{fmt::format("invalid notification JSON: {}", e.what())};
    } catch (const std::invalid_argument& e) {
        return error_message{fmt::format("invalid notification JSON: {}", e.what())};
    }
}

result<alert_change, error_message> alert_change_from_json(std::string_view json_text) {
    try {
        return change_from_json(json::parse(json_text));
    } catch (const nlohmann::json::exception& e) {
        return error_message{fmt::format("invalid alert change JSON: {}", e.what())};
    } catch (const std::invalid_argument& e) {
        return error_message{fmt::format("invalid alert change JSON: {}", e.what())};
    }
}

std::string highest_severity(const notification& n) {
    for (const auto& a : n.alerts) {
        if (a.severity == "breached")
            return "breached";
    }
    if (n.digest) {
        for (const auto& a : n.digest->still_firing) {
            if (a.severity == "breached")
                return "breached";
        }
    }
    return "at_risk";
}

}  // namespace shd::alerts
