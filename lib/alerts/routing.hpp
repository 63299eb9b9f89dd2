// Which channel is sent which alert: a channel's `match` (marketplace,
// metric, severity, kind) and `send_resolved` against one alert change.
// Pure functions of the config and the change.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "alerts/notification.hpp"
#include "config/config.hpp"

namespace shd::alerts {

// The group of an alert kind a `kind` matcher names: metric, deadline
// (message_deadline, ship_deadline), stale (stale_data), amazon (Amazon's
// account-health signals), source (the SP-API's health).
std::string_view kind_group(std::string_view kind);

// The metric an alert is about: its own for a metric alert, response_rate_24h
// for a message deadline, late_dispatch_rate for a ship-by deadline, the
// compared metric for a divergence from Amazon; none for the others.
std::optional<std::string> concerned_metric(const alert_change& change);

// Whether a `match` (a channel's, or a silence's: alerts/silences.hpp)
// accepts a change judged at `severity`. Every key given must match; within a
// key, any value listed does. An alert of the whole account (no marketplace)
// passes a marketplace matcher only when `account_wide_passes_marketplace`:
// a channel for one marketplace still hears of a stale feed, a silence for one
// marketplace does not quiet it.
bool match_accepts(const config::channel_match& m, const alert_change& change,
                   std::string_view severity, bool account_wide_passes_marketplace);

// `severity` is the severity the channel filter judges: for a resolve, the
// highest the episode was notified at.
bool channel_wants(const config::alert_channel& channel, const alert_change& change,
                   std::string_view severity);

}  // namespace shd::alerts
