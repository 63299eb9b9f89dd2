// `seller-healthd run`: one Boost.Asio event loop that owns the daemon's
// state (the configuration, the counters, the snapshot the HTTP endpoint
// serves, what is running), and a small bounded pool of worker threads for
// the blocking work, which post their results back to the loop:
//
// - the cycle lane: scan the inbox and import, evaluate, keep history, decide
//   alerts (service/cycle.hpp), then read the dashboard's data; one cycle at
//   a time, at start, a quarter second after files arrive (inotify; the
//   names closed after writing or renamed in are passed to the inbox as
//   complete), a second after a scan that saw files still settling, after a
//   reload, and every poll_interval. It does not start when the inbox's
//   archive/ or rejected/ is refused (ingest/inbox.hpp): exit 1;
// - the delivery lane: drain the outbox (HTTPS, SMTP), one call at a time,
//   when a cycle queued notifications and whenever the next row is due.
//
// Signals arrive through asio::signal_set, on the loop:
// - SIGHUP: read and validate the config; on error log it and keep the old
//   one; on success apply it at once (thresholds, channels, log level,
//   poll_interval, http.listen, default_marketplace) without a restart and
//   without re-sending anything (alert state is keyed by fingerprint). The
//   database and inbox paths apply only at the next start.
// - SIGTERM/SIGINT: stop taking new work (timers, inotify and the HTTP
//   endpoint close; the cycle stops before its next file), let the file in
//   progress finish its transaction, give a delivery in flight `grace` to
//   finish (a row cut off stays owed: it is sent again once its claim expires,
//   the channel's timeout per request plus a minute after the attempt began;
//   lost), and return 0. A second signal exits at once; SQLite rolls back an
//   unfinished transaction.
//
// systemd (Type=notify): READY=1 once the database is open and the endpoint
// bound, STATUS= after each cycle, WATCHDOG=1 at half of WatchdogSec= while
// no cycle has been stuck for 15 minutes, RELOADING=1/READY=1 around a
// reload, STOPPING=1.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "store/database.hpp"

namespace shd::service {

struct daemon_options {
    std::filesystem::path config_path;  // read again on SIGHUP
    std::shared_ptr<const config::config> cfg;
    std::string version;
    std::chrono::seconds shutdown_grace{10};
    // The caller holds the database's instance lock (store/instance_lock.hpp):
    // claims left in the outbox were cut off and are taken over at once.
    bool owns_database = false;
};

// Runs until SIGTERM or SIGINT. `db` is open and migrated. Returns the exit
// code: 0 after a clean stop, 1 when it could not start (the HTTP endpoint's
// address cannot be bound, or archive/ or rejected/ is refused). A broken invariant throws, as
// everywhere.
int run_daemon(daemon_options options, store::database db, const Clock& clock);

}  // namespace shd::service
