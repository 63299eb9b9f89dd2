#include "core/time.hpp"

#include <gtest/gtest.h>

namespace shd {
namespace {

long long unix_of(const char* text) {
    auto t = parse_iso8601(text);
    EXPECT_TRUE(t.has_value()) << text;
    return t ? to_unix(*t) : -1;
}

TEST(Time, ParsesEveryOffsetForm) {
    const long long expected = 1758715370;  // 2025-09-24T12:02:50Z
    EXPECT_EQ(unix_of("2025-09-24T12:02:50Z"), expected);
    EXPECT_EQ(unix_of("2025-09-24T12:02:50+00:00"), expected);
    EXPECT_EQ(unix_of("2025-09-24T05:02:50-07:00"), expected);
    EXPECT_EQ(unix_of("2025-09-24T17:32:50+0530"), expected);
    EXPECT_EQ(unix_of("2025-09-24T12:02:50.999Z"), expected);
    EXPECT_EQ(unix_of("2025-09-24 12:02:50+00"), expected);
}

TEST(Time, BareDateIsMidnightUtc) {
    EXPECT_EQ(unix_of("2025-09-24"), 1758672000);
}

TEST(Time, MinutesOnlyTime) {
    EXPECT_EQ(unix_of("2020-10-21T00:00Z"), 1603238400);
}

TEST(Time, RejectsMalformed) {
    for (const char* bad : {"", "2025-09-24T12:02:50", "2025-13-01", "2025-02-30", "24/9/2025",
                            "2025-09-24T25:00:00Z", "2025-09-24T12:02:50+25:00", "2025-09-24Tx",
                            "2025-09-24T12:02:50ZZ", "garbage", "2025-09-24T12:02:5Z"}) {
        EXPECT_FALSE(parse_iso8601(bad).has_value()) << bad;
    }
}

// One rule per test line: each would pass a parser that dropped that rule.
TEST(Time, EveryRuleOfTheParser) {
    const long long noon = 1758715370;  // 2025-09-24T12:02:50Z
    // Hours 0 to 23.
    EXPECT_EQ(unix_of("2025-09-24T00:00:00Z"), 1758672000);
    EXPECT_EQ(unix_of("2025-09-24T23:59:59Z"), 1758672000 + 86399);
    EXPECT_FALSE(parse_iso8601("2025-09-24T24:00:00Z"));
    // Minutes 0 to 59.
    EXPECT_EQ(unix_of("2025-09-24T12:59:00Z"), 1758672000 + 12 * 3600 + 59 * 60);
    EXPECT_FALSE(parse_iso8601("2025-09-24T12:60:00Z"));
    EXPECT_FALSE(parse_iso8601("2025-09-24T12:60Z"));
    // Seconds 0 to 59 (no leap second).
    EXPECT_EQ(unix_of("2025-09-24T12:02:59Z"), noon + 9);
    EXPECT_FALSE(parse_iso8601("2025-09-24T12:02:60Z"));
    // Two digits each.
    EXPECT_FALSE(parse_iso8601("2025-09-24T1:02:50Z"));
    EXPECT_FALSE(parse_iso8601("2025-09-24T12:2:50Z"));
    EXPECT_FALSE(parse_iso8601("2025-09-24T12:02:5Z"));
    EXPECT_FALSE(parse_iso8601("2025-09-24T12:02:+5Z"));
    // Z in either case; no offset at all is refused.
    EXPECT_EQ(unix_of("2025-09-24T12:02:50Z"), noon);
    EXPECT_EQ(unix_of("2025-09-24T12:02:50z"), noon);
    EXPECT_FALSE(parse_iso8601("2025-09-24T12:02:50"));
    EXPECT_FALSE(parse_iso8601("2025-09-24T12:02"));
    // Positive offsets are east of UTC: subtract them.
    EXPECT_EQ(unix_of("2025-09-24T14:02:50+02:00"), noon);
    EXPECT_EQ(unix_of("2025-09-24T17:47:50+05:45"), noon);
    EXPECT_EQ(unix_of("2025-09-24T17:47:50+0545"), noon);
    EXPECT_EQ(unix_of("2025-09-24T14:02:50+02"), noon);
    // Negative offsets are west: add them, minutes with the same sign as hours.
    EXPECT_EQ(unix_of("2025-09-24T05:02:50-07:00"), noon);
    EXPECT_EQ(unix_of("2025-09-24T08:32:50-03:30"), noon);
    EXPECT_EQ(unix_of("2025-09-24T08:32:50-0330"), noon);
    EXPECT_EQ(unix_of("2025-09-24T09:02:50-03"), noon);
    EXPECT_EQ(unix_of("2025-09-24T12:02:50-00:00"), noon);
    // Offset bounds and forms.
    EXPECT_EQ(unix_of("2025-09-24T12:02:50+23:59"), noon - 23 * 3600 - 59 * 60);
    EXPECT_FALSE(parse_iso8601("2025-09-24T12:02:50+24:00"));
    EXPECT_FALSE(parse_iso8601("2025-09-24T12:02:50+05:60"));
    EXPECT_FALSE(parse_iso8601("2025-09-24T12:02:50+0560"));
    EXPECT_FALSE(parse_iso8601("2025-09-24T12:02:50+5"));
    EXPECT_FALSE(parse_iso8601("2025-09-24T12:02:50+05:3"));
    EXPECT_FALSE(parse_iso8601("2025-09-24T12:02:50+05:300"));
    EXPECT_FALSE(parse_iso8601("2025-09-24T12:02:50+a5:00"));
    EXPECT_FALSE(parse_iso8601("2025-09-24T12:02:50 +00:00"));
    // Fractions of a second are dropped, never rounded; they need a digit.
    EXPECT_EQ(unix_of("2025-09-24T12:02:50.999999Z"), noon);
    EXPECT_EQ(unix_of("2025-09-24T12:02:50,5Z"), noon);
    EXPECT_EQ(unix_of("2025-09-24T05:02:50.5-07:00"), noon);
    EXPECT_FALSE(parse_iso8601("2025-09-24T12:02:50.Z"));
    // Minutes without seconds, with an offset.
    EXPECT_EQ(unix_of("2025-09-24T08:32-03:30"), noon - 50);
    // 'T', 't' or one space between date and time; nothing else.
    EXPECT_EQ(unix_of("2025-09-24t12:02:50Z"), noon);
    EXPECT_EQ(unix_of("2025-09-24 12:02:50Z"), noon);
    EXPECT_FALSE(parse_iso8601("2025-09-24_12:02:50Z"));
    EXPECT_FALSE(parse_iso8601("2025-09-24  12:02:50Z"));
    // The date: four-digit year, real months and days, leap years.
    EXPECT_EQ(unix_of("2024-02-29"), 1709164800);
    EXPECT_FALSE(parse_iso8601("2025-02-29"));
    EXPECT_FALSE(parse_iso8601("2025-00-10"));
    EXPECT_FALSE(parse_iso8601("2025-09-00"));
    EXPECT_FALSE(parse_iso8601("2025-09-31"));
    EXPECT_FALSE(parse_iso8601("25-09-24"));
    EXPECT_FALSE(parse_iso8601("2025/09/24"));
    EXPECT_FALSE(parse_iso8601("2025-9-24"));
    EXPECT_FALSE(parse_iso8601("2025-09-24T"));
    EXPECT_FALSE(parse_iso8601("2025-09-24Z"));
}

TEST(Time, FormatsUtc) {
    EXPECT_EQ(format_iso8601(from_unix(1758715370)), "2025-09-24T12:02:50Z");
    EXPECT_EQ(format_iso8601(from_unix(0)), "1970-01-01T00:00:00Z");
    EXPECT_EQ(format_iso8601(from_unix(-1)), "1969-12-31T23:59:59Z");
    EXPECT_EQ(format_iso8601(from_unix(951782400)), "2000-02-29T00:00:00Z");
    EXPECT_EQ(format_iso8601(from_unix(-62135596800)), "0001-01-01T00:00:00Z");
    EXPECT_EQ(format_iso8601(from_unix(253402300799)), "9999-12-31T23:59:59Z");
    EXPECT_EQ(format_iso8601(from_unix(253402300800)), "10000-01-01T00:00:00Z");
}

TEST(Time, Durations) {
    EXPECT_EQ(parse_duration("60s"), std::chrono::seconds{60});
    EXPECT_EQ(parse_duration("15m"), std::chrono::seconds{900});
    EXPECT_EQ(parse_duration("12h"), std::chrono::seconds{43200});
    EXPECT_EQ(parse_duration("2d"), std::chrono::seconds{172800});
    EXPECT_FALSE(parse_duration("60"));
    EXPECT_FALSE(parse_duration("-5s"));
    EXPECT_FALSE(parse_duration("5 s"));
    EXPECT_FALSE(parse_duration("s"));
    EXPECT_EQ(format_duration(std::chrono::seconds{43200}), "12h");
    EXPECT_EQ(format_duration(std::chrono::seconds{90}), "90s");
}

}  // namespace
}  // namespace shd
