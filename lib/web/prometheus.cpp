#include "web/prometheus.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "core/marketplaces.hpp"
#include "core/metric_catalog.hpp"
#include "web/escape.hpp"

namespace shd::web {
namespace {

constexpr std::string_view kPrefix = "seller_healthd_";

// One metric family, gathered whole before it is written so that its HELP and
// TYPE come once and its samples stay together.
class family {
  public:
    // `account` is the escaped account="..." pair every sample starts with.
    family(std::string_view name, std::string_view type, std::string_view help,
           std::string_view account)
        : name_(fmt::format("{}{}", kPrefix, name)), type_(type), help_(help), account_(account) {}

    // `labels` is the already escaped inside of {...} after the account
    // label, empty for none. A repeated label set is dropped: the first one
    // wins.
    void add(std::string labels, std::string value) {
        add_suffixed({}, std::move(labels), std::move(value));
    }

    // A sample of the family named with a suffix: a summary's _sum and _count.
    void add_suffixed(std::string_view suffix, std::string labels, std::string value) {
        labels = labels.empty() ? std::string(account_) : fmt::format("{},{}", account_, labels);
        if (!seen_.insert(fmt::format("{}{{{}}}", suffix, labels)).second)
            return;
        samples_.push_back({std::string(suffix), std::move(labels), std::move(value)});
    }

    // A family without samples is left out whole: HELP and TYPE alone would
    // announce a series that does not exist.
    void write(std::string& out) const {
        if (samples_.empty())
            return;
        out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name_, prometheus_help_text(help_),
                           name_, type_);
        for (const auto& [suffix, labels, value] : samples_)
            out += fmt::format("{}{}{{{}}} {}\n", name_, suffix, labels, value);
    }

