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

TEST(Time, BareDateIsMidnightUtc) { EXPECT_EQ(unix_of("2025-09-24"), 1758672000); }

TEST(Time, MinutesOnlyTime) { EXPECT_EQ(unix_of("2020-10-21T00:00Z"), 1603238400); }

TEST(Time, RejectsMalformed) {
    for (const char* bad : {"", "2025-09-24T12:02:50", "2025-13-01", "2025-02-30", "24/9/2025",
                            "2025-09-24T25:00:00Z", "2025-09-24T12:02:50+25:00", "2025-09-24Tx",
                            "2025-09-24T12:02:50ZZ", "garbage", "2025-09-24T12:02:5Z"}) {
        EXPECT_FALSE(parse_iso8601(bad).has_value()) << bad;
    }
}

TEST(Time, FormatsUtc) {
    EXPECT_EQ(format_iso8601(from_unix(1758715370)), "2025-09-24T12:02:50Z");
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
