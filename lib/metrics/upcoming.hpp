// What is about to change, per marketplace, as of T (spec: deadline alerts):
// - MFN orders not confirmed as of T whose latest ship date is within the next
//   24 hours or already passed (but still inside a late-dispatch window);
// - messages without a reply as of T received more than 12 hours before T
//   (and still inside a response-rate window);
// - orders with counting defects inside an ODR window, and when each leaves it.
// Reads only; throws SQLite::Exception (the engine converts it).
#pragma once

#include <chrono>
#include <vector>

#include "config/config.hpp"
#include "metrics/evaluation.hpp"

namespace SQLite {
class Database;
}

namespace shd::metrics {

inline constexpr std::chrono::seconds kShipSoonHorizon = hours(24);
inline constexpr std::chrono::seconds kUnansweredAfter = hours(12);
inline constexpr std::chrono::seconds kReplyDeadline = hours(24);

// One entry per marketplace that has rows in `metrics`, in the same order.
std::vector<upcoming_events> find_upcoming(SQLite::Database& db, const config::config& cfg,
                                           instant as_of,
                                           const std::vector<metric_result>& metrics);

}  // namespace shd::metrics
