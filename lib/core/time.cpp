#include "core/time.hpp"

#include <date/date.h>

#include <charconv>
#include <cstdio>

namespace shd {
namespace {

bool parse_int(std::string_view s, int& out) {
    if (s.empty())
        return false;
    for (char c : s) {
        if (c < '0' || c > '9')
            return false;
    }
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size();
}

}  // namespace

std::optional<instant> parse_iso8601(std::string_view text) {
    // Date: YYYY-MM-DD, always.
    if (text.size() < 10 || text[4] != '-' || text[7] != '-')
        return std::nullopt;
    int y = 0, mo = 0, d = 0;
    if (!parse_int(text.substr(0, 4), y) || !parse_int(text.substr(5, 2), mo) ||
        !parse_int(text.substr(8, 2), d))
        return std::nullopt;
    date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)},
                             date::day{static_cast<unsigned>(d)}};
    if (!ymd.ok())
        return std::nullopt;
    instant day_start{date::sys_days{ymd}.time_since_epoch()};
    if (text.size() == 10)
        return day_start;
    if (text[10] != 'T' && text[10] != 't' && text[10] != ' ')
        return std::nullopt;

    std::string_view rest = text.substr(11);
    // Time: HH:MM[:SS[.fff]]
    if (rest.size() < 5 || rest[2] != ':')
        return std::nullopt;
    int hh = 0, mm = 0, ss = 0;
    if (!parse_int(rest.substr(0, 2), hh) || !parse_int(rest.substr(3, 2), mm))
        return std::nullopt;
    rest.remove_prefix(5);
    if (!rest.empty() && rest[0] == ':') {
        if (rest.size() < 3 || !parse_int(rest.substr(1, 2), ss))
            return std::nullopt;
        rest.remove_prefix(3);
        if (!rest.empty() && (rest[0] == '.' || rest[0] == ',')) {
            std::size_t i = 1;
            while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9')
                ++i;
            if (i == 1)
                return std::nullopt;
            rest.remove_prefix(i);
        }
    }
    // 24:00:00 is not accepted; 60 seconds (a leap second) is not representable.
    if (hh > 23 || mm > 59 || ss > 59)
        return std::nullopt;

    // Offset: Z, +HH:MM, +HHMM, +HH
    int offset_seconds = 0;
    if (rest == "Z" || rest == "z") {
        offset_seconds = 0;
    } else if (!rest.empty() && (rest[0] == '+' || rest[0] == '-')) {
        int sign = rest[0] == '-' ? -1 : 1;
        std::string_view o = rest.substr(1);
        int oh = 0, om = 0;
        if (o.size() == 5 && o[2] == ':') {
            if (!parse_int(o.substr(0, 2), oh) || !parse_int(o.substr(3, 2), om))
                return std::nullopt;
        } else if (o.size() == 4) {
            if (!parse_int(o.substr(0, 2), oh) || !parse_int(o.substr(2, 2), om))
                return std::nullopt;
        } else if (o.size() == 2) {
            if (!parse_int(o, oh))
                return std::nullopt;
        } else {
            return std::nullopt;
        }
        if (oh > 23 || om > 59)
            return std::nullopt;
        offset_seconds = sign * (oh * 3600 + om * 60);
    } else {
        return std::nullopt;
    }
    return day_start + std::chrono::seconds{hh * 3600 + mm * 60 + ss - offset_seconds};
}

std::string format_iso8601(instant t) {
    // By hand for the years of four digits: date::format goes through an
    // ostream, and `status --json` prints thousands of times.
    const auto day = std::chrono::floor<date::days>(t);
    const date::year_month_day ymd{day};
    const int year = static_cast<int>(ymd.year());
    if (year < 0 || year > 9999)
        return date::format("%Y-%m-%dT%H:%M:%SZ", t);
    const auto seconds = (t - day).count();
    char text[40];  // room for what the compiler cannot rule out; 20 used
    std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", year,
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(seconds / 3600), static_cast<int>(seconds / 60 % 60),
                  static_cast<int>(seconds % 60));
    return text;
}

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
    if (text.size() < 2)
        return std::nullopt;
    char unit = text.back();
    long long n = 0;
    std::string_view digits = text.substr(0, text.size() - 1);
    for (char c : digits) {
        if (c < '0' || c > '9')
            return std::nullopt;
    }
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc{} || p != digits.data() + digits.size())
        return std::nullopt;
    long long mult = 0;
    switch (unit) {
        case 's':
            mult = 1;
            break;
        case 'm':
            mult = 60;
            break;
        case 'h':
            mult = 3600;
            break;
        case 'd':
            mult = 86400;
            break;
        default:
            return std::nullopt;
    }
    if (n > 10LL * 365 * 86400)
        return std::nullopt;
    return std::chrono::seconds{n * mult};
}

std::string format_duration(std::chrono::seconds d) {
    long long s = d.count();
    if (s != 0 && s % 86400 == 0)
        return std::to_string(s / 86400) + "d";
    if (s != 0 && s % 3600 == 0)
        return std::to_string(s / 3600) + "h";
    if (s != 0 && s % 60 == 0)
        return std::to_string(s / 60) + "m";
    return std::to_string(s) + "s";
}

std::string format_span(std::chrono::seconds d) {
    if (d < std::chrono::seconds{0})
        d = -d;
    const long long minutes = d.count() / 60;
    const long long day_count = minutes / (24 * 60);
    const long long hour_count = minutes / 60 % 24;
    const long long minute_count = minutes % 60;
    const auto part = [](long long n, const char* unit) { return std::to_string(n) + unit; };
    if (day_count > 0)
        return hour_count > 0 ? part(day_count, " d ") + part(hour_count, " h")
                              : part(day_count, " d");
    if (hour_count > 0)
        return minute_count > 0 ? part(hour_count, " h ") + part(minute_count, " min")
                                : part(hour_count, " h");
    return part(minute_count, " min");
}

}  // namespace shd