  private:
    std::string name_;
    std::string_view type_;
    std::string_view help_;
    std::string_view account_;
    std::set<std::string> seen_;
    struct sample {
        std::string suffix;  // "" or "_sum", "_count"
        std::string labels;
        std::string value;
    };
    std::vector<sample> samples_;
};

std::string number(std::int64_t v) {
    return fmt::format("{}", v);
}

// Go's ParseFloat syntax: shortest round-trip decimal, +Inf/-Inf. Callers
// never pass NaN (they omit the sample instead).
std::string number(double v) {
    if (std::isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    return fmt::format("{}", v);
}

std::string label(std::string_view name, std::string_view value) {
    return fmt::format("{}=\"{}\"", name, prometheus_label_value(value));
}

std::string row_labels(const metrics::metric_result& r) {
    return fmt::format("{},{},{},{},{}", label("metric", definition(r.metric).name),
                       label("marketplace", r.marketplace_id),
                       label("marketplace_code", marketplace_code(r.marketplace_id)),
                       label("channel", r.channel),
                       label("window_days", fmt::format("{}", r.window_days)));
}

std::string marketplace_labels(const std::string& id) {
    return fmt::format("{},{}", label("marketplace", id),
                       label("marketplace_code", marketplace_code(id)));
}

constexpr std::array kStatuses = {metrics::metric_status::ok, metrics::metric_status::at_risk,
                                  metrics::metric_status::breached,
                                  metrics::metric_status::no_data};

void write_metric_rows(std::string& out, const metrics::evaluation& e, std::string_view account) {
    family rate("metric_ratio", "gauge",
                "Metric rate as a fraction (0.04 is 4%) in its window as of the evaluation; "
                "absent when the window has no data.",
                account);
    family numerator("metric_numerator", "gauge",
                     "Numerator of the metric rate: bad events for the lower-is-better metrics, "
                     "good ones for valid tracking and response rates.",
                     account);
    family denominator("metric_denominator", "gauge",
                       "Denominator of the metric rate: orders, shipments or messages in the "
                       "window.",
                       account);
    family headroom("metric_headroom", "gauge",
                    "How many more bad events the window can absorb before the metric is "
                    "breached; absent when the window has no data.",
                    account);
    family warn("metric_warn_threshold_ratio", "gauge",
                "Rate past which seller-healthd reports the metric at risk.", account);
    family target("metric_target_threshold_ratio", "gauge",
                  "Amazon's target rate: past it the metric is breached.", account);
    family status("metric_status", "gauge",
                  "Metric status: 1 for the series of the current status, 0 for the others.",
                  account);
    family low_volume("metric_low_volume", "gauge",
                      "1 when the window holds fewer events than min_orders, so one event moves "
                      "the rate a lot.",
                      account);

    family stale("metric_stale", "gauge",
                 "1 when a feed the metric is counted from has not arrived within its max_age; "
                 "the status stands, and its alerts are held until the feed arrives again.",
                 account);
    // The engine never repeats a row; if it ever did, the first one is kept
    // in every family alike rather than mixing figures of two rows.
    std::set<std::tuple<metric_key, std::string, std::string, int>> seen;
    for (const auto& r : e.metrics) {
        if (!seen.emplace(r.metric, r.marketplace_id, r.channel, r.window_days).second)
            continue;
        const std::string labels = row_labels(r);
        if (r.rate && !std::isnan(*r.rate))
            rate.add(labels, number(*r.rate));
        numerator.add(labels, number(r.numerator));
        denominator.add(labels, number(r.denominator));
        if (r.headroom)
            headroom.add(labels, number(*r.headroom));
        warn.add(labels, number(r.warn));
        target.add(labels, number(r.target));
        for (const auto s : kStatuses) {
            status.add(fmt::format("{},{}", labels, label("status", metrics::status_name(s))),
                       s == r.status ? "1" : "0");
        }
        low_volume.add(labels, r.low_volume ? "1" : "0");
        stale.add(labels, r.stale ? "1" : "0");
    }
    for (const family* f :
         {&rate, &numerator, &denominator, &headroom, &warn, &target, &status, &low_volume, &stale})
        f->write(out);
}

void write_upcoming(std::string& out, const metrics::evaluation& e, std::string_view account) {
    // Every evaluated marketplace gets a sample, 0 when nothing is due, so an
    // alert rule on "> 0" sees the series go back to 0 instead of vanishing.
    std::map<std::string, const metrics::upcoming_events*> marketplaces;
    for (const auto& r : e.metrics)
        marketplaces.emplace(r.marketplace_id, nullptr);
    for (const auto& u : e.upcoming)
        marketplaces.insert_or_assign(u.marketplace_id, &u);

    family messages("unanswered_messages", "gauge",
                    "Buyer messages without a reply, received more than 12 hours before the "
                    "evaluation, per marketplace.",
                    account);
    family orders("unconfirmed_orders", "gauge",
                  "MFN orders not confirmed whose latest ship date is within 24 hours of the "
                  "evaluation or already past, per marketplace.",
                  account);
    for (const auto& [id, u] : marketplaces) {
        const std::string labels = marketplace_labels(id);
        messages.add(labels,
                     number(static_cast<std::int64_t>(u ? u->unanswered_messages.size() : 0)));
        orders.add(labels, number(static_cast<std::int64_t>(u ? u->unconfirmed_orders.size() : 0)));
    }
    messages.write(out);
    orders.write(out);
}

// Per feed that has arrived: when, the newest instant inside it, its max_age
// and whether it is stale. Every catalog feed has a feed_stale sample (0 for
// one never imported), so "== 1" rules see the series go back to 0.
void write_feeds(std::string& out, const metrics::evaluation& e, std::string_view account) {
    family last("feed_last_import_timestamp_seconds", "gauge",
                "Unix time the feed last arrived (its newest successful import).", account);
    family newest("feed_newest_data_timestamp_seconds", "gauge",
                  "Unix time of the newest event inside the feed (for account_health: Amazon's "
                  "snapshot).",
                  account);
    family max_age("feed_max_age_seconds", "gauge",
                   "How long the feed may go without arriving before it is stale.", account);
    family stale("feed_stale", "gauge",
                 "1 when the feed has not arrived within its max_age, else 0.", account);
    for (const auto& f : e.feeds) {
        const std::string labels = label("feed", f.feed);
        if (f.last_import_at)
            last.add(labels, number(static_cast<std::int64_t>(to_unix(*f.last_import_at))));
        if (f.newest_data_at)
            newest.add(labels, number(static_cast<std::int64_t>(to_unix(*f.newest_data_at))));
        max_age.add(labels, number(static_cast<std::int64_t>(f.max_age.count())));
        stale.add(labels, f.stale ? "1" : "0");
    }
    for (const family* f : {&last, &newest, &max_age, &stale})
        f->write(out);
}

// The buyer messages' service metrics per marketplace and window: they
// inform and never alert. first_response_seconds is a summary (quantiles
// 0.5 and 0.9, absent without a reply, and _sum and _count of the replied
// messages); messages_waiting and messages_waiting_overdue are there for
// every row, 0 when nothing waits; the oldest waiting one's receipt time only
// when one waits.
void write_message_service(std::string& out, const metrics::evaluation& e,
                           std::string_view account) {
    family response("first_response_seconds", "summary",
                    "Time from a buyer message's receipt to its first reply, over the messages "
                    "received in the window and replied by the evaluation.",
                    account);
    family waiting("messages_waiting", "gauge",
                   "Buyer messages received in the window that still wait for a reply (not "
                   "marked no response needed).",
                   account);
    family overdue("messages_waiting_overdue", "gauge",
                   "Of the waiting buyer messages, those past their 24-hour reply deadline.",
                   account);
    family oldest("messages_oldest_waiting_timestamp_seconds", "gauge",
                  "Unix time the oldest waiting buyer message of the window was received; absent "
                  "when none waits.",
                  account);
    for (const auto& r : e.message_service) {
        const std::string labels =
            fmt::format("{},{}", marketplace_labels(r.marketplace_id),
                        label("window_days", fmt::format("{}", r.window_days)));
        if (r.first_response_median_seconds)
            response.add(fmt::format("{},{}", labels, label("quantile", "0.5")),
                         number(*r.first_response_median_seconds));
        if (r.first_response_p90_seconds)
            response.add(fmt::format("{},{}", labels, label("quantile", "0.9")),
                         number(*r.first_response_p90_seconds));
        response.add_suffixed("_sum", labels, number(r.first_response_total_seconds));
        response.add_suffixed("_count", labels, number(r.replied));
        waiting.add(labels, number(r.waiting));
        overdue.add(labels, number(r.waiting_overdue));
        if (r.oldest_waiting_received_at)
            oldest.add(labels,
                       number(static_cast<std::int64_t>(to_unix(*r.oldest_waiting_received_at))));
    }
    for (const family* f : {&response, &waiting, &overdue, &oldest})
        f->write(out);
}

void write_counter(std::string& out, std::string_view account, std::string_view name,
                   std::string_view help, std::int64_t value) {
    family f(name, "counter", help, account);
    f.add({}, number(value));
    f.write(out);
}

}  // namespace

// A histogram family: per label set, cumulative _bucket samples with `le`
// (ending in +Inf), then _sum and _count.
void write_histogram(std::string& out, std::string_view account, std::string_view name,
                     std::string_view help,
                     const std::vector<std::pair<std::string, const duration_histogram*>>& series) {
    family f(name, "histogram", help, account);
    for (const auto& [labels, h] : series) {
        const auto with = [&](const std::string& more) {
            return labels.empty() ? more : fmt::format("{},{}", labels, more);
        };
        std::int64_t cumulative = 0;
        for (std::size_t i = 0; i < duration_histogram::kUpperBounds.size(); ++i) {
            cumulative += h->bucket_counts[i];
            f.add_suffixed("_bucket",
                           with(label("le", number(duration_histogram::kUpperBounds[i]))),
                           number(cumulative));
        }
        f.add_suffixed("_bucket", with(label("le", "+Inf")), number(h->count));
        f.add_suffixed("_sum", labels, number(h->sum_seconds));
        f.add_suffixed("_count", labels, number(h->count));
    }
    f.write(out);
}

std::string render_prometheus(const snapshot& s, instant /*now*/) {
    std::string out;
    const std::string account = label("account", s.account);
    if (s.evaluation)
        write_metric_rows(out, *s.evaluation, account);

    family evaluated("evaluation_timestamp_seconds", "gauge",
                     "Unix time the newest evaluation is as of; absent before the first one.",
                     account);
    if (s.evaluation)
        evaluated.add({}, number(static_cast<std::int64_t>(to_unix(s.evaluation->as_of))));
    evaluated.write(out);

    family imported("last_import_timestamp_seconds", "gauge",
                    "Unix time of the newest successful import of any file; absent before the "
                    "first one.",
                    account);
    if (s.counters.last_import_at)
        imported.add({}, number(static_cast<std::int64_t>(to_unix(*s.counters.last_import_at))));
    imported.write(out);

    const auto& c = s.counters;
    family imports("imports_total", "counter",
                   "Files the daemon handled since it started, by result.", account);
    imports.add(label("result", "imported"), number(c.files_imported));
    imports.add(label("result", "rejected"), number(c.files_rejected));
    imports.add(label("result", "already_imported"), number(c.files_already_imported));
    imports.write(out);

    write_counter(out, account, "cycles_total", "Daemon cycles run since it started.", c.cycles);
    write_counter(out, account, "cycle_failures_total",
                  "Daemon cycles that failed since it started.", c.cycle_failures);
    write_histogram(out, account, "cycle_duration_seconds",
                    "Time a daemon cycle took (fetch, import, evaluation, alerts), by the clock.",
                    {{std::string(), &c.cycle_durations}});

    family deliveries("deliveries_total", "counter",
                      "Notifications accepted by a receiver since the daemon started, by channel.",
                      account);
    family failures("delivery_failures_total", "counter",
                    "Delivery attempts that failed (to be retried) since the daemon started, by "
                    "channel.",
                    account);
    family dead("dead_letters_total", "counter",
                "Notifications given up since the daemon started, by channel.", account);
    std::vector<std::pair<std::string, const duration_histogram*>> send_durations;
    for (const auto& ch : c.channels) {
        const std::string labels = label("channel", ch.channel);
        deliveries.add(labels, number(ch.delivered));
        failures.add(labels, number(ch.failed));
        dead.add(labels, number(ch.dead));
        send_durations.emplace_back(labels, &ch.send_durations);
    }
    deliveries.write(out);
    failures.write(out);
    dead.write(out);
    write_histogram(out, account, "delivery_duration_seconds",
                    "Time one delivery attempt took, whatever its outcome, by channel.",
                    send_durations);

    if (!s.sp_api.empty()) {
        family requests("sp_api_requests_total", "counter",
                        "Requests sent to Amazon's Selling Partner API, by operation.", account);
        family throttled("sp_api_throttled_total", "counter",
                         "429 answers from the Selling Partner API, by operation.", account);
        family errors("sp_api_errors_total", "counter",
                      "Selling Partner API calls that failed after their retries, by operation.",
                      account);
        for (const auto& op : s.sp_api) {
            requests.add(label("operation", op.operation), number(op.requests));
            throttled.add(label("operation", op.operation), number(op.throttled));
            errors.add(label("operation", op.operation), number(op.errors));
        }
        requests.write(out);
        throttled.write(out);
        errors.write(out);
    }

    family pending("outbox_pending", "gauge", "Notifications still owed to a channel.", account);
    pending.add({}, number(c.outbox_pending));
    pending.write(out);

    // Both severities always, so "breached > 0" has a series to compare.
    std::map<std::string, std::int64_t> active{{"at_risk", 0}, {"breached", 0}};
    if (c.active_at_risk && c.active_breached) {
        active["at_risk"] = *c.active_at_risk;
        active["breached"] = *c.active_breached;
    } else {
        for (const auto& a : s.alerts) {
            if (a.state == "pending" || a.state == "firing")
                ++active[a.severity];
        }
    }
    family alerts("alerts_active", "gauge", "Pending and firing alerts, by severity.", account);
    for (const auto& [severity, count] : active)
        alerts.add(label("severity", severity), number(count));
    alerts.write(out);

    // Both states always, so "active > 0" has a series to compare.
    std::map<std::string, std::int64_t> silences{{"active", 0}, {"pending", 0}};
    for (const auto& silence : s.silences)
        ++silences[silence.state];
    family silence_family("silences", "gauge",
                          "Silences in force, by state (pending: not started yet).", account);
    for (const auto& [state, count] : silences)
        silence_family.add(label("state", state), number(count));
    silence_family.write(out);
    std::int64_t acknowledged = 0;
    std::int64_t silenced = 0;
    for (const auto& a : s.alerts) {
        if (a.state != "firing")
            continue;
        acknowledged += a.acknowledged ? 1 : 0;
        silenced += a.silenced_by ? 1 : 0;
    }
    family acked_family("alerts_acknowledged", "gauge",
                        "Firing alerts acknowledged: no repeats until their severity changes.",
                        account);
    acked_family.add({}, number(c.alerts_acknowledged.value_or(acknowledged)));
    acked_family.write(out);
    family silenced_family("alerts_silenced", "gauge",
                           "Firing alerts an active silence keeps quiet.", account);
    silenced_family.add({}, number(c.alerts_silenced.value_or(silenced)));
    silenced_family.write(out);

    if (s.evaluation) {
        write_upcoming(out, *s.evaluation, account);
        write_message_service(out, *s.evaluation, account);
        write_feeds(out, *s.evaluation, account);
    }

    family started("start_time_seconds", "gauge", "Unix time the daemon started.", account);
    started.add({}, number(static_cast<std::int64_t>(to_unix(s.started_at))));
    started.write(out);

    family build("build_info", "gauge", "The seller-healthd build; the value is always 1.",
                 account);
    build.add(label("version", s.version), "1");
    build.write(out);
    return out;
}

}  // namespace shd::web
