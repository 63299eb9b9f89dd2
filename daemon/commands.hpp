// The subcommands of the seller-healthd binary. Each returns the process exit
// code (docs/cli.md): 0 ok, 1 runtime failure or rejected input, 2 bad usage
// or bad configuration. They are thin: all logic lives in lib/.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace shd::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

inline constexpr const char* kDefaultConfigPath = "/etc/seller-healthd/seller-healthd.yaml";

inline constexpr const char* kDefaultConfigDir = "/etc/seller-healthd";

struct global_options {
    std::string config_path = kDefaultConfigPath;
};

struct status_options {
    std::optional<std::string> at;
    bool json = false;
    bool all = false;    // every *.yaml in config_dir
    bool check = false;  // monitoring-plugin line and exit code
    std::string config_dir = kDefaultConfigDir;
};

struct backfill_options {
    int days = 90;
    std::optional<std::string> at;  // end of the range (default: now)
    bool replace = false;           // re-evaluate hours that already hold a point
    bool json = false;
};

struct fetch_options {
    std::optional<std::string> source;  // one source; all configured when empty
    bool json = false;
};

int check_config(const global_options& g, bool json);
// One pass of the configured sources now (`fetch`).
int fetch(const global_options& g, const fetch_options& o);
int import_files(const global_options& g, const std::vector<std::string>& files, bool json);
// `status --check` exits 0-3 as a monitoring plugin does, whatever went wrong.
int status(const global_options& g, const status_options& o);
int run(const global_options& g, bool once, const std::optional<std::string>& at);
// Stored history for the past hours (metrics/backfill.hpp); nothing sent.
int backfill(const global_options& g, const backfill_options& o);
int test_alert(const global_options& g, const std::optional<std::string>& channel, bool json);

}  // namespace shd::cli
