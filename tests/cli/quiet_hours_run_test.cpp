// Quiet hours through the real binary (`run --once --at`, a loopback
// webhook): an at-risk alert decided at night is held; when it breaches the
// breach goes out at once and the held at-risk notice is superseded; the
// resolve of the breached episode goes out at once too; the morning brings
// nothing more. (Before the outbox state machine, the held "[AT RISK]" left
// at 07:00, after the resolve: an incident reopened that nothing closed.)
#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "orders_file.hpp"
#include "support/http_test_server.hpp"
#include "support/test_support.hpp"

namespace shd::test {
namespace {

// The cancellation alert's state and severity in a webhook body.
std::string cancellation(const std::string& body) {
    const auto json = nlohmann::json::parse(body);
    for (const auto& a : json.at("alerts")) {
        if (a.at("metric") == "cancellation_rate")
            return a.at("state").get<std::string>() + "/" + a.at("severity").get<std::string>();
    }
    return "none";
}

TEST(QuietHoursRun, AHeldAtRiskNoticeIsSupersededAndNeverFollowsTheResolve) {
    http_test_server receiver;
    temp_dir dir;
    write_file(dir / "config.yaml",
               "database: \"state.sqlite\"\n"
               "inbox: \"inbox\"\n"
               "alerts:\n"
               "  quiet_hours: {start: \"22:00\", end: \"07:00\", timezone: "
               "UTC}\n"
               "  channels:\n"
               "    - name: hook\n"
               "      type: webhook\n"
               "      url: \"" +
                   receiver.url("/alerts") + "\"\n");
    auto run_at = [&](const std::string& at) {
        return run_binary(
            {"run", "--once", "--at", at, "--config", (dir / "config.yaml").string()});
    };
    std::string logs;

    // 23:00: 2 % cancelled, at risk: held until 07:00.
    write_file(dir / "inbox" / "orders-1.txt", orders_file(2, "2025-10-03T22:00:00Z"));
    auto night = run_at("2025-10-03T23:00:00Z");
    logs += night.err;
    EXPECT_EQ(night.exit_code, 0) << logs;
    EXPECT_EQ(receiver.request_count(), 0u) << logs;

    // 00:00: 3 %, breached: out at once; the held at-risk notice is obsolete.
    write_file(dir / "inbox" / "orders-2.txt", orders_file(3, "2025-10-03T23:30:00Z"));
    logs += run_at("2025-10-04T00:00:00Z").err;
    ASSERT_EQ(receiver.request_count(), 1u) << logs;
    EXPECT_EQ(cancellation(receiver.requests()[0].body), "firing/breached");

    // 01:00: back to 0 %: the breached episode's resolve goes out at once.
    write_file(dir / "inbox" / "orders-3.txt", orders_file(0, "2025-10-04T00:30:00Z"));
    logs += run_at("2025-10-04T01:00:00Z").err;
    ASSERT_EQ(receiver.request_count(), 2u) << logs;
    EXPECT_EQ(cancellation(receiver.requests()[1].body), "resolved/breached");

    // 07:00 and later: nothing more, the at-risk notice never leaves.
    auto morning = run_at("2025-10-04T07:00:00Z");
    logs += morning.err;
    EXPECT_EQ(morning.exit_code, 0) << logs;
    logs += run_at("2025-10-04T09:00:00Z").err;
    EXPECT_EQ(receiver.request_count(), 2u) << logs;

    SQLite::Database db((dir / "state.sqlite").string(), SQLite::OPEN_READONLY);
    EXPECT_EQ(db.execAndGet("SELECT group_concat(state, ',') FROM (SELECT state FROM outbox"
                            " ORDER BY id)")
                  .getString(),
              "superseded,delivered,delivered");
}

}  // namespace
}  // namespace shd::test
