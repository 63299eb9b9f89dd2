// The HTTP channel formats, field by field. Bodies are parsed back with
// nlohmann::json; the webhook signature is recomputed here with OpenSSL's
// EVP_MAC interface, independently of hmac_sha256_hex.
#include "delivery/render.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include "delivery/delivery_fixture.hpp"
#include "delivery/mime.hpp"

namespace shd::delivery {
namespace {

using json = nlohmann::json;
using testing::sample_change;
using testing::sample_notification;

const instant kSentAt = *parse_iso8601("2026-03-01T14:06:30Z");

std::optional<std::string> header(const http_post& p, std::string_view name) {
    for (const auto& [k, v] : p.headers)
        if (k == name)
            return v;
    return std::nullopt;
}

std::string independent_hmac_hex(const std::string& key, const std::string& data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    size_t size = 0;
    if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                  reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, sizeof out,
                  &size) == nullptr)
        throw std::runtime_error("EVP_Q_mac failed");
    std::string hex;
    char buf[3];
    for (size_t i = 0; i < size; ++i) {
        std::snprintf(buf, sizeof buf, "%02x", out[i]);
        hex += buf;
    }
    return hex;
}

alerts::notification many_alerts(std::size_t count) {
    auto n = sample_notification();
    n.alerts.clear();
    for (std::size_t i = 0; i < count; ++i) {
        auto a = sample_change();
        a.fingerprint += "|" + std::to_string(i);
        a.title = "[AT RISK] Alert number " + std::to_string(i) + " " + std::string(200, 'x');
        a.severity = "at_risk";
        n.alerts.push_back(a);
    }
    return n;
}

// ---- webhook ------------------------------------------------------------------

