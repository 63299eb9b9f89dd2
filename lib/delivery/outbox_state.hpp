// The outbox as a state machine, as pure functions of the rows and a time
// (docs/alerts.md, "The outbox state machine"). The dispatcher reads rows,
// asks `plan` what to do, applies each step through `transition`, and writes
// the result; nothing here touches the database, a socket or a clock.
//
//   held ──(quiet hours over | a newer urgent notice of its alerts)──> pending
//   held ──(every alert it holds has a newer notice)──> superseded
//   pending | retry ──(claim: an attempt, with a lease)──> claimed
//   claimed ──accepted──> delivered
//   claimed ──failed (5xx, 429, timeout)──> retry (not_before = backoff)
//   claimed ──rejected (4xx, unusable)──> dead
//   claimed ──lease lost (cut off by a crash, found by the next dispatcher)──> retry
//   pending | held | retry ──(max_delivery_age, unreadable payload)──> dead
//
// Order: per channel, a row may be claimed only when no older open row of the
// channel holds one of its alerts, and no older row of the channel is claimed
// or backing off. So notices of one alert leave in the order they were
// decided (a resolve never overtakes its trigger, held or cut off), and a
// struggling receiver gets one probe per backoff step.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace shd::delivery {

enum class outbox_state { pending, held, claimed, delivered, retry, dead, superseded };

std::string_view to_string(outbox_state s);
std::optional<outbox_state> outbox_state_from(std::string_view text);
// pending, held, claimed and retry: the row is still owed to its channel.
bool is_open(outbox_state s);

struct outbox_row {
    std::int64_t id = 0;
    std::string channel;
    outbox_state state = outbox_state::pending;
    instant created_at;  // when it may first be sent; max_delivery_age counts from it
    instant not_before;  // held: end of quiet hours; pending/retry: when due
    int attempts = 0;    // claims so far: each claim is an attempt
    std::optional<instant> claimed_at;
    std::optional<instant> lease_until;
    std::optional<instant> delivered_at;
    std::optional<instant> dead_at;
    std::optional<std::int64_t> superseded_by;
    std::optional<instant> superseded_at;
    std::string last_error;
    // The fingerprints of the alerts inside, from the payload.
    std::vector<std::string> alerts;

    bool operator==(const outbox_row&) const = default;
};

struct outbox_event {
    enum class kind {
        quiet_hours_over,  // held -> pending, at or after not_before
        released,          // held -> pending early: a newer notice of its alerts leaves now
        superseded,        // held -> superseded by row `by`
        claim,             // pending | retry -> claimed until `until`
        accepted,          // claimed -> delivered
        failed,            // claimed -> retry at `until`, with `detail`
        rejected,          // claimed -> dead, with `detail`
        lease_lost,        // claimed -> retry at once: the attempt was cut off
        expired,           // pending | held | retry -> dead (max_delivery_age)
        unreadable,        // pending | retry -> dead, with `detail`
    };
    kind what = kind::claim;
    instant at;
    std::optional<instant> until;
    std::string detail;
    std::optional<std::int64_t> by;
};

std::string_view to_string(outbox_event::kind k);

// The row after `event`, or an error naming the illegal transition (a state
// the event cannot apply to, or a time that breaks its rule).
result<outbox_row, error_message> transition(const outbox_row& row, const outbox_event& event);

// What the dispatcher knows of a channel when it plans.
struct channel_facts {
    std::chrono::seconds min_spacing{0};    // Slack: 1 s between messages
    std::optional<instant> last_delivered;  // the channel's latest delivered_at
};

struct outbox_plan {
    // Housekeeping, in row order: each applies to the row as read.
    std::vector<std::pair<std::int64_t, outbox_event>> steps;
    // The row to claim next, per channel, oldest first (at most one per
    // channel: after it the plan is made again from what the table then says).
    std::vector<std::int64_t> sendable;
    // Open rows of channels not in the configuration that are due: left alone.
    std::vector<std::int64_t> orphaned;
    // When something next changes on its own (a lease, quiet hours, a
    // backoff, pacing, an age limit); now when something is sendable.
    std::optional<instant> next_due;
};

struct plan_options {
    std::chrono::seconds max_delivery_age{std::chrono::hours(24)};
    // A dispatcher that knows no other is alive (it holds the instance lock
    // and is starting) takes over every claim at once.
    bool take_over_claims = false;
};

// `rows`: every open row, in id order, with times already normalised.
// `channel` returns the facts of a configured channel, nullopt for one not in
// the configuration (its rows are left alone).
outbox_plan plan(const std::vector<outbox_row>& rows, instant now, const plan_options& options,
                 const std::function<std::optional<channel_facts>(const std::string&)>& channel);

// A clock that was ahead when a row was written leaves times in the future
// that should be in the past. Times further ahead than the row's state
// allows are treated as now: claimed_at, delivered_at and a pending row's
// not_before more than `tolerance` ahead; a held row's times more than a day
// of quiet hours; a retry's not_before when its attempt's claimed_at was
// ahead (a backoff may be long). Returns the fields repaired (empty: none).
std::vector<std::string> normalise_times(outbox_row& row, instant now,
                                         std::chrono::seconds tolerance);

}  // namespace shd::delivery
