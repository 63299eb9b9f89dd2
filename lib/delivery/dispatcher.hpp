// Delivers what the outbox holds. One call of deliver_due(db, cfg, now):
//
//  1. Dead letters: a pending row of a configured channel older than
//     alerts.max_delivery_age (since created_at) gets dead_at = now and an
//     error log line; it is never sent.
//  2. Due rows (not_before <= now), oldest first, each claimed (not_before
//     pushed past the attempt, so a second dispatcher or a crash mid-send does
//     not send it twice at once) and handed to its channel's sender:
//     - delivered: delivered_at = now. Only this marks a row delivered.
//     - retry (timeout, connection error, 5xx, 429, ...): not_before = the
//       backoff (retry_policy.hpp), never before Retry-After. The channel is
//       not tried again in this call, and its newer rows wait behind this one
//       until it goes through or is given up: a struggling receiver gets one
//       probe per backoff step, and a channel receives messages in the order
//       they were written (a PagerDuty resolve never overtakes its trigger).
//       Older rows held for quiet hours do not wait behind it.
//     - rejected (4xx other than 408/425/429; an unusable URL or payload):
//       dead-lettered at once with the reason and an error log line. Sending
//       the same request again cannot succeed, and the alert is not silently
//       lost: the log names the channel, and a firing alert repeats after
//       repeat_interval once the channel is fixed.
//  3. Pacing: after a Slack message on a channel the next one waits a second
//     (min_spacing), counted from the channel's latest delivered_at in the
//     outbox, so it holds across calls and restarts. Nothing sleeps: the row
//     simply is not due yet, and next_due says when it is.
//
// Rows whose channel is not in the config (renamed or removed by a reload)
// are left untouched, neither sent nor dead-lettered, with one warning per
// channel name per dispatcher; they go out if the channel comes back (the
// age rule then applies first).
//
// At-least-once: a crash after the receiver accepted a message but before
// delivered_at is written sends it again after the claim expires; the
// idempotency key lets receivers drop the copy.
//
// Thread safety: a dispatcher is used by one thread at a time, with a
// database connection of its own (store::database is per thread). Run it on a
// worker thread: each send blocks for up to the channel's timeout. Several
// dispatchers (threads or processes) on one database do not send a row twice
// concurrently (the claim), though they may pace Slack less strictly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>

#include "config/config.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "delivery/retry_policy.hpp"
#include "delivery/sender.hpp"
#include "store/database.hpp"

namespace shd::delivery {

struct dispatch_options {
    retry_policy policy;
    // Seed of the jitter draws; nullopt seeds from std::random_device.
    std::optional<std::uint64_t> seed;
    // Attempts per deliver_due call, so one call stays bounded in time
    // (max_sends * channel timeout at worst); the rest waits for the next call.
    std::size_t max_sends = 20;
    // Asked before each send; true ends the call there (the daemon is
    // stopping: the rows not sent stay in the outbox for the next start).
    std::function<bool()> should_stop;
    // The sender for a channel type; defaults to make_sender. Tests may inject.
    std::function<std::unique_ptr<sender>(const std::string& channel_type)> sender_factory;
};

struct dispatch_summary {
    std::size_t delivered = 0;
    std::size_t retried = 0;   // failed attempts that will be tried again
    std::size_t dead = 0;      // dead-lettered in this call (age or rejection)
    std::size_t orphaned = 0;  // due rows left alone: channel not in the config
    // The earliest time a row of a configured channel becomes due (or must be
    // dead-lettered); now when this call stopped at max_sends; nullopt when
    // nothing is pending. The caller wakes up then (or on its next cycle).
    std::optional<instant> next_due;
};

class dispatcher {
  public:
    explicit dispatcher(dispatch_options options = {});
    ~dispatcher();
    dispatcher(const dispatcher&) = delete;
    dispatcher& operator=(const dispatcher&) = delete;

    // One pass over the outbox as of `now` (see the file comment). SQLite
    // errors are returned; rows already handled keep their new state.
    result<dispatch_summary, error_message> deliver_due(store::database& db,
                                                        const config::config& cfg, instant now);

  private:
    sender* sender_for(const std::string& channel_type);
    double draw();

    dispatch_options options_;
    std::mt19937_64 random_;
    std::map<std::string, std::unique_ptr<sender>> senders_;
    std::set<std::string> warned_channels_;
};

}  // namespace shd::delivery
