// The daemon's configuration: one YAML file, validated strictly (unknown keys,
// duplicate keys, wrong types and out-of-range values are errors naming file,
// line, column and key). Defaults are Amazon's targets (core/metric_catalog).
// parse_config is a pure function of the text and file name; load_config only
// adds reading the file. Nothing else reads YAML. The key tables live in
// config.cpp, the validating machinery in schema.hpp (internal).
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/metric_catalog.hpp"
#include "core/result.hpp"

namespace shd::config {

struct metric_thresholds {
    double target = 0;
    double warn = 0;
    std::vector<int> windows;  // days, ascending, no duplicates
    int lag_days = 0;
    int min_orders = kDefaultMinOrders;

    bool operator==(const metric_thresholds&) const = default;
};

// `alerts.channels[].match`: which alerts a channel is sent. Every key that
// is given must match; within a key, any value listed does. An empty key
// matches everything. An alert of the whole account (no marketplace: stale
// data, the SP-API's health) passes a marketplace matcher.
struct channel_match {
    std::vector<std::string> marketplaces;  // key `marketplace`: marketplace IDs
    std::vector<std::string> metrics;       // key `metric`: metric keys
    std::vector<std::string> severities;    // key `severity`: at_risk, breached
    std::vector<std::string> kinds;         // key `kind`: metric, deadline, stale, amazon, source
    bool operator==(const channel_match&) const = default;
};

// `alerts.channels[].digest`: the channel is sent one digest a day at a
// local hour instead of each notice as it is decided (docs/alerts.md,
// "Digest channels").
struct digest_config {
    std::string at;        // "08:00", local time of day
    std::string timezone;  // IANA name; empty: display_time_zone, else UTC
    bool operator==(const digest_config&) const = default;
};

// The values the `severity` and `kind` keys of a `match` take, and what is
// wrong with a marketplace ID one names (nullopt: nothing), for the other
// readers of matchers (`silence add --match`).
std::span<const std::string_view> match_severity_values();
std::span<const std::string_view> match_kind_values();
std::optional<std::string> match_marketplace_problem(std::string_view text);

// One place notifications go (`alerts.channels[]`).
struct alert_channel {
    std::string name;  // unique; test-alert --channel NAME
    std::string type;  // webhook, slack, email, teams, discord, pagerduty, alertmanager
    std::string min_severity = "at_risk";  // at_risk or breached
    std::string
        url;  // webhook/slack/teams/discord/pagerduty endpoint; smtp:// or smtps:// for email
    std::string secret;                // webhook: HMAC-SHA256 key for X-Signature-SHA256 (secret)
    std::string routing_key;           // pagerduty integration key (secret)
    std::filesystem::path ca_file;     // extra trusted CA for https / smtp TLS
    std::chrono::seconds timeout{10};  // per delivery attempt
    // email
    std::string from;
    std::vector<std::string> to;
    std::string username;
    std::filesystem::path password_file;  // read at send time; relative to the config's folder
    std::string tls;  // starttls (default for smtp://), implicit (smtps://), none (explicit only)
    // alertmanager: the endsAt of a firing alert is the post time plus this;
    // 0 until resolved to twice alerts.repeat_interval.
    std::chrono::seconds ends_after{0};
    channel_match match;
    bool send_resolved = true;  // false: resolves are not sent here
    // Set: a digest channel (webhook, slack, teams, discord, email only).
    std::optional<digest_config> digest;

