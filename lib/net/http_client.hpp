// One HTTP/1.1 request over http:// or https://, synchronous to the caller and
// bounded in time: every step (name resolution, connect, TLS handshake, write,
// read, shutdown) runs against one deadline, `timeout` after the call starts.
//
// HTTPS always verifies: the chain against the system trust store plus an
// optional `ca_file`, the host name (or IP address) against the certificate,
// with SNI for names and TLS 1.2 as the lowest version. There is no switch to
// turn verification off; a private CA goes in `ca_file`.
//
// Errors never contain the URL's path or query (webhook URLs carry secrets in
// them); they name at most the host and port.
//
// Outbound proxy (every outbound request goes through here, so the SP-API and
// the alert channels alike): an https:// URL is reached through an HTTP
// CONNECT tunnel to the origin, then TLS with the origin, verified against the
// origin's host name exactly as without a proxy (the proxy sees only
// ciphertext); an http:// URL is sent to the proxy in absolute form. The
// proxy comes from `proxy` (a config key) or else the environment:
// HTTPS_PROXY / https_proxy for https URLs, HTTP_PROXY / http_proxy for http
// URLs; `no_proxy` or else NO_PROXY / no_proxy lists the hosts reached
// directly. Credentials in the proxy URL's userinfo are sent as
// Proxy-Authorization: Basic, and no error or log names them.
//
// Thread safety: http_request uses only its own objects (an io_context and a
// TLS context per call), so several threads may call it at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace shd::net {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_request_options {
    std::string method = "POST";
    std::string url;      // http://host[:port]/path?query or https://...
    header_list headers;  // extra headers; Host, User-Agent and Content-Length are set here
    std::string body;     // sent with Content-Length when non-empty or method is POST/PUT
    std::chrono::milliseconds timeout{10000};  // the whole request, all steps together
    std::filesystem::path ca_file;             // extra trusted CA (PEM), https only
    std::size_t body_limit = 1024 * 1024;      // a longer response body is an error
    // Set: the body of a 2xx response goes to `body_sink` piece by piece as
    // it arrives (http_response::body stays empty), so its size costs no
    // memory; body_limit still bounds it. A sink that returns false stops
    // the read: kind::io. The body of any other status is kept in
    // http_response::body as usual (an error page, for the message). A
    // request that fails may have given the sink part of a body: the caller
    // discards what it got.
    std::function<bool(std::string_view)> body_sink;
    // "http://[user:password@]host:port" (a bare "host:port" means http://);
    // empty: the environment's proxy for the URL's scheme; "none": a direct
    // connection whatever the environment says. https:// proxies (TLS to the
    // proxy itself) are not supported.
    std::string proxy;
    // Comma-separated hosts reached without the proxy: a name matches itself
    // and its subdomains (a leading dot is allowed), an IP address matches
    // itself, "*" matches every host; ":port" after an entry is ignored.
    // Empty: NO_PROXY / no_proxy from the environment.
    std::string no_proxy;
};

struct http_response {
    int status = 0;
    header_list headers;
    std::string body;

    // The first header with this name (case-insensitive), if any.
    std::optional<std::string> header(std::string_view name) const;
};

struct http_error {
    enum class kind {
        invalid_url,  // not an absolute http(s) URL with a host
        resolve,      // the host name did not resolve
        connect,      // no address accepted a connection
        tls,          // TLS setup or handshake failed (verification included)
        timeout,      // the deadline passed
        io,           // the connection broke while writing or reading
        protocol,     // the response was not valid HTTP, too large, or truncated
    };
    kind what = kind::io;
    std::string message;  // for people and logs; never contains path or query
    // kind::protocol: the peer closed the connection before the end of the
    // response (worth another try, unlike a response that is too large).
    bool cut_short = false;
};

// The parts of an http(s) URL that the client needs.
struct parsed_url {
    bool tls = false;
    std::string host;  // without brackets for IPv6
    std::uint16_t port = 0;
    std::string target;       // path and query as sent in the request line ("/" at least)
    std::string host_header;  // "host", "host:port" when the port is not the default, "[v6]:port"
    std::string userinfo;     // "user:password", percent-decoded; empty when absent
};

// Strict: scheme http or https, a non-empty host, an optional port 1..65535,
// no whitespace or control characters. The fragment is dropped.
result<parsed_url, error_message> parse_http_url(std::string_view url);

// The proxy a request to `target` goes through, or nullopt for a direct
// connection, from the options' proxy / no_proxy and else `getenv` (the
// process environment in production). An invalid proxy URL is an error.
using environment_lookup = const char* (*)(const char*);
result<std::optional<parsed_url>, error_message> choose_proxy(const parsed_url& target,
                                                              std::string_view proxy,
                                                              std::string_view no_proxy,
                                                              environment_lookup getenv_fn);
// Whether `host` is on the NO_PROXY list `no_proxy` (the rules above).
bool no_proxy_matches(std::string_view host, std::string_view no_proxy);

// Sends one request and reads the response. A status such as 404 or 503 is a
// response, not an error; errors are failures to get a complete response.
result<http_response, http_error> http_request(const http_request_options& options);

// Retry-After (RFC 9110 10.2.3): delay-seconds, or an HTTP-date in any of the
// three forms recipients must accept, turned into a delay from `now` (0 when
// the date has passed). nullopt when the value is neither.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, instant now);

}  // namespace shd::net
