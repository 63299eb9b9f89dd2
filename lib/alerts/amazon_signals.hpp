// Amazon's own signals and the SP-API's health as alert conditions: pure
// functions of their inputs and a time, each condition an alert of its own
// kind with a stable fingerprint (the lifecycle fires on the first cycle a
// condition is present, resolves when it is gone).
//
// From each account-health snapshot (fetched or imported), compared with the
// one before it:
// - account_status|<marketplace>: an account status other than NORMAL;
// - ahr_status|<marketplace>: the Account Health Rating status worse than in
//   the previous snapshot (GREAT < GOOD < FAIR < AT_RISK < CRITICAL);
// - policy_violations|<marketplace>|<name>: a policy-violation count higher
//   than in the previous snapshot;
// - amazon_divergence|<metric>|<marketplace>|<channel>: our rate and
//   Amazon's differ by more than reconcile_tolerance.
// From the SP-API sources:
// - sp_api_auth: Login with Amazon refused the app (invalid_client,
//   invalid_grant): re-authorise or rotate the secret;
// - sp_api_secret_expiry: the client secret expires within 14 days;
// - sp_api_source|<source>|<marketplace>: no success within three intervals.
//
// The *_observations functions also return the conditions that do not hold
// (holds = false), worded with the values as they are now: the resolved
// notice of an alert says what ended it. alerts/cycle.hpp steps them through
// the lifecycle.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "alerts/notification.hpp"
#include "core/time.hpp"
#include "ingest/records.hpp"

namespace shd::alerts {

struct signal {
    std::string kind;         // account_status, ahr_status, ...
    std::string fingerprint;  // kind|...
    std::string severity;     // at_risk or breached
    std::string title;        // one line
    std::string notice;       // the values behind it, for the notification body
    std::string marketplace;  // empty for a signal of the whole account
    std::string channel;      // divergence: MFN, AFN or all; else empty
    signal_values values;
    bool holds = true;  // false: an observation of a condition that is absent
};

// Our rate for a metric in a marketplace and channel, when we have one.
using our_rate_lookup = std::function<std::optional<double>(
    const std::string& metric, const std::string& marketplace, const std::string& channel)>;

// Every condition one snapshot can be judged on, holding or not.
std::vector<signal> snapshot_observations(const ingest::account_health_snapshot* previous,
                                          const ingest::account_health_snapshot& current,
                                          const our_rate_lookup& ours, double reconcile_tolerance);

// The conditions that hold.
std::vector<signal> snapshot_signals(const ingest::account_health_snapshot* previous,
                                     const ingest::account_health_snapshot& current,
                                     const our_rate_lookup& ours, double reconcile_tolerance);

// One SP-API source as the sync left it (spapi_sources).
struct source_health {
    std::string source;
    std::string marketplace_id;
    std::chrono::seconds interval{0};
    std::optional<instant> last_success_at;
    std::optional<instant> first_attempt_at;  // when it was first tried (started being due)
};

struct access_health {
    bool auth_refused = false;  // the last token request said invalid_client / invalid_grant
    std::string auth_error;     // "invalid_grant", never a secret
    std::optional<instant> client_secret_expires;
    std::vector<source_health> sources;
};

std::vector<signal> access_observations(const access_health& h, instant now);
std::vector<signal> access_signals(const access_health& h, instant now);

// One line on what to do about an alert of `kind`.
std::string signal_advice(std::string_view kind);

// Rank of an AHR status (higher is worse); nullopt for one not known.
std::optional<int> ahr_rank(std::string_view status);

}  // namespace shd::alerts
