// The daemon's main loop, single-threaded: runs a cycle (scan the inbox and
// import, evaluate, decide alerts: see service/cycle.hpp) at start, after files
// arrive, and every poll_interval, until SIGTERM or SIGINT.
//
// - Arrivals: inotify on the inbox folder (IN_CLOSE_WRITE, IN_MOVED_TO) runs a
//   cycle about a second later, so a burst of files shares one cycle. When a
//   cycle reports files still settling, another runs after `settle`.
// - The full scan every poll_interval catches whatever inotify cannot see
//   (network filesystems, a folder recreated, an overflowing event queue).
// - SIGTERM/SIGINT are blocked and read through a signalfd, so they are only
//   acted on between cycles: an import in progress finishes (or, with
//   SIGKILL, rolls back) and the loop returns cleanly. SIGHUP is read the
//   same way and calls on_reload.
// Waiting uses the steady clock; the cycles themselves take their time from
// the injected Clock.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>

#include "core/result.hpp"

namespace shd::ingest {

struct cycle_outcome {
    bool files_waiting = false;  // some files were not ready: look again after `settle`
};

using cycle_function = std::function<cycle_outcome()>;

struct run_loop_options {
    std::filesystem::path watch_dir;
    std::chrono::seconds poll_interval{60};
    std::chrono::seconds settle{5};
    // Called on SIGHUP, between cycles; a cycle follows at once so new
    // thresholds apply without waiting for the next poll. Without it SIGHUP
    // is ignored (never the default action, which would end the process).
    std::function<void()> on_reload;
};

class run_loop {
  public:
    run_loop(run_loop_options options, cycle_function cycle);

    // Runs until SIGTERM or SIGINT and returns that signal's number. Blocks
    // both signals in the calling thread (call it before starting threads).
    // Errors: the signalfd cannot be set up. An inbox that cannot be watched
    // is only logged: the periodic scan still finds its files.
    result<int, error_message> run();

  private:
    run_loop_options options_;
    cycle_function cycle_;
};

}  // namespace shd::ingest
