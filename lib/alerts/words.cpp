#include "alerts/words.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/marketplaces.hpp"
#include "metrics/freshness.hpp"

namespace shd::alerts {
namespace {

// Fixed decimals, trailing zeros dropped: 4.60 -> "4.6", 4.00 -> "4".
std::string trimmed(double v, int decimals) {
    std::string s = fmt::format("{:.{}f}", v, decimals);
    if (s.find('.') != std::string::npos) {
        while (s.back() == '0')
            s.pop_back();
        if (s.back() == '.')
            s.pop_back();
    }
    if (s == "-0")
        s = "0";
    return s;
}

struct counted_noun {
    std::string_view one;
    std::string_view many;
};

// What a metric's denominator counts.
counted_noun unit_of(metric_key key) {
    switch (key) {
        case metric_key::valid_tracking_rate:
            return {"shipment", "shipments"};
        case metric_key::response_rate_24h:
            return {"message", "messages"};
        default:
            return {"order", "orders"};
    }
}

std::string counted(long long n, std::string_view one, std::string_view many) {
    return fmt::format("{} {}", n, n == 1 ? one : many);
}

bool lower_is_better(const metrics::metric_result& r) {
    return definition(r.metric).direction == metric_direction::lower_is_better;
}

// The number of bad events in the window: lower-is-better metrics count them,
// higher-is-better ones count the good ones.
long long bad_events_of(const metrics::metric_result& r) {
    return lower_is_better(r) ? r.numerator : r.denominator - r.numerator;
}

// ">" or "<" beyond the threshold, "≥" or "≤" exactly at it.
std::string_view beyond(const metrics::metric_result& r, double threshold) {
    const double rate = r.rate.value_or(0);
    if (lower_is_better(r))
        return rate > threshold ? ">" : "≥";
    return rate < threshold ? "<" : "≤";
}

std::string_view back_inside(const metrics::metric_result& r) {
    return lower_is_better(r) ? "<" : ">";
}

std::string counts_text(const metrics::metric_result& r) {
    const auto& m = definition(r.metric);
    const auto unit = unit_of(r.metric);
    return fmt::format("{} among {} in this {}-day window",
                       counted(bad_events_of(r), m.bad_event, m.bad_events),
                       counted(r.denominator, unit.one, unit.many), r.window_days);
}

// "shipments" -> "Shipments"; "Amazon's ..." stays.
std::string capitalized(std::string_view words) {
    std::string out(words);
    if (!out.empty())
        out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
    return out;
}

}  // namespace

std::string format_percent(double rate) {
    return trimmed(rate * 100.0, 2) + "%";
}

std::string format_utc_minute(instant t) {
    return date::format("%Y-%m-%d %H:%M UTC", std::chrono::floor<std::chrono::minutes>(t));
}

std::string format_span(std::chrono::seconds d) {
    return shd::format_span(d);
}

namespace {

// The zone people read times in; nullptr for UTC (or a zone tzdata lacks:
// the configuration checks display_time_zone, so only a missing tzdata).
const date::time_zone* zone_for(std::string_view marketplace_id, std::string_view display_zone) {
    std::string_view name = display_zone;
    if (name.empty())
        name = marketplace_time_zone(marketplace_id);
    if (name.empty() || name == "UTC" || name == "Etc/UTC")
        return nullptr;
    try {
        return date::locate_zone(name);
    } catch (const std::exception&) {
        return nullptr;
    }
}

}  // namespace

std::string format_local_minute(instant t, std::string_view marketplace_id,
                                std::string_view display_zone) {
    const auto minute = std::chrono::floor<std::chrono::minutes>(t);
    const auto* zone = zone_for(marketplace_id, display_zone);
    if (zone == nullptr)
        return format_utc_minute(t);
    const date::zoned_time local{zone, minute};
    return date::format("%Y-%m-%d %H:%M %Z", local) + " (" + format_utc_minute(t) + ")";
}

std::string ids_text(const std::vector<std::string>& ids, std::size_t shown) {
    const std::size_t named = std::min(ids.size(), std::max<std::size_t>(shown, 1));
    std::string out;
    for (std::size_t i = 0; i < named; ++i) {
        if (i > 0)
            out += (i + 1 == named && named == ids.size()) ? " and " : ", ";
        out += ids[i];
    }
    if (named < ids.size())
        out += fmt::format(" and {} more", ids.size() - named);
    return out;
}

namespace {

id_link order_link(std::string_view marketplace_id, const std::string& order_id) {
    return {"order", order_id, seller_central_order_url(marketplace_id, order_id)};
}

id_link message_link(std::string_view marketplace_id, const std::string& message_id) {
    return {"message", message_id, seller_central_messages_url(marketplace_id)};
}

template <class T, class Pred>
std::vector<const T*> select(const std::vector<T>& items, Pred keep) {
    std::vector<const T*> out;
    for (const auto& i : items) {
        if (keep(i))
            out.push_back(&i);
    }
    return out;
}

std::vector<const metrics::unconfirmed_order*> orders_due(const metrics::upcoming_events& e,
                                                          bool overdue) {
    return select(e.unconfirmed_orders,
                  [&](const metrics::unconfirmed_order& o) { return o.overdue == overdue; });
}

// By reply deadline, the most urgent first.
std::vector<const metrics::unanswered_message*> messages_due(const metrics::upcoming_events& e,
                                                             bool overdue) {
    auto out = select(e.unanswered_messages,
                      [&](const metrics::unanswered_message& m) { return m.overdue == overdue; });
    std::stable_sort(out.begin(), out.end(), [](const auto* a, const auto* b) {
        return a->reply_due_at < b->reply_due_at;
    });
    return out;
}

template <class T, class Id>
std::vector<std::string> ids_of(const std::vector<const T*>& items, Id id) {
    std::vector<std::string> out;
    for (const auto* i : items)
        out.push_back(id(*i));
    return out;
}

std::vector<std::string> order_ids(const std::vector<const metrics::unconfirmed_order*>& orders) {
    return ids_of(orders, [](const metrics::unconfirmed_order& o) { return o.order_id; });
}

std::vector<std::string> message_ids(
    const std::vector<const metrics::unanswered_message*>& messages) {
    return ids_of(messages, [](const metrics::unanswered_message& m) { return m.message_id; });
}

}  // namespace

std::vector<id_link> upcoming_links(const metrics::upcoming_events& e) {
    std::vector<id_link> out;
    for (bool overdue : {true, false}) {
        const auto orders = orders_due(e, overdue);
        for (std::size_t i = 0; i < orders.size() && i < kIdsShown; ++i)
            out.push_back(order_link(e.marketplace_id, orders[i]->order_id));
    }
    for (bool overdue : {true, false}) {
        const auto messages = messages_due(e, overdue);
        for (std::size_t i = 0; i < messages.size() && i < kIdsShown; ++i)
            out.push_back(message_link(e.marketplace_id, messages[i]->message_id));
    }
    return out;
}

std::string where_text(const metrics::metric_result& r) {
    const auto& m = definition(r.metric);
    if (m.channels.size() > 1)
        return fmt::format("{}, {}, {} days", marketplace_code(r.marketplace_id), r.channel,
                           r.window_days);
    return fmt::format("{}, {} days", marketplace_code(r.marketplace_id), r.window_days);
}

std::string metric_title(const metrics::metric_result& r, transition t, severity sev) {
    const auto& m = definition(r.metric);
    const std::string where = where_text(r);
    if (t == transition::resolved) {
        if (!r.rate)
            return fmt::format("[RESOLVED] {}: no {} in the window ({})", m.title,
                               unit_of(r.metric).many, where);
        return fmt::format("[RESOLVED] {} {} {} warn {} ({})", m.title, format_percent(*r.rate),
                           back_inside(r), format_percent(r.warn), where);
    }
    const std::string rate = r.rate ? format_percent(*r.rate) : "n/a";
    if (sev == severity::breached)
        return fmt::format("[BREACHED] {} {} {} {} ({})", m.title, rate, beyond(r, r.target),
                           format_percent(r.target), where);
    return fmt::format("[AT RISK] {} {} {} warn {} ({})", m.title, rate, beyond(r, r.warn),
                       format_percent(r.warn), where);
}

std::string headroom_text(const metrics::metric_result& r) {
    if (!r.rate || r.denominator == 0)
        return {};
    const auto& m = definition(r.metric);
    const std::string target = format_percent(r.target);
    if (r.status == metrics::metric_status::breached) {
        return fmt::format("Past the {} target: {}.", target, counts_text(r));
    }
    if (r.status == metrics::metric_status::ok || !r.headroom) {
        std::string text = counts_text(r);
        text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
        return text + ".";
    }
    // headroom k: k more bad events keep the rate clear of the target, the
    // (k + 1)th breaches it.
    const long long breaching = *r.headroom + 1;
    if (breaching == 1)
        return fmt::format("The next {} in this {}-day window breaches {}.", m.bad_event,
                           r.window_days, target);
    return fmt::format("{} more {} in this {}-day window breach {}.", breaching, m.bad_events,
                       r.window_days, target);
}

std::string small_sample_caveat(const metrics::metric_result& r) {
    if (!r.low_volume || r.denominator <= 0)
        return {};
    const auto unit = unit_of(r.metric);
    const double points = 100.0 / static_cast<double>(r.denominator);
    const std::string moved = trimmed(points, points >= 1 ? 1 : 2);
    return fmt::format("Small sample: {} in the window; one {} moves the rate by {} {}.",
                       counted(r.denominator, unit.one, unit.many), unit.one, moved,
                       moved == "1" ? "point" : "points");
}

std::string metric_advice(metric_key key) {
    switch (key) {
        case metric_key::order_defect_rate:
            return "Work through open A-to-z claims and chargebacks, and contact buyers who left "
                   "negative feedback about fulfilment.";
        case metric_key::late_dispatch_rate:
            return "Confirm shipment of every open order before its latest ship date; raise the "
                   "handling time of listings you cannot ship in time.";
        case metric_key::cancellation_rate:
            return "Cancel only at the buyer's request, and keep stock in sync so orders you "
                   "cannot fill are not taken.";
        case metric_key::valid_tracking_rate:
            return "Confirm every shipment with a valid tracking ID and a carrier Amazon "
                   "recognises.";
        case metric_key::response_rate_24h:
            return "Answer every buyer message within 24 hours, weekends included; mark messages "
                   "that need no reply as such.";
    }
    return {};
}

alert_change describe_metric(const metrics::metric_result& r, const std::string& fingerprint,
                             transition t, severity sev, instant since,
                             std::string_view display_zone) {
    alert_change a;
    a.kind = "metric";
    a.fingerprint = fingerprint;
    a.metric = std::string(definition(r.metric).name);
    a.marketplace = r.marketplace_id;
    a.channel = r.channel;
    a.window_days = r.window_days;
    a.state = t == transition::resolved ? "resolved" : "firing";
    a.transition = std::string(transition_name(t));
    a.severity = std::string(severity_name(sev));
    a.rate = r.rate;
    a.warn = r.warn;
    a.target = r.target;
    a.numerator = r.numerator;
    a.denominator = r.denominator;
    a.headroom = r.headroom;
    a.low_volume = r.low_volume;
    a.since = since;
    a.title = metric_title(r, t, sev);
    a.headroom_text = headroom_text(r);
    if (t != transition::resolved && r.status == metrics::metric_status::breached && r.clears_by) {
        a.clears_at = r.clears_by;
        // Back inside the target: under it for a rate of bad events, over it
        // for the response rate.
        const bool lower = definition(r.metric).direction == metric_direction::lower_is_better;
        a.headroom_text += fmt::format(
            " If nothing new goes wrong, it is back {} {} by {}, when its oldest {} "
            "leave the window.",
            lower ? "under" : "over", format_percent(r.target),
            format_local_minute(*r.clears_by, r.marketplace_id, display_zone),
            definition(r.metric).bad_events);
    }
    a.advice = t == transition::resolved ? std::string{} : metric_advice(r.metric);
    a.caveat = small_sample_caveat(r);
    return a;
}

alert_change describe_vanished_metric(const metrics::metric_result& last_seen,
                                      const std::string& fingerprint, severity sev, instant since) {
    alert_change a = describe_metric(last_seen, fingerprint, transition::resolved, sev, since);
    a.title = fmt::format("[RESOLVED] {} ({}): no longer evaluated",
                          definition(last_seen.metric).title, where_text(last_seen));
    a.headroom_text =
        "This window is no longer in the configuration, so the alert is closed. The figures are "
        "the last ones seen.";
    a.caveat.clear();
    return a;
}

namespace {

// A deadline alert fires once, at_risk, with the kind as its "metric".
alert_change deadline_change(const char* kind, const std::string& marketplace_id,
                             const std::string& fingerprint, instant now) {
    alert_change a;
    a.kind = kind;
    a.fingerprint = fingerprint;
    a.metric = kind;
    a.marketplace = marketplace_id;
    a.state = "firing";
    a.transition = "firing";
    a.severity = "at_risk";
    a.since = now;
    return a;
}

}  // namespace

alert_change describe_message_deadline(const metrics::unanswered_message& m,
                                       const std::string& marketplace_id,
                                       const std::string& fingerprint, instant now,
                                       std::string_view display_zone) {
    alert_change a = deadline_change("message_deadline", marketplace_id, fingerprint, now);
    const std::string code = marketplace_code(marketplace_id);
    const auto when = [&](instant t) {
        return format_local_minute(t, marketplace_id, display_zone);
    };
    const std::string about =
        m.order_id.empty() ? std::string{} : fmt::format(" about order {}", m.order_id);
    a.links.push_back(message_link(marketplace_id, m.message_id));
    if (!m.order_id.empty())
        a.links.push_back(order_link(marketplace_id, m.order_id));
    a.clears_at = m.reply_due_at;
    if (now < m.reply_due_at) {
        a.title = fmt::format("[AT RISK] Buyer message {} without reply: due in {} ({})",
                              m.message_id, format_span(m.reply_due_at - now), code);
        a.headroom_text =
            fmt::format("Message {}{} arrived {}; the reply is due by {}.", m.message_id, about,
                        when(m.received_at), when(m.reply_due_at));
        a.advice =
            "Reply in Seller Central before the deadline: a reply after 24 hours counts against "
            "the 24-hour response rate.";
        return a;
    }
    a.title = fmt::format("[MISSED] Buyer message {} not answered within 24 hours ({})",
                          m.message_id, code);
    a.headroom_text = fmt::format(
        "Message {}{} arrived {}; the reply was due by {}. Missed: it counts against the "
        "24-hour response rate.",
        m.message_id, about, when(m.received_at), when(m.reply_due_at));
    a.advice =
        "Reply now all the same: the buyer is still waiting, and an unanswered message "
        "can become a claim.";
    return a;
}

alert_change describe_ship_deadline(const metrics::unconfirmed_order& o,
                                    const std::string& marketplace_id,
                                    const std::string& fingerprint, instant now,
                                    std::string_view display_zone) {
    alert_change a = deadline_change("ship_deadline", marketplace_id, fingerprint, now);
    const std::string code = marketplace_code(marketplace_id);
    const std::string due = format_local_minute(o.latest_ship_at, marketplace_id, display_zone);
    a.links.push_back(order_link(marketplace_id, o.order_id));
    a.clears_at = o.latest_ship_at;
    if (now < o.latest_ship_at) {
        a.title = fmt::format("[AT RISK] Order {} not confirmed: latest ship date in {} ({})",
                              o.order_id, format_span(o.latest_ship_at - now), code);
        a.headroom_text = fmt::format("Latest ship date {}.", due);
        a.advice =
            "Ship and confirm the order with tracking before its latest ship date: a later "
            "confirmation counts as a late dispatch.";
        return a;
    }
    a.title = fmt::format("[MISSED] Order {} not confirmed by its latest ship date ({})",
                          o.order_id, code);
    a.headroom_text = fmt::format(
        "The latest ship date was {}. Missed: the order counts against the late dispatch rate.",
        due);
    a.advice =
        "Ship and confirm it with tracking now; an order left unconfirmed can be "
        "cancelled, which counts against the cancellation rate too.";
    return a;
}

alert_change describe_stale_feed(const metrics::feed_freshness& f, const std::string& fingerprint,
                                 bool resolved, instant now, instant since,
                                 std::string_view display_zone) {
    alert_change a;
    a.kind = "stale_data";
    a.fingerprint = fingerprint;
    a.metric = "stale_data";
    a.state = resolved ? "resolved" : "firing";
    a.severity = "at_risk";
    a.since = since;
    const std::string last = f.last_import_at
                                 ? format_local_minute(*f.last_import_at, {}, display_zone)
                                 : std::string("never");
    a.transition = resolved ? "resolved" : "firing";
    if (resolved) {
        a.title = fmt::format("[RESOLVED] Feed arriving again: {}", f.words);
        a.headroom_text = fmt::format("{} arrived at {}.", capitalized(f.words), last);
        return a;
    }
    const std::chrono::seconds age =
        f.age.value_or(f.last_import_at ? now - *f.last_import_at : std::chrono::seconds{0});
    a.title = fmt::format("[AT RISK] Stale feed: {}",
                          metrics::stale_reason_text(f.words, age, f.max_age));
    a.headroom_text = fmt::format(
        "{} last arrived at {}. Metrics counted from it are flagged stale, and their alerts are "
        "held until it arrives again.",
        capitalized(f.words), last);
    a.advice = fmt::format(
        "Check that the {} export still reaches the inbox folder and that the seller-healthd "
        "service is running.",
        f.words);
    return a;
}

alert_change describe_stale_data_retired(const std::string& fingerprint, instant now,
                                         instant since) {
    alert_change a;
    a.kind = "stale_data";
    a.fingerprint = fingerprint;
    a.metric = "stale_data";
    a.state = "resolved";
    a.transition = "resolved";
    a.severity = "at_risk";
    a.since = since;
    a.title = "[RESOLVED] No data imported: now watched per feed";
    a.headroom_text = fmt::format("From {} each feed has its own stale-data alert, which names it.",
                                  format_utc_minute(now));
    return a;
}

alert_change describe_signal(const signal& o, transition t, severity sev, instant since) {
    alert_change a;
    a.kind = o.kind;
    a.fingerprint = o.fingerprint;
    a.metric = o.kind;
    a.marketplace = o.marketplace;
    a.channel = o.channel;
    a.state = t == transition::resolved ? "resolved" : "firing";
    a.transition = std::string(transition_name(t));
    a.severity = std::string(severity_name(sev));
    a.rate = o.values.our_rate;
    a.since = since;
    const char* prefix = t == transition::resolved   ? "[RESOLVED]"
                         : sev == severity::breached ? "[BREACHED]"
                                                     : "[AT RISK]";
    a.title = fmt::format("{} {}", prefix, o.title);
    a.headroom_text = o.notice;
    if (t != transition::resolved)
        a.advice = signal_advice(o.kind);
    a.signal = o.values;
    return a;
}

alert_change describe_vanished_signal(const std::string& kind, const std::string& fingerprint,
                                      const std::string& marketplace, const std::string& title,
                                      severity sev, instant since) {
    alert_change a;
    a.kind = kind;
    a.fingerprint = fingerprint;
    a.metric = kind;
    a.marketplace = marketplace;
    a.state = "resolved";
    a.transition = "resolved";
    a.severity = std::string(severity_name(sev));
    a.since = since;
    a.title = fmt::format("[RESOLVED] {}: no longer observed", title.empty() ? fingerprint : title);
    a.headroom_text = kind.starts_with("sp_api")
                          ? "This SP-API source is no longer configured, so the alert is closed."
                          : "Amazon's latest account-health report no longer has this figure, so "
                            "the alert is closed.";
    a.signal = signal_values{};
    return a;
}

std::string journal_line(const alert_change& a) {
    return fmt::format("alert {}: {}", a.transition.empty() ? a.state : a.transition, a.title);
}

int journal_priority(const alert_change& a) {
    if (a.state != "firing")
        return 6;
    if (a.severity == "breached" || a.title.starts_with("[MISSED]"))
        return 4;
    return 6;
}

std::vector<std::string> upcoming_lines(const metrics::upcoming_events& e, instant now,
                                        std::string_view display_zone) {
    std::vector<std::string> lines;
    const std::string code = marketplace_code(e.marketplace_id);
    const auto when = [&](instant t) {
        return format_local_minute(t, e.marketplace_id, display_zone);
    };

    const auto overdue_orders = orders_due(e, true);
    if (!overdue_orders.empty()) {
        lines.push_back(fmt::format(
            "{} the latest ship date and not confirmed ({}): {}. Missed: counts against the late "
            "dispatch rate.",
            overdue_orders.size() == 1 ? std::string("1 order missed")
                                       : fmt::format("{} orders missed", overdue_orders.size()),
            code, ids_text(order_ids(overdue_orders))));
    }
    const auto due = orders_due(e, false);
    if (!due.empty()) {
        lines.push_back(fmt::format("{} must ship within 24 h ({}), the first by {}: {}.",
                                    counted(static_cast<long long>(due.size()), "order", "orders"),
                                    code, when(due.front()->latest_ship_at),
                                    ids_text(order_ids(due))));
    }

    const auto late = messages_due(e, true);
    if (!late.empty()) {
        lines.push_back(fmt::format(
            "{} the 24-hour reply deadline ({}): {}. Missed: counts against the response rate.",
            late.size() == 1 ? std::string("1 buyer message missed")
                             : fmt::format("{} buyer messages missed", late.size()),
            code, ids_text(message_ids(late))));
    }
    const auto waiting = messages_due(e, false);
    if (!waiting.empty()) {
        lines.push_back(fmt::format(
            "{} {} a reply ({}), the first due by {}: {}.",
            counted(static_cast<long long>(waiting.size()), "buyer message", "buyer messages"),
            waiting.size() == 1 ? "awaits" : "await", code, when(waiting.front()->reply_due_at),
            ids_text(message_ids(waiting))));
    }

    // Per ODR window: how many defects leave it within a week, or when the next one does.
    std::vector<int> windows;
    for (const auto& d : e.defects_leaving) {
        if (std::find(windows.begin(), windows.end(), d.window_days) == windows.end())
            windows.push_back(d.window_days);
    }
    std::sort(windows.begin(), windows.end());
    for (int w : windows) {
        long long within_week = 0;
        std::optional<instant> first;
        for (const auto& d : e.defects_leaving) {
            if (d.window_days != w || d.leaves_at <= now)
                continue;
            if (!first || d.leaves_at < *first)
                first = d.leaves_at;
            if (d.leaves_at <= now + days(7))
                ++within_week;
        }
        if (!first)
            continue;
        if (within_week > 0) {
            lines.push_back(fmt::format(
                "{} {} the {}-day order defect window within 7 days ({}); the first on {}.",
                counted(within_week, "order defect", "order defects"),
                within_week == 1 ? "leaves" : "leave", w, code, when(*first)));
        } else {
            lines.push_back(
                fmt::format("The next order defect leaves the {}-day order defect window on {} "
                            "({}).",
                            w, when(*first), code));
        }
    }
    return lines;
}

}  // namespace shd::alerts
