#include "report/status_json.hpp"

#include <nlohmann/json.hpp>

namespace shd::report {
namespace {

using json = nlohmann::ordered_json;

template <class T>
json nullable(const std::optional<T>& v) {
    return v ? json(*v) : json(nullptr);
}

json nullable_time(const std::optional<instant>& t) {
    return t ? json(format_iso8601(*t)) : json(nullptr);
}

json metric_row(const metrics::metric_result& r) {
    json j;
    j["metric"] = std::string(definition(r.metric).name);
    j["marketplace"] = r.marketplace_id;
    j["channel"] = r.channel;
    j["window_days"] = r.window_days;
    j["lag_days"] = r.lag_days;
    j["window_start"] = format_iso8601(r.window.start);
    j["window_end"] = format_iso8601(r.window.end);
    j["numerator"] = r.numerator;
    j["denominator"] = r.denominator;
    j["rate"] = nullable(r.rate);
    j["target"] = r.target;
    j["warn"] = r.warn;
    j["status"] = std::string(metrics::status_name(r.status));
    j["headroom"] = nullable(r.headroom);
    j["low_volume"] = r.low_volume;
    j["stale"] = r.stale;
    j["stale_reason"] = r.stale ? json(r.stale_reason) : json(nullptr);
    if (r.components) {
        j["components"] = json{{"negative_feedback", r.components->negative_feedback},
                               {"a_to_z_claim", r.components->a_to_z_claim},
                               {"chargeback", r.components->chargeback}};
    }
    return j;
}

json upcoming_entry(const metrics::upcoming_events& u) {
    json orders = json::array();
    for (const auto& o : u.unconfirmed_orders) {
        orders.push_back(json{{"order_id", o.order_id},
                              {"latest_ship_date", format_iso8601(o.latest_ship_at)},
                              {"overdue", o.overdue}});
    }
    json messages = json::array();
    for (const auto& m : u.unanswered_messages) {
        messages.push_back(json{{"message_id", m.message_id},
                                {"order_id", m.order_id.empty() ? json(nullptr) : json(m.order_id)},
                                {"received_at", format_iso8601(m.received_at)},
                                {"reply_due", format_iso8601(m.reply_due_at)},
                                {"overdue", m.overdue}});
    }
    json defects = json::array();
    for (const auto& d : u.defects_leaving) {
        defects.push_back(json{{"order_id", d.order_id},
                               {"channel", d.channel},
                               {"window_days", d.window_days},
                               {"purchase_date", format_iso8601(d.purchased_at)},
                               {"leaves_window_at", format_iso8601(d.leaves_at)},
                               {"kinds", d.kinds}});
    }
    return json{{"marketplace", u.marketplace_id},
                {"unconfirmed_orders", std::move(orders)},
                {"unanswered_messages", std::move(messages)},
                {"defects_leaving_odr_window", std::move(defects)}};
}

json amazon_entry(const metrics::amazon_snapshot& s) {
    json rows = json::array();
    for (const auto& m : s.metrics) {
        rows.push_back(json{{"metric", m.metric},
                            {"channel", m.channel},
                            {"rate", nullable(m.rate)},
                            {"status", m.status},
                            {"target", nullable(m.target)},
                            {"numerator", nullable(m.numerator)},
                            {"denominator", nullable(m.denominator)},
                            {"window_start", nullable_time(m.window_from)},
                            {"window_end", nullable_time(m.window_to)},
                            {"our_window_days", nullable(m.our_window_days)},
                            {"our_rate", nullable(m.our_rate)},
                            {"difference", nullable(m.difference)},
                            {"flagged", m.flagged}});
    }
    return json{{"marketplace", s.marketplace_id},
                {"snapshot_id", s.snapshot_id},
                {"taken_at", format_iso8601(s.taken_at)},
                {"account_status", nullable(s.account_status)},
                {"metrics", std::move(rows)}};
}

json seconds_or_null(const std::optional<std::chrono::seconds>& d) {
    return d ? json(d->count()) : json(nullptr);
}

json feed_entry(const metrics::feed_freshness& f, instant as_of) {
    std::optional<std::chrono::seconds> data_age;
    if (f.newest_data_at)
        data_age = as_of - *f.newest_data_at;
    return json{{"feed", f.feed},
                {"last_import_at", nullable_time(f.last_import_at)},
                {"age_seconds", seconds_or_null(f.age)},
                {"newest_data_at", nullable_time(f.newest_data_at)},
                {"newest_data_age_seconds", seconds_or_null(data_age)},
                {"max_age_seconds", f.max_age.count()},
                {"imports", f.imports},
                {"stale", f.stale},
                {"stale_reason", f.stale ? json(f.reason) : json(nullptr)}};
}

json message_service_entry(const metrics::message_service_row& r) {
    return json{{"marketplace", r.marketplace_id},
                {"window_days", r.window_days},
                {"window_start", format_iso8601(r.window.start)},
                {"window_end", format_iso8601(r.window.end)},
                {"messages", r.messages},
                {"replied", r.replied},
                {"first_response_median_seconds", nullable(r.first_response_median_seconds)},
                {"first_response_p90_seconds", nullable(r.first_response_p90_seconds)},
                {"waiting", r.waiting},
                {"waiting_overdue", r.waiting_overdue},
                {"oldest_waiting_message_id",
                 r.oldest_waiting_received_at ? json(r.oldest_waiting_message_id) : json(nullptr)},
                {"oldest_waiting_received_at", nullable_time(r.oldest_waiting_received_at)}};
}

}  // namespace

std::string status_json(const metrics::evaluation& e) {
    json doc;
    doc["as_of"] = format_iso8601(e.as_of);
    json rows = json::array();
    for (const auto& r : e.metrics)
        rows.push_back(metric_row(r));
    doc["metrics"] = std::move(rows);
    json upcoming = json::array();
    for (const auto& u : e.upcoming)
        upcoming.push_back(upcoming_entry(u));
    doc["upcoming"] = std::move(upcoming);
    json amazon = json::array();
    for (const auto& s : e.amazon)
        amazon.push_back(amazon_entry(s));
    doc["amazon"] = std::move(amazon);
    json feeds = json::array();
    for (const auto& f : e.feeds)
        feeds.push_back(feed_entry(f, e.as_of));
    doc["feeds"] = std::move(feeds);
    json service = json::array();
    for (const auto& r : e.message_service)
        service.push_back(message_service_entry(r));
    doc["message_service"] = std::move(service);
    // Text from imported files is UTF-8 already; replace rather than throw if not.
    return doc.dump(2, ' ', false, json::error_handler_t::replace);
}

}  // namespace shd::report
