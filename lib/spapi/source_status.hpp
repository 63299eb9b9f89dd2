// The SP-API sources in `status` (table and --json): per source and
// marketplace the last successful fetch, the newest data, the last error, a
// backlog, and the first-start pass's progress. Only lays out what
// load_source_states read; one section added to each output, nothing else
// changes.
#pragma once

#include <string>
#include <vector>

#include "spapi/sync.hpp"

namespace shd::spapi {

// `status_json` (a JSON object) with "sources": [{"source", "marketplace_id",
// "last_success_at", "newest_data_at", "last_attempt_at", "last_error",
// "behind", "first_pass"}] added last; an empty list when nothing is fetched.
std::string with_sources_json(const std::string& status_json,
                              const std::vector<source_state>& sources);

// "\nSP-API sources:\n  orders ATVPDKIKX0DER  last success ... ago  newest ...\n";
// "" when there are none.
std::string sources_table(const std::vector<source_state>& sources, instant now);

// The states, or none when the database predates them (a read-only open of
// an older schema).
std::vector<source_state> load_source_states_or_none(store::database& db);

}  // namespace shd::spapi
