// The key tables of seller-healthd.yaml and the checks that span several
// values (warn on the right side of target). The machinery is in schema.hpp.
#include "config/config.hpp"

#include <curl/curl.h>
#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "config/schema.hpp"
#include "config/sp_api_rows.hpp"
#include "config/yaml_bounds.hpp"
#include "core/credentials.hpp"
#include "core/feed_catalog.hpp"
#include "core/metric_catalog.hpp"
#include "core/text.hpp"
#include "core/time.hpp"

namespace shd::config {
namespace {

using namespace detail;

constexpr std::string_view kLogLevels[] = {"trace", "debug", "info", "warn", "error"};

// A config file is a few kilobytes; a bigger one is the wrong file (or /dev/zero).
constexpr std::size_t kMaxFileBytes = 1 << 20;

// metrics.<metric> and marketplaces.<id>.<metric>.
const table<metric_thresholds>& threshold_rows() {
    static const table<metric_thresholds> rows = {
        field("target", &metric_thresholds::target, in_range(open(0, 1)),
              "Amazon's limit as a fraction (0.04 is 4%): past it the metric is breached."),
        field("warn", &metric_thresholds::warn, in_range(open(0, 1)),
              "Where seller-healthd reports the metric at risk; on the safe side of target."),
        field("windows", &metric_thresholds::windows, list_of("window", closed(1, 365)),
              "Window lengths in days, each evaluated on its own."),
        field("lag_days", &metric_thresholds::lag_days, in_range(closed(0, 365)),
              "Days the window ends before the evaluation (Amazon counts ODR with a lag)."),
        field("min_orders", &metric_thresholds::min_orders, in_range(at_least(0)),
              "Below this many orders (or messages) a window is marked low volume."),
    };
    return rows;
}

const std::vector<std::string_view>& metric_names() {
    static const std::vector<std::string_view> names = [] {
        std::vector<std::string_view> out;
        for (const auto& m : all_metrics())
            out.push_back(m.name);
        return out;
    }();
    return names;
}

// Reads "<metric>: {target: ..., ...}" entries into `resolved`, over what it
// already holds: that is the field-by-field merge.
status parse_metric_map(const YAML::Node& node, const std::string& key,
                        std::map<metric_key, metric_thresholds>& resolved, parse_context& ctx) {
    auto entries = map_entries(node, key, "order_defect_rate, late_dispatch_rate, ...", ctx);
    if (!entries)
        return entries.error();
    for (const auto& e : *entries) {
        const std::string metric_key_path = join_key(key, e.name);
        const auto metric = metric_from_name(e.name);
        if (!metric) {
            std::string message = unknown_name_message("metric", e.name, metric_names());
            const auto fields = names_of(threshold_rows());
            if (std::find(fields.begin(), fields.end(), e.name) != fields.end()) {
                message +=
                    fmt::format("; {} belongs under a metric: {}.<metric>.{}", e.name, key, e.name);
            }
            return ctx.error(position_of(e.key.Mark()), metric_key_path, message);
        }
        if (auto s = parse_map(e.value, metric_key_path, position_of(e.key.Mark()),
                               threshold_rows(), resolved.at(*metric), ctx);
            !s) {
            return s;
        }
    }
    return {};
}

void emit_metric_map(YAML::Emitter& out, const std::map<metric_key, metric_thresholds>& resolved) {
    out << YAML::BeginMap;
    for (const auto& m : all_metrics()) {
        out << YAML::Key << std::string(m.name) << YAML::Value;
        emit_map(out, threshold_rows(), resolved.at(m.key));
    }
    out << YAML::EndMap;
}

row<config> metrics_row() {
    return row<config>{
        "metrics",
        [](const map_entry& e, const std::string& key, config& c, parse_context& ctx) {
            return parse_metric_map(e.value, key, c.metrics, ctx);
        },
        [](YAML::Emitter& out, const config& c) {
            out << YAML::Key << "metrics" << YAML::Value;
            emit_metric_map(out, c.metrics);
        },
        false,
        "Thresholds per metric, by metric name; a metric or field left out keeps its default "
        "(see METRICS).",
        "map",
        false,
        [](const std::string& key, const config*, std::vector<key_doc>& out) {
            const std::string metric_key = key + ".<metric>";
            out.push_back({metric_key, "map", "",
                           "One metric's thresholds: order_defect_rate, late_dispatch_rate, "
                           "cancellation_rate, valid_tracking_rate or response_rate_24h."});
            document_table(threshold_rows(), metric_key,
                           static_cast<const metric_thresholds*>(nullptr), out);
        }};
}

// Must come after metrics_row in the table: an override starts from the
// merged global thresholds.
row<config> marketplaces_row() {
    return row<config>{
        "marketplaces",
        [](const map_entry& e, const std::string& key, config& c, parse_context& ctx) -> status {
            auto entries = map_entries(e.value, key, "marketplace IDs such as ATVPDKIKX0DER", ctx);
            if (!entries)
                return entries.error();
            for (const auto& m : *entries) {
                const std::string id_key = join_key(key, m.name);
                if (auto problem = marketplace_id_problem(m.name)) {
                    return ctx.error(position_of(m.key.Mark()), id_key, *problem);
                }
                auto resolved = c.metrics;
                if (auto s = parse_metric_map(m.value, id_key, resolved, ctx); !s)
                    return s;
                c.marketplace_metrics[m.name] = std::move(resolved);
            }
            return {};
        },
        [](YAML::Emitter& out, const config& c) {
            out << YAML::Key << "marketplaces" << YAML::Value;
            if (c.marketplace_metrics.empty()) {
                out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
                return;
            }
            out << YAML::BeginMap;
            for (const auto& [id, resolved] : c.marketplace_metrics) {
                out << YAML::Key << id << YAML::Value;
                emit_metric_map(out, resolved);
            }
            out << YAML::EndMap;
        },
        false,
        "Threshold overrides for single marketplaces, by marketplace ID; each holds metrics "
        "like the metrics section and starts from its merged values.",
        "map",
        false,
        [](const std::string& key, const config*, std::vector<key_doc>& out) {
            out.push_back({key + ".<id>", "map", "",
                           "The overrides of one marketplace (an ID such as A1F83G8C2ARO7P), "
                           "by metric name."});
            out.push_back({key + ".<id>.<metric>", "map", "",
                           "The thresholds of one metric in one marketplace: target, warn, "
                           "windows, lag_days, min_orders."});
        }};
}

// ---- alerts ----

constexpr std::string_view kChannelTypes[] = {"webhook", "slack",     "email",       "teams",
                                              "discord", "pagerduty", "alertmanager"};
constexpr std::string_view kSeverities[] = {"at_risk", "breached"};
constexpr std::string_view kTlsModes[] = {"starttls", "implicit", "none"};

constexpr std::string_view kPagerDutyEventsUrl = "https://events.pagerduty.com/v2/enqueue";

// The channel keys every type takes, and those only some types take.
constexpr std::string_view kCommonChannelKeys[] = {"name",    "type",  "min_severity", "timeout",
                                                   "ca_file", "match", "send_resolved"};
constexpr std::string_view kAlertKindGroups[] = {"metric", "deadline", "stale", "amazon", "source"};
struct type_keys {
    std::string_view type;
    std::vector<std::string_view> keys;
};
const std::vector<type_keys>& channel_type_keys() {
    static const std::vector<type_keys> keys = {
        {"webhook", {"url", "secret", "digest"}},
        {"slack", {"url", "digest"}},
        {"teams", {"url", "digest"}},
        {"discord", {"url", "digest"}},
        {"pagerduty", {"url", "routing_key"}},
        {"email", {"url", "from", "to", "username", "password_file", "tls", "digest"}},
        {"alertmanager", {"url", "ends_after"}},
    };
    return keys;
}
const std::vector<std::string_view>& keys_of_type(std::string_view type) {
    for (const auto& t : channel_type_keys()) {
        if (t.type == type)
            return t.keys;
    }
    throw std::logic_error("config: no key list for channel type " + std::string(type));
}
bool type_takes(std::string_view type, std::string_view key) {
    const auto& keys = keys_of_type(type);
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

value_rule optional_secret() {
    value_rule rule = secret_text();
    rule.allow_empty = true;
    return rule;
}

// A bare address: local@domain, no display name, no spaces or brackets (the
// header is built from it; nothing may smuggle in a second recipient).
bool is_plain_address(std::string_view text) {
    const auto at = text.find('@');
    if (at == std::string_view::npos || at == 0 || at + 1 >= text.size())
        return false;
    if (text.find('@', at + 1) != std::string_view::npos)
        return false;
    const std::string_view domain = text.substr(at + 1);
    if (domain.front() == '.' || domain.back() == '.' ||
        domain.find("..") != std::string_view::npos)
        return false;
    return std::none_of(text.begin(), text.end(), [](char c) {
        return std::isspace(static_cast<unsigned char>(c)) ||
               std::string_view("<>()[],;:\"\\").find(c) != std::string_view::npos;
    });
}

std::string address_problem(std::string_view text) {
    return fmt::format(
        "'{}' is not an email address such as alerts@example.com (display names are not "
        "supported)",
        text);
}

// email `to`: a non-empty list of addresses.
row<alert_channel> address_list_field(std::string_view name,
                                      std::vector<std::string> alert_channel::*member) {
    return row<alert_channel>{
        name,
        [member](const map_entry& e, const std::string& key, alert_channel& target,
                 parse_context& ctx) -> status {
            const position at = value_position(e);
            if (auto shape = check_text_list_shape(
                    e, key, ctx, "a list of email addresses such as [ops@example.com]", "address");
                !shape)
                return shape;
            std::vector<std::string> addresses;
            for (const YAML::Node& item : e.value) {
                const map_entry item_entry{e.name, e.key, item};
                auto text = read_text(any_text(), item_entry, key, ctx);
                if (!text)
                    return text.error();
                if (!is_plain_address(*text))
                    return ctx.error(value_position(item_entry), key, address_problem(*text));
                addresses.push_back(*text);
            }
            target.*member = std::move(addresses);
            ctx.origins[key] = at;
            return {};
        },
        [member, name](YAML::Emitter& out, const alert_channel& source) {
            out << YAML::Key << std::string(name) << YAML::Value << YAML::Flow << YAML::BeginSeq;
            for (const auto& address : source.*member)
                out << YAML::DoubleQuoted << address;
            out << YAML::EndSeq;
        },
        false,
        "email: the recipients, a list of plain addresses.",
        "list of email addresses"};
}

const table<channel_match>& match_rows() {
    static const std::vector<std::string_view> metric_names = [] {
        std::vector<std::string_view> names;
        for (const auto& d : all_metrics())
            names.push_back(d.name);
        return names;
    }();
    static const table<channel_match> rows = {
        text_list("marketplace", &channel_match::marketplaces, marketplace_id(),
                  "a list of marketplace IDs such as [A1F83G8C2ARO7P]", "marketplace ID",
                  "Only alerts of these marketplaces (alerts of the whole account pass).",
                  "list of marketplace IDs"),
        text_list("metric", &channel_match::metrics, one_of(metric_names),
                  "a list of metrics such as [late_dispatch_rate]", "metric",
                  "Only alerts about these metrics (a message deadline is about "
                  "response_rate_24h, a ship-by deadline about late_dispatch_rate, a divergence "
                  "from Amazon about its metric).",
                  "list of metric keys"),
        text_list("severity", &channel_match::severities, one_of(kSeverities),
                  "a list of severities such as [breached]", "severity",
                  "Only alerts of these severities (a resolve counts as the severity it ends).",
                  "list of: at_risk, breached"),
        text_list("kind", &channel_match::kinds, one_of(kAlertKindGroups),
                  "a list of kinds such as [metric, deadline]", "kind",
                  "Only alerts of these kinds: metric (a metric at risk or breached), deadline "
                  "(a message or ship-by deadline), stale (a feed that stopped), amazon "
                  "(Amazon's own account-health signals), source (the SP-API's health).",
                  "list of: metric, deadline, stale, amazon, source"),
    };
    return rows;
}

const table<digest_config>& digest_rows() {
    static const table<digest_config> rows = [] {
        value_rule zone = any_text();
        zone.allow_empty = true;
        return table<digest_config>{
            required(field("at", &digest_config::at, {},
                           "Local time of day the digest is sent, HH:MM.")),
            field("timezone", &digest_config::timezone, zone,
                  "IANA time zone of `at`, such as Europe/Berlin. Empty (the default): "
                  "display_time_zone, else UTC."),
        };
    }();
    return rows;
}

// Optional: absent means the channel is sent each notice as it is decided.
row<alert_channel> digest_row() {
    return row<alert_channel>{
        "digest",
        [](const map_entry& e, const std::string& key, alert_channel& target,
           parse_context& ctx) -> status {
            ctx.origins[key] = value_position(e);
            digest_config d;
            if (auto s = parse_map(e.value, key, position_of(e.key.Mark()), digest_rows(), d, ctx);
                !s) {
                return s;
            }
            const std::string at_key = join_key(key, "at");
            if (!parse_time_of_day(d.at)) {
                return ctx.error(ctx.origins.at(at_key), at_key,
                                 fmt::format("'{}' is not a time of day; write HH:MM, such as "
                                             "08:00",
                                             d.at));
            }
            if (!d.timezone.empty()) {
                try {
                    date::locate_zone(d.timezone);
                } catch (const std::exception&) {
                    const std::string zone_key = join_key(key, "timezone");
                    return ctx.error(ctx.origins.at(zone_key), zone_key,
                                     fmt::format("unknown time zone '{}'; write an IANA name such "
                                                 "as Europe/Berlin or America/New_York",
                                                 d.timezone));
                }
            }
            target.digest = std::move(d);
            return {};
        },
        [](YAML::Emitter& out, const alert_channel& source) {
            if (!source.digest)
                return;
            out << YAML::Key << "digest" << YAML::Value;
            emit_map(out, digest_rows(), *source.digest);
        },
        false,
        "webhook, slack, teams, discord, email: send this channel one digest a day at a local "
        "hour (what changed since the last one and every alert still firing) instead of each "
        "notice as it is decided. Absent: immediate.",
        "map",
        false,
        [](const std::string& key, const alert_channel*, std::vector<key_doc>& out) {
            const digest_config defaults{};
            document_table(digest_rows(), key, &defaults, out);
        }};
}

const table<alert_channel>& channel_rows() {
    static const table<alert_channel> rows = {
        required(field("name", &alert_channel::name, {},
                       "Unique name of the channel (test-alert --channel NAME).")),
        required(
            field("type", &alert_channel::type, one_of(kChannelTypes), "Where notifications go.")),
        field("min_severity", &alert_channel::min_severity, one_of(kSeverities),
              "The least severity sent to this channel."),
        field("url", &alert_channel::url, {},
              "The https endpoint (webhook, slack, teams, discord, pagerduty) or smtp:// or "
              "smtps:// server (email)."),
        field("secret", &alert_channel::secret, optional_secret(),
              "webhook: HMAC-SHA256 key for the X-Signature-SHA256 header."),
        field("routing_key", &alert_channel::routing_key, secret_text(),
              "pagerduty: the integration key."),
        field("ca_file", &alert_channel::ca_file, {},
              "An extra trusted CA certificate (PEM) for this channel's TLS."),
        field("timeout", &alert_channel::timeout, in_range(closed(1, 300)),
              "Time allowed for one delivery attempt."),
        section("match", &alert_channel::match, match_rows(),
                "Which alerts go to this channel (marketplace, metric, severity, kind); "
                "all of them when left out."),
        field("send_resolved", &alert_channel::send_resolved, {},
              "false: this channel is not told when an alert resolves."),
        digest_row(),
        field("ends_after", &alert_channel::ends_after, in_range(at_least(60)),
              "alertmanager: how long Alertmanager keeps a firing alert that seller-healthd "
              "has not posted again (every repeat posts it again). Default: twice "
              "alerts.repeat_interval."),
        field("from", &alert_channel::from, {}, "email: the sender address."),
        address_list_field("to", &alert_channel::to),
        field("username", &alert_channel::username, {}, "email: the SMTP login."),
        field("password_file", &alert_channel::password_file, {},
              "email: file holding the SMTP password, read at send time (relative to this "
              "file's folder)."),
        field("tls", &alert_channel::tls, one_of(kTlsModes),
              "email: starttls (default for smtp://), implicit (smtps://) or none."),
    };
    return rows;
}

// Writes one channel with the keys its type takes; optional keys left unset
// are left out, so the output reads back to the same channel.
void emit_channel(YAML::Emitter& out, const alert_channel& c) {
    // A webhook's URL often carries its token in the path or query, as the
    // chat services' do: every HTTP channel's URL is a secret.
    const bool url_is_secret = c.type == "webhook" || c.type == "slack" || c.type == "teams" ||
                               c.type == "discord" || c.type == "pagerduty";
    out << YAML::BeginMap;
    for (const auto& r : channel_rows()) {
        const bool common = std::find(std::begin(kCommonChannelKeys), std::end(kCommonChannelKeys),
                                      r.name) != std::end(kCommonChannelKeys);
        if (!common && !type_takes(c.type, r.name))
            continue;
        if ((r.name == "ca_file" && c.ca_file.empty()) ||
            (r.name == "secret" && c.secret.empty()) ||
            (r.name == "username" && c.username.empty()) ||
            (r.name == "password_file" && c.password_file.empty()) ||
            (r.name == "match" && c.match == channel_match{}) ||
            (r.name == "digest" && !c.digest)) {
            continue;
        }
        if (r.name == "url" && url_is_secret) {
            write_value(out, "url", secret_text(), c.url);
            continue;
        }
        r.emit(out, c);
    }
    out << YAML::EndMap;
}

struct url_parts {
    std::string scheme;
    std::string host;
    std::string path;
    bool has_user = false;
};

// libcurl parses (the delivery side sends with it, so the two agree).
result<url_parts, error_message> parse_url(const std::string& text) {
    std::unique_ptr<CURLU, void (*)(CURLU*)> url(curl_url(), &curl_url_cleanup);
    if (!url)
        throw std::bad_alloc();
    if (const CURLUcode rc =
            curl_url_set(url.get(), CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME);
        rc != CURLUE_OK) {
        return error_message{curl_url_strerror(rc)};
    }
    const auto part = [&](CURLUPart which) -> std::optional<std::string> {
        char* value = nullptr;
        if (curl_url_get(url.get(), which, &value, 0) != CURLUE_OK || value == nullptr)
            return std::nullopt;
        std::string s(value);
        curl_free(value);
        return s;
    };
    url_parts parts;
    parts.scheme = part(CURLUPART_SCHEME).value_or("");
    parts.host = part(CURLUPART_HOST).value_or("");
    parts.has_user = part(CURLUPART_USER).has_value();
    parts.path = part(CURLUPART_PATH).value_or("");
    for (auto& ch : parts.scheme)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return parts;
}

bool is_loopback_host(std::string_view host) {
    if (host.starts_with('[') && host.ends_with(']'))
        host = host.substr(1, host.size() - 2);
    if (iequals(host, "localhost") || host == "::1")
        return true;
    // 127.0.0.0/8, written as four numbers.
    if (!host.starts_with("127."))
        return false;
    int dots = 0;
    for (const char ch : host) {
        if (ch == '.')
            ++dots;
        else if (!std::isdigit(static_cast<unsigned char>(ch)))
            return false;
    }
    return dots == 3;
}

bool is_channel_name(std::string_view name) {
    return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
}

// The checks a channel's keys cannot make alone: which keys its type takes,
// required keys per type, URL schemes, TLS mode.
status check_channel(alert_channel& c, const std::string& key, position item_at,
                     parse_context& ctx) {
    const auto at = [&](std::string_view field) {
        const auto it = ctx.origins.find(join_key(key, field));
        return it == ctx.origins.end() ? item_at : it->second;
    };
    const auto given = [&](std::string_view field) {
        return ctx.origins.contains(join_key(key, field));
    };
    if (!is_channel_name(c.name)) {
        return ctx.error(at("name"), join_key(key, "name"),
                         fmt::format("channel name '{}' may hold only letters, digits, '-', '_' "
                                     "and '.' (at most 64)",
                                     c.name));
    }
    for (const auto& r : channel_rows()) {
        const bool common = std::find(std::begin(kCommonChannelKeys), std::end(kCommonChannelKeys),
                                      r.name) != std::end(kCommonChannelKeys);
        if (common || !given(r.name) || type_takes(c.type, r.name))
            continue;
        std::vector<std::string> takers;
        for (const auto& t : channel_type_keys()) {
            if (std::find(t.keys.begin(), t.keys.end(), r.name) != t.keys.end())
                takers.emplace_back(t.type);
        }
        if (r.name == "digest") {
            return ctx.error(at(r.name), join_key(key, r.name),
                             fmt::format("{} channels cannot be a digest: an incident must not "
                                         "wait a day (digest is for {} channels)",
                                         c.type, fmt::join(takers, ", ")));
        }
        return ctx.error(at(r.name), join_key(key, r.name),
                         fmt::format("{} channels do not take '{}' (it is for {} channels)", c.type,
                                     r.name, fmt::join(takers, ", ")));
    }
    const auto missing = [&](std::string_view field, std::string_view what) {
        return ctx.error(item_at, join_key(key, field),
                         fmt::format("missing key '{}': {} channels need {}", field, c.type, what));
    };

    if (c.type == "pagerduty") {
        if (c.routing_key.empty())
            return missing("routing_key", "the integration's routing key (Events API v2)");
        if (c.url.empty())
            c.url = std::string(kPagerDutyEventsUrl);
    }
    if (c.url.empty()) {
        return missing(
            "url", c.type == "email" ? "an smtp:// or smtps:// server URL" : "the URL to post to");
    }
    const std::string url_key = join_key(key, "url");
    // Credential references name a file systemd provides at run time.
    for (const auto& [field_name, value] : {std::pair<std::string_view, std::string>{"url", c.url},
                                            {"secret", c.secret},
                                            {"routing_key", c.routing_key},
                                            {"password_file", c.password_file.string()}}) {
        if (!is_credential_reference(value))
            continue;
        if (auto problem = credential_name_problem(value.substr(kCredentialPrefix.size())))
            return ctx.error(at(field_name), join_key(key, field_name), *problem);
        if (field_name == "url" && c.type == "email") {
            return ctx.error(at("url"), url_key,
                             "an SMTP server URL is not a secret: write it out and keep the "
                             "password in password_file");
        }
    }
    if (is_credential_reference(c.url))
        return {};  // its scheme is checked when it is read
    auto url = parse_url(c.url);
    if (!url) {
        return ctx.error(at("url"), url_key, fmt::format("not a valid URL ({})", url.error().text));
    }
    std::vector<std::string_view> schemes;
    if (c.type == "webhook" || c.type == "alertmanager")
        schemes = {"https", "http"};
    else if (c.type == "email")
        schemes = {"smtp", "smtps"};
    else
        schemes = {"https"};
    // A local relay or test receiver: plain http stays on this machine.
    if ((c.type == "slack" || c.type == "teams" || c.type == "discord") && url->scheme == "http") {
        if (!is_loopback_host(url->host)) {
            return ctx.error(at("url"), url_key,
                             fmt::format("{} channels need an https:// URL; http:// is only "
                                         "allowed to a loopback address (127.0.0.1, ::1, "
                                         "localhost), not {}",
                                         c.type, url->host));
        }
        schemes.push_back("http");
    }
    if (std::find(schemes.begin(), schemes.end(), url->scheme) == schemes.end()) {
        return ctx.error(at("url"), url_key,
                         fmt::format("{} channels need a {} URL, got {}://", c.type,
                                     fmt::join(schemes, ":// or "), url->scheme));
    }
    if (url->host.empty())
        return ctx.error(at("url"), url_key, "the URL has no host");
    // Alertmanager is named by its address; its API path is added here.
    if (c.type == "alertmanager" && (url->path.empty() || url->path == "/")) {
        while (!c.url.empty() && c.url.back() == '/')
            c.url.pop_back();
        c.url += "/api/v2/alerts";
    }

    if (c.type == "email") {
        if (c.from.empty())
            return missing("from", "a sender address");
        if (!is_plain_address(c.from))
            return ctx.error(at("from"), join_key(key, "from"), address_problem(c.from));
        if (c.to.empty())
            return missing("to", "a list of recipient addresses");
        if (!c.username.empty() && c.password_file.empty())
            return missing("password_file", "a password_file when a username is given");
        if (c.username.empty() && !c.password_file.empty())
            return missing("username", "a username when a password_file is given");
        if (url->has_user) {
            return ctx.error(at("url"), url_key,
                             "put the user name in 'username' and the password in "
                             "'password_file', not in the URL");
        }
        const bool implicit = url->scheme == "smtps";
        if (c.tls.empty()) {
            c.tls = implicit ? "implicit" : "starttls";
        } else if (implicit && c.tls != "implicit") {
            return ctx.error(at("tls"), join_key(key, "tls"),
                             fmt::format("smtps:// always uses TLS (implicit); tls: {} does not "
                                         "apply (use smtp:// for {})",
                                         c.tls, c.tls));
        } else if (!implicit && c.tls == "implicit") {
            return ctx.error(at("tls"), join_key(key, "tls"),
                             "tls: implicit needs an smtps:// URL (port 465); smtp:// uses "
                             "starttls");
        }
    }
    return {};
}

row<alerts_config> channels_row() {
    row<alerts_config> inner = records("channels", &alerts_config::channels, channel_rows(),
                                       "The places notifications go, each a map; none by default.");
    row<alerts_config> r = inner;
    r.parse = [inner](const map_entry& e, const std::string& key, alerts_config& target,
                      parse_context& ctx) -> status {
        if (auto s = inner.parse(e, key, target, ctx); !s)
            return s;
        std::map<std::string, std::size_t> names;
        for (std::size_t i = 0; i < target.channels.size(); ++i) {
            const std::string item_key = key + "[" + std::to_string(i) + "]";
            const position item_at = position_of(e.value[i].Mark());
            if (auto s = check_channel(target.channels[i], item_key, item_at, ctx); !s)
                return s;
            const auto [first, added] = names.emplace(target.channels[i].name, i);
            if (!added) {
                const std::string name_key = join_key(item_key, "name");
                return ctx.error(ctx.origins.at(name_key), name_key,
                                 fmt::format("channel name '{}' is already used by {}[{}]",
                                             target.channels[i].name, key, first->second));
            }
        }
        return {};
    };
    r.emit = [](YAML::Emitter& out, const alerts_config& source) {
        out << YAML::Key << "channels" << YAML::Value;
        if (source.channels.empty()) {
            out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
            return;
        }
        out << YAML::BeginSeq;
        for (const auto& c : source.channels)
            emit_channel(out, c);
        out << YAML::EndSeq;
    };
    return r;
}

const table<quiet_hours_config>& quiet_hours_rows() {
    static const table<quiet_hours_config> rows = {
        required(field("start", &quiet_hours_config::start, {}, "Start of quiet hours, HH:MM.")),
        required(field("end", &quiet_hours_config::end, {}, "End of quiet hours, HH:MM.")),
        field("timezone", &quiet_hours_config::timezone, {},
              "IANA time zone of start and end, such as Europe/Berlin."),
    };
    return rows;
}

// Optional section: absent or empty ({}) means no quiet hours.
row<alerts_config> quiet_hours_row() {
    return row<alerts_config>{
        "quiet_hours",
        [](const map_entry& e, const std::string& key, alerts_config& target,
           parse_context& ctx) -> status {
            auto entries = map_entries(e.value, key, describe_keys(quiet_hours_rows()), ctx);
            if (!entries)
                return entries.error();
            if (entries->empty()) {
                target.quiet_hours.reset();
                return {};
            }
            quiet_hours_config q;
            if (auto s =
                    parse_map(e.value, key, position_of(e.key.Mark()), quiet_hours_rows(), q, ctx);
                !s) {
                return s;
            }
            for (const auto* field_name : {"start", "end"}) {
                const std::string field_key = join_key(key, field_name);
                const std::string& text = std::string_view(field_name) == "start" ? q.start : q.end;
                if (!parse_time_of_day(text)) {
                    return ctx.error(ctx.origins.at(field_key), field_key,
                                     fmt::format("'{}' is not a time of day; write HH:MM, such as "
                                                 "22:00 or 07:30",
                                                 text));
                }
            }
            if (*parse_time_of_day(q.start) == *parse_time_of_day(q.end)) {
                const std::string end_key = join_key(key, "end");
                return ctx.error(ctx.origins.at(end_key), end_key,
                                 "end equals start; quiet hours need a span (remove quiet_hours "
                                 "to have none)");
            }
            try {
                date::locate_zone(q.timezone);
            } catch (const std::exception&) {
                const std::string zone_key = join_key(key, "timezone");
                const auto it = ctx.origins.find(zone_key);
                return ctx.error(it == ctx.origins.end() ? position_of(e.key.Mark()) : it->second,
                                 zone_key,
                                 fmt::format("unknown time zone '{}'; write an IANA name such as "
                                             "Europe/Berlin or America/New_York",
                                             q.timezone));
            }
            target.quiet_hours = std::move(q);
            return {};
        },
        [](YAML::Emitter& out, const alerts_config& source) {
            out << YAML::Key << "quiet_hours" << YAML::Value;
            if (!source.quiet_hours) {
                out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
                return;
            }
            emit_map(out, quiet_hours_rows(), *source.quiet_hours);
        },
        false,
        "While they last, at_risk notifications wait; breached ones do not. Absent or {}: none.",
        "map",
        false,
        [](const std::string& key, const alerts_config*, std::vector<key_doc>& out) {
            const quiet_hours_config defaults{};
            document_table(quiet_hours_rows(), key, &defaults, out);
        }};
}

const table<alerts_config>& alerts_rows() {
    static const table<alerts_config> rows = {
        channels_row(),
        field("for", &alerts_config::for_evaluations, in_range(closed(1, 1000)),
              "Consecutive evaluations a problem must last before its alert fires."),
        field("repeat_interval", &alerts_config::repeat_interval, in_range(at_least(60)),
              "How often a firing alert is sent again."),
        field("resolve_margin", &alerts_config::resolve_margin, in_range(closed_open(0, 0.5)),
              "How far past warn the rate must come back before an alert resolves."),
        field("max_delivery_age", &alerts_config::max_delivery_age, in_range(at_least(60)),
              "A notification not delivered within this time is given up."),
        quiet_hours_row(),
        field("deadline_alerts", &alerts_config::deadline_alerts, {},
              "Alert on buyer messages and MFN orders about to miss their deadline."),
        // From 12 h: the evaluation lists unanswered messages from 12 h on.
        field("message_deadline_warn", &alerts_config::message_deadline_warn,
              in_range(closed_open(12 * 3600, 24 * 3600)),
              "Age of an unanswered buyer message at which its deadline alert fires."),
        // Up to 24 h: the evaluation lists unconfirmed orders due within 24 h.
        field("ship_deadline_warn", &alerts_config::ship_deadline_warn,
              in_range(closed(60, 24 * 3600)),
              "Time before an unconfirmed MFN order's latest ship date at which its alert "
              "fires."),
        field("stale_after", &alerts_config::stale_after, in_range(at_least(60)),
              "Without a successful import for this long, the stale-data alert fires."),
    };
    return rows;
}

// ---- feeds ----

struct feed_settings {
    std::chrono::seconds max_age{0};
};

const table<feed_settings>& feed_rows() {
    static const table<feed_settings> rows = {
        field("max_age", &feed_settings::max_age, in_range(at_least(60))),
    };
    return rows;
}

const std::vector<std::string_view>& feed_names() {
    static const std::vector<std::string_view> names = [] {
        std::vector<std::string_view> out;
        for (const auto& f : all_feeds())
            out.push_back(f.name);
        return out;
    }();
    return names;
}

// "feeds: {shipments: {max_age: 2d}, ...}". Must come after the alerts
// section: a feed the file leaves out takes alerts.stale_after, filled in by
// resolve_feed_max_ages once the whole file is read.
row<config> feeds_row() {
    return row<config>{
        "feeds",
        [](const map_entry& e, const std::string& key, config& c, parse_context& ctx) -> status {
            auto entries = map_entries(e.value, key, "feed names such as shipments", ctx);
            if (!entries)
                return entries.error();
            for (const auto& f : *entries) {
                const std::string feed_key = join_key(key, f.name);
                if (find_feed(f.name) == nullptr) {
                    return ctx.error(position_of(f.key.Mark()), feed_key,
                                     unknown_name_message("feed", f.name, feed_names()));
                }
                feed_settings settings;
                settings.max_age = c.alerts.stale_after;
                if (auto s = parse_map(f.value, feed_key, position_of(f.key.Mark()), feed_rows(),
                                       settings, ctx);
                    !s) {
                    return s;
                }
                c.feed_max_ages[f.name] = settings.max_age;
            }
            return {};
        },
        [](YAML::Emitter& out, const config& c) {
            out << YAML::Key << "feeds" << YAML::Value << YAML::BeginMap;
            for (const auto& f : all_feeds()) {
                out << YAML::Key << std::string(f.name) << YAML::Value;
                emit_map(out, feed_rows(), feed_settings{c.feed_max_age(f.name)});
            }
            out << YAML::EndMap;
        },
        false,
        "How long each feed may go without arriving before it is stale, by feed name "
        "(all_orders, unshipped, shipments, defects, feedback, messages, account_health); a "
        "feed left out takes alerts.stale_after.",
        "map",
        false,
        [](const std::string& key, const config*, std::vector<key_doc>& out) {
            out.push_back({key + ".<feed>.max_age", "duration, at least 1m", "",
                           "The longest a feed may go without a successful import before its "
                           "stale alert fires and the metrics counted from it are held. Default: "
                           "alerts.stale_after."});
        }};
}

void resolve_feed_max_ages(config& c) {
    for (const auto& f : all_feeds())
        c.feed_max_ages.try_emplace(std::string(f.name), c.alerts.stale_after);
    // Also after the whole file: an Alertmanager channel's ends_after defaults
    // to twice repeat_interval, so a repeat always comes before it ends.
    for (auto& channel : c.alerts.channels) {
        if (channel.type == "alertmanager" && channel.ends_after.count() == 0)
            channel.ends_after = 2 * c.alerts.repeat_interval;
    }
}

const table<http_config>& http_rows() {
    static const table<http_config> rows = {
        field("listen", &http_config::listen, listen_address_text(),
              "Address of the HTTP endpoint (/healthz, /metrics, /api/status, the "
              "dashboard); empty for none."),
    };
    return rows;
}

// ---- mailbox (spec/sources.md "The mailbox") ----

// A non-empty list of folder names (IMAP) or paths (Maildir, relative to the
// config's folder).
template <class T, class Item>
row<T> folder_list_field(std::string_view name, std::vector<Item> T::*member,
                         std::string_view help) {
    return row<T>{
        name,
        [member](const map_entry& e, const std::string& key, T& target,
                 parse_context& ctx) -> status {
            const position at = value_position(e);
            const std::string_view expected = "a list of folders such as [INBOX]";
            if (!e.value.IsDefined() || e.value.IsNull())
                return ctx.error(at, key, fmt::format("expected {}", expected));
            if (auto shape = check_text_list_shape(e, key, ctx, expected, "folder"); !shape)
                return shape;
            std::vector<Item> items;
            for (const YAML::Node& item : e.value) {
                const map_entry item_entry{e.name, e.key, item};
                auto value = read_value<Item>(any_text(), item_entry, key, ctx);
                if (!value)
                    return value.error();
                if (std::find(items.begin(), items.end(), *value) != items.end())
                    return ctx.error(value_position(item_entry), key, "a folder is listed twice");
                items.push_back(std::move(*value));
            }
            target.*member = std::move(items);
            ctx.origins[key] = at;
            return {};
        },
        [member, name](YAML::Emitter& out, const T& source) {
            out << YAML::Key << std::string(name) << YAML::Value << YAML::Flow << YAML::BeginSeq;
            for (const auto& item : source.*member) {
                if constexpr (std::is_same_v<Item, std::filesystem::path>)
                    out << YAML::DoubleQuoted << item.string();
                else
                    out << YAML::DoubleQuoted << item;
            }
            out << YAML::EndSeq;
        },
        false,
        help,
        "list of folders"};
}

const table<mailbox_imap_config>& mailbox_imap_rows() {
    static const table<mailbox_imap_config> rows = {
        required(field("url", &mailbox_imap_config::url, {},
                       "imaps://HOST[:PORT] (TLS from the start) or imap://HOST[:PORT] (STARTTLS, "
                       "required unless tls: none).")),
        required(field("username", &mailbox_imap_config::username, {}, "The IMAP login.")),
        required(field("password", &mailbox_imap_config::password, secret_text(),
                       "The IMAP password, or credential:NAME for a systemd credential.")),
        folder_list_field("buyer_folders", &mailbox_imap_config::buyer_folders,
                          "Folders buyer messages arrive in."),
        folder_list_field("reply_folders", &mailbox_imap_config::reply_folders,
                          "Folders holding the seller's replies (Sent, and any copy folder)."),
        field("tls", &mailbox_imap_config::tls, one_of(kTlsModes),
              "starttls (default for imap://), implicit (imaps://) or none (plain text, only "
              "when said)."),
        field("ca_file", &mailbox_imap_config::ca_file, {},
              "A CA certificate (PEM) trusted for the server instead of the system's."),
        field("timeout", &mailbox_imap_config::timeout, in_range(closed(1, 3600)),
              "Time allowed to connect, and for the server to go silent, before a poll gives "
              "up."),
    };
    return rows;
}

const table<mailbox_maildir_config>& mailbox_maildir_rows() {
    static const table<mailbox_maildir_config> rows = {
        required(folder_list_field("buyer_folders", &mailbox_maildir_config::buyer_folders,
                                   "Maildir folders (holding new/ and cur/) buyer messages "
                                   "arrive in; relative to this file's folder.")),
        required(folder_list_field("reply_folders", &mailbox_maildir_config::reply_folders,
                                   "Maildir folders holding the seller's replies.")),
    };
    return rows;
}

status check_mailbox_imap(mailbox_imap_config& c, const std::string& key, position at,
                          const parse_context& ctx) {
    auto where = [&](const char* field) {
        const auto it = ctx.origins.find(join_key(key, field));
        return it == ctx.origins.end() ? at : it->second;
    };
    const std::string url_key = join_key(key, "url");
    const bool implicit = c.url.starts_with("imaps://");
    if (!implicit && !c.url.starts_with("imap://")) {
        return ctx.error(where("url"), url_key,
                         fmt::format("'{}' is not an imaps:// or imap:// URL", c.url));
    }
    const std::string_view rest = std::string_view(c.url).substr(implicit ? 8 : 7);
    const auto slash = rest.find('/');
    if (rest.empty() || rest.find('@') != std::string_view::npos ||
        (slash != std::string_view::npos && slash + 1 != rest.size()) || slash == 0) {
        return ctx.error(where("url"), url_key,
                         "write only the server, imaps://HOST[:PORT]: the login goes in username "
                         "and password, the folders in buyer_folders and reply_folders");
    }
    if (c.tls.empty()) {
        c.tls = implicit ? "implicit" : "starttls";
    } else if (implicit && c.tls != "implicit") {
        return ctx.error(where("tls"), join_key(key, "tls"),
                         fmt::format("imaps:// always uses TLS (implicit); tls: {} does not "
                                     "apply (use imap:// for {})",
                                     c.tls, c.tls));
    } else if (!implicit && c.tls == "implicit") {
        return ctx.error(where("tls"), join_key(key, "tls"),
                         "tls: implicit needs an imaps:// URL (port 993); imap:// uses starttls");
    }
    if (is_credential_reference(c.password)) {
        if (auto problem = credential_name_problem(
                std::string_view(c.password).substr(kCredentialPrefix.size())))
            return ctx.error(where("password"), join_key(key, "password"), *problem);
    }
    return {};
}

// `mailbox.imap` and `mailbox.maildir`: optional sections; giving one sets it.
template <class U>
row<mailbox_config> mailbox_source_row(std::string_view name,
                                       std::optional<U> mailbox_config::*member,
                                       const table<U>& (*rows)(), std::string_view help) {
    return row<mailbox_config>{
        name,
        [member, rows](const map_entry& e, const std::string& key, mailbox_config& target,
                       parse_context& ctx) -> status {
            U value{};
            if (auto s = parse_map(e.value, key, position_of(e.key.Mark()), rows(), value, ctx); !s)
                return s;
            if constexpr (std::is_same_v<U, mailbox_imap_config>) {
                if (auto s = check_mailbox_imap(value, key, position_of(e.key.Mark()), ctx); !s)
                    return s;
            }
            target.*member = std::move(value);
            ctx.origins[key] = position_of(e.key.Mark());
            return {};
        },
        [member, rows, name](YAML::Emitter& out, const mailbox_config& source) {
            if (!(source.*member))
                return;
            out << YAML::Key << std::string(name) << YAML::Value;
            emit_map(out, rows(), *(source.*member));
        },
        false,
        help,
        "map",
        false,
        [rows](const std::string& key, const mailbox_config*, std::vector<key_doc>& out) {
            const U defaults{};
            document_table(rows(), key, &defaults, out);
        }};
}

const table<mailbox_config>& mailbox_rows() {
    static const table<mailbox_config> rows = {
        mailbox_source_row("imap", &mailbox_config::imap, &mailbox_imap_rows,
                           "The seller's mailbox over IMAP, read only."),
        mailbox_source_row("maildir", &mailbox_config::maildir, &mailbox_maildir_rows,
                           "A local Maildir (its new/ and cur/), read only."),
        field("poll_interval", &mailbox_config::poll_interval, in_range(at_least(10)),
              "How often `run` reads the mailbox."),
    };
    return rows;
}

row<config> mailbox_row() {
    auto r = section("mailbox", &config::mailbox, mailbox_rows(),
                     "Buyer messages and replies read from the seller's mailbox (imap or "
                     "maildir). Absent: no mailbox.");
    r.parse = [parse = r.parse](const map_entry& e, const std::string& key, config& target,
                                parse_context& ctx) -> status {
        if (auto s = parse(e, key, target, ctx); !s)
            return s;
        const auto& m = target.mailbox;
        if (m.imap && m.maildir) {
            return ctx.error(ctx.origins.at(join_key(key, "maildir")), join_key(key, "maildir"),
                             "give imap or maildir, not both");
        }
        if (!m.imap && !m.maildir) {
            return ctx.error(position_of(e.key.Mark()), key,
                             "missing key 'imap' or 'maildir': say where the mailbox is");
        }
        return {};
    };
    r.emit = [emit = r.emit](YAML::Emitter& out, const config& c) {
        if (c.mailbox.enabled())
            emit(out, c);
    };
    return r;
}

// `marketplace`: unset is a state of its own (a report that names no
// marketplace is then refused), so an unset value is not printed either.
row<config> account_marketplace_row() {
    auto r = field("marketplace", &config::marketplace, marketplace_id(),
                   "The account's marketplace ID, for reports that do not name one (the "
                   "Unshipped report of marketplaces whose header has no sales-channel column). "
                   "Not set by default: such a report is then refused.");
    r.emit = [emit = r.emit](YAML::Emitter& out, const config& c) {
        if (!c.marketplace.empty())
            emit(out, c);
    };
    return r;
}

// `display_time_zone`: empty (each marketplace's own zone) or a zone the
// system's tzdata knows.
row<config> display_time_zone_row() {
    value_rule rule = any_text();
    rule.allow_empty = true;
    auto r = field("display_time_zone", &config::display_time_zone, rule,
                   "IANA time zone, such as Europe/Berlin, that notices and the dashboard show "
                   "times in beside UTC. Empty (the default): each marketplace's own time zone.");
    r.parse = [parse = r.parse](const map_entry& e, const std::string& key, config& c,
                                parse_context& ctx) -> status {
        if (auto s = parse(e, key, c, ctx); !s)
            return s;
        if (c.display_time_zone.empty())
            return {};
        try {
            date::locate_zone(c.display_time_zone);
        } catch (const std::exception&) {
            return ctx.error(value_position(e), key,
                             fmt::format("unknown time zone '{}'; write an IANA name such as "
                                         "Europe/Berlin or America/New_York",
                                         c.display_time_zone));
        }
        return {};
    };
    return r;
}

// The whole file. Defaults are the member initialisers of `config` and the
// metric catalog (default_config); a row only names, types and bounds a key.
const table<config>& top_rows() {
    static const table<config> rows = {
        field("account", &config::account, label_text(),
              "Names the seller account in alerts, on the dashboard, in status --all and as "
              "the account label of every /metrics series. Default: the config file's name "
              "without .yaml."),
        field("database", &config::database, {},
              "The SQLite database, created on first use; relative to this file's folder."),
        field("inbox", &config::inbox, {},
              "Folder watched for Amazon export files; relative to this file's folder."),
        field("default_marketplace", &config::default_marketplace, marketplace_id(),
              "Marketplace of a buyer message that names none and whose order is unknown."),
        account_marketplace_row(),
        field("poll_interval", &config::poll_interval, in_range(at_least(1)),
              "How often the inbox is checked and the metrics evaluated."),
        field("reconcile_tolerance", &config::reconcile_tolerance, in_range(closed_open(0, 1)),
              "How far our rate may differ from Amazon's (an imported account-health "
              "snapshot) before status flags it."),
        field("log_level", &config::log_level, one_of(kLogLevels),
              "The lowest level written to the log."),
        display_time_zone_row(),
        metrics_row(),
        marketplaces_row(),
        section("alerts", &config::alerts, alerts_rows(), "Where alerts go and when."),
        feeds_row(),
        section("http", &config::http, http_rows(), "The HTTP endpoint."),
        sp_api_row(),
        mailbox_row(),
    };
    return rows;
}

// Where a resolved threshold field came from, for blaming the right value.
struct field_origin {
    int specificity = 0;  // 0 built-in default, 1 metrics.<m>, 2 marketplaces.<id>.<m>
    std::string key;      // dotted key when it came from the file
    position at;
};

field_origin origin_of(const parse_context& ctx, const std::string& scope, std::string_view metric,
                       std::string_view field_name) {
    const std::string own = join_key(join_key(scope, metric), field_name);
    if (auto it = ctx.origins.find(own); it != ctx.origins.end()) {
        return {scope == "metrics" ? 1 : 2, own, it->second};
    }
    const std::string global = join_key(join_key("metrics", metric), field_name);
    if (auto it = ctx.origins.find(global); it != ctx.origins.end()) {
        return {1, global, it->second};
    }
    return {};
}

// " (the default)", " (from metrics.x.warn, line 4)", or "" when both values
// sit in the same map.
std::string where(const field_origin& other, const field_origin& blamed) {
    if (other.specificity == 0)
        return " (the default)";
    const auto parent = [](const std::string& k) { return k.substr(0, k.rfind('.')); };
    if (parent(other.key) == parent(blamed.key))
        return "";
    return fmt::format(" (from {}, line {})", other.key, other.at.line);
}

// A warn level on the wrong side of its target is a config error
// (spec/metrics.md "Thresholds"). The value in the more specific place is
// blamed: when a marketplace overrides only target, the override is the
// mistake, not the global warn.
status check_warn_side(const metric_definition& m, const metric_thresholds& t,
                       const std::string& scope, const parse_context& ctx) {
    const bool lower = m.direction == metric_direction::lower_is_better;
    if (lower ? t.warn < t.target : t.warn > t.target)
        return {};
    const field_origin target = origin_of(ctx, scope, m.name, "target");
    const field_origin warn = origin_of(ctx, scope, m.name, "warn");
    const std::string rule =
        fmt::format("for {} warn must be {} target", m.name, lower ? "below" : "above");
    const std::string w = format_decimal(t.warn), tg = format_decimal(t.target);
    if (target.specificity > warn.specificity) {
        const char* relation = t.target == t.warn ? "equals" : (lower ? "is below" : "is above");
        return ctx.error(
            target.at, target.key,
            fmt::format("target {} {} warn {}{}; {}", tg, relation, w, where(warn, target), rule));
    }
    if (warn.specificity == 0) {
        // Both built in: the catalog is wrong, which no file can cause.
        throw std::logic_error("metric_catalog: default warn on the wrong side of target for " +
                               std::string(m.name));
    }
    const char* relation = t.target == t.warn ? "equals" : (lower ? "is above" : "is below");
    return ctx.error(
        warn.at, warn.key,
        fmt::format("warn {} {} target {}{}; {}", w, relation, tg, where(target, warn), rule));
}

status check_cross_fields(const config& c, const parse_context& ctx) {
    for (const auto& m : all_metrics()) {
        if (auto s = check_warn_side(m, c.metrics.at(m.key), "metrics", ctx); !s)
            return s;
    }
    for (const auto& [id, resolved] : c.marketplace_metrics) {
        for (const auto& m : all_metrics()) {
            if (auto s = check_warn_side(m, resolved.at(m.key), "marketplaces." + id, ctx); !s) {
                return s;
            }
        }
    }
    return {};
}

result<config, config_error> parse_document(std::string_view yaml_text,
                                            const std::string& display_name,
                                            const std::filesystem::path& base_dir) {
    parse_context ctx{display_name, base_dir, {}};
    try {
        if (auto problem = check_yaml_bounds(yaml_text))
            return config_error{display_name, problem->line, problem->column, "",
                                std::move(problem->message)};
        const YAML::Node document = YAML::Load(std::string(yaml_text));
        config c = default_config();
        c.feed_max_ages.clear();  // filled from the file's stale_after below
        c.account = default_account_for(display_name);
        if (document.IsDefined() && !document.IsNull()) {
            if (auto s = parse_map(document, "", position{1, 1}, top_rows(), c, ctx); !s) {
                return s.error();
            }
        }
        resolve_feed_max_ages(c);
        if (auto s = check_cross_fields(c, ctx); !s)
            return s.error();
        return c;
    } catch (const YAML::Exception& e) {
        const position at = position_of(e.mark);
        return config_error{display_name, at.line, at.column, "", "YAML syntax error: " + e.msg};
    }
}

}  // namespace

std::string digest_time_zone(const digest_config& d, const config& c) {
    if (!d.timezone.empty())
        return d.timezone;
    if (!c.display_time_zone.empty())
        return c.display_time_zone;
    return "UTC";
}

std::span<const std::string_view> match_severity_values() {
    return kSeverities;
}

std::span<const std::string_view> match_kind_values() {
    return kAlertKindGroups;
}

std::optional<std::string> match_marketplace_problem(std::string_view text) {
    return marketplace_id_problem(text);
}

std::optional<std::chrono::minutes> parse_time_of_day(std::string_view text) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 2 || text.size() != colon + 3)
        return std::nullopt;
    const auto digits = [](std::string_view part) {
        return std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    const std::string_view hour_text = text.substr(0, colon);
    const std::string_view minute_text = text.substr(colon + 1);
    if (!digits(hour_text) || !digits(minute_text))
        return std::nullopt;
    const int hour = std::stoi(std::string(hour_text));
    const int minute = std::stoi(std::string(minute_text));
    if (hour > 23 || minute > 59)
        return std::nullopt;
    return std::chrono::hours{hour} + std::chrono::minutes{minute};
}

std::string default_account_for(const std::filesystem::path& file) {
    const std::string stem = file.stem().string();
    if (stem.empty() || label_value_problem(stem))
        return std::string(kDefaultAccount);
    return stem;
}

std::string config_error::to_string() const {
    if (key.empty())
        return fmt::format("{}:{}:{}: {}", file, line, column, message);
    return fmt::format("{}:{}:{}: {}: {}", file, line, column, key, message);
}

void throw_exception_from_error(config_error const& e, boost::source_location const&) {
    throw std::logic_error("unchecked config result: " + e.to_string());
}

config default_config() {
    config c;
    for (const auto& m : all_metrics()) {
        c.metrics[m.key] = metric_thresholds{m.default_target,
                                             m.default_warn,
                                             {m.default_windows.begin(), m.default_windows.end()},
                                             m.default_lag_days,
                                             m.default_min_orders};
    }
    resolve_feed_max_ages(c);
    return c;
}

std::chrono::seconds config::feed_max_age(std::string_view feed) const {
    if (auto it = feed_max_ages.find(feed); it != feed_max_ages.end())
        return it->second;
    return alerts.stale_after;
}

const metric_thresholds& config::thresholds(metric_key key,
                                            const std::string& marketplace_id) const {
    if (auto it = marketplace_metrics.find(marketplace_id); it != marketplace_metrics.end()) {
        if (auto jt = it->second.find(key); jt != it->second.end())
            return jt->second;
    }
    return metrics.at(key);
}

result<config, config_error> parse_config(std::string_view yaml_text,
                                          const std::filesystem::path& file_name) {
    auto c = parse_document(yaml_text, file_name.string(), file_name.parent_path());
    if (c)
        c->source_path = file_name;
    return c;
}

result<config, config_error> load_config(const std::filesystem::path& path) {
    const auto file_error = [&](std::string message) {
        return config_error{path.string(), 0, 0, "", std::move(message)};
    };
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                         &std::fclose);
    if (!file) {
        return file_error(
            fmt::format("cannot open the configuration file: {}", std::strerror(errno)));
    }
    std::string text;
    char buffer[8192];
    while (true) {
        const std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get());
        text.append(buffer, n);
        if (text.size() > kMaxFileBytes) {
            return file_error("the file is larger than 1 MiB; is it the configuration file?");
        }
        if (n < sizeof buffer) {
            if (std::ferror(file.get())) {
                return file_error(
                    fmt::format("cannot read the configuration file: {}", std::strerror(errno)));
            }
            break;
        }
    }
    std::error_code ec;
    std::filesystem::path absolute = std::filesystem::absolute(path, ec);
    if (ec)
        absolute = path;
    absolute = absolute.lexically_normal();
    auto c = parse_document(text, path.string(), absolute.parent_path());
    if (c)
        c->source_path = absolute;
    return c;
}

std::vector<key_doc> schema_keys() {
    std::vector<key_doc> out;
    const config defaults = default_config();
    document_table(top_rows(), "", &defaults, out);
    return out;
}

std::string format_effective(const config& c) {
    YAML::Emitter out;
    emit_map(out, top_rows(), c);
    return std::string(out.c_str()) + "\n";
}

}  // namespace shd::config
