#include "alerts/cycle.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "alerts/amazon_signals.hpp"
#include "alerts/digest_schedule.hpp"
#include "alerts/digest_store.hpp"
#include "alerts/lifecycle.hpp"
#include "alerts/quiet_hours.hpp"
#include "alerts/routing.hpp"
#include "alerts/signal_inputs.hpp"
#include "alerts/silence_store.hpp"
#include "alerts/silences.hpp"
#include "alerts/words.hpp"
#include "core/digest.hpp"

namespace shd::alerts {
namespace {

using json = nlohmann::json;

constexpr std::string_view kMetricKind = "metric";
constexpr std::string_view kMessageDeadlineKind = "message_deadline";
constexpr std::string_view kShipDeadlineKind = "ship_deadline";
constexpr std::string_view kStaleDataKind = "stale_data";

// The kinds of alerts/amazon_signals.hpp.
bool is_signal_kind(std::string_view kind) {
    const auto group = kind_group(kind);
    return group == "amazon" || group == "source";
}

std::int64_t unix_of(instant t) {
    return static_cast<std::int64_t>(to_unix(t));
}

// One alert_states row.
struct stored_alert {
    std::string fingerprint;
    std::string kind;
    lifecycle life;
    std::string last_observation;
};

// A change decided this cycle, with what the channel filter and the key need.
struct decided_change {
    alert_change change;
    severity filter_severity = severity::at_risk;  // resolved: the episode's peak notified
    key_part key;
};

std::optional<severity> optional_severity(const SQLite::Column& c) {
    if (c.isNull())
        return std::nullopt;
    return severity_from_name(c.getString());
}

std::map<std::string, stored_alert> load_states(SQLite::Database& db) {
    std::map<std::string, stored_alert> out;
    SQLite::Statement q(db,
                        "SELECT fingerprint, kind, state, severity, pending_count, episode_start,"
                        " last_notified_at, last_notified_severity, peak_notified_severity,"
                        " notifications, last_observation FROM alert_states");
    while (q.executeStep()) {
        stored_alert a;
        a.fingerprint = q.getColumn(0).getString();
        a.kind = q.getColumn(1).getString();
        const auto state = phase_from_name(q.getColumn(2).getString());
        const auto current = severity_from_name(q.getColumn(3).getString());
        if (!state || !current) {
            // The CHECK constraints make this unreachable short of a hand-edited file.
            throw std::logic_error("alert_states: bad state or severity for " + a.fingerprint);
        }
        a.life.state = *state;
        a.life.current = *current;
        a.life.pending_count = q.getColumn(4).getInt();
        a.life.episode_start = from_unix(q.getColumn(5).getInt64());
        if (!q.getColumn(6).isNull())
            a.life.last_notified_at = from_unix(q.getColumn(6).getInt64());
        a.life.last_notified_severity = optional_severity(q.getColumn(7));
        a.life.peak_notified_severity = optional_severity(q.getColumn(8));
        a.life.notifications = q.getColumn(9).getInt();
        if (!q.getColumn(10).isNull())
            a.last_observation = q.getColumn(10).getString();
        out.emplace(a.fingerprint, std::move(a));
    }
    return out;
}

class state_writer {
  public:
    explicit state_writer(SQLite::Database& db)
        : upsert_(db,
                  "INSERT OR REPLACE INTO alert_states (fingerprint, kind, state, severity,"
                  " pending_count, episode_start, last_notified_at, last_notified_severity,"
                  " peak_notified_severity, notifications, last_observation, updated_at)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
          remove_(db, "DELETE FROM alert_states WHERE fingerprint = ?1"),
          history_(db,
                   "INSERT OR IGNORE INTO alert_history (fingerprint, severity, episode_start,"
                   " resolved_at) VALUES (?1, ?2, ?3, ?4)") {}

    void save(const stored_alert& a, instant now) {
        upsert_.reset();
        upsert_.clearBindings();
        upsert_.bind(1, a.fingerprint);
        upsert_.bind(2, a.kind);
        upsert_.bind(3, std::string(phase_name(a.life.state)));
        upsert_.bind(4, std::string(severity_name(a.life.current)));
        upsert_.bind(5, a.life.pending_count);
        upsert_.bind(6, unix_of(a.life.episode_start));
        if (a.life.last_notified_at)
            upsert_.bind(7, unix_of(*a.life.last_notified_at));
        if (a.life.last_notified_severity)
            upsert_.bind(8, std::string(severity_name(*a.life.last_notified_severity)));
        if (a.life.peak_notified_severity)
            upsert_.bind(9, std::string(severity_name(*a.life.peak_notified_severity)));
        upsert_.bind(10, a.life.notifications);
        if (!a.last_observation.empty())
            upsert_.bind(11, a.last_observation);
        upsert_.bind(12, unix_of(now));
        upsert_.exec();
    }

    // The episode is over: the state row goes, a history row stays when
    // anyone was told about it.
    void end_episode(const stored_alert& a, instant now) {
        remove_.reset();
        remove_.clearBindings();
        remove_.bind(1, a.fingerprint);
        remove_.exec();
        if (!a.life.peak_notified_severity)
            return;
        history_.reset();
        history_.clearBindings();
        history_.bind(1, a.fingerprint);
        history_.bind(2, std::string(severity_name(*a.life.peak_notified_severity)));
        history_.bind(3, unix_of(a.life.episode_start));
        history_.bind(4, unix_of(now));
        history_.exec();
    }

  private:
    SQLite::Statement upsert_;
    SQLite::Statement remove_;
    SQLite::Statement history_;
};

// ---- last_observation: the metric row as JSON ----

std::string observation_json(const metrics::metric_result& r) {
    json j;
    j["metric"] = definition(r.metric).name;
    j["marketplace"] = r.marketplace_id;
    j["channel"] = r.channel;
    j["window_days"] = r.window_days;
    j["status"] = metrics::status_name(r.status);
    j["rate"] = r.rate ? json(*r.rate) : json(nullptr);
    j["warn"] = r.warn;
    j["target"] = r.target;
    j["numerator"] = r.numerator;
    j["denominator"] = r.denominator;
    j["headroom"] = r.headroom ? json(*r.headroom) : json(nullptr);
    j["low_volume"] = r.low_volume;
    j["min_orders"] = r.min_orders;
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The row a metric alert last saw, from its JSON; nullopt when unreadable
// (then the fingerprint still names the metric).
std::optional<metrics::metric_result> observation_from_json(const std::string& text) {
    try {
        const json j = json::parse(text);
        const auto metric = metric_from_name(j.at("metric").get<std::string>());
        if (!metric)
            return std::nullopt;
        metrics::metric_result r;
        r.metric = *metric;
        r.marketplace_id = j.at("marketplace").get<std::string>();
        r.channel = j.at("channel").get<std::string>();
        r.window_days = j.at("window_days").get<int>();
        r.status = metrics::status_from_name(j.at("status").get<std::string>())
                       .value_or(metrics::metric_status::no_data);
        if (!j.at("rate").is_null())
            r.rate = j.at("rate").get<double>();
        r.warn = j.at("warn").get<double>();
        r.target = j.at("target").get<double>();
        r.numerator = j.at("numerator").get<std::int64_t>();
        r.denominator = j.at("denominator").get<std::int64_t>();
        if (!j.at("headroom").is_null())
            r.headroom = j.at("headroom").get<std::int64_t>();
        r.low_volume = j.at("low_volume").get<bool>();
        r.min_orders = j.at("min_orders").get<int>();
        return r;
    } catch (const json::exception&) {
        return std::nullopt;
    }
}

// "late_dispatch_rate|ATVPDKIKX0DER|MFN|10" back into a row without figures.
metrics::metric_result row_from_fingerprint(const std::string& fingerprint) {
    metrics::metric_result r;
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        const auto bar = fingerprint.find('|', start);
        parts.push_back(fingerprint.substr(start, bar - start));
        if (bar == std::string::npos)
            break;
        start = bar + 1;
    }
    if (parts.size() == 4) {
        if (auto m = metric_from_name(parts[0]))
            r.metric = *m;
        r.marketplace_id = parts[1];
        r.channel = parts[2];
        r.window_days = std::atoi(parts[3].c_str());
    }
    return r;
}

// A deadline alert's last_observation: when it ends, and its marketplace
// (what a silence's marketplace matcher judges; alerts/silences.hpp).
std::string expiry_json(instant expires_at, const std::string& marketplace) {
    json j{{"expires_at", unix_of(expires_at)}};
    if (!marketplace.empty())
        j["marketplace"] = marketplace;
    return j.dump();
}

std::optional<instant> expiry_of(const std::string& text) {
    try {
        return from_unix(json::parse(text).at("expires_at").get<std::int64_t>());
    } catch (const json::exception&) {
        return std::nullopt;
    }
}

// ---- last_observation of a signal alert ----
// The title (for a resolved notice when nothing observes it any more), the
// marketplace, and for a worsening (AHR status, policy violations) the value
// before the episode began: the alert holds until the value is back there,
// not merely until the next snapshot repeats the worse one.

struct signal_memory {
    std::string title;
    std::string marketplace;
    std::string baseline_status;
    std::optional<long long> baseline_count;
};

std::string signal_memory_json(const signal& o) {
    json j{{"title", o.title}, {"marketplace", o.marketplace}};
    if (o.kind == "ahr_status" && !o.values.previous_status.empty())
        j["baseline_status"] = o.values.previous_status;
    if (o.kind == "policy_violations" && o.values.previous_count)
        j["baseline_count"] = *o.values.previous_count;
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

signal_memory signal_memory_of(const std::string& text) {
    signal_memory m;
    try {
        const json j = json::parse(text);
        m.title = j.value("title", std::string());
        m.marketplace = j.value("marketplace", std::string());
        m.baseline_status = j.value("baseline_status", std::string());
        if (j.contains("baseline_count") && j.at("baseline_count").is_number_integer())
            m.baseline_count = j.at("baseline_count").get<long long>();
    } catch (const json::exception&) {
    }
    return m;
}

// The previous snapshot as the alerts in progress see it: their baselines in
// place of its values.
void apply_baselines(ingest::account_health_snapshot& previous, const std::string& marketplace,
                     const std::map<std::string, stored_alert>& states) {
    const auto row_for = [&](const std::string& metric) -> ingest::account_health_metric_row& {
        for (auto& m : previous.metrics) {
            if (m.metric == metric)
                return m;
        }
        ingest::account_health_metric_row m;
        m.marketplace_id = marketplace;
        m.metric = metric;
        m.channel = "all";
        previous.metrics.push_back(std::move(m));
        return previous.metrics.back();
    };
    for (const auto& [fingerprint, a] : states) {
        if (a.kind == "ahr_status" && fingerprint == "ahr_status|" + marketplace) {
            const auto memory = signal_memory_of(a.last_observation);
            if (ahr_rank(memory.baseline_status))
                row_for("accountHealthRating").status = memory.baseline_status;
        } else if (a.kind == "policy_violations" &&
                   fingerprint.starts_with("policy_violations|" + marketplace + "|")) {
            const auto memory = signal_memory_of(a.last_observation);
            if (memory.baseline_count) {
                const std::string metric = fingerprint.substr(
                    std::string("policy_violations|").size() + marketplace.size() + 1);
                row_for(metric).numerator = memory.baseline_count;
            }
        }
    }
}

// ---- the cycle ----

alert_change with_end(alert_change a, instant ends_at) {
    a.ends_at = ends_at;
    return a;
}

int severity_rank(severity s) {
    return s == severity::breached ? 1 : 0;
}

bool passes(const decided_change& c, const config::alert_channel& channel) {
    const auto minimum = severity_from_name(channel.min_severity).value_or(severity::at_risk);
    return severity_rank(c.filter_severity) >= severity_rank(minimum) &&
           channel_wants(channel, c.change, severity_name(c.filter_severity));
}

class cycle {
  public:
    cycle(SQLite::Database& db, const config::config& cfg, const metrics::evaluation& e,
          instant now)
        : db_(db),
          cfg_(cfg),
          e_(e),
          now_(now),
          states_(load_states(db)),
          writer_(db),
          silences_(load_silences(db)),
          acks_(load_open_acks(db)) {
        policy_.for_evaluations = cfg.alerts.for_evaluations;
        policy_.repeat_interval = cfg.alerts.repeat_interval;
        policy_.resolve_margin = cfg.alerts.resolve_margin;
        collect_current_ =
            std::any_of(cfg.alerts.channels.begin(), cfg.alerts.channels.end(),
                        [](const config::alert_channel& c) { return c.digest.has_value(); });
        // Times ahead of now would stop repeats (never due) and date a
        // resolve's episode in the future: they are taken as now.
        for (auto& [fingerprint, a] : states_) {
            bool repaired = false;
            if (a.life.episode_start > now_ + kFutureTolerance) {
                a.life.episode_start = now_;
                repaired = true;
            }
            if (a.life.last_notified_at && *a.life.last_notified_at > now_ + kFutureTolerance) {
                a.life.last_notified_at = now_;
                repaired = true;
            }
            if (repaired)
                future_times_.push_back(fingerprint);
        }
    }

    cycle_summary run() {
        step_metrics();
        step_stale_feeds();
        step_deadlines();
        step_signals();
        return finish();
    }

  private:
    void decide(alert_change change, severity filter_severity, const lifecycle& life,
                transition t) {
        // The end of an episode nobody was told of (a silence kept its
        // firing notice back) is no news either.
        if (t == transition::resolved && !life.peak_notified_severity && !life.last_notified_at)
            return;
        key_part key{change.fingerprint, life.episode_start, std::string(transition_name(t)),
                     life.notifications};
        change.transition = std::string(transition_name(t));
        changes_.push_back({std::move(change), filter_severity, std::move(key)});
    }

    // Whether a silence or an acknowledgement keeps this firing, repeat or
    // escalated notice back. If so, `next` keeps the notice bookkeeping of
    // `previous`: a firing notice is still owed, a repeat still due, an
    // escalation still news, once the silence ends. A resolve is never kept
    // back (it closes what a channel heard of; nobody heard of it otherwise).
    bool kept_back(const alert_change& change, const std::optional<lifecycle>& previous,
                   lifecycle& next, transition t) {
        if (t == transition::none || t == transition::resolved)
            return false;
        const std::string_view sev = severity_name(next.current);
        if (const auto id = silenced_by(silences_, change, sev, now_)) {
            next = unnotified(next, previous);
            kept_back_.push_back({change, id});
            return true;
        }
        if (t != transition::repeat)
            return false;
        for (const auto& a : acks_) {
            if (a.fingerprint == change.fingerprint &&
                ack_holds(a, next.episode_start, next.current)) {
                next = unnotified(next, previous);
                kept_back_.push_back({change, std::nullopt});
                return true;
            }
        }
        return false;
    }

    // The resolved notice of an episode: its last, one past the last sent, at
    // the highest severity it was notified at (the channels that heard of it).
    // `describe(peak)` words it.
    template <class Describe>
    void decide_resolved(const lifecycle& last, Describe describe) {
        const severity peak = last.peak_notified_severity.value_or(last.current);
        lifecycle numbered = last;
        ++numbered.notifications;
        decide(describe(peak), peak, numbered, transition::resolved);
    }

    // One step of one alert, the same for every kind: the lifecycle's step,
    // then what to tell (unless a silence or an acknowledgement keeps it
    // back), and the alert listed for digests while it fires.
    // `describe(what, severity, episode_start)` words a change. Returns the
    // state to save; nullopt when the episode ended (its row is gone).
    template <class Describe>
    std::optional<lifecycle> step_alert(const std::string& fingerprint, const observation& o,
                                        const policy& p, Describe describe) {
        const auto found = states_.find(fingerprint);
        std::optional<lifecycle> previous;
        if (found != states_.end())
            previous = found->second.life;
        const step_result s = step(previous, o, p, now_);
        if (s.what == transition::resolved) {
            decide_resolved(*previous, [&](severity peak) {
                return describe(transition::resolved, peak, previous->episode_start);
            });
            writer_.end_episode(found->second, now_);
            return std::nullopt;
        }
        if (!s.next) {
            if (found != states_.end())
                writer_.end_episode(found->second, now_);
            return std::nullopt;
        }
        lifecycle next = *s.next;
        if (s.what != transition::none) {
            auto change = describe(s.what, next.current, next.episode_start);
            if (!kept_back(change, previous, next, s.what))
                decide(std::move(change), next.current, next, s.what);
        }
        if (collect_current_ && next.state == phase::firing)
            still_firing(describe(transition::repeat, next.current, next.episode_start));
        return next;
    }

    void step_metrics() {
        for (const auto& r : e_.metrics) {
            const std::string fingerprint = metric_fingerprint(r);
            seen_.insert(fingerprint);
            if (r.stale) {
                hold(r, fingerprint);
                continue;
            }
            const observation o{r.status, r.rate, r.warn, definition(r.metric).direction};
            const auto next = step_alert(fingerprint, o, policy_,
                                         [&](transition what, severity sev, instant since) {
                                             return describe_metric(r, fingerprint, what, sev,
                                                                    since, cfg_.display_time_zone);
                                         });
            if (next) {
                writer_.save({fingerprint, std::string(kMetricKind), *next, observation_json(r)},
                             now_);
            }
        }
        // Rows that no longer exist: a window removed from the configuration.
        // A firing alert says it is closed (so a PagerDuty incident does not
        // stay open forever); a pending one goes quietly.
        for (const auto& [fingerprint, a] : states_) {
            if (a.kind != kMetricKind || seen_.contains(fingerprint))
                continue;
            if (a.life.state == phase::firing) {
                const auto last_seen = observation_from_json(a.last_observation)
                                           .value_or(row_from_fingerprint(fingerprint));
                decide_resolved(a.life, [&](severity peak) {
                    return describe_vanished_metric(last_seen, fingerprint, peak,
                                                    a.life.episode_start);
                });
            }
            writer_.end_episode(a, now_);
        }
    }

    // A row counted from a stale feed: its alert stays exactly as it was
    // (pending count, firing, last notice) until the feed arrives again. Not
    // stepping it means no firing, repeat, escalation or resolve on figures
    // that miss data: a stopped shipments feed makes orders look late, a
    // stopped orders feed can make a breach look over.
    void hold(const metrics::metric_result& r, const std::string& fingerprint) {
        const bool alerting = r.status == metrics::metric_status::at_risk ||
                              r.status == metrics::metric_status::breached;
        if (!alerting && !states_.contains(fingerprint))
            return;
        const severity sev =
            r.status == metrics::metric_status::breached ? severity::breached : severity::at_risk;
        // A firing alert held for stale data is still firing, as last judged.
        if (const auto found = states_.find(fingerprint);
            collect_current_ && found != states_.end() &&
            found->second.life.state == phase::firing) {
            const auto& life = found->second.life;
            still_firing(describe_metric(
                observation_from_json(found->second.last_observation).value_or(r), fingerprint,
                transition::repeat, life.current, life.episode_start, cfg_.display_time_zone));
        }
        // An alert in progress whose row looks fine now: named, not judged.
        std::string title = alerting
                                ? metric_title(r, transition::firing, sev)
                                : fmt::format("{} ({})", definition(r.metric).title, where_text(r));
        held_.push_back({fingerprint, std::move(title), r.stale_reason});
    }

    // One alert per feed that has arrived at least once: firing while it has
    // not arrived within its max_age, resolved (with a notice) when it
    // arrives again. A feed never imported has nothing to be late after.
    void step_stale_feeds() {
        for (const auto& f : e_.feeds) {
            const std::string fingerprint = stale_feed_fingerprint(f.feed);
            seen_.insert(fingerprint);
            const auto found = states_.find(fingerprint);
            if (!f.last_import_at) {
                if (found != states_.end())
                    writer_.end_episode(found->second, now_);
                continue;
            }
            observation o;
            o.status = f.stale ? metrics::metric_status::at_risk : metrics::metric_status::ok;
            policy p = policy_;
            p.for_evaluations = 1;  // max_age already is the waiting time
            const auto next =
                step_alert(fingerprint, o, p, [&](transition what, severity, instant since) {
                    return describe_stale_feed(f, fingerprint, what == transition::resolved, now_,
                                               since, cfg_.display_time_zone);
                });
            if (next)
                writer_.save({fingerprint, std::string(kStaleDataKind), *next, {}}, now_);
        }
        // Stale-data alerts no feed answers for: the single "stale_data" of
        // earlier versions (any import at all), or a feed no longer known. A
        // firing one says it is over, so an incident does not stay open.
        for (const auto& [fingerprint, a] : states_) {
            if (a.kind != kStaleDataKind || seen_.contains(fingerprint))
                continue;
            if (a.life.state == phase::firing) {
                decide_resolved(a.life, [&](severity) {
                    return describe_stale_data_retired(fingerprint, now_, a.life.episode_start);
                });
            }
            writer_.end_episode(a, now_);
        }
    }

    // Fires a deadline alert once; its state row stays until the deadline
    // (plus the grace) has passed, so it can never fire twice.
    void fire_deadline(const std::string& fingerprint, std::string_view kind, alert_change change,
                       instant expires_at) {
        if (fired_deadlines_.contains(fingerprint))
            return;
        const auto found = states_.find(fingerprint);
        std::optional<lifecycle> previous;
        if (found != states_.end()) {
            // Fired already; or a silence kept its notice back, and it is
            // still owed while the deadline is ahead.
            if (found->second.life.notifications > 0 || found->second.life.last_notified_at)
                return;
            previous = found->second.life;
        }
        fired_deadlines_.insert(fingerprint);
        lifecycle life;
        life.state = phase::firing;
        life.current = severity::at_risk;
        life.pending_count = 1;
        life.episode_start = previous ? previous->episode_start : now_;
        life.last_notified_at = now_;
        life.last_notified_severity = severity::at_risk;
        life.peak_notified_severity = severity::at_risk;
        life.notifications = 1;
        if (collect_current_)
            still_firing(change);
        const std::string marketplace = change.marketplace;
        if (!kept_back(change, previous, life, transition::firing))
            decide(std::move(change), severity::at_risk, life, transition::firing);
        writer_.save({fingerprint, std::string(kind), life, expiry_json(expires_at, marketplace)},
                     now_);
    }

    void step_deadlines() {
        // A deadline alert is news only before its deadline, or just after it
        // when the cycles straddled it: not for history imported later.
        const std::chrono::seconds grace = std::max(cfg_.poll_interval, std::chrono::seconds{1});
        for (const auto& [fingerprint, a] : states_) {
            if (a.kind != kMessageDeadlineKind && a.kind != kShipDeadlineKind)
                continue;
            const auto expires_at = expiry_of(a.last_observation);
            if (!expires_at || now_ >= *expires_at)
                writer_.end_episode(a, now_);
        }
        if (!cfg_.alerts.deadline_alerts)
            return;
        for (const auto& u : e_.upcoming) {
            for (const auto& m : u.unanswered_messages) {
                const instant warn_at = m.received_at + cfg_.alerts.message_deadline_warn;
                const instant expires_at = m.reply_due_at + grace;
                const std::string fingerprint = message_deadline_fingerprint(m.message_id);
                if (collect_current_ && now_ < expires_at && states_.contains(fingerprint)) {
                    still_firing(
                        with_end(describe_message_deadline(m, u.marketplace_id, fingerprint, now_,
                                                           cfg_.display_time_zone),
                                 expires_at));
                }
                if (now_ < warn_at || now_ >= expires_at)
                    continue;
                fire_deadline(fingerprint, kMessageDeadlineKind,
                              with_end(describe_message_deadline(m, u.marketplace_id, fingerprint,
                                                                 now_, cfg_.display_time_zone),
                                       expires_at),
                              expires_at);
            }
            for (const auto& o : u.unconfirmed_orders) {
                const instant warn_at = o.latest_ship_at - cfg_.alerts.ship_deadline_warn;
                const instant expires_at = o.latest_ship_at + grace;
                const std::string fingerprint = ship_deadline_fingerprint(o.order_id);
                if (collect_current_ && now_ < expires_at && states_.contains(fingerprint)) {
                    still_firing(with_end(describe_ship_deadline(o, u.marketplace_id, fingerprint,
                                                                 now_, cfg_.display_time_zone),
                                          expires_at));
                }
                if (now_ < warn_at || now_ >= expires_at)
                    continue;
                fire_deadline(fingerprint, kShipDeadlineKind,
                              with_end(describe_ship_deadline(o, u.marketplace_id, fingerprint,
                                                              now_, cfg_.display_time_zone),
                                       expires_at),
                              expires_at);
            }
        }
    }

    // Amazon's own signals (each marketplace's newest account-health
    // snapshot against the one before it) and the SP-API's health, each
    // condition an alert of its own kind. The snapshot is the evidence:
    // no `for` wait; a condition that holds fires at once.
    void step_signals() {
        const our_rate_lookup ours = [this](const std::string& metric,
                                            const std::string& marketplace,
                                            const std::string& channel) -> std::optional<double> {
            for (const auto& s : e_.amazon) {
                if (s.marketplace_id != marketplace)
                    continue;
                for (const auto& m : s.metrics) {
                    if (m.metric == metric && m.channel == channel && m.our_rate)
                        return m.our_rate;
                }
            }
            return std::nullopt;
        };
        std::vector<signal> observed;
        for (auto& pair : load_snapshot_pairs(db_, now_)) {
            const bool had_previous = pair.previous.has_value();
            ingest::account_health_snapshot previous =
                had_previous ? std::move(*pair.previous) : ingest::account_health_snapshot{};
            apply_baselines(previous, pair.marketplace_id, states_);
            const bool compare = had_previous || !previous.metrics.empty();
            for (auto& o : snapshot_observations(compare ? &previous : nullptr, pair.current, ours,
                                                 e_.reconcile_tolerance))
                observed.push_back(std::move(o));
        }
        for (auto& o : access_observations(load_access_health(db_, cfg_), now_))
            observed.push_back(std::move(o));

        // One observation per alert; a holding one wins (two windows of one
        // metric in Amazon's report share an alert).
        std::vector<signal> unique;
        std::map<std::string, std::size_t> index;
        for (auto& o : observed) {
            const auto [it, fresh] = index.emplace(o.fingerprint, unique.size());
            if (fresh)
                unique.push_back(std::move(o));
            else if (o.holds && !unique[it->second].holds)
                unique[it->second] = std::move(o);
        }

        policy p = policy_;
        p.for_evaluations = 1;
        for (const auto& o : unique) {
            seen_.insert(o.fingerprint);
            const auto found = states_.find(o.fingerprint);
            observation ob;
            ob.status = !o.holds                   ? metrics::metric_status::ok
                        : o.severity == "breached" ? metrics::metric_status::breached
                                                   : metrics::metric_status::at_risk;
            const auto next =
                step_alert(o.fingerprint, ob, p, [&](transition what, severity sev, instant since) {
                    return describe_signal(o, what, sev, since);
                });
            if (!next)
                continue;
            // An episode keeps the baseline it began with.
            std::string memory = signal_memory_json(o);
            if (found != states_.end() && found->second.kind == o.kind) {
                const auto before = signal_memory_of(found->second.last_observation);
                auto j = json::parse(memory);
                if (!before.baseline_status.empty())
                    j["baseline_status"] = before.baseline_status;
                if (before.baseline_count)
                    j["baseline_count"] = *before.baseline_count;
                memory = j.dump(-1, ' ', false, json::error_handler_t::replace);
            }
            writer_.save({o.fingerprint, o.kind, *next, std::move(memory)}, now_);
        }
        for (const auto& [fingerprint, a] : states_) {
            if (!is_signal_kind(a.kind) || seen_.contains(fingerprint))
                continue;
            if (a.life.state == phase::firing) {
                const auto memory = signal_memory_of(a.last_observation);
                decide_resolved(a.life, [&](severity peak) {
                    return describe_vanished_signal(a.kind, fingerprint, memory.marketplace,
                                                    memory.title, peak, a.life.episode_start);
                });
            }
            writer_.end_episode(a, now_);
        }
    }

    // A silenced alert is left out of a digest too (the silence says: not
    // now); an acknowledged one is listed (a digest is no repeat).
    void still_firing(alert_change a) {
        if (silenced_by(silences_, a, a.severity, now_))
            return;
        if (!current_seen_.insert(a.fingerprint).second)
            return;
        a.state = "firing";
        a.transition = std::string(transition_name(transition::repeat));
        current_.push_back(std::move(a));
    }

    // A digest channel is sent no notice: what it would have been sent is
    // recorded for its next digest, in this cycle's transaction.
    void record_digest_items(const config::alert_channel& channel,
                             const std::vector<const decided_change*>& included) {
        if (included.empty())
            return;
        for (const auto* c : included) {
            record_digest_item(db_, channel.name,
                               {.fingerprint = c->change.fingerprint,
                                .transition = c->change.transition,
                                .severity = c->change.severity,
                                .payload = change_to_json(c->change).dump(
                                    -1, ' ', false, json::error_handler_t::replace),
                                .item_key = batch_idempotency_key({c->key})},
                               now_);
        }
    }

    // The deadline alerts among `changes` whose deadline has passed unmet:
    // their notice already said missed, or the order or message is still
    // open in this evaluation after its deadline. The latter are given the
    // words of now ("[MISSED] ... counts against ..."), never an "at risk"
    // written before the deadline.
    std::vector<std::string> missed_deadlines(std::vector<recorded_change>& changes) const {
        std::map<std::string, alert_change> open;
        for (const auto& u : e_.upcoming) {
            for (const auto& m : u.unanswered_messages) {
                if (m.reply_due_at > now_)
                    continue;
                const auto fingerprint = message_deadline_fingerprint(m.message_id);
                open.emplace(fingerprint,
                             describe_message_deadline(m, u.marketplace_id, fingerprint, now_,
                                                       cfg_.display_time_zone));
            }
            for (const auto& o : u.unconfirmed_orders) {
                if (o.latest_ship_at > now_)
                    continue;
                const auto fingerprint = ship_deadline_fingerprint(o.order_id);
                open.emplace(fingerprint, describe_ship_deadline(o, u.marketplace_id, fingerprint,
                                                                 now_, cfg_.display_time_zone));
            }
        }
        std::vector<std::string> out;
        for (auto& c : changes) {
            auto& a = c.change;
            if (a.kind != kMessageDeadlineKind && a.kind != kShipDeadlineKind)
                continue;
            if (const auto found = open.find(a.fingerprint); found != open.end()) {
                alert_change now_words = found->second;
                now_words.transition = a.transition;
                now_words.since = a.since;
                now_words.ends_at = a.ends_at;
                a = std::move(now_words);
                out.push_back(a.fingerprint);
            } else if (a.title.starts_with("[MISSED]")) {
                out.push_back(a.fingerprint);
            }
        }
        return out;
    }

    // The daily digest of a digest channel: when due (digest_schedule.hpp),
    // one outbox row with every change recorded since the last digest and
    // every alert still firing that the channel is sent, the items marked as
    // carried, all in this cycle's transaction.
    void run_digest(const config::alert_channel& channel, cycle_summary& summary) {
        const std::string zone = config::digest_time_zone(*channel.digest, cfg_);
        std::optional<instant> covered = digest_covered_until(db_, channel.name);
        if (!covered) {
            // A new digest channel: its first digest is at its first hour from now.
            start_digest_channel(db_, channel.name, now_);
            return;
        }
        if (*covered > now_ + kFutureTolerance) {
            covered = now_;
            future_times_.push_back(digest_idempotency_key(channel.name, "covered_until"));
        }
        if (!decide_digest(*channel.digest, zone, covered, 0, 0, now_).due)
            return;

        std::vector<recorded_change> changes = open_digest_items(db_, channel.name);
        std::vector<alert_change> firing;
        for (const auto& a : current_) {
            const decided_change probe{
                a, severity_from_name(a.severity).value_or(severity::at_risk), {}};
            if (passes(probe, channel))
                firing.push_back(a);
        }
        const auto decision =
            decide_digest(*channel.digest, zone, covered, changes.size(), firing.size(), now_);
        if (decision.send) {
            auto missed = missed_deadlines(changes);
            notification n =
                build_digest(channel.name, cfg_.account, decision.slot, zone, *covered,
                             std::move(changes), std::move(firing), std::move(missed), now_);
            std::set<std::string> marketplaces;
            for (const auto& a : n.alerts) {
                if (a.state != "resolved" && !a.marketplace.empty())
                    marketplaces.insert(a.marketplace);
            }
            for (const auto& a : n.digest->still_firing) {
                if (!a.marketplace.empty())
                    marketplaces.insert(a.marketplace);
            }
            for (const auto& u : e_.upcoming) {
                if (!marketplaces.contains(u.marketplace_id))
                    continue;
                for (auto& line : upcoming_lines(u, now_, cfg_.display_time_zone))
                    n.upcoming.push_back(std::move(line));
                for (auto& l : upcoming_links(u))
                    n.upcoming_links.push_back(std::move(l));
            }
            // Never held for quiet hours: the channel chose its hour.
            if (insert_outbox_row(db_, {.channel_name = channel.name,
                                        .idempotency_key = n.idempotency_key,
                                        .payload = to_json(n),
                                        .severity = highest_severity(n),
                                        .sendable = now_})) {
                ++summary.outbox_rows;
                ++summary.digest_rows;
            }
            carry_digest_items(db_, channel.name, n.idempotency_key);
        }
        advance_digest_channel(db_, channel.name, now_, decision.slot.local_date);
    }

    std::vector<std::string> upcoming_for(const std::vector<const decided_change*>& included) {
        std::set<std::string> marketplaces;
        for (const auto* c : included) {
            if (c->change.state != "resolved" && !c->change.marketplace.empty())
                marketplaces.insert(c->change.marketplace);
        }
        std::vector<std::string> lines;
        for (const auto& u : e_.upcoming) {
            if (!marketplaces.contains(u.marketplace_id))
                continue;
            for (auto& line : upcoming_lines(u, now_, cfg_.display_time_zone))
                lines.push_back(std::move(line));
        }
        return lines;
    }

    std::vector<id_link> upcoming_links_for(const std::vector<const decided_change*>& included) {
        std::set<std::string> marketplaces;
        for (const auto* c : included) {
            if (c->change.state != "resolved" && !c->change.marketplace.empty())
                marketplaces.insert(c->change.marketplace);
        }
        std::vector<id_link> links;
        for (const auto& u : e_.upcoming) {
            if (!marketplaces.contains(u.marketplace_id))
                continue;
            for (auto& l : upcoming_links(u))
                links.push_back(std::move(l));
        }
        return links;
    }

    cycle_summary finish() {
        // Firing before resolved, breached before at_risk; otherwise the
        // evaluation's order (marketplace, metric, channel, window).
        std::stable_sort(
            changes_.begin(), changes_.end(), [](const decided_change& a, const decided_change& b) {
                const bool a_resolved = a.change.state == "resolved";
                const bool b_resolved = b.change.state == "resolved";
                if (a_resolved != b_resolved)
                    return !a_resolved;
                return severity_rank(a.filter_severity) > severity_rank(b.filter_severity);
            });
        cycle_summary summary;
        const std::optional<instant> quiet_end =
            cfg_.alerts.quiet_hours ? quiet_hours_end(*cfg_.alerts.quiet_hours, now_)
                                    : std::nullopt;
        for (const auto& channel : cfg_.alerts.channels) {
            std::vector<const decided_change*> included;
            for (const auto& c : changes_) {
                if (passes(c, channel))
                    included.push_back(&c);
            }
            if (channel.digest) {
                record_digest_items(channel, included);
                continue;
            }
            if (included.empty())
                continue;
            notification n;
            std::vector<key_part> parts;
            for (const auto* c : included) {
                n.alerts.push_back(c->change);
                parts.push_back(c->key);
            }
            n.idempotency_key = batch_idempotency_key(std::move(parts));
            n.account = cfg_.account;
            n.created_at = now_;
            n.upcoming = upcoming_for(included);
            n.upcoming_links = upcoming_links_for(included);
            const std::string highest = highest_severity(n);
            const bool held = highest == "at_risk" && quiet_end.has_value();
            if (insert_outbox_row(db_, {.channel_name = channel.name,
                                        .idempotency_key = n.idempotency_key,
                                        .payload = to_json(n),
                                        .severity = highest,
                                        .sendable = held ? *quiet_end : now_,
                                        .held = held})) {
                ++summary.outbox_rows;
                if (held)
                    ++summary.held_rows;
            }
        }
        for (const auto& channel : cfg_.alerts.channels) {
            if (channel.digest)
                run_digest(channel, summary);
        }
        for (auto& c : changes_)
            summary.changes.push_back(std::move(c.change));
        summary.held = std::move(held_);
        summary.kept_back = std::move(kept_back_);
        end_outdated_acks(db_, now_);
        summary.future_times = std::move(future_times_);
        SQLite::Statement count(db_, "SELECT state, COUNT(*) FROM alert_states GROUP BY state");
        while (count.executeStep()) {
            const auto n = static_cast<std::size_t>(count.getColumn(1).getInt64());
            if (count.getColumn(0).getString() == "firing")
                summary.firing = n;
            else
                summary.pending = n;
        }
        return summary;
    }

    SQLite::Database& db_;
    const config::config& cfg_;
    const metrics::evaluation& e_;
    instant now_;
    policy policy_;
    std::map<std::string, stored_alert> states_;  // as loaded at the start of the cycle
    state_writer writer_;
    std::set<std::string> seen_;
    std::set<std::string> fired_deadlines_;
    std::vector<decided_change> changes_;
    std::vector<held_alert> held_;
    std::vector<std::string> future_times_;
    std::vector<silence> silences_;
    std::vector<alert_ack> acks_;
    std::vector<kept_back_change> kept_back_;
    // Digest channels: every alert firing after this cycle's steps, as it
    // stands now, in the order stepped (only when a channel is a digest).
    bool collect_current_ = false;
    std::vector<alert_change> current_;
    std::set<std::string> current_seen_;
};

}  // namespace

std::string metric_fingerprint(const metrics::metric_result& r) {
    return fmt::format("{}|{}|{}|{}", definition(r.metric).name, r.marketplace_id, r.channel,
                       r.window_days);
}

std::string stale_feed_fingerprint(std::string_view feed) {
    return fmt::format("{}|{}", kStaleDataKind, feed);
}

std::string message_deadline_fingerprint(const std::string& message_id) {
    return fmt::format("{}|{}", kMessageDeadlineKind, message_id);
}

std::string ship_deadline_fingerprint(const std::string& order_id) {
    return fmt::format("{}|{}", kShipDeadlineKind, order_id);
}

std::string batch_idempotency_key(std::vector<key_part> parts) {
    std::vector<std::string> lines;
    lines.reserve(parts.size());
    for (const auto& p : parts) {
        lines.push_back(fmt::format("{}\n{}\n{}\n{}", p.fingerprint, to_unix(p.episode_start),
                                    p.transition, p.sequence));
    }
    std::sort(lines.begin(), lines.end());
    std::string text;
    for (const auto& line : lines) {
        text += line;
        text += '\x1e';  // record separator: no fingerprint holds it
    }
    return sha256_hex(text);
}

result<cycle_summary, error_message> process_cycle(store::database& db, const config::config& cfg,
                                                   const metrics::evaluation& e, instant now) {
    try {
        auto& handle = db.handle();
        SQLite::Transaction tx(handle, SQLite::TransactionBehavior::IMMEDIATE);
        cycle_summary summary = cycle(handle, cfg, e, now).run();
        tx.commit();
        return summary;
    } catch (const SQLite::Exception& ex) {
        return error_message{fmt::format("alert cycle failed: {}", ex.what())};
    } catch (const std::runtime_error& ex) {
        return error_message{fmt::format("alert cycle failed: {}", ex.what())};
    }
}

}  // namespace shd::alerts
