// Delivers what the outbox holds, one row at a time, through the outbox's
// state machine (outbox_state.hpp; docs/alerts.md, "The outbox state
// machine"). One call of deliver_due(db, cfg, clock):
//
//  0. Results kept from an earlier call (the database was busy when they
//     were to be written) are written first; while one cannot be, nothing
//     else happens. A row the receiver accepted is never sent again because
//     its bookkeeping failed.
//  1. Housekeeping (outbox_state.hpp `plan`): claims whose lease ran out
//     become retries (the attempt was cut off by a crash); held rows whose
//     alerts all have a newer notice are superseded; held rows whose quiet
//     hours are over, or with a newer urgent notice of their alerts, become
//     pending; rows older than alerts.max_delivery_age (since created_at) are
//     dead letters, with an error log line.
//  2. The oldest sendable row is claimed (an attempt, with a lease: the
//     channel's timeout per request plus a minute), sent, and its result
//     recorded; then the plan is made again. Per channel, a row waits for
//     every older open row holding one of its alerts, and for an older row
//     that is claimed or backing off:
//     - delivered: delivered_at. Only this marks a row delivered.
//     - retry (timeout, connection error, 5xx, 429, ...): not_before = the
//       backoff (retry_policy.hpp), never before Retry-After. The channel is
//       not tried again until then.
//     - rejected (4xx other than 408/425/429; an unusable URL or payload):
//       dead-lettered at once with the reason and an error log line. The
//       alert is not silently lost: the log names the channel, and a firing
//       alert repeats after repeat_interval once the channel is fixed.
//  3. Pacing: after a Slack message on a channel the next one waits a second
//     (min_spacing), counted from the channel's latest delivered_at in the
//     outbox, so it holds across calls and restarts. Nothing sleeps: the row
//     simply is not due yet, and next_due says when it is.
//
// The clock is read for each claim and each result, so a lease is never
// already over when it is taken, however long the call. Stored times further
// in the future than a row's state allows (a clock that was ahead when they
// were written) are treated as now, with one error log line per row.
//
// Rows whose channel is not in the config (renamed or removed by a reload)
// are left untouched, neither sent nor dead-lettered, with one warning per
// channel name per dispatcher; they go out if the channel comes back (the
// age rule then applies first).
//
// At-least-once: a crash after the receiver accepted a message but before
// delivered_at is written sends it again (same idempotency key) once the
// claim is found cut off: at once by the next daemon (it holds the instance
// lock, so no other dispatcher can be alive; take_over_claims), or after the
// lease by anyone else.
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
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "delivery/outbox_state.hpp"
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
    // The first call takes over every claim at once: set when this process
    // holds the instance lock (store/instance_lock.hpp), so the claimant of
    // any claim left in the table is dead.
    bool take_over_claims = false;
    // How far a stored time may be in the future before it is taken for a
    // clock that was ahead when it was written.
    std::chrono::seconds clock_tolerance{kFutureTolerance};
};

struct dispatch_summary {
    std::size_t delivered = 0;
    std::size_t retried = 0;     // failed attempts that will be tried again
    std::size_t dead = 0;        // dead-lettered in this call (age or rejection)
    std::size_t orphaned = 0;    // due rows left alone: channel not in the config
    std::size_t superseded = 0;  // held rows made obsolete by a newer notice
    std::size_t recovered = 0;   // claims cut off (crash) turned back into retries
    std::size_t kept = 0;        // results held in memory: the database was busy
    // Every send of this call, for the per-channel counters and histograms.
    struct attempt {
        std::string channel;  // its name
        send_outcome::kind result;
        std::chrono::duration<double> took;  // claim to result, by the clock
    };
    std::vector<attempt> attempts;
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

    // One pass over the outbox (see the file comment), reading `clock` for
    // each claim and each result. SQLite errors are returned; rows already
    // handled keep their new state, and a result that could not be written
    // is kept and written first by the next call.
    result<dispatch_summary, error_message> deliver_due(store::database& db,
                                                        const config::config& cfg,
                                                        const Clock& clock);
    // The same with time standing still at `now`.
    result<dispatch_summary, error_message> deliver_due(store::database& db,
                                                        const config::config& cfg, instant now);

    // Results not yet written (the database was busy).
    std::size_t kept_results() const { return kept_.size(); }

  private:
    sender* sender_for(const std::string& channel_type);
    double draw();

    dispatch_options options_;
    std::mt19937_64 random_;
    std::map<std::string, std::unique_ptr<sender>> senders_;
    std::set<std::string> warned_channels_;
    std::set<std::int64_t> warned_clock_rows_;
    // (the row as claimed, the row with its result): written before anything else.
    std::vector<std::pair<outbox_row, outbox_row>> kept_;
    bool first_call_ = true;
};

}  // namespace shd::delivery
