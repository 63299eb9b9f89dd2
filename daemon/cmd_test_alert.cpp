#include "commands.hpp"

#include <iostream>

namespace shd::cli {

// Filled in by the issue that owns this subcommand.
int test_alert(const global_options&, const std::optional<std::string>&) {
    std::cerr << "seller-healthd: test-alert is not built yet\n";
    return kExitFailure;
}

}  // namespace shd::cli
