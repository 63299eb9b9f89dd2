#include "commands.hpp"

#include <iostream>

namespace shd::cli {

// Filled in by the issue that owns this subcommand.
int import_files(const global_options&, const std::vector<std::string>&) {
    std::cerr << "seller-healthd: import is not built yet\n";
    return kExitFailure;
}

}  // namespace shd::cli
