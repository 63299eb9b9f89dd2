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

// Generic webhook: {"idempotency_key", "account", "sent_at", "test", "alerts": [...],
// "upcoming": [...]}; signed with X-Signature-SHA256 when `secret` is not empty.
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

// The requests for a channel of any HTTP type (webhook, slack, teams, discord,
// pagerduty). An error for other types.
result<std::vector<http_post>, error_message> render_for_channel(
    const config::alert_channel& channel, const alerts::notification& n, instant sent_at);

// The colour of a notification: test, breached, at risk, or all resolved.
enum class tone { test, breached, at_risk, resolved };
tone notification_tone(const alerts::notification& n);

}  // namespace shd::delivery
