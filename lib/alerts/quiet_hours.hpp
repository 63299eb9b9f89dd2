// Quiet hours: a daily span of local wall-clock time (in an IANA time zone,
// from the system's tzdata) during which at_risk notifications wait. Pure:
// the answer depends only on the settings and the instant.
#pragma once

#include <optional>

#include "config/config.hpp"
#include "core/time.hpp"

namespace shd::alerts {

// When `now` falls inside quiet hours, the instant they end; else nullopt.
// The span is [start, end) in local time and crosses midnight when end <=
// start ("22:00" to "07:00"). An end that does not exist that day (skipped by
// a daylight-saving change) ends at the change; one that happens twice ends
// at its first occurrence. Unparseable times or an unknown zone (which the
// config refuses) mean no quiet hours: a notice is never held by mistake.
std::optional<instant> quiet_hours_end(const config::quiet_hours_config& q, instant now);

}  // namespace shd::alerts
