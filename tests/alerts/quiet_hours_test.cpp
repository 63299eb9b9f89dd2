// Quiet hours in a time zone: inside, outside, across midnight, across DST.
#include "alerts/quiet_hours.hpp"

#include <gtest/gtest.h>

namespace shd::alerts {
namespace {

instant at(const char* iso) {
    return *parse_iso8601(iso);
}

config::quiet_hours_config quiet(const char* start, const char* end, const char* zone) {
    return config::quiet_hours_config{start, end, zone};
}

TEST(QuietHours, AcrossMidnightInUtc) {
    const auto q = quiet("22:00", "07:00", "UTC");
    EXPECT_EQ(quiet_hours_end(q, at("2026-03-01T21:59:59Z")), std::nullopt);
    EXPECT_EQ(quiet_hours_end(q, at("2026-03-01T22:00:00Z")), at("2026-03-02T07:00:00Z"));
    EXPECT_EQ(quiet_hours_end(q, at("2026-03-01T23:30:00Z")), at("2026-03-02T07:00:00Z"));
    EXPECT_EQ(quiet_hours_end(q, at("2026-03-02T00:00:00Z")), at("2026-03-02T07:00:00Z"));
    EXPECT_EQ(quiet_hours_end(q, at("2026-03-02T06:59:59Z")), at("2026-03-02T07:00:00Z"));
    EXPECT_EQ(quiet_hours_end(q, at("2026-03-02T07:00:00Z")), std::nullopt);
    EXPECT_EQ(quiet_hours_end(q, at("2026-03-02T12:00:00Z")), std::nullopt);
}

TEST(QuietHours, WithinOneDay) {
    const auto q = quiet("1:00", "6:30", "UTC");
    EXPECT_EQ(quiet_hours_end(q, at("2026-03-01T00:59:00Z")), std::nullopt);
    EXPECT_EQ(quiet_hours_end(q, at("2026-03-01T01:00:00Z")), at("2026-03-01T06:30:00Z"));
    EXPECT_EQ(quiet_hours_end(q, at("2026-03-01T06:30:00Z")), std::nullopt);
    EXPECT_EQ(quiet_hours_end(q, at("2026-03-01T23:00:00Z")), std::nullopt);
}

TEST(QuietHours, LocalTimeOfTheZone) {
    // Berlin in winter is UTC+1: 22:00-07:00 local is 21:00-06:00 UTC.
    const auto q = quiet("22:00", "07:00", "Europe/Berlin");
    EXPECT_EQ(quiet_hours_end(q, at("2026-01-15T20:59:00Z")), std::nullopt);
    EXPECT_EQ(quiet_hours_end(q, at("2026-01-15T21:00:00Z")), at("2026-01-16T06:00:00Z"));
    EXPECT_EQ(quiet_hours_end(q, at("2026-01-16T05:00:00Z")), at("2026-01-16T06:00:00Z"));
    EXPECT_EQ(quiet_hours_end(q, at("2026-01-16T06:00:00Z")), std::nullopt);
    // In summer UTC+2.
    EXPECT_EQ(quiet_hours_end(q, at("2026-07-15T20:30:00Z")), at("2026-07-16T05:00:00Z"));
}

TEST(QuietHours, NightOfTheSpringChange) {
    // New York, 2026-03-08: clocks go from 02:00 EST to 03:00 EDT. The night
    // begins at 22:00 EST (03:00Z) and ends at 07:00 EDT (11:00Z): 8 hours.
    const auto q = quiet("22:00", "07:00", "America/New_York");
    EXPECT_EQ(quiet_hours_end(q, at("2026-03-08T03:00:00Z")), at("2026-03-08T11:00:00Z"));
    EXPECT_EQ(quiet_hours_end(q, at("2026-03-08T06:59:00Z")), at("2026-03-08T11:00:00Z"));
    EXPECT_EQ(quiet_hours_end(q, at("2026-03-08T10:59:59Z")), at("2026-03-08T11:00:00Z"));
    EXPECT_EQ(quiet_hours_end(q, at("2026-03-08T11:00:00Z")), std::nullopt);
}

TEST(QuietHours, EndInsideTheSkippedHour) {
    // 02:30 does not exist on 2026-03-08 in New York: the quiet hours end at
    // the change (03:00 EDT = 07:00Z).
    const auto q = quiet("23:00", "02:30", "America/New_York");
    EXPECT_EQ(quiet_hours_end(q, at("2026-03-08T05:00:00Z")), at("2026-03-08T07:00:00Z"));
}

TEST(QuietHours, EndInsideTheRepeatedHour) {
    // 2026-11-01 in New York: 01:00-02:00 happens twice. An end of 01:30 is
    // the first 01:30 (EDT, 05:30Z); during the second one it is not quiet.
    const auto q = quiet("22:00", "01:30", "America/New_York");
    EXPECT_EQ(quiet_hours_end(q, at("2026-11-01T04:00:00Z")), at("2026-11-01T05:30:00Z"));
    EXPECT_EQ(quiet_hours_end(q, at("2026-11-01T06:10:00Z")), std::nullopt);  // 01:10 EST
}

TEST(QuietHours, BadSettingsMeanNoQuietHours) {
    EXPECT_EQ(quiet_hours_end(quiet("22:00", "07:00", "Mars/Olympus"), at("2026-03-01T23:00:00Z")),
              std::nullopt);
    EXPECT_EQ(quiet_hours_end(quiet("22:00", "22:00", "UTC"), at("2026-03-01T23:00:00Z")),
              std::nullopt);
    EXPECT_EQ(quiet_hours_end(quiet("late", "07:00", "UTC"), at("2026-03-01T23:00:00Z")),
              std::nullopt);
}

}  // namespace
}  // namespace shd::alerts
