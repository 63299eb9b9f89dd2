// Process glue shared by the subcommands: loading the config with the exit
// code policy, and setting up logging.
#pragma once

#include "config/config.hpp"

#include <optional>
#include <string>

namespace shd::cli {

// Loads and validates the config; on error prints it to stderr and returns
// nullopt (the caller exits with kExitUsage).
std::optional<config::config> load_config_or_report(const std::string& path);

// Logs to stderr. Under systemd (JOURNAL_STREAM set) lines carry a <N>
// priority prefix and no timestamp, since journald adds its own.
void setup_logging(const std::string& level);

}  // namespace shd::cli
