#include "alerts/lifecycle.hpp"

#include <algorithm>
#include <limits>

namespace shd::alerts {
namespace {

bool is_alerting(metrics::metric_status s) {
    return s == metrics::metric_status::at_risk || s == metrics::metric_status::breached;
}

severity severity_of(metrics::metric_status s) {
    return s == metrics::metric_status::breached ? severity::breached : severity::at_risk;
}

lifecycle notified(lifecycle l, instant now) {
    l.last_notified_at = now;
    l.last_notified_severity = l.current;
    l.peak_notified_severity =
        l.peak_notified_severity ? std::max(*l.peak_notified_severity, l.current) : l.current;
    ++l.notifications;
    return l;
}

}  // namespace

std::string_view severity_name(severity s) {
    return s == severity::breached ? "breached" : "at_risk";
}

std::optional<severity> severity_from_name(std::string_view name) {
    if (name == "at_risk")
        return severity::at_risk;
    if (name == "breached")
        return severity::breached;
    return std::nullopt;
}

std::string_view phase_name(phase p) {
    return p == phase::firing ? "firing" : "pending";
}

std::optional<phase> phase_from_name(std::string_view name) {
    if (name == "pending")
        return phase::pending;
    if (name == "firing")
        return phase::firing;
    return std::nullopt;
}

std::string_view transition_name(transition t) {
    switch (t) {
        case transition::none:
            return "none";
        case transition::firing:
            return "firing";
        case transition::repeat:
            return "repeat";
        case transition::escalated:
            return "escalated";
        case transition::resolved:
            return "resolved";
    }
    return "none";
}

bool clears_resolve_margin(const observation& o, double resolve_margin) {
    if (!o.rate)
        return true;
    if (o.direction == metric_direction::lower_is_better)
        return *o.rate < o.warn - resolve_margin;
    return *o.rate > o.warn + resolve_margin;
}

step_result step(const std::optional<lifecycle>& previous, const observation& o, const policy& p,
                 instant now) {
    const int for_evaluations = std::max(1, p.for_evaluations);
    if (!is_alerting(o.status)) {
        if (!previous || previous->state == phase::pending)
            return {std::nullopt, transition::none};
        // Firing: no data always ends it; ok ends it only past the margin.
        if (o.status == metrics::metric_status::no_data ||
            clears_resolve_margin(o, p.resolve_margin))
            return {std::nullopt, transition::resolved};
        return {previous, transition::none};
    }

    lifecycle next;
    if (previous) {
        next = *previous;
    } else {
        next.episode_start = now;
    }
    next.current = severity_of(o.status);
    if (next.pending_count < std::numeric_limits<int>::max())
        ++next.pending_count;

    if (next.state == phase::pending) {
        if (next.pending_count < for_evaluations)
            return {next, transition::none};
        next.state = phase::firing;
        return {notified(next, now), transition::firing};
    }

    // Firing, but nobody was told (a silence kept its notice back,
    // alerts/silences.hpp): the first notice of the episode is still owed.
    if (!next.last_notified_at && next.notifications == 0)
        return {notified(next, now), transition::firing};
    // Firing. A rise is news only above what was last said: breached ->
    // at_risk -> breached flapping says nothing until the next repeat.
    if (next.current == severity::breached && next.last_notified_severity == severity::at_risk)
        return {notified(next, now), transition::escalated};
    if (!next.last_notified_at || now - *next.last_notified_at >= p.repeat_interval)
        return {notified(next, now), transition::repeat};
    return {next, transition::none};
}

}  // namespace shd::alerts
