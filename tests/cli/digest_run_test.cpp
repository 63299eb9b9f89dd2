// Digest channels through the real binary (`run --once --at`, two loopback
// webhooks): an immediate channel and a digest channel at 08:00
// Europe/Berlin. A breach decided at 03:00 local goes to the immediate
// channel at once and to the digest channel not at all; the first cycle after
// 08:00 sends exactly one digest naming it; later cycles that day send
// nothing more; the next morning, with the alert still firing, one digest
// lists it as still firing; a daemon down over three mornings sends one.
#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "orders_file.hpp"
#include "support/http_test_server.hpp"
#include "support/test_support.hpp"

namespace shd::test {
namespace {

// The metrics of the alerts in a JSON array, comma-separated.
std::string metrics_of(const nlohmann::json& alerts) {
    std::string out;
    for (const auto& a : alerts)
        out += (out.empty() ? "" : ",") + a.at("metric").get<std::string>();
    return out;
}

TEST(DigestRun, ADigestChannelGetsOneDigestADayAndNoImmediateNotices) {
    http_test_server immediate;
    http_test_server daily;
    temp_dir dir;
    write_file(dir / "config.yaml",
               "database: \"state.sqlite\"\n"
               "inbox: \"inbox\"\n"
               "alerts:\n"
               "  channels:\n"
               "    - name: hook\n"
               "      type: webhook\n"
               "      url: \"" +
                   immediate.url("/alerts") +
                   "\"\n"
                   "    - name: daily\n"
                   "      type: webhook\n"
                   "      url: \"" +
                   daily.url("/digest") +
                   "\"\n"
                   "      digest: {at: \"08:00\", timezone: Europe/Berlin}\n");
    auto run_at = [&](const std::string& at) {
        return run_binary(
            {"run", "--once", "--at", at, "--config", (dir / "config.yaml").string()});
    };
    std::string logs;

    // 03:00 in Berlin (CEST, UTC+2): 3 % cancelled, breached.
    write_file(dir / "inbox" / "orders-1.txt", orders_file(3, "2025-10-03T23:30:00Z"));
    auto night = run_at("2025-10-04T01:00:00Z");
    logs += night.err;
    EXPECT_EQ(night.exit_code, 0) << logs;
    ASSERT_EQ(immediate.request_count(), 1u) << logs;
    EXPECT_EQ(metrics_of(nlohmann::json::parse(immediate.requests()[0].body).at("alerts")),
              "cancellation_rate");
    EXPECT_EQ(daily.request_count(), 0u) << logs;

    // 08:05 local: exactly one digest, naming the alert that fired at 03:00.
    auto morning = run_at("2025-10-04T06:05:00Z");
    logs += morning.err;
    EXPECT_EQ(morning.exit_code, 0) << logs;
    ASSERT_EQ(daily.request_count(), 1u) << logs;
    EXPECT_NE(morning.err.find("(1 daily digest(s))"), std::string::npos) << morning.err;
    const auto first = nlohmann::json::parse(daily.requests()[0].body);
    EXPECT_EQ(first.at("kind"), "digest");
    EXPECT_EQ(first.at("idempotency_key"), "digest|daily|2025-10-04");
    EXPECT_EQ(first.at("digest").at("local_date"), "2025-10-04");
    EXPECT_EQ(first.at("digest").at("time_zone"), "Europe/Berlin");
    EXPECT_EQ(metrics_of(first.at("alerts")), "cancellation_rate");
    EXPECT_EQ(first.at("alerts")[0].at("transition"), "firing");
    EXPECT_EQ(first.at("alerts")[0].at("decided_at"), "2025-10-04T01:00:00Z");
    EXPECT_EQ(metrics_of(first.at("digest").at("still_firing")), "cancellation_rate");
    EXPECT_EQ(immediate.request_count(), 1u) << logs;

    // 09:00 local: nothing more on either.
    logs += run_at("2025-10-04T07:00:00Z").err;
    EXPECT_EQ(daily.request_count(), 1u) << logs;
    EXPECT_EQ(immediate.request_count(), 1u) << logs;

    // The next day at 08:00 local, still firing: the immediate channel gets
    // the repeat, the digest channel one digest listing it as still firing
    // (a repeat is no change of its own).
    logs += run_at("2025-10-05T06:00:00Z").err;
    ASSERT_EQ(daily.request_count(), 2u) << logs;
    const auto second = nlohmann::json::parse(daily.requests()[1].body);
    EXPECT_EQ(second.at("idempotency_key"), "digest|daily|2025-10-05");
    EXPECT_EQ(second.at("digest").at("since"), "2025-10-04T06:05:00Z");
    EXPECT_TRUE(second.at("alerts").empty()) << second.dump(2);
    EXPECT_EQ(metrics_of(second.at("digest").at("still_firing")), "cancellation_rate");
    EXPECT_EQ(second.at("digest").at("still_firing")[0].at("state"), "firing");
    EXPECT_EQ(immediate.request_count(), 2u) << logs;

    // And once more that day: nothing.
    logs += run_at("2025-10-05T10:00:00Z").err;
    EXPECT_EQ(daily.request_count(), 2u) << logs;

    // Down over three 08:00s, back at 12:00 local on the 8th: one digest,
    // for that day, not one per missed day.
    logs += run_at("2025-10-08T10:00:00Z").err;
    ASSERT_EQ(daily.request_count(), 3u) << logs;
    EXPECT_EQ(nlohmann::json::parse(daily.requests()[2].body).at("idempotency_key"),
              "digest|daily|2025-10-08");
    logs += run_at("2025-10-08T11:00:00Z").err;
    EXPECT_EQ(daily.request_count(), 3u) << logs;

    SQLite::Database db((dir / "state.sqlite").string(), SQLite::OPEN_READONLY);
    EXPECT_EQ(db.execAndGet("SELECT group_concat(idempotency_key || ':' || state, ',') FROM"
                            " (SELECT idempotency_key, state FROM outbox WHERE channel_name ="
                            " 'daily' ORDER BY id)")
                  .getString(),
              "digest|daily|2025-10-04:delivered,digest|daily|2025-10-05:delivered,"
              "digest|daily|2025-10-08:delivered");
    EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM digest_items WHERE digest_key IS NULL").getInt(),
              0);
}

}  // namespace
}  // namespace shd::test
