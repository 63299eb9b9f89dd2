// `status --all` and `status --check`: many accounts (one config file and one
// database each) summed up as one row per account, worst first, for people
// (a table), for scripts (JSON) and for monitoring systems (one
// Nagios-plugin line with perfdata and exit code). Pure: every function here
// is a function of the evaluations already made; reading configs and
// databases is the caller's.
//
// An account's state: breached when any row is breached, else at_risk when
// any is at risk, else ok when any row has data; unknown when its config or
// database could not be read, or no row has data. Order: breached, at_risk,
// unknown, ok; within a state the least headroom first, then the account.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "metrics/evaluation.hpp"

namespace shd::report {

enum class account_state { breached, at_risk, unknown, ok };

// "breached", "at_risk", "unknown", "ok".
std::string_view state_name(account_state s);

// What the caller found for one account: an evaluation, or why there is none.
struct account_input {
    std::string account;      // config `account`, or the config file's stem when it failed
    std::string config_path;  // the file read
    std::string database;     // empty when the config failed to load
    std::optional<metrics::evaluation> evaluation;
    std::string error;  // set exactly when evaluation is not
};

struct account_summary {
    std::string account;
    std::string config_path;
    std::string database;
    account_state state = account_state::unknown;
    int breached = 0;  // rows per status
    int at_risk = 0;
    int ok = 0;
    int no_data = 0;
    // The row that decides the state: worst status, then least headroom.
    std::optional<metrics::metric_result> worst;
    std::optional<metrics::evaluation> evaluation;  // for perfdata
    std::string error;
};

// One summary per input, worst first (the order above).
std::vector<account_summary> summarize_accounts(std::vector<account_input> inputs);

// The table: Account, State, Breached, At risk, Worst metric, Value, Target,
// Headroom, Problem.
std::string accounts_table(const std::vector<account_summary>& rows, bool color);

// A JSON array, one object per row (docs/cli.md "status --all --json").
std::string accounts_json(const std::vector<account_summary>& rows);

// A monitoring-plugin result: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
struct plugin_result {
    int exit_code = 3;
    std::string line;  // "SELLER-HEALTH OK - ... | perfdata", no newline
};

// Over all rows: CRITICAL when any account is breached, else WARNING when
// any is at risk, else UNKNOWN when any is unknown (or there is none), else OK.
plugin_result plugin_check(const std::vector<account_summary>& rows);

}  // namespace shd::report
