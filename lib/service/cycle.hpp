// One cycle of the daemon, the one-way flow in one place: scan the inbox and
// import what is ready, evaluate every metric as of `now`, keep the history,
// and let the alert lifecycle decide what to tell people (outbox rows, in the
// same transaction as its state). Delivery is not part of the cycle: it runs
// on its own thread (delivery_worker) so a slow receiver never holds up
// imports or evaluation.
//
// A failure in one step is logged and reported; later steps still run where
// they can (an evaluation still runs after a rejected file).
#pragma once

#include <optional>
#include <string>

#include "alerts/cycle.hpp"
#include "config/config.hpp"
#include "core/time.hpp"
#include "ingest/inbox.hpp"
#include "metrics/evaluation.hpp"
#include "store/database.hpp"

namespace shd::service {

struct cycle_report {
    ingest::inbox_cycle_summary inbox;
    bool evaluated = false;
    std::size_t history_rows = 0;  // metric rows written to metric_results
    std::optional<alerts::cycle_summary> alerts;
    std::string status_line;  // "US: LDR 10d at risk 3.2%" or "all metrics ok"
    bool failed = false;      // some step could not be done (database trouble)
};

// History is kept when something was imported, and otherwise at most once an
// hour: a poll every minute would otherwise write 27 rows a minute forever.
bool should_store_history(std::optional<instant> last_stored, instant now, bool imported);

// One line for logs and systemd's STATUS=: the worst rows first.
std::string summarize(const metrics::evaluation& e);

class cycle_runner {
public:
    cycle_runner(store::database& db, ingest::inbox& box, ingest::importer& importer);

    cycle_report run(const config::config& cfg, instant now);

private:
    store::database& db_;
    ingest::inbox& inbox_;
    ingest::importer& importer_;
    std::optional<instant> last_history_;
};

}  // namespace shd::service
