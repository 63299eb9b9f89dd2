// A real HTTP/1.1 server on 127.0.0.1 for tests, written with Beast: plain or
// TLS, on a port the kernel picks (port 0), on its own thread. It answers each
// request with the next scripted response (then with the default one) and
// records every request it read. A "hang" response reads the request and then
// never answers, so only the client's own deadline ends the exchange; with
// `stall_handshake` a TLS server accepts connections and never speaks.
//
// Thread safety: script(), requests() and the counters may be called from the
// test thread while the server thread runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shd::test {

using test_header_list = std::vector<std::pair<std::string, std::string>>;

struct recorded_request {
    std::string method;
    std::string target;
    test_header_list headers;
    std::string body;

    std::optional<std::string> header(std::string_view name) const;
};

struct scripted_response {
    int status = 200;
    test_header_list headers;
    std::string body = "ok";
    bool hang = false;

    static scripted_response with_status(int status, std::string body = {}) {
        return {status, {}, std::move(body), false};
    }
    static scripted_response hang_forever() { return {0, {}, {}, true}; }
};

struct tls_server_options {
    std::string cert_chain_pem;
    std::string key_pem;
    // 0: the library's defaults. Otherwise OpenSSL version constants, e.g.
    // TLS1_1_VERSION for both to run an old-protocol-only server.
    int min_version = 0;
    int max_version = 0;
    bool stall_handshake = false;
};

class http_test_server {
  public:
    http_test_server();                                        // plain HTTP
    explicit http_test_server(const tls_server_options& tls);  // HTTPS
    ~http_test_server();
    http_test_server(const http_test_server&) = delete;
    http_test_server& operator=(const http_test_server&) = delete;

    std::uint16_t port() const;
    // "http://127.0.0.1:PORT/PATH" (https for a TLS server); `host` replaces
    // 127.0.0.1, e.g. "localhost".
    std::string url(std::string_view path = "/hook", std::string_view host = "127.0.0.1") const;

    // Responses for the next requests, in order; appended to what is left.
    void script(std::vector<scripted_response> responses);
    void set_default(scripted_response response);
    // Precede every final response with an unasked "100 Continue".
    void set_interim_continue(bool on);
    // Answer each request after a random pause of up to `longest` (0: at
    // once): a slow receiver, so a client killed mid-send is killed mid-wait.
    void set_random_delay(std::chrono::milliseconds longest);

    std::vector<recorded_request> requests() const;
    std::size_t request_count() const;
    // The SNI name of each completed TLS handshake ("" when the client sent none).
    std::vector<std::string> server_names() const;
    std::size_t connection_count() const;
    std::size_t failed_handshakes() const;

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace shd::test
