#include "support/http_test_server.hpp"

#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cctype>
#include <deque>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>

namespace shd::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

bool iequals(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

}  // namespace

std::optional<std::string> recorded_request::header(std::string_view name) const {
    for (const auto& [key, value] : headers)
        if (iequals(key, name))
            return value;
    return std::nullopt;
}

struct http_test_server::impl {
    asio::io_context ioc;
    tcp::acceptor acceptor{ioc};
    std::optional<ssl::context> tls;
    bool stall_handshake = false;
    std::atomic<bool> interim_continue{false};
    std::atomic<long long> longest_delay_ms{0};
    std::mt19937 delay_random{20261207};
    std::uint16_t port = 0;
    std::thread thread;

    mutable std::mutex mutex;
    std::deque<scripted_response> script;
    scripted_response default_response;
    std::vector<recorded_request> requests;
    std::vector<std::string> server_names;
    std::atomic<std::size_t> connections{0};
    std::atomic<std::size_t> failed_handshakes{0};

    void start() {
        const tcp::endpoint local(asio::ip::make_address("127.0.0.1"), 0);
        acceptor.open(local.protocol());
        acceptor.set_option(tcp::acceptor::reuse_address(true));
        acceptor.bind(local);
        acceptor.listen();
        port = acceptor.local_endpoint().port();
        asio::co_spawn(ioc, accept_loop(), asio::detached);
        thread = std::thread([this] { ioc.run(); });
    }

    void stop() {
        ioc.stop();
        if (thread.joinable())
            thread.join();
    }

    scripted_response next_response() {
        std::lock_guard lock(mutex);
        if (script.empty())
            return default_response;
        auto next = std::move(script.front());
        script.pop_front();
        return next;
    }

    asio::awaitable<void> accept_loop() {
        for (;;) {
            tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
            ++connections;
            asio::co_spawn(ioc, session(std::move(socket)), asio::detached);
        }
    }

    // Waits until the server stops: what a peer that never answers looks like.
    asio::awaitable<void> wait_forever() {
        asio::steady_timer timer(ioc, asio::steady_timer::time_point::max());
        boost::system::error_code ignored;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }

    template <class Stream>
    asio::awaitable<void> serve(Stream& stream) {
        beast::flat_buffer buffer;
        http::request<http::string_body> request;
        co_await http::async_read(stream, buffer, request, asio::use_awaitable);
        recorded_request recorded;
        recorded.method = std::string(request.method_string());
        recorded.target = std::string(request.target());
        for (const auto& field : request)
            recorded.headers.emplace_back(std::string(field.name_string()),
                                          std::string(field.value()));
        recorded.body = request.body();
        {
            std::lock_guard lock(mutex);
            requests.push_back(std::move(recorded));
        }
        const auto reply = next_response();
        if (const auto longest = longest_delay_ms.load(); longest > 0) {
            long long pause = 0;
            {
                std::lock_guard lock(mutex);
                pause = std::uniform_int_distribution<long long>(0, longest)(delay_random);
            }
            asio::steady_timer timer(ioc, std::chrono::milliseconds(pause));
            co_await timer.async_wait(asio::use_awaitable);
        }
        if (reply.hang) {
            co_await wait_forever();
            co_return;
        }
        if (interim_continue) {
            http::response<http::empty_body> interim{http::status::continue_, 11};
            co_await http::async_write(stream, interim, asio::use_awaitable);
        }
        http::response<http::string_body> response{static_cast<http::status>(reply.status), 11};
        response.set(http::field::server, "shd-test");
        for (const auto& [name, value] : reply.headers)
            response.set(name, value);
        response.body() = reply.body;
        response.keep_alive(false);
        response.prepare_payload();
        co_await http::async_write(stream, response, asio::use_awaitable);
    }

    asio::awaitable<void> session(tcp::socket socket) {
        try {
            if (!tls) {
                beast::tcp_stream stream(std::move(socket));
                co_await serve(stream);
                boost::system::error_code ignored;
                stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
                co_return;
            }
            if (stall_handshake) {
                co_await wait_forever();
                co_return;
            }
            beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls);
            try {
                co_await stream.async_handshake(ssl::stream_base::server, asio::use_awaitable);
            } catch (const boost::system::system_error&) {
                ++failed_handshakes;
                co_return;
            }
            {
                const char* sni =
                    SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
                std::lock_guard lock(mutex);
                server_names.push_back(sni != nullptr ? sni : "");
            }
            co_await serve(stream);
            boost::system::error_code ignored;
            co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ignored));
        } catch (const boost::system::system_error&) {
            // The client went away or timed out: nothing to answer.
        }
    }
};

http_test_server::http_test_server() : impl_(std::make_unique<impl>()) {
    impl_->start();
}

http_test_server::http_test_server(const tls_server_options& options)
    : impl_(std::make_unique<impl>()) {
    impl_->tls.emplace(ssl::context::tls_server);
    auto& ctx = *impl_->tls;
    ctx.use_certificate_chain(asio::buffer(options.cert_chain_pem));
    ctx.use_private_key(asio::buffer(options.key_pem), ssl::context::pem);
    SSL_CTX* native = ctx.native_handle();
    if (options.min_version != 0 || options.max_version != 0) {
        if (options.min_version != 0 && options.min_version < TLS1_2_VERSION) {
            // Old protocol versions need the lowest security level to be offered at all.
            SSL_CTX_set_security_level(native, 0);
            SSL_CTX_set_cipher_list(native, "DEFAULT:@SECLEVEL=0");
        }
        if (options.min_version != 0)
            SSL_CTX_set_min_proto_version(native, options.min_version);
        if (options.max_version != 0)
            SSL_CTX_set_max_proto_version(native, options.max_version);
    }
    impl_->stall_handshake = options.stall_handshake;
    impl_->start();
}

http_test_server::~http_test_server() {
    impl_->stop();
}

std::uint16_t http_test_server::port() const {
    return impl_->port;
}

std::string http_test_server::url(std::string_view path, std::string_view host) const {
    std::string out = impl_->tls ? "https://" : "http://";
    out += host;
    out += ":" + std::to_string(port());
    out += path;
    return out;
}

void http_test_server::script(std::vector<scripted_response> responses) {
    std::lock_guard lock(impl_->mutex);
    for (auto& r : responses)
        impl_->script.push_back(std::move(r));
}

void http_test_server::set_default(scripted_response response) {
    std::lock_guard lock(impl_->mutex);
    impl_->default_response = std::move(response);
}

void http_test_server::set_random_delay(std::chrono::milliseconds longest) {
    impl_->longest_delay_ms = longest.count();
}

void http_test_server::set_interim_continue(bool on) {
    impl_->interim_continue = on;
}

std::vector<recorded_request> http_test_server::requests() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->requests;
}

std::size_t http_test_server::request_count() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->requests.size();
}

std::vector<std::string> http_test_server::server_names() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->server_names;
}

std::size_t http_test_server::connection_count() const {
    return impl_->connections;
}
std::size_t http_test_server::failed_handshakes() const {
    return impl_->failed_handshakes;
}

}  // namespace shd::test
