// Digest channels (docs/alerts.md, "Digest channels"): when a channel's daily
// digest is due, and what it holds. Pure functions of the channel's digest
// settings, the recorded changes, the alerts firing and the time; the cycle
// (alerts/cycle.cpp) reads and writes the database around them.
//
// A digest is due at the first cycle at or after the channel's local hour
// each local day (in an IANA zone, daylight saving included): a scheduled
// instant later than the last digest's decision. A daemon that was down over
// one or more hours sends one digest at its next cycle, for the latest hour
// missed, never one per missed day. A due digest with nothing recorded and
// nothing firing sends nothing, and the day counts as done.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/notification.hpp"
#include "config/config.hpp"
#include "core/time.hpp"

namespace shd::alerts {

// One scheduled digest: the instant of the local hour and the local day.
struct digest_slot {
    instant at;
    std::string local_date;  // "2026-03-29"
    bool operator==(const digest_slot&) const = default;
};

// The latest scheduled instant at or before `now`: today's hour when it has
// passed, else yesterday's. An hour a daylight-saving change skips is the
// first instant after the gap; one that happens twice is its first
// occurrence. nullopt for an unparseable hour or an unknown zone (the config
// refuses both).
std::optional<digest_slot> latest_digest_slot(const config::digest_config& d, std::string_view zone,
                                              instant now);

struct digest_decision {
    bool due = false;   // a scheduled hour has passed since `covered_until`
    bool send = false;  // due, and there is something to say
    digest_slot slot;   // the hour it is for (when due)
};

// `covered_until`: the last digest's decision time, nullopt for a channel
// never seen (then nothing is due: the first digest comes at its first hour
// after now). `items` are the changes recorded since, `firing` the alerts
// still firing that the channel would be sent.
digest_decision decide_digest(const config::digest_config& d, std::string_view zone,
                              std::optional<instant> covered_until, std::size_t items,
                              std::size_t firing, instant now);

// "digest|<channel>|<local date>": the outbox key of one channel's digest
// for one day.
std::string digest_idempotency_key(std::string_view channel, std::string_view local_date);

// A change recorded for a digest.
struct recorded_change {
    alert_change change;  // with its transition
    instant decided_at;
};

// The digest notification: the changes since the last digest (repeats left
// out: the alert shows under still_firing) in the order decided, each with
// its decided_at; the alerts still firing; `missed` the fingerprints of the
// deadline alerts among the changes whose deadline has passed unmet.
notification build_digest(const std::string& channel, const std::string& account,
                          const digest_slot& slot, std::string_view zone, instant since,
                          std::vector<recorded_change> changes, std::vector<alert_change> firing,
                          std::vector<std::string> missed, instant now);

}  // namespace shd::alerts
