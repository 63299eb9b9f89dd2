#include "delivery/render.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>

#include "alerts/words.hpp"
#include "core/digest.hpp"

namespace shd::delivery {
namespace {

using json = nlohmann::ordered_json;

// Invalid UTF-8 (from a data file) becomes U+FFFD instead of an exception.
std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// At most `limit` bytes, cut on a UTF-8 character boundary, with "…" when cut.
std::string clip(std::string_view text, std::size_t limit) {
    if (text.size() <= limit)
        return std::string(text);
    static constexpr std::string_view kEllipsis = "\u2026";
    std::size_t cut = limit > kEllipsis.size() ? limit - kEllipsis.size() : 0;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut;
    return std::string(text.substr(0, cut)) + std::string(kEllipsis);
}

std::string slack_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            default:
                out.push_back(c);
        }
    }
    return out;
}

bool firing(const alerts::alert_change& a) {
    return a.state == "firing";
}

tone alert_tone(const alerts::alert_change& a, bool is_test) {
    if (is_test)
        return tone::test;
    if (!firing(a))
        return tone::resolved;
    return a.severity == "breached" ? tone::breached : tone::at_risk;
}

const char* hex_colour(tone t) {
    switch (t) {
        case tone::test:
            return "#439FE0";
        case tone::breached:
            return "#D00000";
        case tone::at_risk:
            return "#E8A317";
        case tone::resolved:
            return "#2EB67D";
    }
    return "#439FE0";
}

int int_colour(tone t) {
    return std::stoi(std::string(hex_colour(t) + 1), nullptr, 16);
}

const char* adaptive_colour(tone t) {
    switch (t) {
        case tone::test:
            return "Accent";
        case tone::breached:
            return "Attention";
        case tone::at_risk:
            return "Warning";
        case tone::resolved:
            return "Good";
    }
    return "Default";
}

// What a message shows, in order: each alert, or for a digest each group's
// heading followed by its alerts, each with the line saying when.
struct entry {
    const alerts::alert_change* alert = nullptr;  // null: a heading
    std::string heading;                          // the heading, or the alert's group
    std::string when;                             // the alert's "when" line (digests)
};

std::vector<entry> entries_of(const alerts::notification& n) {
    std::vector<entry> out;
    if (!n.digest) {
        for (const auto& a : n.alerts)
            out.push_back({&a, {}, {}});
        return out;
    }
    for (const auto& g : digest_groups(n)) {
        out.push_back({nullptr, fmt::format("{} ({})", g.heading, g.alerts.size()), {}});
        for (const auto* a : g.alerts)
            out.push_back({a, g.heading, digest_when_line(n, *a)});
    }
    return out;
}

std::size_t alert_count(const std::vector<entry>& entries) {
    return static_cast<std::size_t>(
        std::count_if(entries.begin(), entries.end(), [](const entry& e) { return e.alert; }));
}

std::string headline(const alerts::notification& n) {
    if (n.digest)
        return digest_headline(n);
    if (n.is_test)
        return "Test notification from seller-healthd";
    if (n.alerts.size() == 1)
        return n.alerts.front().title;
    return fmt::format("{}: {} alert updates", n.account, n.alerts.size());
}

// The plain-text version: every title, then what is coming.
std::string plain_text(const alerts::notification& n) {
    std::string out = n.digest    ? digest_headline(n)
                      : n.is_test ? "[TEST] Test notification from seller-healthd for " + n.account
                                  : n.account;
    for (const auto& e : entries_of(n))
        out += "\n" + (e.alert ? e.alert->title : e.heading + ":");
    for (const auto& line : n.upcoming)
        out += "\n" + line;
    return out;
}

