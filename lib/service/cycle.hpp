// One cycle of the daemon, the one-way flow in one place: scan the inbox and
// import what is ready, read the mailbox when mailbox.poll_interval has
// passed since the last read (every cycle of a new runner: run --once), evaluate every metric as of
// `now`, keep the history, and let the alert lifecycle decide what to tell people (outbox rows, in
// the same transaction as its state). Delivery is not part of the cycle: it runs on its own lane of
// the daemon's worker pool (daemon.hpp) so a slow receiver never holds up imports or evaluation.
//
// A failure in one step is logged and reported; later steps still run where
// they can (an evaluation still runs after a rejected file).
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>

#include "alerts/cycle.hpp"
#include "config/config.hpp"
#include "core/time.hpp"
#include "delivery/dispatcher.hpp"
#include "ingest/inbox.hpp"
#include "mailbox/poll.hpp"
#include "metrics/evaluation.hpp"
#include "store/database.hpp"

namespace shd::service {

struct cycle_report {
    ingest::inbox_cycle_summary inbox;
    std::optional<mailbox::poll_summary> mailbox;  // when the mailbox was read this cycle
    bool evaluated = false;
    std::size_t history_rows = 0;  // metric rows written to metric_results
    std::optional<alerts::cycle_summary> alerts;
    std::string status_line;  // "US: LDR 10d at risk 3.2%" or "all metrics ok"
    bool failed = false;      // some step could not be done (database trouble)
    bool stopped = false;     // should_stop held after the import: nothing evaluated
    std::optional<metrics::evaluation> evaluation;  // what was evaluated, when it was
};

// History is kept when something was imported, and otherwise at most once an
// hour: a poll every minute would otherwise write 27 rows a minute forever.
bool should_store_history(std::optional<instant> last_stored, instant now, bool imported);

// What a daemon running for years keeps: metric history and finished
// episodes for 400 days (a year of charts, with room), delivered and
// dead-lettered outbox rows for 90 days (long enough to answer "was it sent?").
inline constexpr std::chrono::seconds kHistoryRetention{400LL * 86400};
inline constexpr std::chrono::seconds kOutboxRetention{90LL * 86400};

struct prune_counts {
    long long metric_results = 0;
    long long outbox = 0;
    long long alert_history = 0;
};

// Deletes what is older than the retention periods, as of `now`, in one
// transaction. Pending outbox rows are never touched.
result<prune_counts, error_message> prune_old_rows(store::database& db, instant now);

// One line for logs and systemd's STATUS=: the worst rows first.
std::string summarize(const metrics::evaluation& e);

// One info line for a cycle that imported or decided something (quiet
// otherwise: a poll every minute must not fill the journal).
void log_cycle(const cycle_report& r);

// One line for a delivery call that did something, or its error.
void log_delivery(const result<delivery::dispatch_summary, error_message>& delivered);

// Where a cycle's `now` comes from. On the clock, times stored ahead of it
// (the clock was ahead when they were written) are repaired to now; a replay
// (`run --once --at`) as of a past time leaves later times alone.
enum class cycle_time { clock, replay };

class cycle_runner {
  public:
    cycle_runner(store::database& db, ingest::inbox& box, ingest::importer& importer,
                 cycle_time time = cycle_time::clock);

    // `should_stop` is passed to process_inbox (asked before each file) and
    // asked once more after it: when it holds, the cycle ends there.
    cycle_report run(const config::config& cfg, instant now,
                     const std::function<bool()>& should_stop = {});

  private:
    // Held alerts at info when they start and stop being held, at debug in
    // between: a poll every minute must not repeat them in the journal.
    void log_held(const std::vector<alerts::held_alert>& held);

    // Feed arrivals stored in the future, moved to now and logged once.
    void repair_future_arrivals(instant now);

    store::database& db_;
    ingest::inbox& inbox_;
    ingest::importer& importer_;
    cycle_time time_;
    std::optional<instant> last_history_;
    std::optional<instant> last_prune_;
    std::optional<instant> last_mailbox_poll_;
    std::set<std::string> held_;           // fingerprints held in the previous cycle
    std::set<std::string> warned_future_;  // alerts and feeds whose future times were logged
};

}  // namespace shd::service
