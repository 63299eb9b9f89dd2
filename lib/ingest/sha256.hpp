// SHA-256 of a file's raw bytes (before any gunzip or decoding): the identity
// of an import. Streamed through OpenSSL's EVP interface in fixed-size chunks,
// so memory does not grow with the file.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace shd::ingest {

// Lower-case hex, 64 characters. Errors: the file cannot be opened or read
// (the message names the file and the OS reason).
result<std::string, error_message> sha256_file(const std::filesystem::path& path);

// The same for the file open as `fd`, read from its start with pread (the
// descriptor's offset stays). Errors name no file.
result<std::string, error_message> sha256_descriptor(int fd);

// For bytes in memory: shd::sha256_hex (core/digest.hpp).

}  // namespace shd::ingest