TEST(Hmac, MatchesRfc4231TestCase2) {
    EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(RenderWebhook, BodyHasTheDocumentedFields) {
    const auto post = render_webhook(sample_notification(), kSentAt, "");
    const auto j = json::parse(post.body);
    EXPECT_EQ(j.at("version"), 2);
    EXPECT_EQ(j.at("idempotency_key"), "key-1");
    EXPECT_EQ(j.at("account"), "Acme Store");
    EXPECT_EQ(j.at("sent_at"), "2026-03-01T14:06:30Z");
    EXPECT_EQ(j.at("test"), false);
    ASSERT_EQ(j.at("alerts").size(), 1u);
    const auto& a = j.at("alerts")[0];
    EXPECT_EQ(a.at("metric"), "late_dispatch_rate");
    EXPECT_EQ(a.at("marketplace"), "ATVPDKIKX0DER");
    EXPECT_EQ(a.at("channel"), "MFN");
    EXPECT_EQ(a.at("window_days"), 10);
    EXPECT_EQ(a.at("state"), "firing");
    EXPECT_EQ(a.at("severity"), "breached");
    EXPECT_DOUBLE_EQ(a.at("rate").get<double>(), 0.046);
    EXPECT_DOUBLE_EQ(a.at("warn").get<double>(), 0.03);
    EXPECT_DOUBLE_EQ(a.at("target").get<double>(), 0.04);
    EXPECT_EQ(a.at("numerator"), 9);
    EXPECT_EQ(a.at("denominator"), 196);
    EXPECT_EQ(a.at("headroom"), 0);
    EXPECT_EQ(a.at("low_volume"), false);
    EXPECT_EQ(a.at("since"), "2026-03-01T14:05:00Z");
    EXPECT_EQ(a.at("title"), "[BREACHED] Late dispatch rate 4.6% > 4% (US, 10 days)");
    EXPECT_EQ(j.at("upcoming"), json::array({"3 orders must ship within 24 h (US)"}));

    EXPECT_EQ(header(post, "Content-Type"), "application/json");
    EXPECT_EQ(header(post, "Idempotency-Key"), "key-1");
    EXPECT_EQ(header(post, "X-Signature-SHA256"), std::nullopt);
    EXPECT_EQ(header(post, "X-Seller-Healthd-Timestamp"), "1772373990");
}

TEST(RenderWebhook, MissingRateAndHeadroomAreNull) {
    auto n = sample_notification();
    n.alerts[0].rate.reset();
    n.alerts[0].headroom.reset();
    const auto j = json::parse(render_webhook(n, kSentAt, "").body);
    EXPECT_TRUE(j.at("alerts")[0].at("rate").is_null());
    EXPECT_TRUE(j.at("alerts")[0].at("headroom").is_null());
}

TEST(RenderWebhook, SignatureCoversTheTimestampAndTheExactBody) {
    const std::string secret = "s3cr3t-key";
    const auto post = render_webhook(sample_notification(), kSentAt, secret);
    const auto signature = header(post, "X-Signature-SHA256");
    ASSERT_TRUE(signature);
    const auto timestamp = header(post, "X-Seller-Healthd-Timestamp");
    ASSERT_TRUE(timestamp);
    EXPECT_EQ(*timestamp, "1772373990");  // 2026-03-01T14:06:30Z
    EXPECT_EQ(*signature, independent_hmac_hex(secret, *timestamp + "." + post.body));
    EXPECT_EQ(signature->size(), 64u);
    // A replay with a fresher timestamp does not match the old signature.
    EXPECT_NE(*signature, independent_hmac_hex(secret, "1772374999." + post.body));
    EXPECT_NE(*signature, independent_hmac_hex(secret, post.body));
    EXPECT_NE(*signature, independent_hmac_hex("other", *timestamp + "." + post.body));
    EXPECT_EQ(post.body.find(secret), std::string::npos);
}

TEST(RenderWebhook, NumbersDoNotDependOnTheLocale) {
    auto n = sample_notification();
    n.alerts[0].rate = 0.0125;
    const auto body = render_webhook(n, kSentAt, "").body;
    EXPECT_NE(body.find("\"rate\":0.0125"), std::string::npos) << body;
}

TEST(RenderWebhook, InvalidUtf8FromDataDoesNotThrow) {
    auto n = sample_notification();
    n.alerts[0].title = "bad \xff byte";
    const auto body = render_webhook(n, kSentAt, "").body;
    EXPECT_NO_THROW(json::parse(body));
}

// ---- Slack --------------------------------------------------------------------

TEST(RenderSlack, FallbackTextColourAndBlocks) {
    const auto post = render_slack(sample_notification(), kSentAt);
    const auto j = json::parse(post.body);
    const std::string text = j.at("text");
    EXPECT_NE(text.find("[BREACHED] Late dispatch rate 4.6% &gt; 4% (US, 10 days)"),
              std::string::npos)
        << text;
    ASSERT_EQ(j.at("attachments").size(), 1u);
    const auto& att = j.at("attachments")[0];
    EXPECT_EQ(att.at("color"), "#D00000");
    const auto& header_block = j.at("blocks").at(0);
    EXPECT_EQ(header_block.at("type"), "header");
    EXPECT_EQ(header_block.at("text").at("type"), "plain_text");
    EXPECT_EQ(header_block.at("text").at("text"),
              "[BREACHED] Late dispatch rate 4.6% > 4% (US, 10 days)");
    const auto& blocks = att.at("blocks");
    EXPECT_EQ(blocks[0].at("type"), "section");
    const std::string section = blocks[0].at("text").at("text");
    EXPECT_NE(section.find("*[BREACHED]"), std::string::npos);
    EXPECT_NE(section.find("Rate 4.6% (9 of 196)"), std::string::npos) << section;
    EXPECT_EQ(blocks.back().at("type"), "context");
    const std::string ref = blocks.back().at("elements")[0].at("text");
    EXPECT_NE(ref.find("ref key-1"), std::string::npos);
    EXPECT_EQ(header(post, "Idempotency-Key"), "key-1");
}

TEST(RenderSlack, ColourFollowsSeverity) {
    auto n = sample_notification();
    n.alerts[0].severity = "at_risk";
    EXPECT_EQ(json::parse(render_slack(n, kSentAt).body)["attachments"][0]["color"], "#E8A317");
    n.alerts[0].state = "resolved";
    EXPECT_EQ(json::parse(render_slack(n, kSentAt).body)["attachments"][0]["color"], "#2EB67D");
    n.is_test = true;
    EXPECT_EQ(json::parse(render_slack(n, kSentAt).body)["attachments"][0]["color"], "#439FE0");
}

TEST(RenderSlack, EscapesControlCharactersOfMrkdwn) {
    auto n = sample_notification();
    n.alerts[0].title = "<!channel> & <https://evil.example|click>";
    const auto j = json::parse(render_slack(n, kSentAt).body);
    const std::string escaped = "&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;";
    // Everything Slack parses as mrkdwn is escaped...
    EXPECT_NE(j["text"].get<std::string>().find(escaped), std::string::npos);
    EXPECT_NE(j["attachments"][0]["fallback"].get<std::string>().find(escaped), std::string::npos);
    // ...while plain_text is shown as written, so it stays literal.
    EXPECT_EQ(j["blocks"][0]["text"]["type"], "plain_text");
    EXPECT_EQ(j["blocks"][0]["text"]["text"], n.alerts[0].title);
    for (const auto& block : j["attachments"][0]["blocks"]) {
        const std::string text =
            block["type"] == "context" ? block["elements"][0]["text"] : block["text"]["text"];
        EXPECT_EQ(text.find("<!channel>"), std::string::npos) << text;
    }
    EXPECT_NE(j["attachments"][0]["blocks"][0]["text"]["text"].get<std::string>().find(escaped),
              std::string::npos);
}

TEST(RenderSlack, ManyAlertsStayWithinBlockLimits) {
    const auto j = json::parse(render_slack(many_alerts(120), kSentAt).body);
    const auto& blocks = j["attachments"][0]["blocks"];
    EXPECT_LE(blocks.size() + j["blocks"].size(), 50u);
    bool saw_more = false;
    for (const auto& b : blocks) {
        if (b.contains("text") && b["text"].contains("text")) {
            const std::string t = b["text"]["text"];
            EXPECT_LE(t.size(), 3000u);
            if (t.find("and 75 more") != std::string::npos)
                saw_more = true;
        }
    }
    EXPECT_TRUE(saw_more);
    EXPECT_LE(j["text"].get<std::string>().size(), 3000u);
}

// ---- Teams --------------------------------------------------------------------

TEST(RenderTeams, AdaptiveCardInAMessage) {
    const auto j = json::parse(render_teams(sample_notification(), kSentAt).body);
    EXPECT_EQ(j.at("type"), "message");
    const auto& att = j.at("attachments").at(0);
    EXPECT_EQ(att.at("contentType"), "application/vnd.microsoft.card.adaptive");
    const auto& card = att.at("content");
    EXPECT_EQ(card.at("type"), "AdaptiveCard");
    EXPECT_EQ(card.at("version"), "1.4");
    const auto& body = card.at("body");
    EXPECT_EQ(body[0].at("type"), "TextBlock");
    EXPECT_EQ(body[0].at("color"), "Attention");
    EXPECT_EQ(body[1].at("type"), "Container");
    EXPECT_EQ(body[1].at("items")[0].at("text"),
              "[BREACHED] Late dispatch rate 4.6% > 4% (US, 10 days)");
    EXPECT_NE(body.back().at("text").get<std::string>().find("ref key-1"), std::string::npos);
}

TEST(RenderTeams, StaysUnderTheMessageSizeLimit) {
    const auto post = render_teams(many_alerts(200), kSentAt);
    EXPECT_LE(post.body.size(), 28u * 1024);
    EXPECT_NE(post.body.find("more"), std::string::npos);
}

// ---- Discord ------------------------------------------------------------------

TEST(RenderDiscord, EmbedsWithColourAndNoMentions) {
    const auto j = json::parse(render_discord(sample_notification(), kSentAt).body);
    EXPECT_EQ(j.at("username"), "seller-healthd");
    EXPECT_EQ(j.at("allowed_mentions").at("parse"), json::array());
    ASSERT_EQ(j.at("embeds").size(), 1u);
    const auto& e = j.at("embeds")[0];
    EXPECT_EQ(e.at("title"), "[BREACHED] Late dispatch rate 4.6% > 4% (US, 10 days)");
    EXPECT_EQ(e.at("color"), 0xD00000);
    EXPECT_EQ(e.at("footer").at("text"), "ref key-1");
    EXPECT_EQ(e.at("timestamp"), "2026-03-01T14:06:30Z");
    EXPECT_NE(j.at("content").get<std::string>().find("3 orders must ship"), std::string::npos);
}

TEST(RenderDiscord, ManyAlertsStayWithinDiscordLimits) {
    const auto j = json::parse(render_discord(many_alerts(40), kSentAt).body);
    const auto& embeds = j.at("embeds");
    EXPECT_LE(embeds.size(), 10u);
    std::size_t total = 0;
    for (const auto& e : embeds) {
        const std::string title = e.at("title");
        EXPECT_LE(title.size(), 256u);
        total += title.size();
        if (e.contains("description"))
            total += e["description"].get<std::string>().size();
        if (e.contains("footer"))
            total += e["footer"]["text"].get<std::string>().size();
    }
    EXPECT_LE(total, 6000u);
    EXPECT_NE(embeds.back().at("title").get<std::string>().find("more"), std::string::npos);
    EXPECT_LE(j.at("content").get<std::string>().size(), 2000u);
}

// ---- PagerDuty ------------------------------------------------------------------

TEST(RenderPagerDuty, FiringTriggersAndResolvedResolvesTheSameIncident) {
    auto n = sample_notification();
    auto resolved = sample_change("resolved", "breached");
    resolved.fingerprint = "cancellation_rate|ATVPDKIKX0DER|all|7";
    n.alerts.push_back(resolved);
    const auto posts = render_pagerduty(n, kSentAt, "R0UTING");
    ASSERT_EQ(posts.size(), 2u);

    const auto trigger = json::parse(posts[0].body);
    EXPECT_EQ(trigger.at("routing_key"), "R0UTING");
    EXPECT_EQ(trigger.at("event_action"), "trigger");
    EXPECT_EQ(trigger.at("dedup_key"), "seller-healthd:late_dispatch_rate|ATVPDKIKX0DER|MFN|10:" +
                                           std::to_string(to_unix(n.alerts[0].since)));
    const auto& payload = trigger.at("payload");
    EXPECT_EQ(payload.at("summary"), n.alerts[0].title);
    EXPECT_EQ(payload.at("source"), "Acme Store");
    EXPECT_EQ(payload.at("severity"), "critical");
    EXPECT_EQ(payload.at("component"), "late_dispatch_rate");
    EXPECT_EQ(payload.at("group"), "ATVPDKIKX0DER");
    EXPECT_EQ(payload.at("custom_details").at("idempotency_key"), "key-1");

    const auto resolve = json::parse(posts[1].body);
    EXPECT_EQ(resolve.at("event_action"), "resolve");
    EXPECT_FALSE(resolve.contains("payload"));

    // The resolve of an episode carries the dedup_key its trigger had.
    auto later = sample_notification("key-2");
    later.alerts[0].state = "resolved";
    const auto closing = json::parse(render_pagerduty(later, kSentAt, "R0UTING")[0].body);
    EXPECT_EQ(closing.at("event_action"), "resolve");
    EXPECT_EQ(closing.at("dedup_key"), trigger.at("dedup_key"));

    // A new episode of the same alert is a new incident.
    auto next_episode = sample_notification("key-3");
    next_episode.alerts[0].since += std::chrono::hours{48};
    EXPECT_NE(json::parse(render_pagerduty(next_episode, kSentAt, "R")[0].body).at("dedup_key"),
              trigger.at("dedup_key"));
}

TEST(RenderPagerDuty, AtRiskIsAWarning) {
    auto n = sample_notification();
    n.alerts[0].severity = "at_risk";
    const auto j = json::parse(render_pagerduty(n, kSentAt, "R")[0].body);
    EXPECT_EQ(j.at("payload").at("severity"), "warning");
}

TEST(RenderPagerDuty, LongFingerprintsStayWithin255Characters) {
    auto n = sample_notification();
    n.alerts[0].fingerprint = "message_deadline|" + std::string(400, 'm');
    const auto key = pagerduty_dedup_key(n, 0);
    EXPECT_LE(key.size(), 255u);
    EXPECT_EQ(key.rfind("seller-healthd:", 0), 0u);
    EXPECT_EQ(key, pagerduty_dedup_key(n, 0));
}

TEST(RenderPagerDuty, TestNotificationOpensAndClosesItsOwnIncident) {
    auto n = sample_notification("test-1");
    n.is_test = true;
    const auto posts = render_pagerduty(n, kSentAt, "R");
    ASSERT_EQ(posts.size(), 2u);
    const auto trigger = json::parse(posts[0].body);
    const auto resolve = json::parse(posts[1].body);
    EXPECT_EQ(trigger.at("event_action"), "trigger");
    EXPECT_EQ(trigger.at("payload").at("severity"), "info");
    EXPECT_EQ(resolve.at("event_action"), "resolve");
    EXPECT_EQ(trigger.at("dedup_key"), resolve.at("dedup_key"));
    EXPECT_EQ(trigger.at("dedup_key"), "seller-healthd-test:test-1:0");
}

TEST(RenderForChannel, EveryHttpTypeCarriesTheIdempotencyKey) {
    config::alert_channel c;
    c.routing_key = "R";
    c.ends_after = std::chrono::hours(24);
    for (const char* type : {"webhook", "slack", "teams", "discord", "pagerduty", "alertmanager"}) {
        c.type = type;
        auto posts = render_for_channel(c, sample_notification(), kSentAt);
        ASSERT_TRUE(posts) << type;
        ASSERT_FALSE(posts->empty());
        for (const auto& p : *posts) {
            EXPECT_EQ(header(p, "Idempotency-Key"), "key-1") << type;
            EXPECT_NO_THROW(json::parse(p.body)) << type;
        }
    }
    c.type = "email";
    EXPECT_FALSE(render_for_channel(c, sample_notification(), kSentAt));
}

alerts::notification with_links() {
    auto n = sample_notification();
    n.alerts[0].links = {
        {"order", "111-222", "https://sellercentral.amazon.com/orders-v3/order/111-222"},
        {"message", "M<1>", ""}};
    n.upcoming_links = {
        {"order", "111-333", "https://sellercentral.amazon.com/orders-v3/order/111-333"}};
    return n;
}

TEST(RenderLinks, EveryChatNamesTheIdsWithTheirSellerCentralLinks) {
    const auto n = with_links();
    const auto slack = render_slack(n, kSentAt).body;
    EXPECT_NE(slack.find(
                  "Seller Central: <https://sellercentral.amazon.com/orders-v3/order/111-222|order "
                  "111-222>, message M&lt;1&gt;"),
              std::string::npos)
        << slack;
    EXPECT_NE(
        slack.find("<https://sellercentral.amazon.com/orders-v3/order/111-333|order 111-333>"),
        std::string::npos);
    const std::string markdown =
        "Seller Central: [order "
        "111-222](https://sellercentral.amazon.com/orders-v3/order/111-222), "
        "message M<1>";
    EXPECT_NE(render_teams(n, kSentAt).body.find(markdown), std::string::npos);
    EXPECT_NE(render_discord(n, kSentAt).body.find(markdown), std::string::npos);
    EXPECT_NE(
        render_discord(n, kSentAt)
            .body.find("[order 111-333](https://sellercentral.amazon.com/orders-v3/order/111-333)"),
        std::string::npos);
    const auto hook = json::parse(render_webhook(n, kSentAt, "").body);
    EXPECT_EQ(hook["alerts"][0]["links"][0]["url"],
              "https://sellercentral.amazon.com/orders-v3/order/111-222");
    EXPECT_EQ(hook["upcoming_links"][0]["id"], "111-333");
}

TEST(RenderAlertmanager, LabelsAnnotationsAndEnds) {
    auto n = with_links();
    const auto body = json::parse(render_alertmanager(n, kSentAt, std::chrono::hours(8)).body);
    ASSERT_EQ(body.size(), 2u);  // the alert, and its at_risk twin ended
    const auto& a = body[0];
    EXPECT_EQ(a["labels"], json({{"alertname", "SellerHealthLateDispatchRate"},
                                 {"account", "Acme Store"},
                                 {"metric", "late_dispatch_rate"},
                                 {"severity", "breached"},
                                 {"kind", "metric"},
                                 {"marketplace", "ATVPDKIKX0DER"},
                                 {"fulfillment_channel", "MFN"},
                                 {"window_days", "10"}}));
    EXPECT_EQ(a["annotations"]["summary"], "[BREACHED] Late dispatch rate 4.6% > 4% (US, 10 days)");
    EXPECT_EQ(
        a["annotations"]["links"],
        "order 111-222: https://sellercentral.amazon.com/orders-v3/order/111-222\nmessage M<1>");
    EXPECT_EQ(a["startsAt"], "2026-03-01T14:05:00Z");
    EXPECT_EQ(a["endsAt"], "2026-03-01T22:06:30Z");
    EXPECT_EQ(body[1]["labels"]["severity"], "at_risk");
    EXPECT_EQ(body[1]["endsAt"], "2026-03-01T14:06:30Z");

    n.alerts[0].state = "resolved";
    const auto resolved = json::parse(render_alertmanager(n, kSentAt, std::chrono::hours(8)).body);
    EXPECT_EQ(resolved[0]["endsAt"], "2026-03-01T14:06:30Z");
    EXPECT_EQ(resolved[1]["endsAt"], "2026-03-01T14:06:30Z");
}

}  // namespace
}  // namespace shd::delivery

