#include "commands.hpp"

#include <iostream>

namespace shd::cli {

// Filled in by the issue that owns this subcommand.
int status(const global_options&, const std::optional<std::string>&, bool) {
    std::cerr << "seller-healthd: status is not built yet\n";
    return kExitFailure;
}

}  // namespace shd::cli
