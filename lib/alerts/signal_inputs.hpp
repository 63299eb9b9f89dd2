// What the alert cycle judges Amazon's signals and the SP-API's health on,
// read from the store (the imperative side of alerts/amazon_signals.hpp):
// per marketplace the newest account-health snapshot taken at or before T and
// the one before it, each restricted to that marketplace; the SP-API sources'
// rows of spapi_sources with the configured schedule. Throws
// SQLite::Exception; the caller's transaction holds.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "alerts/amazon_signals.hpp"
#include "config/config.hpp"

namespace SQLite {
class Database;
}

namespace shd::alerts {

struct marketplace_snapshots {
    std::string marketplace_id;
    ingest::account_health_snapshot current;
    std::optional<ingest::account_health_snapshot> previous;
};

// By marketplace ID. A snapshot "mentions" a marketplace in a metric or an
// account status (as metrics/reconcile.hpp picks the newest one).
std::vector<marketplace_snapshots> load_snapshot_pairs(SQLite::Database& db, instant as_of);

// Without an sp_api section: nothing to judge (no sources, no secret).
access_health load_access_health(SQLite::Database& db, const config::config& cfg);

}  // namespace shd::alerts