// An Amazon-signal alert's values: "Amazon 0.4% (2 of 500) · ours 1.2% ·
// tolerance 0.5%", "Status AT_RISK (was GOOD) · count 180 · report ...".
std::string signal_numbers_line(const alerts::signal_values& v) {
    std::string out;
    const auto add = [&](const std::string& part) {
        if (!part.empty())
            out += (out.empty() ? "" : " \u00b7 ") + part;
    };
    if (v.amazon_rate) {
        add(fmt::format("Amazon {}{}", alerts::format_percent(*v.amazon_rate),
                        v.amazon_numerator && v.amazon_denominator
                            ? fmt::format(" ({} of {})", *v.amazon_numerator, *v.amazon_denominator)
                            : ""));
    }
    if (v.our_rate)
        add("ours " + alerts::format_percent(*v.our_rate));
    if (v.tolerance)
        add("tolerance " + alerts::format_percent(*v.tolerance));
    if (!v.amazon_rate && !v.status.empty()) {
        add(fmt::format("Status {}{}", v.status,
                        v.previous_status.empty() ? "" : " (was " + v.previous_status + ")"));
    }
    if (v.count) {
        add(fmt::format("{} {}{}", v.subject.empty() ? "count" : v.subject, *v.count,
                        v.previous_count ? fmt::format(" (was {})", *v.previous_count) : ""));
    }
    if (v.taken_at)
        add("report " + alerts::format_utc_minute(*v.taken_at));
    return out;
}

// "Rate 4.6% (9 of 196) · warn 3% · target 4%", for metric alerts with data.
std::string numbers_line(const alerts::alert_change& a) {
    if (a.signal)
        return signal_numbers_line(*a.signal);
    if (a.kind != "metric" || !a.rate)
        return {};
    return fmt::format("Rate {} ({} of {}) \u00b7 warn {} \u00b7 target {}",
                       alerts::format_percent(*a.rate), a.numerator, a.denominator,
                       alerts::format_percent(a.warn), alerts::format_percent(a.target));
}

std::string ref_line(const alerts::notification& n, instant sent_at) {
    return fmt::format("seller-healthd \u00b7 {} \u00b7 sent {} \u00b7 ref {}", n.account,
                       format_iso8601(sent_at), n.idempotency_key);
}

net::header_list json_headers(const alerts::notification& n) {
    return {{"Content-Type", "application/json"}, {"Idempotency-Key", n.idempotency_key}};
}

json alert_json(const alerts::alert_change& a) {
    return alerts::change_to_json(a);
}

// The orders and messages at stake as links, in each chat's own syntax:
// Slack "<url|id>", Markdown "[id](url)"; an ID without a URL stays plain.
std::string slack_links(const std::vector<alerts::id_link>& links) {
    std::string out;
    for (const auto& l : links) {
        out += out.empty() ? "Seller Central: " : ", ";
        out += l.url.empty() ? slack_escape(l.kind + " " + l.id)
                             : fmt::format("<{}|{} {}>", l.url, l.kind, slack_escape(l.id));
    }
    return out;
}

std::string markdown_links(const std::vector<alerts::id_link>& links) {
    std::string out;
    for (const auto& l : links) {
        out += out.empty() ? "Seller Central: " : ", ";
        out +=
            l.url.empty() ? l.kind + " " + l.id : fmt::format("[{} {}]({})", l.kind, l.id, l.url);
    }
    return out;
}

// ---- Slack --------------------------------------------------------------------

constexpr std::size_t kSlackMaxAlertSections = 45;  // of 50 blocks: upcoming, more, ref
constexpr std::size_t kSlackSectionLimit = 3000;

json slack_alert_section(const alerts::alert_change& a, const std::string& when = {}) {
    std::string text = fmt::format("*{}*", slack_escape(a.title));
    if (!when.empty())
        text += fmt::format("\n_{}_", slack_escape(when));
    for (const auto& line : {a.headroom_text, numbers_line(a), a.caveat}) {
        if (!line.empty())
            text += fmt::format("\n{}", slack_escape(line));
    }
    if (!a.advice.empty())
        text += fmt::format("\n_{}_", slack_escape(a.advice));
    if (!a.links.empty())
        text += "\n" + slack_links(a.links);
    return {{"type", "section"},
            {"text", {{"type", "mrkdwn"}, {"text", clip(text, kSlackSectionLimit)}}}};
}

// ---- Discord ------------------------------------------------------------------

constexpr std::size_t kDiscordMaxEmbeds = 10;
constexpr std::size_t kDiscordEmbedBudget = 5500;  // of 6000, with room for the footers

