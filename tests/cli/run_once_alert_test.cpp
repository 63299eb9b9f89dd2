// The whole flow through the real binary: files dropped into the inbox,
// `run --once --at T` imports, evaluates, decides and delivers to a real
// webhook receiver on 127.0.0.1. Exactly one firing notification; nothing new
// on the next run; a resolved notice once newer data brings the rate back; a
// receiver that fails first gets the alert exactly once after it recovers.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "orders_file.hpp"
#include "support/http_test_server.hpp"
#include "support/test_support.hpp"

namespace shd::test {
namespace {

std::string config_for(const std::string& url) {
    return "account: \"Test seller\"\n"
           "database: \"state.sqlite\"\n"
           "inbox: \"inbox\"\n"
           "alerts:\n"
           "  channels:\n"
           "    - name: hook\n"
           "      type: webhook\n"
           "      url: \"" +
           url +
           "\"\n"
           "      secret: \"s3cret\"\n";
}

process_result run_once(const temp_dir& dir, const std::string& at) {
    return run_binary({"run", "--once", "--at", at, "--config", (dir / "config.yaml").string()});
}

// The cancellation alert for US in a webhook body, if it is there.
const nlohmann::json* cancellation_alert(const nlohmann::json& body) {
    for (const auto& a : body.at("alerts")) {
        if (a.at("metric") == "cancellation_rate" && a.at("marketplace") == "ATVPDKIKX0DER")
            return &a;
    }
    return nullptr;
}

TEST(RunOnce, FiresOnceThenNothingThenResolves) {
    http_test_server receiver;
    temp_dir dir;
    write_file(dir / "config.yaml", config_for(receiver.url("/alerts")));
    write_file(dir / "inbox" / "orders.txt", orders_file(10, "2025-10-01T12:00:00Z"));

    auto first = run_once(dir, "2025-10-03T00:00:00Z");
    EXPECT_EQ(first.exit_code, 0) << first.err;
    ASSERT_EQ(receiver.request_count(), 1u) << first.err;
    const auto fired = receiver.requests().at(0);
    const auto body = nlohmann::json::parse(fired.body);
    EXPECT_EQ(body.at("account"), "Test seller");
    EXPECT_EQ(fired.header("Idempotency-Key").value_or(""), body.at("idempotency_key"));
    EXPECT_TRUE(fired.header("X-Signature-SHA256").has_value());
    const auto* alert = cancellation_alert(body);
    ASSERT_NE(alert, nullptr) << fired.body;
    EXPECT_EQ(alert->at("state"), "firing");
    EXPECT_EQ(alert->at("severity"), "breached");
    EXPECT_EQ(alert->at("numerator"), 10);
    EXPECT_EQ(alert->at("denominator"), 100);
    EXPECT_TRUE(std::filesystem::exists(dir / "inbox" / "archive" / "orders.txt"));

    // The same state an hour later: nothing new to say.
    auto second = run_once(dir, "2025-10-03T01:00:00Z");
    EXPECT_EQ(second.exit_code, 0) << second.err;
    EXPECT_EQ(receiver.request_count(), 1u);

    // A newer export: the orders were not cancelled after all.
    write_file(dir / "inbox" / "orders-update.txt", orders_file(0, "2025-10-02T12:00:00Z"));
    auto third = run_once(dir, "2025-10-03T02:00:00Z");
    EXPECT_EQ(third.exit_code, 0) << third.err;
    ASSERT_EQ(receiver.request_count(), 2u) << third.err;
    const auto resolved = nlohmann::json::parse(receiver.requests().at(1).body);
    const auto* cleared = cancellation_alert(resolved);
    ASSERT_NE(cleared, nullptr) << receiver.requests().at(1).body;
    EXPECT_EQ(cleared->at("state"), "resolved");
    EXPECT_NE(resolved.at("idempotency_key"), body.at("idempotency_key"));

    auto fourth = run_once(dir, "2025-10-03T03:00:00Z");
    EXPECT_EQ(fourth.exit_code, 0) << fourth.err;
    EXPECT_EQ(receiver.request_count(), 2u);
}

TEST(RunOnce, AReceiverThatFailsFirstGetsTheAlertExactlyOnce) {
    http_test_server receiver;
    receiver.script({scripted_response::with_status(500, "down for maintenance")});
    temp_dir dir;
    write_file(dir / "config.yaml", config_for(receiver.url("/alerts")));
    write_file(dir / "inbox" / "orders.txt", orders_file(10, "2025-10-01T12:00:00Z"));

    // The attempt fails: the notification stays owed, and the run says so.
    auto first = run_once(dir, "2025-10-03T00:00:00Z");
    EXPECT_EQ(first.exit_code, 1) << first.err;
    ASSERT_EQ(receiver.request_count(), 1u);

    // Before the backoff has passed nothing is sent again.
    auto early = run_once(dir, "2025-10-03T00:00:01Z");
    EXPECT_EQ(receiver.request_count(), 1u) << early.err;

    // After it, the same notification goes out once and is accepted.
    auto later = run_once(dir, "2025-10-03T00:10:00Z");
    EXPECT_EQ(later.exit_code, 0) << later.err;
    ASSERT_EQ(receiver.request_count(), 2u);
    const auto requests = receiver.requests();
    EXPECT_EQ(requests[0].header("Idempotency-Key"), requests[1].header("Idempotency-Key"));

    auto after = run_once(dir, "2025-10-03T00:20:00Z");
    EXPECT_EQ(after.exit_code, 0) << after.err;
    EXPECT_EQ(receiver.request_count(), 2u);
}

// Secrets never reach a log line: not the HMAC key, not the secret part of a
// webhook URL (path and query), at the most verbose log level, through a
// failed send, a retry, a success and a broken config.
TEST(RunOnce, NoSecretReachesTheLog) {
    http_test_server receiver;
    receiver.script({scripted_response::with_status(503, "busy"),
                     scripted_response::with_status(401, "bad token")});
    temp_dir dir;
    write_file(
        dir / "config.yaml",
        "log_level: trace\n" + config_for(receiver.url("/hooks/PATHSECRET?token=QUERYSECRET")));
    write_file(dir / "inbox" / "orders.txt", orders_file(10, "2025-10-01T12:00:00Z"));
    std::string logs;
    for (const char* at : {"2025-10-03T00:00:00Z", "2025-10-03T00:10:00Z"})
        logs += run_once(dir, at).err;
    ASSERT_EQ(receiver.request_count(), 2u) << logs;
    EXPECT_NE(logs.find("failed"), std::string::npos) << logs;  // the sends were logged
    EXPECT_NE(logs.find("rejected"), std::string::npos) << logs;
    for (const char* secret : {"s3cret", "PATHSECRET", "QUERYSECRET"})
        EXPECT_EQ(logs.find(secret), std::string::npos) << secret << " in:\n" << logs;

    // A config error near a secret names the key, not the value.
    write_file(dir / "config.yaml",
               "alerts:\n  channels:\n    - name: hook\n      type: webhook\n"
               "      url: \"https://x.example.com/PATHSECRET\"\n      secret: \"s3cret\"\n"
               "      timeout: \"s3cret\"\n");
    const auto bad = run_binary({"check-config", "--config", (dir / "config.yaml").string()});
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.err.find("timeout"), std::string::npos) << bad.err;
    EXPECT_EQ(bad.out.find("PATHSECRET"), std::string::npos);
}

}  // namespace
}  // namespace shd::test
