#include "commands.hpp"

#include <iostream>

namespace shd::cli {

// Filled in by the issue that owns this subcommand.
int run(const global_options&, bool) {
    std::cerr << "seller-healthd: run is not built yet\n";
    return kExitFailure;
}

}  // namespace shd::cli
