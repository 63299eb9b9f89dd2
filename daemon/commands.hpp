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

struct global_options {
    std::string config_path = kDefaultConfigPath;
};

int check_config(const global_options& g);
int import_files(const global_options& g, const std::vector<std::string>& files);
int status(const global_options& g, const std::optional<std::string>& at, bool json);
int run(const global_options& g, bool once, const std::optional<std::string>& at);
int test_alert(const global_options& g, const std::optional<std::string>& channel);

}  // namespace shd::cli
