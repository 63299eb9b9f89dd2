// SHA-256 and hex, for identities: import checksums, idempotency keys,
// Message-IDs. One implementation over OpenSSL's EVP interface.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace shd {

// Lower-case hex of `bytes`.
std::string to_hex(std::span<const unsigned char> bytes);

// Lower-case hex SHA-256 of `bytes`, 64 characters.
std::string sha256_hex(std::string_view bytes);

}  // namespace shd