json discord_embed(const alerts::alert_change& a, bool is_test, const std::string& footer,
                   instant sent_at, std::size_t& budget, const std::string& when = {}) {
    std::string description;
    for (const auto& line :
         {when, a.headroom_text, numbers_line(a), a.caveat, a.advice, markdown_links(a.links)}) {
        if (!line.empty())
            description += (description.empty() ? "" : "\n") + line;
    }
    std::string title = clip(a.title, std::min<std::size_t>(256, budget));
    budget -= std::min(budget, title.size());
    description = clip(description, std::min<std::size_t>(1024, budget));
    budget -= std::min(budget, description.size());
    json embed{{"title", title}, {"color", int_colour(alert_tone(a, is_test))}};
    if (!description.empty())
        embed["description"] = description;
    embed["footer"] = {{"text", footer}};
    embed["timestamp"] = format_iso8601(sent_at);
    return embed;
}

// ---- Teams --------------------------------------------------------------------

constexpr std::size_t kTeamsMaxBytes = 27 * 1024;

json teams_text(std::string text, bool wrap = true) {
    return {{"type", "TextBlock"}, {"text", clip(text, 2000)}, {"wrap", wrap}};
}

json teams_alert_container(const alerts::alert_change& a, bool is_test,
                           const std::string& when = {}) {
    json items = json::array();
    json title = teams_text(a.title);
    title["weight"] = "Bolder";
    title["color"] = adaptive_colour(alert_tone(a, is_test));
    items.push_back(title);
    for (const auto& line : {when, a.headroom_text, numbers_line(a)}) {
        if (!line.empty())
            items.push_back(teams_text(line));
    }
    for (const auto& line : {a.caveat, a.advice, markdown_links(a.links)}) {
        if (line.empty())
            continue;
        json subtle = teams_text(line);
        subtle["isSubtle"] = true;
        items.push_back(subtle);
    }
    return {{"type", "Container"}, {"separator", true}, {"items", items}};
}

json teams_card(const alerts::notification& n, instant sent_at, std::size_t shown) {
    json body = json::array();
    json header = teams_text(headline(n));
    header["size"] = "Medium";
    header["weight"] = "Bolder";
    header["color"] = adaptive_colour(notification_tone(n));
    body.push_back(header);
    const auto entries = entries_of(n);
    std::size_t alerts_shown = 0;
    for (std::size_t i = 0; i < shown && i < entries.size(); ++i) {
        const auto& e = entries[i];
        if (!e.alert) {
            json heading = teams_text(e.heading);
            heading["weight"] = "Bolder";
            heading["separator"] = true;
            body.push_back(heading);
            continue;
        }
        body.push_back(teams_alert_container(*e.alert, n.is_test, e.when));
        ++alerts_shown;
    }
    if (const std::size_t total = alert_count(entries); alerts_shown < total)
        body.push_back(teams_text(fmt::format("\u2026and {} more", total - alerts_shown)));
    if (!n.upcoming.empty()) {
        std::string lines;
        for (const auto& line : n.upcoming)
            lines += (lines.empty() ? "" : "\n\n") + line;
        if (!n.upcoming_links.empty())
            lines += "\n\n" + markdown_links(n.upcoming_links);
        json upcoming = teams_text(lines);
        upcoming["separator"] = true;
        body.push_back(upcoming);
    }
    json ref = teams_text(ref_line(n, sent_at));
    ref["isSubtle"] = true;
    ref["size"] = "Small";
    body.push_back(ref);

    json card{{"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
              {"type", "AdaptiveCard"},
              {"version", "1.4"},
              {"body", body},
              {"msteams", {{"width", "Full"}}}};
    return {
        {"type", "message"},
        {"attachments", json::array({{{"contentType", "application/vnd.microsoft.card.adaptive"},
                                      {"contentUrl", nullptr},
                                      {"content", card}}})}};
}

// ---- PagerDuty ------------------------------------------------------------------

json pagerduty_trigger(const alerts::notification& n, std::size_t index, instant sent_at,
                       std::string_view routing_key) {
    const auto& a = n.alerts[index];
    json details = alert_json(a);
    details["account"] = n.account;
    details["idempotency_key"] = n.idempotency_key;
    json payload{{"summary", clip(n.is_test ? "[TEST] " + a.title : a.title, 1024)},
                 {"source", n.account.empty() ? std::string("seller-healthd") : n.account},
                 {"severity", n.is_test                  ? "info"
                              : a.severity == "breached" ? "critical"
                                                         : "warning"},
                 {"timestamp", format_iso8601(sent_at)},
                 {"component", a.metric},
                 {"class", a.kind}};
    if (!a.marketplace.empty())
        payload["group"] = a.marketplace;
    payload["custom_details"] = details;
    return {{"routing_key", routing_key},
            {"event_action", "trigger"},
            {"dedup_key", pagerduty_dedup_key(n, index)},
            {"payload", payload},
            {"client", "seller-healthd"}};
}

json pagerduty_resolve(const alerts::notification& n, std::size_t index,
                       std::string_view routing_key) {
    return {{"routing_key", routing_key},
            {"event_action", "resolve"},
            {"dedup_key", pagerduty_dedup_key(n, index)}};
}

}  // namespace

