// Where the HTTP endpoint listens: "HOST:PORT" with an IP literal for HOST
// ("127.0.0.1:9110", "[::1]:9110", "0.0.0.0:9110") or "localhost" (which means
// 127.0.0.1). No name lookup: the address is known before the network is, and
// a typo must not quietly bind somewhere else. Pure; used by the config check
// and by the server.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace shd {

struct listen_address {
    std::string host;  // the IP literal, without brackets
    std::uint16_t port = 0;
    bool is_v6 = false;
    bool operator==(const listen_address&) const = default;
};

// Errors say what is wrong in words for a config file ("the port 70000 is out
// of range 1 to 65535").
result<listen_address, error_message> parse_listen_address(std::string_view text);

// True for 127.0.0.0/8 and ::1: the endpoint is only reachable from this host.
bool is_loopback(const listen_address& a);

}  // namespace shd
