// Reads what the HTTP endpoint shows beside the evaluation: 90 days of
// metric history, the recent alert episodes, the newest import and the
// notifications still owed. Runs on the cycle's worker thread, right after a
// cycle, with the cycle's connection; the result goes into a web::snapshot
// that the event loop then owns.
#pragma once

#include "core/result.hpp"
#include "core/time.hpp"
#include "store/database.hpp"
#include "web/snapshot.hpp"

namespace shd::service {

// Fills out.history (the kHistoryDays before as_of; only `with_history`:
// it changes only when a cycle stores history, at most hourly without
// imports, and reading it is most of the cost), out.alerts and the counters
// read from the database (last import, outbox, active alerts). Counters the
// daemon keeps itself are left as they are.
result<void, error_message> load_dashboard_data(store::database& db, instant as_of,
                                                web::snapshot& out, bool with_history = true);

}  // namespace shd::service
