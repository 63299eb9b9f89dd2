#include "delivery/outbox_state.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace shd::delivery {
namespace {

using kind = outbox_event::kind;

constexpr std::pair<outbox_state, std::string_view> kStateNames[] = {
    {outbox_state::pending, "pending"},       {outbox_state::held, "held"},
    {outbox_state::claimed, "claimed"},       {outbox_state::delivered, "delivered"},
    {outbox_state::retry, "retry"},           {outbox_state::dead, "dead"},
    {outbox_state::superseded, "superseded"},
};

error_message illegal(const outbox_row& row, const outbox_event& e, std::string_view why = {}) {
    return error_message{fmt::format("outbox row {}: {} is not allowed from {}{}{}", row.id,
                                     to_string(e.what), to_string(row.state),
                                     why.empty() ? "" : ": ", why)};
}

bool shares_alert(const outbox_row& a, const outbox_row& b) {
    for (const auto& f : a.alerts)
        if (std::find(b.alerts.begin(), b.alerts.end(), f) != b.alerts.end())
            return true;
    return false;
}

void earliest(std::optional<instant>& into, instant t) {
    if (!into || t < *into)
        into = t;
}

}  // namespace

std::string_view to_string(outbox_state s) {
    for (const auto& [state, name] : kStateNames)
        if (state == s)
            return name;
    return "?";
}

std::optional<outbox_state> outbox_state_from(std::string_view text) {
    for (const auto& [state, name] : kStateNames)
        if (name == text)
            return state;
    return std::nullopt;
}

bool is_open(outbox_state s) {
    return s == outbox_state::pending || s == outbox_state::held || s == outbox_state::claimed ||
           s == outbox_state::retry;
}

std::string_view to_string(outbox_event::kind k) {
    switch (k) {
        case kind::quiet_hours_over:
            return "quiet_hours_over";
        case kind::released:
            return "released";
        case kind::superseded:
            return "superseded";
        case kind::claim:
            return "claim";
        case kind::accepted:
            return "accepted";
        case kind::failed:
            return "failed";
        case kind::rejected:
            return "rejected";
        case kind::lease_lost:
            return "lease_lost";
        case kind::expired:
            return "expired";
        case kind::unreadable:
            return "unreadable";
    }
    return "?";
}

result<outbox_row, error_message> transition(const outbox_row& row, const outbox_event& e) {
    outbox_row next = row;
    const auto from = row.state;
    switch (e.what) {
        case kind::quiet_hours_over:
            if (from != outbox_state::held)
                return illegal(row, e);
            if (e.at < row.not_before)
                return illegal(row, e, "quiet hours are not over yet");
            next.state = outbox_state::pending;
            return next;
        case kind::released:
            if (from != outbox_state::held)
                return illegal(row, e);
            next.state = outbox_state::pending;
            next.not_before = std::min(row.not_before, e.at);
            return next;
        case kind::superseded:
            if (from != outbox_state::held || !e.by || *e.by <= row.id)
                return illegal(row, e, "only a held row, by a newer one");
            next.state = outbox_state::superseded;
            next.superseded_by = e.by;
            next.superseded_at = e.at;
            return next;
        case kind::claim:
            if (from != outbox_state::pending && from != outbox_state::retry)
                return illegal(row, e);
            if (e.at < row.not_before)
                return illegal(row, e, "not due yet");
            if (!e.until || *e.until <= e.at)
                return illegal(row, e, "a claim needs a lease that ends after it");
            next.state = outbox_state::claimed;
            next.attempts = row.attempts + 1;
            next.claimed_at = e.at;
            next.lease_until = e.until;
            return next;
        case kind::accepted:
            if (from != outbox_state::claimed)
                return illegal(row, e);
            next.state = outbox_state::delivered;
            next.delivered_at = e.at;
            next.lease_until.reset();
            return next;
        case kind::failed:
            if (from != outbox_state::claimed || !e.until)
                return illegal(row, e);
            next.state = outbox_state::retry;
            next.not_before = *e.until;
            next.last_error = e.detail;
            next.lease_until.reset();
            return next;
        case kind::rejected:
            if (from != outbox_state::claimed)
                return illegal(row, e);
            next.state = outbox_state::dead;
            next.dead_at = e.at;
            next.last_error = e.detail;
            next.lease_until.reset();
            return next;
        case kind::lease_lost:
            if (from != outbox_state::claimed)
                return illegal(row, e);
            next.state = outbox_state::retry;
            next.not_before = e.at;
            next.last_error = e.detail.empty()
                                  ? "the attempt was cut off before its result was recorded"
                                  : e.detail;
            next.lease_until.reset();
            return next;
        case kind::expired:
            if (from != outbox_state::pending && from != outbox_state::held &&
                from != outbox_state::retry)
                return illegal(row, e);
            next.state = outbox_state::dead;
            next.dead_at = e.at;
            return next;
        case kind::unreadable:
            if (from != outbox_state::pending && from != outbox_state::retry)
                return illegal(row, e);
            next.state = outbox_state::dead;
            next.dead_at = e.at;
            next.last_error = e.detail;
            return next;
    }
    return illegal(row, e);
}