    bool operator==(const alert_channel&) const = default;
};

// at_risk notifications wait while quiet hours last; breached ones do not.
struct quiet_hours_config {
    std::string start;             // "22:00"
    std::string end;               // "07:00"
    std::string timezone = "UTC";  // IANA name, read from the system tzdata
    bool operator==(const quiet_hours_config&) const = default;
};

// "22:00" -> 22 h; "7:05" and "07:05" -> 7 h 5 min. Hours 0-23, minutes 00-59
// (always two digits). nullopt for anything else.
std::optional<std::chrono::minutes> parse_time_of_day(std::string_view text);

struct alerts_config {
    std::vector<alert_channel> channels;
    int for_evaluations = 1;  // key `for`: consecutive evaluations before firing
    std::chrono::seconds repeat_interval{12 * 3600};
    double resolve_margin = 0;  // the rate must be back past warn by this much to resolve
    std::chrono::seconds max_delivery_age{24 * 3600};
    std::optional<quiet_hours_config> quiet_hours;
    bool deadline_alerts = true;
    std::chrono::seconds message_deadline_warn{20 * 3600};
    std::chrono::seconds ship_deadline_warn{4 * 3600};
    std::chrono::seconds stale_after{36 * 3600};
    bool operator==(const alerts_config&) const = default;
};

// The HTTP endpoint (/healthz, /metrics, /api/status and the dashboard).
struct http_config {
    std::string listen;  // "127.0.0.1:9110"; empty: no endpoint
    bool operator==(const http_config&) const = default;
};

// `sp_api`: fetch the seller's data from Amazon's Selling Partner API
// (spec/sources.md). Absent: nothing is fetched.
struct sp_api_schedule {
    std::chrono::seconds orders{15 * 60};
    std::chrono::seconds finances{6 * 3600};
    std::chrono::seconds feedback{24 * 3600};
    std::chrono::seconds performance{4 * 3600};
    bool operator==(const sp_api_schedule&) const = default;
};

struct sp_api_config {
    std::string region = "na";              // na, eu or fe
    std::vector<std::string> marketplaces;  // marketplace IDs, at least one
    std::string client_id;
    std::string client_secret;          // the value, or "credential:NAME" (read when used)
    std::string refresh_token;          // the value, or "credential:NAME"
    std::string client_secret_expires;  // "YYYY-MM-DD"; empty: not stated
    int backfill_days = 90;
    sp_api_schedule schedule;
    std::string endpoint;   // https:// override of the region's endpoint; empty: the region's
    std::string token_url;  // https:// override of Login with Amazon; empty: Amazon's
    std::filesystem::path ca_file;  // extra trusted CA; empty: none
    std::string proxy;              // https proxy URL for every SP-API request; empty: HTTPS_PROXY
    bool operator==(const sp_api_config&) const = default;
};

// `mailbox.imap`: the seller's mailbox over IMAP (spec/sources.md "The mailbox").
struct mailbox_imap_config {
    std::string url;  // imaps://host[:port] or imap://host[:port] (then STARTTLS)
    std::string username;
    std::string password;  // or "credential:NAME"; a secret
    std::vector<std::string> buyer_folders{"INBOX"};
    std::vector<std::string> reply_folders{"Sent"};
    std::string tls;                   // starttls (default for imap://), implicit (imaps://), none
    std::filesystem::path ca_file;     // trusted CA instead of the system's
    std::chrono::seconds timeout{60};  // connecting, and a stalled transfer
    bool operator==(const mailbox_imap_config&) const = default;
};

// `mailbox.maildir`: a local Maildir (its new/ and cur/), read only.
struct mailbox_maildir_config {
    std::vector<std::filesystem::path> buyer_folders;
    std::vector<std::filesystem::path> reply_folders;
    bool operator==(const mailbox_maildir_config&) const = default;
};

// `mailbox`: absent means no mailbox source. One of imap and maildir.
struct mailbox_config {
    std::optional<mailbox_imap_config> imap;
    std::optional<mailbox_maildir_config> maildir;
    std::chrono::seconds poll_interval{120};
    bool enabled() const { return imap.has_value() || maildir.has_value(); }
    bool operator==(const mailbox_config&) const = default;
};

// The account of a config without a file name to take it from.
inline constexpr std::string_view kDefaultAccount = "seller-healthd";

// The account a config file gets when it names none: the file's stem
// ("acme.yaml" -> "acme"), or kDefaultAccount when the stem is not a usable
// label value.
std::string default_account_for(const std::filesystem::path& file);

struct config {
    std::filesystem::path source_path;  // the file it was read from
    // Names the seller account in alerts, on the dashboard and as the
    // `account` label of every /metrics series. Default: the config file's
    // stem (/etc/seller-healthd/acme.yaml -> "acme").
    std::string account = std::string(kDefaultAccount);
    std::filesystem::path database = "/var/lib/seller-healthd/seller-healthd.sqlite";
    std::filesystem::path inbox = "/var/lib/seller-healthd/inbox";
    std::string default_marketplace = "ATVPDKIKX0DER";
    // The account's own marketplace, for reports that name none (an Unshipped
    // report without sales-channel). Empty: not stated, and such a report is
    // refused.
    std::string marketplace;
    std::chrono::seconds poll_interval{60};
    // Our rate and Amazon's (from an account-health snapshot) may differ by
    // this much, as a fraction, before status flags the difference.
    double reconcile_tolerance = 0.005;
    std::string log_level = "info";
    // IANA zone notices show times in beside UTC; empty: each marketplace's
    // own zone (core/marketplaces.hpp).
    std::string display_time_zone;

