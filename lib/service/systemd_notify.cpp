#include "service/systemd_notify.hpp"

#include <systemd/sd-daemon.h>

#include <algorithm>
#include <cstdint>

namespace shd::service::systemd {

bool notify(std::string_view assignments) {
    const std::string text(assignments);
    return ::sd_notify(0, text.c_str()) > 0;
}

std::string status_assignment(std::string_view text) {
    std::string line(text);
    std::replace_if(
        line.begin(), line.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    return "STATUS=" + line;
}

std::optional<std::chrono::microseconds> watchdog_interval() {
    std::uint64_t usec = 0;
    if (::sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
        return std::nullopt;
    return std::chrono::microseconds{static_cast<long long>(usec)};
}

}  // namespace shd::service::systemd