outbox_plan plan(const std::vector<outbox_row>& rows, instant now, const plan_options& options,
                 const std::function<std::optional<channel_facts>(const std::string&)>& channel) {
    outbox_plan out;
    std::map<std::string, std::vector<outbox_row>> by_channel;
    std::vector<std::string> channel_order;
    for (const auto& r : rows) {
        if (!is_open(r.state))
            continue;
        auto [it, fresh] = by_channel.try_emplace(r.channel);
        if (fresh)
            channel_order.push_back(r.channel);
        it->second.push_back(r);
    }

    std::vector<std::pair<std::int64_t, std::int64_t>> heads;  // (id, channel position)
    for (const auto& name : channel_order) {
        auto& list = by_channel[name];
        std::sort(list.begin(), list.end(),
                  [](const outbox_row& a, const outbox_row& b) { return a.id < b.id; });
        const auto facts = channel(name);
        if (!facts) {
            for (const auto& r : list)
                if (r.state != outbox_state::held && r.state != outbox_state::claimed &&
                    r.not_before <= now)
                    out.orphaned.push_back(r.id);
            continue;
        }

        // 1. Housekeeping, each row as the table will hold it after its step.
        auto apply = [&](outbox_row& r, outbox_event e) {
            auto next = transition(r, e);
            if (!next)
                return;  // not reachable from plan's own choices
            out.steps.emplace_back(r.id, std::move(e));
            r = std::move(*next);
        };
        for (std::size_t i = 0; i < list.size(); ++i) {
            auto& r = list[i];
            if (r.state == outbox_state::claimed &&
                (options.take_over_claims || !r.lease_until || *r.lease_until <= now)) {
                apply(r, {kind::lease_lost, now, std::nullopt, {}, std::nullopt});
            }
            if (r.state == outbox_state::held) {
                // Superseded when every alert it holds has a newer notice.
                std::set<std::string> newer;
                std::optional<std::int64_t> last_covering;
                for (std::size_t j = i + 1; j < list.size(); ++j) {
                    for (const auto& f : list[j].alerts) {
                        if (std::find(r.alerts.begin(), r.alerts.end(), f) != r.alerts.end()) {
                            newer.insert(f);
                            last_covering = list[j].id;
                        }
                    }
                }
                if (!r.alerts.empty() &&
                    newer.size() ==
                        std::set<std::string>(r.alerts.begin(), r.alerts.end()).size()) {
                    apply(r, {kind::superseded, now, std::nullopt, {}, last_covering});
                    continue;
                }
            }
            if (r.state == outbox_state::held) {
                if (r.not_before <= now) {
                    apply(r, {kind::quiet_hours_over, now, std::nullopt, {}, std::nullopt});
                } else {
                    // A newer notice of one of its alerts that is not held
                    // (a breach, its resolve) would wait behind it until the
                    // morning: it leaves now instead, first.
                    for (std::size_t j = i + 1; j < list.size(); ++j) {
                        if (list[j].state != outbox_state::held && shares_alert(r, list[j])) {
                            apply(r, {kind::released, now, std::nullopt, {}, std::nullopt});
                            break;
                        }
                    }
                }
            }
            if ((r.state == outbox_state::pending || r.state == outbox_state::held ||
                 r.state == outbox_state::retry) &&
                r.created_at + options.max_delivery_age <= now) {
                apply(r, {kind::expired, now, std::nullopt, {}, std::nullopt});
            }
        }

        // 2. The first row that may leave now, and when the rest may.
        bool channel_blocked = false;            // an older row is claimed or backing off
        std::vector<const outbox_row*> waiting;  // older open rows: their alerts wait
        const bool paced = facts->min_spacing.count() > 0 && facts->last_delivered &&
                           now < *facts->last_delivered + facts->min_spacing;
        bool chosen = false;
        for (const auto& r : list) {
            if (!is_open(r.state))
                continue;
            if (r.state != outbox_state::claimed)
                earliest(out.next_due, r.created_at + options.max_delivery_age);
            bool behind = channel_blocked;
            for (const auto* w : waiting)
                behind = behind || shares_alert(*w, r);
            if (r.state == outbox_state::claimed) {
                channel_blocked = true;
                earliest(out.next_due, r.lease_until.value_or(now));
            } else if (r.state == outbox_state::held || r.not_before > now) {
                if (!behind)
                    earliest(out.next_due, r.not_before);
                if (r.state == outbox_state::retry)
                    channel_blocked = true;
            } else if (!behind && !chosen) {
                if (paced) {
                    earliest(out.next_due, *facts->last_delivered + facts->min_spacing);
                } else {
                    heads.emplace_back(r.id, 0);
                    earliest(out.next_due, now);
                }
                chosen = true;
                // Rows after it wait for it: at most one per channel per plan.
                channel_blocked = true;
            }
            waiting.push_back(&r);
        }
    }
    std::sort(heads.begin(), heads.end());
    for (const auto& h : heads)
        out.sendable.push_back(h.first);
    return out;
}

