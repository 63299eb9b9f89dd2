// When a digest channel's digest is due, and what it holds: local hours in a
// zone, the days daylight saving changes, a daemon that was down over the
// hour (one digest, not one per missed day), and a day with nothing to say.
#include "alerts/digest_schedule.hpp"

#include <gtest/gtest.h>

namespace shd::alerts {
namespace {

instant at(const char* iso) {
    return *parse_iso8601(iso);
}

config::digest_config daily(const char* hour) {
    return config::digest_config{hour, ""};
}

TEST(DigestSlot, TodaysHourOnceItHasPassedElseYesterdays) {
    // Berlin in winter is UTC+1: 08:00 local is 07:00Z.
    const auto d = daily("08:00");
    EXPECT_EQ(latest_digest_slot(d, "Europe/Berlin", at("2026-01-15T06:59:59Z")),
              (digest_slot{at("2026-01-14T07:00:00Z"), "2026-01-14"}));
    EXPECT_EQ(latest_digest_slot(d, "Europe/Berlin", at("2026-01-15T07:00:00Z")),
              (digest_slot{at("2026-01-15T07:00:00Z"), "2026-01-15"}));
    EXPECT_EQ(latest_digest_slot(d, "Europe/Berlin", at("2026-01-15T22:30:00Z")),
              (digest_slot{at("2026-01-15T07:00:00Z"), "2026-01-15"}));
    // 23:30Z is already the 16th in Berlin, before its 08:00.
    EXPECT_EQ(latest_digest_slot(d, "Europe/Berlin", at("2026-01-15T23:30:00Z")),
              (digest_slot{at("2026-01-15T07:00:00Z"), "2026-01-15"}));
    // Summer: UTC+2.
    EXPECT_EQ(latest_digest_slot(d, "Europe/Berlin", at("2026-07-15T06:00:00Z")),
              (digest_slot{at("2026-07-15T06:00:00Z"), "2026-07-15"}));
}

TEST(DigestSlot, AnHourTheSpringChangeSkipsIsTheFirstInstantAfterIt) {
    // Berlin, 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00Z); 02:30 does
    // not exist that day.
    const auto d = daily("02:30");
    EXPECT_EQ(latest_digest_slot(d, "Europe/Berlin", at("2026-03-29T00:59:59Z")),
              (digest_slot{at("2026-03-28T01:30:00Z"), "2026-03-28"}));
    EXPECT_EQ(latest_digest_slot(d, "Europe/Berlin", at("2026-03-29T01:00:00Z")),
              (digest_slot{at("2026-03-29T01:00:00Z"), "2026-03-29"}));
    // The next day is back to 02:30 CEST.
    EXPECT_EQ(latest_digest_slot(d, "Europe/Berlin", at("2026-03-30T00:30:00Z")),
              (digest_slot{at("2026-03-30T00:30:00Z"), "2026-03-30"}));
}

TEST(DigestSlot, AnHourTheAutumnChangeRepeatsIsItsFirstOccurrence) {
    // Berlin, 2026-10-25: 03:00 CEST goes back to 02:00 CET (01:00Z); 02:30
    // happens at 00:30Z and again at 01:30Z.
    const auto d = daily("02:30");
    EXPECT_EQ(latest_digest_slot(d, "Europe/Berlin", at("2026-10-25T00:30:00Z")),
              (digest_slot{at("2026-10-25T00:30:00Z"), "2026-10-25"}));
    EXPECT_EQ(latest_digest_slot(d, "Europe/Berlin", at("2026-10-25T01:30:00Z")),
              (digest_slot{at("2026-10-25T00:30:00Z"), "2026-10-25"}));
}

TEST(DigestDecision, OncePerLocalDayAtTheFirstCycleAfterTheHour) {
    const auto d = daily("08:00");
    const char* zone = "Europe/Berlin";
    // Covered at 03:00 local (01:00Z, summer): not due before 08:00 local.
    const auto covered = at("2025-10-04T01:00:00Z");
    EXPECT_FALSE(decide_digest(d, zone, covered, 1, 1, at("2025-10-04T05:59:59Z")).due);
    const auto morning = decide_digest(d, zone, covered, 1, 1, at("2025-10-04T06:05:00Z"));
    EXPECT_TRUE(morning.due);
    EXPECT_TRUE(morning.send);
    EXPECT_EQ(morning.slot.local_date, "2025-10-04");
    EXPECT_EQ(morning.slot.at, at("2025-10-04T06:00:00Z"));
    // Once sent (covered at 08:05 local), nothing more that day.
    const auto sent = at("2025-10-04T06:05:00Z");
    EXPECT_FALSE(decide_digest(d, zone, sent, 5, 5, at("2025-10-04T07:00:00Z")).due);
    EXPECT_FALSE(decide_digest(d, zone, sent, 5, 5, at("2025-10-05T05:59:00Z")).due);
    EXPECT_TRUE(decide_digest(d, zone, sent, 0, 1, at("2025-10-05T06:00:00Z")).send);
}

TEST(DigestDecision, ANewChannelWaitsForItsFirstHour) {
    EXPECT_FALSE(
        decide_digest(daily("08:00"), "UTC", std::nullopt, 3, 3, at("2026-01-15T09:00:00Z")).due);
    // First seen at 08:30: today's 08:00 is older, tomorrow's is the first.
    const auto seen = at("2026-01-15T08:30:00Z");
    EXPECT_FALSE(decide_digest(daily("08:00"), "UTC", seen, 3, 3, at("2026-01-15T23:00:00Z")).due);
    EXPECT_TRUE(decide_digest(daily("08:00"), "UTC", seen, 3, 3, at("2026-01-16T08:00:00Z")).due);
}

TEST(DigestDecision, CatchUpIsOneDigestForTheLatestMissedHour) {
    const auto d = daily("08:00");
    // Last digest 2026-01-10 08:00 UTC; down until the 14th at 10:00: one
    // digest, for the 14th; then nothing until the 15th.
    const auto last = at("2026-01-10T08:00:00Z");
    const auto back = decide_digest(d, "UTC", last, 4, 0, at("2026-01-14T10:00:00Z"));
    EXPECT_TRUE(back.send);
    EXPECT_EQ(back.slot.local_date, "2026-01-14");
    EXPECT_FALSE(
        decide_digest(d, "UTC", at("2026-01-14T10:00:00Z"), 1, 1, at("2026-01-14T20:00:00Z")).due);
    // Back before the day's hour: the digest of the day before goes at once,
    // the day's own at its hour.
    const auto early = decide_digest(d, "UTC", last, 4, 0, at("2026-01-14T03:00:00Z"));
    EXPECT_TRUE(early.send);
    EXPECT_EQ(early.slot.local_date, "2026-01-13");
    EXPECT_TRUE(
        decide_digest(d, "UTC", at("2026-01-14T03:00:00Z"), 0, 1, at("2026-01-14T08:00:00Z")).send);
}

TEST(DigestDecision, ADayWithNothingToSayIsDueButSendsNothing) {
    const auto quiet = decide_digest(daily("08:00"), "UTC", at("2026-01-14T08:00:00Z"), 0, 0,
                                     at("2026-01-15T08:00:00Z"));
    EXPECT_TRUE(quiet.due);
    EXPECT_FALSE(quiet.send);
    EXPECT_EQ(quiet.slot.local_date, "2026-01-15");
}

TEST(DigestDecision, ACrossTheSpringChangeTheDayIs23Hours) {
    // New York, 2026-03-08: 08:00 EST on the 7th is 13:00Z, 08:00 EDT on the
    // 8th is 12:00Z.
    const auto d = daily("08:00");
    const auto covered = at("2026-03-07T13:00:00Z");
    EXPECT_FALSE(
        decide_digest(d, "America/New_York", covered, 1, 0, at("2026-03-08T11:59:00Z")).due);
    const auto next =
        decide_digest(d, "America/New_York", covered, 1, 0, at("2026-03-08T12:00:00Z"));
    EXPECT_TRUE(next.due);
    EXPECT_EQ(next.slot.local_date, "2026-03-08");
}

TEST(DigestDecision, BadSettingsAreNeverDue) {
    EXPECT_FALSE(decide_digest(daily("08:00"), "Mars/Olympus", at("2026-01-01T00:00:00Z"), 1, 1,
                               at("2026-01-15T09:00:00Z"))
                     .due);
    EXPECT_FALSE(decide_digest(daily("late"), "UTC", at("2026-01-01T00:00:00Z"), 1, 1,
                               at("2026-01-15T09:00:00Z"))
                     .due);
}

alert_change change_of(const char* fingerprint, const char* transition) {
    alert_change a;
    a.kind = "metric";
    a.fingerprint = fingerprint;
    a.state = std::string(transition) == "resolved" ? "resolved" : "firing";
    a.transition = transition;
    a.severity = "breached";
    a.title = std::string("[") + transition + "] " + fingerprint;
    return a;
}

TEST(BuildDigest, ChangesInOrderWithoutRepeatsAndTheAlertsStillFiring) {
    const digest_slot slot{at("2026-01-15T07:00:00Z"), "2026-01-15"};
    std::vector<recorded_change> changes{
        {change_of("a", "firing"), at("2026-01-14T20:00:00Z")},
        {change_of("a", "repeat"), at("2026-01-15T06:00:00Z")},
        {change_of("b", "resolved"), at("2026-01-15T06:30:00Z")},
    };
    const auto n =
        build_digest("daily", "acme", slot, "Europe/Berlin", at("2026-01-14T07:00:00Z"), changes,
                     {change_of("a", "repeat")}, {}, at("2026-01-15T07:01:00Z"));
    EXPECT_EQ(n.idempotency_key, "digest|daily|2026-01-15");
    EXPECT_EQ(n.account, "acme");
    ASSERT_EQ(n.alerts.size(), 2u);
    EXPECT_EQ(n.alerts[0].transition, "firing");
    EXPECT_EQ(n.alerts[0].decided_at, at("2026-01-14T20:00:00Z"));
    EXPECT_EQ(n.alerts[1].transition, "resolved");
    ASSERT_TRUE(n.digest.has_value());
    EXPECT_EQ(n.digest->local_date, "2026-01-15");
    EXPECT_EQ(n.digest->time_zone, "Europe/Berlin");
    EXPECT_EQ(n.digest->since, at("2026-01-14T07:00:00Z"));
    ASSERT_EQ(n.digest->still_firing.size(), 1u);
    EXPECT_EQ(n.digest->still_firing[0].fingerprint, "a");

    // The payload reads back the same.
    const auto back = notification_from_json(to_json(n));
    ASSERT_TRUE(back) << back.error().text;
    ASSERT_TRUE(back->digest.has_value());
    EXPECT_EQ(back->alerts[0].decided_at, at("2026-01-14T20:00:00Z"));
    EXPECT_EQ(back->digest->still_firing[0].title, n.digest->still_firing[0].title);
    EXPECT_EQ(back->digest->since, n.digest->since);
    EXPECT_EQ(highest_severity(*back), "breached");
}

}  // namespace
}  // namespace shd::alerts
