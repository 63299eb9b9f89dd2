#include "commands.hpp"
#include "common.hpp"

#include <iostream>

namespace shd::cli {

int check_config(const global_options& g) {
    auto cfg = load_config_or_report(g.config_path);
    if (!cfg) return kExitUsage;
    std::cout << config::format_effective(*cfg);
    return kExitOk;
}

}  // namespace shd::cli