std::vector<digest_group> digest_groups(const alerts::notification& n) {
    std::vector<digest_group> groups{
        {"Missed deadlines", {}}, {"Fired", {}}, {"Escalated", {}}, {"Resolved", {}}};
    if (!n.digest)
        return {};
    const auto& missed = n.digest->missed_deadlines;
    for (const auto& a : n.alerts) {
        if (std::find(missed.begin(), missed.end(), a.fingerprint) != missed.end())
            groups[0].alerts.push_back(&a);
        else if (a.transition == "escalated")
            groups[2].alerts.push_back(&a);
        else if (a.state == "resolved")
            groups[3].alerts.push_back(&a);
        else
            groups[1].alerts.push_back(&a);
    }
    digest_group still{"Still firing", {}};
    for (const auto& a : n.digest->still_firing)
        still.alerts.push_back(&a);
    groups.push_back(std::move(still));
    std::erase_if(groups, [](const digest_group& g) { return g.alerts.empty(); });
    return groups;
}

namespace {

// "Missed deadlines" -> "missed deadlines" (the headings are ASCII).
std::string lower_first(std::string text) {
    if (!text.empty())
        text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    return text;
}

}  // namespace

std::string digest_headline(const alerts::notification& n) {
    if (!n.digest)
        return headline(n);
    std::string counts;
    for (const auto& g : digest_groups(n)) {
        std::string what = lower_first(g.heading);
        if (what == "missed deadlines" && g.alerts.size() == 1)
            what = "missed deadline";
        counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", g.alerts.size(), what);
    }
    return fmt::format("{}: daily digest for {}{}{}", n.account, n.digest->local_date,
                       counts.empty() ? "" : ": ", counts);
}

std::string digest_when_line(const alerts::notification& n, const alerts::alert_change& a) {
    const std::string_view zone = n.digest ? std::string_view(n.digest->time_zone) : "";
    if (a.decided_at)
        return "At " + alerts::format_local_minute(*a.decided_at, a.marketplace, zone);
    return "Firing since " + alerts::format_local_minute(a.since, a.marketplace, zone);
}

tone notification_tone(const alerts::notification& n) {
    if (n.is_test)
        return tone::test;
    bool any_firing = false;
    const auto judge = [&](const alerts::alert_change& a) {
        if (!firing(a))
            return false;
        any_firing = true;
        return a.severity == "breached";
    };
    for (const auto& a : n.alerts) {
        if (judge(a))
            return tone::breached;
    }
    if (n.digest) {
        for (const auto& a : n.digest->still_firing) {
            if (judge(a))
                return tone::breached;
        }
    }
    return any_firing ? tone::at_risk : tone::resolved;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac,
             &size) == nullptr)
        throw std::logic_error("HMAC-SHA256 failed");
    return to_hex({mac, size});
}

std::string webhook_signature(std::string_view secret, std::string_view timestamp,
                              std::string_view body) {
    std::string signed_text;
    signed_text.reserve(timestamp.size() + 1 + body.size());
    signed_text.append(timestamp).append(".").append(body);
    return hmac_sha256_hex(secret, signed_text);
}

