#include "alerts/quiet_hours.hpp"

#include <date/tz.h>

#include <exception>

namespace shd::alerts {

std::optional<instant> quiet_hours_end(const config::quiet_hours_config& q, instant now) {
    const auto start = config::parse_time_of_day(q.start);
    const auto end = config::parse_time_of_day(q.end);
    if (!start || !end || *start == *end)
        return std::nullopt;
    const date::time_zone* zone = nullptr;
    try {
        zone = date::locate_zone(q.timezone);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    const auto local = zone->to_local(now);
    const auto day = std::chrono::floor<date::days>(local);
    const auto time_of_day = local - day;

    std::optional<date::local_seconds> local_end;
    if (*start < *end) {
        if (time_of_day >= *start && time_of_day < *end)
            local_end = day + *end;
    } else if (time_of_day >= *start) {
        local_end = day + date::days{1} + *end;
    } else if (time_of_day < *end) {
        local_end = day + *end;
    }
    if (!local_end)
        return std::nullopt;
    const instant ends_at = zone->to_sys(*local_end, date::choose::earliest);
    // A skipped or repeated hour can put the computed end at or before now.
    if (ends_at <= now)
        return std::nullopt;
    return ends_at;
}

}  // namespace shd::alerts
