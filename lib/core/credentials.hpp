// Secrets from systemd credentials (LoadCredential=): a secret value in the
// config written as "credential:NAME" means the content of the file NAME in
// $CREDENTIALS_DIRECTORY, which systemd sets up for the service (readable by
// the service alone, never on disk under /etc with the config). The config
// keeps the reference; delivery reads the file at send time, so a rotated
// secret applies at the next send without a reload.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace shd {

inline constexpr std::string_view kCredentialPrefix = "credential:";

bool is_credential_reference(std::string_view value);

// Why NAME (after the prefix) cannot name a credential file, or nullopt: it
// must be 1 to 255 letters, digits, '-', '_' or '.', not starting with '.'.
std::optional<std::string> credential_name_problem(std::string_view name);

// $CREDENTIALS_DIRECTORY/NAME for "credential:NAME". `credentials_directory`
// is the variable's value (nullptr when unset: the error says LoadCredential=
// is missing).
result<std::filesystem::path, error_message> credential_path(std::string_view reference,
                                                             const char* credentials_directory);

// The file's content without one trailing newline. Errors name the
// credential and the problem, never any content.
result<std::string, error_message> read_credential(std::string_view reference,
                                                   const char* credentials_directory);

}  // namespace shd
