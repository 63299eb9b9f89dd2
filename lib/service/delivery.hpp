// Draining the outbox: pass after pass of the dispatcher until nothing more
// is due now (rows waiting for a backoff or quiet hours stay for later). The
// clock is read for each claim and each result (a replay passes a clock that
// stands still at its --at). `run --once` calls it inline; the daemon calls it on its
// worker pool, one call at a time, with a connection of that lane's own.
#pragma once

#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "delivery/dispatcher.hpp"
#include "store/database.hpp"

namespace shd::service {

result<delivery::dispatch_summary, error_message> deliver_all_due(delivery::dispatcher& d,
                                                                  store::database& db,
                                                                  const config::config& cfg,
                                                                  const Clock& clock);

}  // namespace shd::service
