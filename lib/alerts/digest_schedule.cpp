#include "alerts/digest_schedule.hpp"

#include <date/tz.h>
#include <fmt/format.h>

#include <exception>

namespace shd::alerts {

std::optional<digest_slot> latest_digest_slot(const config::digest_config& d,
                                              std::string_view zone_name, instant now) {
    const auto hour = config::parse_time_of_day(d.at);
    if (!hour)
        return std::nullopt;
    const date::time_zone* zone = nullptr;
    try {
        zone = date::locate_zone(zone_name);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    const auto local_day = std::chrono::floor<date::days>(zone->to_local(now));
    // Today's hour, else yesterday's. to_sys with choose::earliest gives the
    // first occurrence of a repeated hour and, for one skipped, the instant
    // the gap ends.
    for (const auto day : {local_day, local_day - date::days{1}}) {
        const instant at = zone->to_sys(day + *hour, date::choose::earliest);
        if (at <= now)
            return digest_slot{at, date::format("%F", day)};
    }
    // Only a change of more than a day in the UTC offset could get here.
    return std::nullopt;
}

digest_decision decide_digest(const config::digest_config& d, std::string_view zone,
                              std::optional<instant> covered_until, std::size_t items,
                              std::size_t firing, instant now) {
    digest_decision out;
    if (!covered_until)
        return out;
    const auto slot = latest_digest_slot(d, zone, now);
    if (!slot || slot->at <= *covered_until)
        return out;
    out.due = true;
    out.send = items > 0 || firing > 0;
    out.slot = *slot;
    return out;
}

std::string digest_idempotency_key(std::string_view channel, std::string_view local_date) {
    return fmt::format("digest|{}|{}", channel, local_date);
}

notification build_digest(const std::string& channel, const std::string& account,
                          const digest_slot& slot, std::string_view zone, instant since,
                          std::vector<recorded_change> changes, std::vector<alert_change> firing,
                          std::vector<std::string> missed, instant now) {
    notification n;
    n.idempotency_key = digest_idempotency_key(channel, slot.local_date);
    n.account = account;
    n.created_at = now;
    for (auto& c : changes) {
        if (c.change.transition == "repeat")
            continue;
        c.change.decided_at = c.decided_at;
        n.alerts.push_back(std::move(c.change));
    }
    digest_part part;
    part.local_date = slot.local_date;
    part.time_zone = std::string(zone);
    part.since = since;
    part.still_firing = std::move(firing);
    part.missed_deadlines = std::move(missed);
    n.digest = std::move(part);
    return n;
}

}  // namespace shd::alerts