std::vector<std::string> normalise_times(outbox_row& row, instant now,
                                         std::chrono::seconds tolerance) {
    std::vector<std::string> repaired;
    auto cap = [&](instant& t, std::chrono::seconds allowed, const char* name) {
        if (t > now + allowed) {
            t = now;
            repaired.emplace_back(name);
        }
    };
    auto cap_opt = [&](std::optional<instant>& t, std::chrono::seconds allowed, const char* name) {
        if (t && *t > now + allowed) {
            t = now;
            repaired.emplace_back(name);
        }
    };
    constexpr std::chrono::seconds kQuietHoursAtMost = days(1);
    switch (row.state) {
        case outbox_state::held:
            cap(row.not_before, kQuietHoursAtMost + tolerance, "not_before");
            cap(row.created_at, kQuietHoursAtMost + tolerance, "created_at");
            break;
        case outbox_state::pending:
            cap(row.not_before, tolerance, "not_before");
            cap(row.created_at, tolerance, "created_at");
            break;
        case outbox_state::retry:
            // A backoff may be long (Retry-After is a floor); the attempt it
            // follows says whether the clock was ahead.
            if (row.claimed_at && *row.claimed_at > now + tolerance) {
                row.claimed_at = now;
                row.not_before = now;
                repaired.emplace_back("claimed_at");
            }
            cap(row.created_at, kQuietHoursAtMost + tolerance, "created_at");
            break;
        case outbox_state::claimed:
            if (row.claimed_at && *row.claimed_at > now + tolerance) {
                // The attempt's own clock was ahead: its lease cannot be trusted.
                row.claimed_at = now;
                row.lease_until = now;
                repaired.emplace_back("claimed_at");
            }
            cap(row.created_at, kQuietHoursAtMost + tolerance, "created_at");
            break;
        default:
            break;
    }
    cap_opt(row.delivered_at, tolerance, "delivered_at");
    return repaired;
}

}  // namespace shd::delivery
