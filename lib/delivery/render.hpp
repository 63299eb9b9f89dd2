// What each HTTP channel sends: pure functions of a notification, the send
// time and (for webhook and PagerDuty) the channel's key material, returning
// the headers and JSON body of each POST. Nothing here touches the network.
//
// Every request carries the notification's idempotency key in an
// `Idempotency-Key` header; the webhook body has it as `idempotency_key`,
// chat messages show it as a small "ref" line, and PagerDuty events use a
// dedup_key per alert episode instead (so a resolve closes its incident).
//
// Chat formats stay inside the services' documented limits (Slack: 50 blocks,
// 3000 characters per section; Discord: 10 embeds, 6000 characters in all;
// Teams: 28 KB per message) by showing the first alerts and then a count of
// the rest. Text from data files is escaped for each format; Discord mentions
// are disabled.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "alerts/notification.hpp"
#include "config/config.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "net/http_client.hpp"

namespace shd::delivery {

// One POST to the channel's URL.
struct http_post {
    net::header_list headers;
    std::string body;
};

// Lower-case hex of HMAC-SHA256(key, data): the webhook's X-Signature-SHA256.
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

// The webhook body's version: 2 added `version` itself, `transition`,
// `clears_at`, `ends_at`, `links` and `upcoming_links`, and the timestamp in
// the signature. The body is described by docs/webhook.schema.json.
inline constexpr int kWebhookVersion = 2;

// Lower-case hex of HMAC-SHA256(secret, timestamp + "." + body): the
// webhook's X-Signature-SHA256. Covering the timestamp lets a receiver refuse
// a replayed request (an old timestamp) without trusting the body.
std::string webhook_signature(std::string_view secret, std::string_view timestamp,
                              std::string_view body);

// Generic webhook: {"version", "idempotency_key", "account", "sent_at", "test",
// "alerts": [...], "upcoming": [...], "upcoming_links": [...]}. Every request
// carries X-Seller-Healthd-Timestamp (the send time, Unix seconds, the same
// instant as sent_at); with a `secret` also X-Signature-SHA256.
http_post render_webhook(const alerts::notification& n, instant sent_at, std::string_view secret);

// Slack incoming webhook: `text` as the plain fallback, Block Kit blocks inside
// one attachment whose colour follows the severity.
http_post render_slack(const alerts::notification& n, instant sent_at);

// Teams Workflows webhook: a message with one Adaptive Card (version 1.4).
http_post render_teams(const alerts::notification& n, instant sent_at);

// Discord webhook: a summary line plus one embed per alert.
http_post render_discord(const alerts::notification& n, instant sent_at);

// PagerDuty Events API v2: one event per alert change, firing -> trigger and
// resolved -> resolve, with pagerduty_dedup_key. A test notification triggers
// and then resolves its own incident so it leaves nothing open.
std::vector<http_post> render_pagerduty(const alerts::notification& n, instant sent_at,
                                        std::string_view routing_key);

// "seller-healthd:<fingerprint>:<episode start, unix seconds>", or a SHA-256
// of that when it would pass PagerDuty's 255 characters. Test alerts get
// "seller-healthd-test:<idempotency key>:<index>".
std::string pagerduty_dedup_key(const alerts::notification& n, std::size_t alert_index);

// Prometheus Alertmanager, API v2 (POST /api/v2/alerts): a JSON array with
// one alert per change. Labels identify an alert for the whole episode
// (alertname, account, marketplace, metric, severity, and what tells alerts
// of one metric apart: fulfillment_channel and window_days, order_id,
// message_id or feed); annotations carry the words (summary, description,
// links). A firing alert ends `ends_after` from now unless posted again
// (every repeat is); a deadline alert ends with its deadline; a resolved one
// ends now. The same alert at the other severity is posted as ended, so an
// escalation or a resolve leaves nothing behind in Alertmanager.
http_post render_alertmanager(const alerts::notification& n, instant sent_at,
                              std::chrono::seconds ends_after);

// The requests for a channel of any HTTP type (webhook, slack, teams, discord,
// pagerduty, alertmanager). An error for other types.
result<std::vector<http_post>, error_message> render_for_channel(
    const config::alert_channel& channel, const alerts::notification& n, instant sent_at);

// A digest (notification::digest) shown in groups, in this order, empty ones
// left out: "Missed deadlines", "Fired", "Escalated", "Resolved" (the changes
// since the last digest) and "Still firing". Each alert is shown as in any
// notice, with a line saying when (digest_when_line). Empty for a notice.
struct digest_group {
    std::string heading;
    std::vector<const alerts::alert_change*> alerts;
};
std::vector<digest_group> digest_groups(const alerts::notification& n);

// "acme: daily digest for 2026-03-02: 1 fired, 2 still firing".
std::string digest_headline(const alerts::notification& n);

// "At 2026-03-02 03:00 CET (02:00 UTC)" for a change; "Firing since ..." for
// an alert still firing. Times in the digest's zone.
std::string digest_when_line(const alerts::notification& n, const alerts::alert_change& a);

// The colour of a notification: test, breached, at risk, or all resolved.
enum class tone { test, breached, at_risk, resolved };
tone notification_tone(const alerts::notification& n);

}  // namespace shd::delivery
