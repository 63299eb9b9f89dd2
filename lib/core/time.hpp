// Instants and their text forms. Inside the program every timestamp is a UTC
// instant with one-second resolution (spec/metrics.md "Time").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace shd {

using instant = std::chrono::sys_seconds;

// Parses ISO-8601 as the input formats allow it: "2025-09-24T12:02:50Z",
// "...+00:00", "...-07:00", "...+0530", with optional fractional seconds
// (dropped), minutes-only times ("2020-10-21T00:00Z"), a space instead of 'T',
// and a bare date "2025-09-24" meaning 00:00:00 UTC. A date-time without an
// offset is rejected: its instant would be a guess.
std::optional<instant> parse_iso8601(std::string_view text);

// "2025-10-30T00:39:00Z".
std::string format_iso8601(instant t);

// Seconds since the Unix epoch, the form stored in SQLite.
inline long long to_unix(instant t) {
    return t.time_since_epoch().count();
}
inline instant from_unix(long long s) {
    return instant{std::chrono::seconds{s}};
}

// How far a stored time may be ahead of the clock before it is taken for the
// mark of a clock that was ahead when it was written (a VM restored from a
// snapshot, a board without a real-time clock): such a time is treated as now.
inline constexpr std::chrono::seconds kFutureTolerance{300};

constexpr std::chrono::seconds days(long long n) {
    return std::chrono::seconds{n * 86400};
}
constexpr std::chrono::seconds hours(long long n) {
    return std::chrono::seconds{n * 3600};
}

// Parses "90s", "15m", "12h", "2d" (a bare number is rejected: units are
// never guessed). Returns nullopt on anything else.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

// "1d", "12h", "90s": the shortest exact form of a duration.
std::string format_duration(std::chrono::seconds d);

// "3 h 20 min", "45 min", "2 d 4 h": a span for people, rounded down to
// minutes; a negative span is shown by its size.
std::string format_span(std::chrono::seconds d);

}  // namespace shd
