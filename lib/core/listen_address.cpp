#include "core/listen_address.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace shd {

result<listen_address, error_message> parse_listen_address(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon + 1 == text.size()) {
        return error_message{"expected HOST:PORT such as 127.0.0.1:9110"};
    }
    std::string_view host = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    listen_address out;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
        out.is_v6 = true;
    } else if (host.find(':') != std::string_view::npos) {
        return error_message{"an IPv6 address is written in brackets: [::1]:9110"};
    }
    if (host == "localhost" && !out.is_v6)
        host = "127.0.0.1";
    unsigned char buffer[16];
    const std::string host_text(host);
    if (::inet_pton(out.is_v6 ? AF_INET6 : AF_INET, host_text.c_str(), buffer) != 1) {
        return error_message{"'" + host_text + "' is not an IP address (write 127.0.0.1, " +
                             "0.0.0.0, [::1] or localhost; names are not looked up)"};
    }
    unsigned port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size()) {
        return error_message{"the port '" + std::string(port_text) + "' is not a number"};
    }
    if (port < 1 || port > 65535) {
        return error_message{"the port " + std::to_string(port) + " is out of range 1 to 65535"};
    }
    out.host = host_text;
    out.port = static_cast<std::uint16_t>(port);
    return out;
}

bool is_loopback(const listen_address& a) {
    if (a.is_v6)
        return a.host == "::1";
    return a.host.starts_with("127.");
}

}  // namespace shd
