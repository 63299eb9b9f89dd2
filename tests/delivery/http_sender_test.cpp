// The HTTP channel senders against a loopback server: what arrives on the
// wire, and what the outcome says.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "delivery/delivery_fixture.hpp"
#include "delivery/render.hpp"
#include "delivery/sender.hpp"
#include "support/http_test_server.hpp"

namespace shd::delivery {
namespace {

using namespace std::chrono_literals;
using test::http_test_server;
using test::scripted_response;
using testing::sample_change;
using testing::sample_notification;
using kind = send_outcome::kind;

const instant kNow = *parse_iso8601("2026-03-01T12:00:00Z");

config::alert_channel channel(std::string type, std::string url) {
    config::alert_channel c;
    c.name = type + "-test";
    c.type = std::move(type);
    c.url = std::move(url);
    c.timeout = 1s;
    return c;
}

TEST(MakeSender, KnowsEveryChannelType) {
    for (const char* t :
         {"webhook", "slack", "teams", "discord", "pagerduty", "email", "alertmanager"})
        EXPECT_NE(make_sender(t), nullptr) << t;
    EXPECT_EQ(make_sender("carrier-pigeon"), nullptr);
}

TEST(HttpSender, WebhookArrivesSignedWithTheKey) {
    http_test_server server;
    auto c = channel("webhook", server.url("/hook"));
    c.secret = "shared-secret";
    const auto outcome = make_sender("webhook")->send(c, sample_notification("k-7"), kNow);
    EXPECT_EQ(outcome.result, kind::delivered);
    EXPECT_EQ(outcome.detail, "HTTP 200");
    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].header("Idempotency-Key"), "k-7");
    EXPECT_EQ(requests[0].header("Content-Type"), "application/json");
    EXPECT_EQ(requests[0].header("X-Seller-Healthd-Timestamp"), std::to_string(to_unix(kNow)));
    EXPECT_EQ(
        requests[0].header("X-Signature-SHA256"),
        hmac_sha256_hex("shared-secret", std::to_string(to_unix(kNow)) + "." + requests[0].body));
    EXPECT_EQ(nlohmann::json::parse(requests[0].body).at("sent_at"), "2026-03-01T12:00:00Z");
}

TEST(HttpSender, EveryChatTypePostsJson) {
    for (const char* type : {"slack", "teams", "discord"}) {
        http_test_server server;
        server.script({scripted_response::with_status(type == std::string("discord") ? 204 : 200)});
        const auto outcome =
            make_sender(type)->send(channel(type, server.url("/x")), sample_notification(), kNow);
        EXPECT_EQ(outcome.result, kind::delivered) << type << ": " << outcome.detail;
        ASSERT_EQ(server.request_count(), 1u) << type;
        EXPECT_NO_THROW(nlohmann::json::parse(server.requests()[0].body)) << type;
    }
}

TEST(HttpSender, PagerDutySendsOneEventPerAlertChange) {
    http_test_server server;
    server.set_default({202, {}, R"({"status":"success"})", false});
    auto c = channel("pagerduty", server.url("/v2/enqueue"));
    c.routing_key = "ROUTE-123";
    auto n = sample_notification();
    auto resolved = sample_change("resolved");
    resolved.fingerprint = "odr|x";
    n.alerts.push_back(resolved);
    const auto outcome = make_sender("pagerduty")->send(c, n, kNow);
    EXPECT_EQ(outcome.result, kind::delivered) << outcome.detail;
    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(nlohmann::json::parse(requests[0].body).at("event_action"), "trigger");
    EXPECT_EQ(nlohmann::json::parse(requests[1].body).at("event_action"), "resolve");
}

TEST(HttpSender, PagerDutyStopsAtTheFirstRefusedEvent) {
    http_test_server server;
    server.script({{202, {}, "", false}, {429, {{"Retry-After", "60"}}, "", false}});
    auto c = channel("pagerduty", server.url("/v2/enqueue"));
    c.routing_key = "ROUTE-123";
    auto n = sample_notification();
    for (int i = 0; i < 2; ++i) {
        auto more = sample_change();
        more.fingerprint += std::to_string(i);
        n.alerts.push_back(more);
    }
    const auto outcome = make_sender("pagerduty")->send(c, n, kNow);
    EXPECT_EQ(outcome.result, kind::retry);
    EXPECT_EQ(outcome.retry_after, 60s);
    EXPECT_EQ(outcome.detail.rfind("event 2 of 3: HTTP 429", 0), 0u) << outcome.detail;
    EXPECT_EQ(server.request_count(), 2u);
}

TEST(HttpSender, DetailsNeverEchoTheSecretUrl) {
    http_test_server server;
    const std::string url = server.url("/services/T0/B0/TOPSECRET");
    // A receiver that echoes the request line back in its error.
    server.script(
        {scripted_response::with_status(404, "no_service for /services/T0/B0/TOPSECRET")});
    const auto outcome =
        make_sender("slack")->send(channel("slack", url), sample_notification(), kNow);
    EXPECT_EQ(outcome.result, kind::rejected);
    EXPECT_EQ(outcome.detail.find("TOPSECRET"), std::string::npos) << outcome.detail;
    EXPECT_NE(outcome.detail.find("HTTP 404"), std::string::npos);
}

TEST(HttpSender, UnreachableReceiverIsARetry) {
    auto c = channel("webhook", "http://127.0.0.1:1/x");  // nothing listens on port 1
    const auto outcome = make_sender("webhook")->send(c, sample_notification(), kNow);
    EXPECT_EQ(outcome.result, kind::retry);
    EXPECT_NE(outcome.detail.find("cannot connect"), std::string::npos) << outcome.detail;
}

}  // namespace
}  // namespace shd::delivery