    // Resolved thresholds: every metric is present, overrides already merged.
    std::map<metric_key, metric_thresholds> metrics;
    std::map<std::string, std::map<metric_key, metric_thresholds>> marketplace_metrics;

    alerts_config alerts;
    http_config http;
    std::optional<sp_api_config> sp_api;  // nullopt: no `sp_api` section, nothing fetched
    mailbox_config mailbox;

    // `feeds.<name>.max_age`, resolved: every feed of core/feed_catalog.hpp,
    // the file's value or else alerts.stale_after. A feed that has not
    // arrived for longer is stale (metrics/freshness.hpp).
    std::map<std::string, std::chrono::seconds, std::less<>> feed_max_ages;

    // The max_age of a feed; alerts.stale_after for a name the catalog lacks.
    std::chrono::seconds feed_max_age(std::string_view feed) const;

    // The thresholds for one metric in one marketplace (the override when the
    // marketplace has one, else the global value).
    const metric_thresholds& thresholds(metric_key key, const std::string& marketplace_id) const;

    // Field by field, source_path included (a reload compares old and new).
    bool operator==(const config&) const = default;
};

// The zone a digest channel's hour is in: its own timezone, else
// display_time_zone, else UTC.
std::string digest_time_zone(const digest_config& d, const config& c);

// A config error, positioned in the file (line and column count from 1; 0
// when the error is about the file as a whole).
struct config_error {
    std::string file;
    int line = 0;
    int column = 0;
    std::string key;  // dotted path: "metrics.late_dispatch_rate.warn"
    std::string message;

    // "FILE:LINE:COL: KEY: MESSAGE" ("FILE:LINE:COL: MESSAGE" without a key,
    // e.g. for YAML syntax errors).
    std::string to_string() const;
};

[[noreturn]] void throw_exception_from_error(config_error const& e, boost::source_location const&);

// One key of the file, for the man page seller-healthd.yaml(5) and the
// reference: every key the parser accepts, walked from the same tables.
struct key_doc {
    std::string key;            // dotted: "alerts.channels[].timeout", "metrics.<metric>.warn"
    std::string type;           // "duration, at least 1s", "one of: trace, debug, ..."
    std::string default_value;  // YAML flow text; empty when there is no single default
    std::string description;
};

// Every key in document order (a section before the keys inside it).
std::vector<key_doc> schema_keys();

// The built-in configuration (no file): Amazon's defaults everywhere.
config default_config();

// Parses and validates YAML text. `file_name` is used in errors and to resolve
// relative paths (database, inbox) against the file's directory. Empty text or
// only comments gives default_config(). Stops at the first error.
result<config, config_error> parse_config(std::string_view yaml_text,
                                          const std::filesystem::path& file_name);

// Reads and parses a file. Errors name the path as given; relative paths in the
// file resolve against the file's absolute directory, and source_path is absolute.
result<config, config_error> load_config(const std::filesystem::path& path);

// The effective configuration as YAML, every key present (every metric with all
// its fields, every marketplace override fully resolved), no comments, secrets
// printed as "***". Without secrets it parses back to an equal config.
std::string format_effective(const config& c);

}  // namespace shd::config