http_post render_webhook(const alerts::notification& n, instant sent_at, std::string_view secret) {
    json j;
    j["version"] = kWebhookVersion;
    j["idempotency_key"] = n.idempotency_key;
    j["account"] = n.account;
    j["sent_at"] = format_iso8601(sent_at);
    j["test"] = n.is_test;
    j["alerts"] = json::array();
    for (const auto& a : n.alerts)
        j["alerts"].push_back(alert_json(a));
    j["upcoming"] = n.upcoming;
    j["upcoming_links"] = alerts::links_to_json(n.upcoming_links);
    if (n.digest) {
        j["kind"] = "digest";
        j["digest"] = alerts::digest_to_json(*n.digest);
    }
    http_post post{json_headers(n), dump(j)};
    const std::string timestamp = std::to_string(to_unix(sent_at));
    post.headers.emplace_back("X-Seller-Healthd-Timestamp", timestamp);
    if (!secret.empty())
        post.headers.emplace_back("X-Signature-SHA256",
                                  webhook_signature(secret, timestamp, post.body));
    return post;
}

json mrkdwn_section(const std::string& text) {
    return {{"type", "section"},
            {"text", {{"type", "mrkdwn"}, {"text", clip(text, kSlackSectionLimit)}}}};
}

// The header block sits at the top level, where `text` is then only the
// notification and fallback text (not shown twice); the details go in one
// attachment, the only place Slack still draws a colour bar.
http_post render_slack(const alerts::notification& n, instant sent_at) {
    json header_text{{"type", "plain_text"}, {"text", clip(headline(n), 150)}};
    json top_blocks = json::array({{{"type", "header"}, {"text", header_text}}});

    json blocks = json::array();
    const auto entries = entries_of(n);
    const std::size_t shown = std::min(entries.size(), kSlackMaxAlertSections);
    std::size_t alerts_shown = 0;
    for (std::size_t i = 0; i < shown; ++i) {
        const auto& e = entries[i];
        if (!e.alert) {
            blocks.push_back(mrkdwn_section("*" + slack_escape(e.heading) + "*"));
            continue;
        }
        blocks.push_back(slack_alert_section(*e.alert, e.when));
        ++alerts_shown;
    }
    if (const std::size_t total = alert_count(entries); alerts_shown < total)
        blocks.push_back(mrkdwn_section(fmt::format("\u2026and {} more", total - alerts_shown)));
    if (!n.upcoming.empty()) {
        std::string text = "*Coming up*";
        for (const auto& line : n.upcoming)
            text += "\n\u2022 " + slack_escape(line);
        if (!n.upcoming_links.empty())
            text += "\n" + slack_links(n.upcoming_links);
        blocks.push_back(mrkdwn_section(text));
    }
    json ref{{"type", "mrkdwn"}, {"text", slack_escape(ref_line(n, sent_at))}};
    blocks.push_back({{"type", "context"}, {"elements", json::array({ref})}});

    const std::string fallback = clip(slack_escape(plain_text(n)), 3000);
    json attachment{
        {"color", hex_colour(notification_tone(n))}, {"fallback", fallback}, {"blocks", blocks}};
    json j{{"text", fallback}, {"blocks", top_blocks}, {"attachments", json::array({attachment})}};
    return {json_headers(n), dump(j)};
}

http_post render_teams(const alerts::notification& n, instant sent_at) {
    // Drop alerts from the end until the message fits Teams' size limit.
    std::size_t shown = std::min<std::size_t>(entries_of(n).size(), 30);
    std::string body = dump(teams_card(n, sent_at, shown));
    while (body.size() > kTeamsMaxBytes && shown > 0) {
        --shown;
        body = dump(teams_card(n, sent_at, shown));
    }
    return {json_headers(n), body};
}

