// Documents generated from the CLI11 app and the configuration schema, so
// that they cannot drift from the code: the man pages seller-healthd(8) and
// seller-healthd.yaml(5) (troff) and the bash and zsh completions. The build
// runs `seller-healthd --generate WHAT` for each (daemon/CMakeLists.txt).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace shd::cli {

// WHAT: "man8", "man5", "bash" or "zsh"; nullopt for anything else.
std::optional<std::string> generate_document(const CLI::App& app, std::string_view what);

}  // namespace shd::cli
