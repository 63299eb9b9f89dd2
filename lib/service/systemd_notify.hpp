// The sd_notify(3) protocol, for Type=notify: READY=1 once the database is
// open and migrated, STATUS= with a one-line summary after each cycle,
// WATCHDOG=1 while the loop is healthy, RELOADING=1/READY=1 around a reload,
// STOPPING=1 at shutdown. Outside systemd (no NOTIFY_SOCKET) every call does
// nothing, so `run` behaves the same from a terminal.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace shd::service::systemd {

// Sends the newline-separated assignments; false when not under systemd or
// the send failed (never fatal: the service manager is only told, not asked).
bool notify(std::string_view assignments);

// "READY=1\nSTATUS=..." etc. STATUS text is one line: newlines become spaces.
std::string status_assignment(std::string_view text);

// How often systemd expects WATCHDOG=1 (WatchdogSec=, for this process), or
// nullopt when no watchdog is set. The loop pings at half of it.
std::optional<std::chrono::microseconds> watchdog_interval();

}  // namespace shd::service::systemd