http_post render_discord(const alerts::notification& n, instant sent_at) {
    json embeds = json::array();
    std::size_t budget = kDiscordEmbedBudget;
    const std::string footer = clip("ref " + n.idempotency_key, 200);
    std::vector<entry> shown_alerts;
    for (auto& e : entries_of(n)) {
        if (e.alert)
            shown_alerts.push_back(std::move(e));
    }
    const bool overflow = shown_alerts.size() > kDiscordMaxEmbeds;
    const std::size_t shown = overflow ? kDiscordMaxEmbeds - 1 : shown_alerts.size();
    for (std::size_t i = 0; i < shown && budget > 0; ++i) {
        const auto& e = shown_alerts[i];
        // A digest's embed says its group beside when: "Fired · 2026-03-02 ...".
        const std::string when = e.when.empty() ? e.heading : e.heading + " \u00b7 " + e.when;
        embeds.push_back(discord_embed(*e.alert, n.is_test, footer, sent_at, budget, when));
    }
    if (embeds.size() < shown_alerts.size()) {
        json more{{"title", fmt::format("\u2026and {} more", shown_alerts.size() - embeds.size())},
                  {"color", int_colour(notification_tone(n))}};
        embeds.push_back(more);
    }
    std::string content = n.digest    ? "**" + digest_headline(n) + "**"
                          : n.is_test ? "**Test notification from seller-healthd** for " + n.account
                          : n.alerts.size() == 1
                              ? "**" + n.account + "**: " + n.alerts.front().title
                              : fmt::format("**{}**: {} alert updates", n.account, n.alerts.size());
    if (!n.upcoming.empty()) {
        content += "\nComing up:";
        for (const auto& line : n.upcoming)
            content += "\n\u2022 " + line;
        if (!n.upcoming_links.empty())
            content += "\n" + markdown_links(n.upcoming_links);
    }
    json j{{"username", "seller-healthd"},
           {"content", clip(content, 2000)},
           {"embeds", embeds},
           {"allowed_mentions", {{"parse", json::array()}}}};
    return {json_headers(n), dump(j)};
}

std::string pagerduty_dedup_key(const alerts::notification& n, std::size_t alert_index) {
    if (n.is_test)
        return clip(fmt::format("seller-healthd-test:{}:{}", n.idempotency_key, alert_index), 255);
    const auto& a = n.alerts.at(alert_index);
    std::string key = fmt::format("seller-healthd:{}:{}", a.fingerprint, to_unix(a.since));
    if (key.size() > 255)
        key = "seller-healthd:" + sha256_hex(key);
    return key;
}

std::vector<http_post> render_pagerduty(const alerts::notification& n, instant sent_at,
                                        std::string_view routing_key) {
    std::vector<http_post> posts;
    for (std::size_t i = 0; i < n.alerts.size(); ++i) {
        if (n.is_test) {
            posts.push_back({json_headers(n), dump(pagerduty_trigger(n, i, sent_at, routing_key))});
            posts.push_back({json_headers(n), dump(pagerduty_resolve(n, i, routing_key))});
        } else if (firing(n.alerts[i])) {
            posts.push_back({json_headers(n), dump(pagerduty_trigger(n, i, sent_at, routing_key))});
        } else {
            posts.push_back({json_headers(n), dump(pagerduty_resolve(n, i, routing_key))});
        }
    }
    return posts;
}

namespace {

// "late_dispatch_rate" -> "SellerHealthLateDispatchRate".
std::string alertname_of(std::string_view metric) {
    std::string out = "SellerHealth";
    bool upper = true;
    for (const char c : metric) {
        if (c == '_') {
            upper = true;
            continue;
        }
        out.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
        upper = false;
    }
    return out;
}

json alertmanager_labels(const alerts::notification& n, const alerts::alert_change& a,
                         std::string_view severity) {
    json labels{{"alertname", alertname_of(a.metric)},
                {"account", n.account},
                {"metric", a.metric},
                {"severity", severity},
                {"kind", a.kind}};
    if (!a.marketplace.empty())
        labels["marketplace"] = a.marketplace;
    if (a.kind == "metric") {
        labels["fulfillment_channel"] = a.channel;
        labels["window_days"] = std::to_string(a.window_days);
    } else if (a.signal) {
        // Amazon's signals and the SP-API: what the alert is about, by name.
        if (!a.channel.empty())
            labels["fulfillment_channel"] = a.channel;
        if (!a.signal->subject.empty())
            labels[a.kind == "sp_api_source" ? "source" : "amazon_metric"] = a.signal->subject;
    } else {
        // The fingerprint's tail names the order, message or feed.
        const auto bar = a.fingerprint.find('|');
        const std::string tail =
            bar == std::string::npos ? a.fingerprint : a.fingerprint.substr(bar + 1);
        const char* key = a.kind == "ship_deadline"      ? "order_id"
                          : a.kind == "message_deadline" ? "message_id"
                                                         : "feed";
        labels[key] = tail;
    }
    if (n.is_test)
        labels["test"] = "true";
    return labels;
}

std::string links_annotation(const std::vector<alerts::id_link>& links) {
    std::string out;
    for (const auto& l : links) {
        if (!out.empty())
            out += "\n";
        out += l.kind + " " + l.id + (l.url.empty() ? "" : ": " + l.url);
    }
    return out;
}

// The values as annotations of their own (Alertmanager templates read them
// by name): amazon_status, previous_status, count, our_rate, amazon_rate, ...
void add_signal_annotations(json& annotations, const alerts::signal_values& v) {
    if (v.taken_at)
        annotations["snapshot_taken_at"] = format_iso8601(*v.taken_at);
    if (!v.status.empty())
        annotations["status"] = v.status;
    if (!v.previous_status.empty())
        annotations["previous_status"] = v.previous_status;
    if (v.count)
        annotations["count"] = std::to_string(*v.count);
    if (v.previous_count)
        annotations["previous_count"] = std::to_string(*v.previous_count);
    if (v.our_rate)
        annotations["our_rate"] = alerts::format_percent(*v.our_rate);
    if (v.amazon_rate)
        annotations["amazon_rate"] = alerts::format_percent(*v.amazon_rate);
    if (v.tolerance)
        annotations["tolerance"] = alerts::format_percent(*v.tolerance);
}

}  // namespace