namespace shd::delivery {
namespace {

// An Amazon-signal alert as the alert cycle writes it (alerts/words.hpp
// describe_signal): the divergence's two numbers reach every channel.
alerts::notification divergence_notification() {
    auto n = sample_notification();
    alerts::alert_change a = sample_change("firing", "at_risk");
    a.kind = "amazon_divergence";
    a.metric = "amazon_divergence";
    a.fingerprint = "amazon_divergence|order_defect_rate|ATVPDKIKX0DER|MFN";
    a.channel = "MFN";
    a.window_days = 0;
    a.rate = 0.012;
    a.title = "[AT RISK] order_defect_rate ATVPDKIKX0DER MFN: ours 1.20% vs Amazon's 0.40%";
    a.headroom_text =
        "Our order_defect_rate for ATVPDKIKX0DER MFN is 1.20%; Amazon's report says "
        "0.40% (2 of 500): they differ by more than the tolerance 0.50%.";
    a.signal = alerts::signal_values{};
    a.signal->taken_at = *parse_iso8601("2026-03-01T10:00:00Z");
    a.signal->subject = "order_defect_rate";
    a.signal->status = "GOOD";
    a.signal->our_rate = 0.012;
    a.signal->amazon_rate = 0.004;
    a.signal->tolerance = 0.005;
    a.signal->amazon_numerator = 2;
    a.signal->amazon_denominator = 500;
    a.links.clear();
    n.alerts = {a};
    return n;
}

TEST(RenderSignals, EveryChannelCarriesTheDivergencesTwoNumbers) {
    const auto n = divergence_notification();
    const std::string line = "Amazon 0.4% (2 of 500) \u00b7 ours 1.2% \u00b7 tolerance 0.5%";
    EXPECT_NE(render_slack(n, kSentAt).body.find(line), std::string::npos);
    EXPECT_NE(render_teams(n, kSentAt).body.find(line), std::string::npos);
    EXPECT_NE(render_discord(n, kSentAt).body.find(line), std::string::npos);

    const auto hook = json::parse(render_webhook(n, kSentAt, "").body);
    EXPECT_EQ(hook["version"], 2);
    EXPECT_EQ(hook["alerts"][0]["kind"], "amazon_divergence");
    EXPECT_DOUBLE_EQ(hook["alerts"][0]["signal"]["our_rate"].get<double>(), 0.012);
    EXPECT_DOUBLE_EQ(hook["alerts"][0]["signal"]["amazon_rate"].get<double>(), 0.004);
    EXPECT_EQ(hook["alerts"][0]["signal"]["taken_at"], "2026-03-01T10:00:00Z");

    const auto pd = json::parse(render_pagerduty(n, kSentAt, "key").at(0).body);
    EXPECT_EQ(pd["payload"]["class"], "amazon_divergence");
    EXPECT_DOUBLE_EQ(pd["payload"]["custom_details"]["signal"]["amazon_rate"].get<double>(), 0.004);

    const auto am = json::parse(render_alertmanager(n, kSentAt, std::chrono::hours(8)).body);
    ASSERT_EQ(am.size(), 1u);  // no twin of the other severity for a signal alert
    EXPECT_EQ(am[0]["labels"]["alertname"], "SellerHealthAmazonDivergence");
    EXPECT_EQ(am[0]["labels"]["amazon_metric"], "order_defect_rate");
    EXPECT_EQ(am[0]["labels"]["fulfillment_channel"], "MFN");
    EXPECT_EQ(am[0]["annotations"]["our_rate"], "1.2%");
    EXPECT_EQ(am[0]["annotations"]["amazon_rate"], "0.4%");
    EXPECT_NE(am[0]["annotations"]["description"].get<std::string>().find("(2 of 500)"),
              std::string::npos);

    const auto mail = render_email_text(n);
    EXPECT_NE(mail.find("1.20%"), std::string::npos) << mail;
    EXPECT_NE(mail.find("0.40% (2 of 500)"), std::string::npos) << mail;
    EXPECT_NE(render_email_html(n).find("0.40% (2 of 500)"), std::string::npos);

    // The outbox payload keeps the values through a round trip.
    const auto back = alerts::notification_from_json(alerts::to_json(n));
    ASSERT_TRUE(back);
    ASSERT_TRUE(back->alerts[0].signal);
    EXPECT_EQ(*back->alerts[0].signal, *n.alerts[0].signal);
}

// ---- Digests --------------------------------------------------------------------

// A digest: a breach that fired at 03:00 Berlin time (02:00Z in winter), a
// resolve, a missed ship-by deadline, and the breach still firing.
alerts::notification sample_digest() {
    alerts::notification n;
    n.idempotency_key = "digest|daily|2026-03-02";
    n.account = "Acme Store";
    n.created_at = *parse_iso8601("2026-03-02T07:05:00Z");
    auto fired = sample_change();
    fired.transition = "firing";
    fired.decided_at = *parse_iso8601("2026-03-02T02:00:00Z");
    auto resolved = sample_change("resolved", "at_risk");
    resolved.fingerprint = "cancellation_rate|ATVPDKIKX0DER|MFN|7";
    resolved.metric = "cancellation_rate";
    resolved.transition = "resolved";
    resolved.title = "[RESOLVED] Cancellation rate 1% < warn 2% (US, 7 days)";
    resolved.decided_at = *parse_iso8601("2026-03-02T04:00:00Z");
    auto missed = sample_change("firing", "at_risk");
    missed.kind = "ship_deadline";
    missed.metric = "ship_deadline";
    missed.fingerprint = "ship_deadline|111-2223333-4444444";
    missed.transition = "firing";
    missed.title =
        "[AT RISK] Order 111-2223333-4444444 not confirmed: latest ship date in 3 h (US)";
    missed.links = {{"order", "111-2223333-4444444",
                     "https://sellercentral.amazon.com/orders-v3/order/111-2223333-4444444"}};
    missed.decided_at = *parse_iso8601("2026-03-01T20:00:00Z");
    n.alerts = {missed, fired, resolved};
    alerts::digest_part d;
    d.local_date = "2026-03-02";
    d.time_zone = "Europe/Berlin";
    d.since = *parse_iso8601("2026-03-01T07:00:00Z");
    auto still = sample_change();
    still.transition = "repeat";
    d.still_firing = {still};
    d.missed_deadlines = {missed.fingerprint};
    n.digest = d;
    return n;
}

TEST(RenderDigest, GroupsInOrderAndAHeadlineThatCountsThem) {
    const auto n = sample_digest();
    const auto groups = digest_groups(n);
    ASSERT_EQ(groups.size(), 4u);
    EXPECT_EQ(groups[0].heading, "Missed deadlines");
    EXPECT_EQ(groups[1].heading, "Fired");
    EXPECT_EQ(groups[2].heading, "Resolved");
    EXPECT_EQ(groups[3].heading, "Still firing");
    EXPECT_EQ(digest_headline(n),
              "Acme Store: daily digest for 2026-03-02: 1 missed deadline, 1 fired, 1 resolved, "
              "1 still firing");
    // When, in the digest's zone with UTC beside it.
    EXPECT_EQ(digest_when_line(n, n.alerts[1]), "At 2026-03-02 03:00 CET (2026-03-02 02:00 UTC)");
    EXPECT_EQ(digest_when_line(n, n.digest->still_firing[0]),
              "Firing since 2026-03-01 15:05 CET (2026-03-01 14:05 UTC)");
    EXPECT_TRUE(digest_groups(sample_notification()).empty());
}

TEST(RenderDigest, WebhookIsADigestKindWithItsChangesAndStillFiring) {
    const auto j = json::parse(render_webhook(sample_digest(), kSentAt, "").body);
    EXPECT_EQ(j.at("version"), kWebhookVersion);
    EXPECT_EQ(j.at("kind"), "digest");
    EXPECT_EQ(j.at("idempotency_key"), "digest|daily|2026-03-02");
    ASSERT_EQ(j.at("alerts").size(), 3u);
    EXPECT_EQ(j.at("alerts")[1].at("decided_at"), "2026-03-02T02:00:00Z");
    EXPECT_EQ(j.at("digest").at("local_date"), "2026-03-02");
    EXPECT_EQ(j.at("digest").at("time_zone"), "Europe/Berlin");
    EXPECT_EQ(j.at("digest").at("since"), "2026-03-01T07:00:00Z");
    EXPECT_EQ(j.at("digest").at("missed_deadlines")[0], "ship_deadline|111-2223333-4444444");
    EXPECT_EQ(j.at("digest").at("still_firing")[0].at("transition"), "repeat");
    // A notice has neither.
    const auto notice = json::parse(render_webhook(sample_notification(), kSentAt, "").body);
    EXPECT_FALSE(notice.contains("kind"));
    EXPECT_FALSE(notice.contains("digest"));
    EXPECT_FALSE(notice.at("alerts")[0].contains("decided_at"));
}

TEST(RenderDigest, SlackShowsEachGroupWithItsAlertsAndWhen) {
    const auto j = json::parse(render_slack(sample_digest(), kSentAt).body);
    EXPECT_EQ(j.at("blocks")[0].at("text").at("text"),
              "Acme Store: daily digest for 2026-03-02: 1 missed deadline, 1 fired, 1 resolved, "
              "1 still firing");
    const auto& blocks = j.at("attachments")[0].at("blocks");
    std::vector<std::string> texts;
    for (const auto& b : blocks) {
        if (b.at("type") == "section")
            texts.push_back(b.at("text").at("text"));
    }
    ASSERT_GE(texts.size(), 8u);
    EXPECT_EQ(texts[0], "*Missed deadlines (1)*");
    EXPECT_NE(texts[1].find("<https://sellercentral.amazon.com/orders-v3/order/"
                            "111-2223333-4444444|order 111-2223333-4444444>"),
              std::string::npos)
        << texts[1];
    EXPECT_EQ(texts[2], "*Fired (1)*");
    EXPECT_NE(texts[3].find("*[BREACHED] Late dispatch rate 4.6% &gt; 4% (US, 10 days)*"),
              std::string::npos);
    EXPECT_NE(texts[3].find("_At 2026-03-02 03:00 CET (2026-03-02 02:00 UTC)_"), std::string::npos)
        << texts[3];
    EXPECT_EQ(texts[4], "*Resolved (1)*");
    EXPECT_EQ(texts[6], "*Still firing (1)*");
    EXPECT_NE(texts[7].find("Firing since"), std::string::npos);
    // Breached still firing: red.
    EXPECT_EQ(j.at("attachments")[0].at("color"), "#D00000");
    EXPECT_NE(j.at("text").get<std::string>().find("Still firing (1):"), std::string::npos);
}

TEST(RenderDigest, TeamsHeadingsThenContainers) {
    const auto j = json::parse(render_teams(sample_digest(), kSentAt).body);
    const auto& body = j.at("attachments")[0].at("content").at("body");
    EXPECT_EQ(body[0].at("text").get<std::string>().find("Acme Store: daily digest for 2026-03-02"),
              0u);
    EXPECT_EQ(body[1].at("text"), "Missed deadlines (1)");
    EXPECT_EQ(body[2].at("type"), "Container");
    EXPECT_EQ(body[3].at("text"), "Fired (1)");
    EXPECT_EQ(body[4].at("items")[0].at("text"),
              "[BREACHED] Late dispatch rate 4.6% > 4% (US, 10 days)");
    EXPECT_EQ(body[4].at("items")[1].at("text"), "At 2026-03-02 03:00 CET (2026-03-02 02:00 UTC)");
    EXPECT_EQ(body[7].at("text"), "Still firing (1)");
}

TEST(RenderDigest, DiscordOneEmbedPerAlertNamingItsGroup) {
    const auto j = json::parse(render_discord(sample_digest(), kSentAt).body);
    EXPECT_EQ(j.at("content").get<std::string>().find("**Acme Store: daily digest for 2026-03-02"),
              0u);
    const auto& embeds = j.at("embeds");
    ASSERT_EQ(embeds.size(), 4u);
    EXPECT_EQ(embeds[1].at("title"), "[BREACHED] Late dispatch rate 4.6% > 4% (US, 10 days)");
    EXPECT_EQ(
        embeds[1].at("description").get<std::string>().find("Fired \u00b7 At 2026-03-02 03:00 CET"),
        0u);
    EXPECT_EQ(
        embeds[3].at("description").get<std::string>().find("Still firing \u00b7 Firing since"),
        0u);
    EXPECT_NE(
        embeds[0]
            .at("description")
            .get<std::string>()
            .find("[order 111-2223333-4444444](https://sellercentral.amazon.com/orders-v3/order/"
                  "111-2223333-4444444)"),
        std::string::npos);
}

TEST(RenderDigest, EmailSubjectAndBothParts) {
    const auto n = sample_digest();
    EXPECT_EQ(email_subject(n),
              "Acme Store: daily digest for 2026-03-02: 1 missed deadline, 1 fired, 1 resolved, "
              "1 still firing");
    const std::string text = render_email_text(n);
    const auto missed = text.find("== Missed deadlines (1) ==");
    const auto fired = text.find("== Fired (1) ==");
    const auto still = text.find("== Still firing (1) ==");
    ASSERT_NE(missed, std::string::npos) << text;
    ASSERT_NE(fired, std::string::npos);
    ASSERT_NE(still, std::string::npos);
    EXPECT_LT(missed, fired);
    EXPECT_LT(fired, still);
    EXPECT_NE(text.find("  At 2026-03-02 03:00 CET (2026-03-02 02:00 UTC)"), std::string::npos);
    EXPECT_NE(text.find("Order 111-2223333-4444444 in Seller Central: "
                        "https://sellercentral.amazon.com/orders-v3/order/111-2223333-4444444"),
              std::string::npos);
    const std::string html = render_email_html(n);
    EXPECT_NE(html.find("<h3>Still firing (1)</h3>"), std::string::npos);
    EXPECT_NE(html.find("<small>At 2026-03-02 03:00 CET (2026-03-02 02:00 UTC)</small>"),
              std::string::npos);
}

TEST(RenderDigest, PagerDutyAndAlertmanagerRefuseADigest) {
    config::alert_channel pd;
    pd.type = "pagerduty";
    pd.routing_key = "k";
    EXPECT_FALSE(render_for_channel(pd, sample_digest(), kSentAt));
    config::alert_channel am;
    am.type = "alertmanager";
    EXPECT_FALSE(render_for_channel(am, sample_digest(), kSentAt));
    config::alert_channel slack;
    slack.type = "slack";
    EXPECT_TRUE(render_for_channel(slack, sample_digest(), kSentAt));
}

}  // namespace
}  // namespace shd::delivery
