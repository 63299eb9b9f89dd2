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

// Fills out.history (the kHistoryDays before as_of), out.alerts,
// out.counters.last_import_at and out.counters.outbox_pending. Counters the
// daemon keeps itself are left as they are.
result<void, error_message> load_dashboard_data(store::database& db, instant as_of,
                                                web::snapshot& out);

}  // namespace shd::service