http_post render_alertmanager(const alerts::notification& n, instant sent_at,
                              std::chrono::seconds ends_after) {
    json alerts_json = json::array();
    for (const auto& a : n.alerts) {
        std::string description;
        for (const auto& line : {a.headroom_text, numbers_line(a), a.caveat, a.advice}) {
            if (!line.empty())
                description += (description.empty() ? "" : "\n") + line;
        }
        json annotations{{"summary", a.title}, {"description", description}};
        if (!a.links.empty())
            annotations["links"] = links_annotation(a.links);
        if (a.signal)
            add_signal_annotations(annotations, *a.signal);
        // A test alert shows for a minute and ends by itself.
        instant ends_at = sent_at + ends_after;
        if (n.is_test)
            ends_at = sent_at + std::chrono::minutes(1);
        else if (!firing(a))
            ends_at = sent_at;
        else if (a.ends_at)
            ends_at = std::min(ends_at, *a.ends_at);
        const instant starts_at = std::min(a.since, sent_at);
        json alert{{"labels", alertmanager_labels(n, a, a.severity)},
                   {"annotations", annotations},
                   {"startsAt", format_iso8601(starts_at)},
                   {"endsAt", format_iso8601(std::max(ends_at, starts_at))}};
        alerts_json.push_back(alert);
        // The other severity's alert of the same episode ends now.
        const std::string other = a.severity == "breached" ? "at_risk" : "breached";
        if (a.kind == "metric" && !n.is_test) {
            alerts_json.push_back({{"labels", alertmanager_labels(n, a, other)},
                                   {"annotations", annotations},
                                   {"startsAt", format_iso8601(starts_at)},
                                   {"endsAt", format_iso8601(sent_at)}});
        }
    }
    return {json_headers(n), dump(alerts_json)};
}

result<std::vector<http_post>, error_message> render_for_channel(
    const config::alert_channel& channel, const alerts::notification& n, instant sent_at) {
    if (channel.type == "webhook")
        return std::vector<http_post>{render_webhook(n, sent_at, channel.secret)};
    if (channel.type == "slack")
        return std::vector<http_post>{render_slack(n, sent_at)};
    if (channel.type == "teams")
        return std::vector<http_post>{render_teams(n, sent_at)};
    if (channel.type == "discord")
        return std::vector<http_post>{render_discord(n, sent_at)};
    if (n.digest && (channel.type == "pagerduty" || channel.type == "alertmanager"))
        return error_message{"a digest cannot go to a " + channel.type + " channel"};
    if (channel.type == "pagerduty")
        return render_pagerduty(n, sent_at, channel.routing_key);
    if (channel.type == "alertmanager")
        return std::vector<http_post>{render_alertmanager(n, sent_at, channel.ends_after)};
    return error_message{"channel type " + channel.type + " is not an HTTP channel"};
}

}  // namespace shd::delivery
