#include "net/http_client.hpp"

#include <date/date.h>
#include <fmt/core.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <charconv>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <iomanip>
#include <locale>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "core/text.hpp"

namespace shd::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using steady = std::chrono::steady_clock;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

std::string seconds_text(std::chrono::milliseconds d) {
    if (d.count() % 1000 == 0)
        return fmt::format("{}s", d.count() / 1000);
    return fmt::format("{}ms", d.count());
}

std::string endpoint_text(const parsed_url& u) {
    if (u.host.find(':') != std::string::npos)
        return fmt::format("[{}]:{}", u.host, u.port);
    return fmt::format("{}:{}", u.host, u.port);
}

// Base64 for Basic authentication; OpenSSL does the encoding.
std::string base64(std::string_view in) {
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(in.data()),
                                  static_cast<int>(in.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

// --- name resolution -------------------------------------------------------
//
// Asio's resolver runs getaddrinfo on a private thread and cannot interrupt
// it: cancel() only takes effect once getaddrinfo returns, and destroying the
// io_context joins that thread. A stuck DNS server would therefore hold the
// caller far past its deadline. So the lookup runs on a detached thread of
// its own and the caller waits only until the deadline; a late answer is
// dropped when the thread finishes.
struct resolve_result {
    std::vector<tcp::endpoint> endpoints;
    std::optional<http_error> error;
};

resolve_result resolve_before(const parsed_url& u, steady::time_point deadline,
                              std::chrono::milliseconds timeout) {
    error_code ec;
    const auto literal = asio::ip::make_address(u.host, ec);
    if (!ec)
        return {{tcp::endpoint(literal, u.port)}, std::nullopt};

    struct shared_state {
        std::mutex mutex;
        std::condition_variable done_cv;
        bool done = false;
        std::vector<tcp::endpoint> endpoints;
        std::string error;
    };
    auto state = std::make_shared<shared_state>();
    try {
        std::thread([state, host = u.host, port = u.port] {
            asio::io_context ioc;
            tcp::resolver resolver(ioc);
            error_code resolve_ec;
            const auto found = resolver.resolve(host, std::to_string(port),
                                                tcp::resolver::numeric_service, resolve_ec);
            std::lock_guard lock(state->mutex);
            if (resolve_ec) {
                state->error = resolve_ec.message();
            } else {
                for (const auto& entry : found)
                    state->endpoints.push_back(entry.endpoint());
            }
            state->done = true;
            state->done_cv.notify_all();
        }).detach();
    } catch (const std::system_error& e) {
        return {{},
                http_error{http_error::kind::resolve,
                           fmt::format("cannot resolve {}: {}", u.host, e.what())}};
    }
    std::unique_lock lock(state->mutex);
    if (!state->done_cv.wait_until(lock, deadline, [&] { return state->done; })) {
        return {{},
                http_error{http_error::kind::timeout, fmt::format("timeout after {} resolving {}",
                                                                  seconds_text(timeout), u.host)}};
    }
    if (!state->error.empty() || state->endpoints.empty()) {
        return {{},
                http_error{http_error::kind::resolve,
                           fmt::format("cannot resolve {}: {}", u.host,
                                       state->error.empty() ? "no addresses" : state->error)}};
    }
    return {std::move(state->endpoints), std::nullopt};
}

// --- one request -------------------------------------------------------------
//
// Each step starts one asynchronous operation and runs the private
// io_context until it completes. The stream's own timer (expires_at) bounds
// the step; when the operation ends first its timer is cancelled, so run()
// returns as soon as the step is over.
class exchange {
  public:
    exchange(const http_request_options& options, const parsed_url& url)
        : options_(options), url_(url), deadline_(steady::now() + options.timeout) {}

    result<http_response, http_error> run() {
        auto proxy =
            choose_proxy(url_, options_.proxy, options_.no_proxy,
                         [](const char* name) -> const char* { return std::getenv(name); });
        if (!proxy)
            return failure(http_error::kind::invalid_url, "invalid proxy: " + proxy.error().text);
        proxy_ = std::move(*proxy);
        auto request = build_request();
        if (!request)
            return request.error();
        // Through a proxy the first hop is the proxy: its name is resolved
        // here, the origin's by the proxy.
        auto endpoints = resolve_before(proxy_ ? *proxy_ : url_, deadline_, options_.timeout);
        if (endpoints.error)
            return *endpoints.error;
        if (url_.tls)
            return run_tls(*request, endpoints.endpoints);
        return run_plain(*request, endpoints.endpoints);
    }

  private:
    using request_type = http::request<http::string_body>;

    template <class Start>
    error_code step(Start&& start) {
        error_code outcome = asio::error::would_block;
        std::forward<Start>(start)([&outcome](error_code ec, auto&&...) { outcome = ec; });
        ioc_.restart();
        ioc_.run();
        return outcome;
    }

    http_error failure(http_error::kind what, std::string message) const {
        return http_error{what, std::move(message)};
    }

    http_error timeout_error(std::string_view doing) const {
        return failure(http_error::kind::timeout,
                       fmt::format("timeout after {} {} {}", seconds_text(options_.timeout), doing,
                                   endpoint_text(url_)));
    }

    // The peer of the TCP connection, for errors: the proxy when there is one
    // (never its credentials).
    std::string first_hop_text() const {
        return proxy_ ? "proxy " + endpoint_text(*proxy_) : endpoint_text(url_);
    }

    result<request_type, http_error> build_request() const {
        const auto verb = http::string_to_verb(options_.method);
        if (verb == http::verb::unknown)
            throw std::logic_error("http_request: unknown method " + options_.method);
        // Plain HTTP through a proxy: the absolute form (RFC 9112 3.2.2).
        const bool absolute_form = proxy_ && !url_.tls;
        request_type req{
            verb, absolute_form ? "http://" + url_.host_header + url_.target : url_.target, 11};
        req.set(http::field::host, url_.host_header);
        req.set(http::field::user_agent, "seller-healthd");
        req.keep_alive(false);
        if (!url_.userinfo.empty())
            req.set(http::field::authorization, "Basic " + base64(url_.userinfo));
        if (absolute_form && !proxy_->userinfo.empty())
            req.set(http::field::proxy_authorization, "Basic " + base64(proxy_->userinfo));
        for (const auto& [name, value] : options_.headers) {
            const auto bad = [](char c) { return c == '\r' || c == '\n' || c == '\0'; };
            if (std::any_of(name.begin(), name.end(), bad) ||
                std::any_of(value.begin(), value.end(), bad))
                return failure(http_error::kind::protocol,
                               fmt::format("header {} holds a line break", name));
            req.set(name, value);
        }
        if (!options_.body.empty() || verb == http::verb::post || verb == http::verb::put) {
            req.body() = options_.body;
            req.prepare_payload();
        }
        return req;
    }

    template <class Stream>
    result<http_response, http_error> write_and_read(Stream& stream, request_type& req,
                                                     bool& ended_at_eof) {
        beast::get_lowest_layer(stream).expires_at(deadline_);
        auto ec = step([&](auto handler) { http::async_write(stream, req, std::move(handler)); });
        if (ec == beast::error::timeout)
            return timeout_error("sending the request to");
        if (ec)
            return failure(http_error::kind::io, fmt::format("sending the request to {} failed: {}",
                                                             endpoint_text(url_), ec.message()));

        beast::flat_buffer buffer;
        if (options_.body_sink)
            return read_to_sink(stream, buffer, ended_at_eof);
        std::optional<http::response_parser<http::string_body>> parser;
        ec = read_final(stream, parser, [&](auto& p, auto handler) {
            http::async_read(stream, buffer, p, std::move(handler));
        });
        if (auto err = read_failure(ec))
            return *err;
        if (!parser->is_done())
            return failure(http_error::kind::protocol,
                           fmt::format("incomplete response from {}", endpoint_text(url_)));

        ended_at_eof = parser->need_eof();
        http_response out = response_head(parser->get());
        out.body = parser->get().body();
        return out;
    }

    // The error for a failed read of the response, or nullopt for success.
    std::optional<http_error> read_failure(error_code ec) const {
        if (!ec)
            return std::nullopt;
        if (ec == beast::error::timeout)
            return timeout_error("waiting for the response from");
        if (ec == http::error::body_limit)
            return failure(http_error::kind::protocol,
                           fmt::format("the response from {} is larger than {} bytes",
                                       endpoint_text(url_), options_.body_limit));
        if (ec == ssl::error::stream_truncated || ec == http::error::partial_message ||
            ec == http::error::end_of_stream) {
            auto cut = failure(http_error::kind::protocol,
                               fmt::format("{} closed the connection before a complete response",
                                           endpoint_text(url_)));
            cut.cut_short = true;
            return cut;
        }
        if (ec.category() == http::make_error_code(http::error::bad_version).category())
            return failure(http_error::kind::protocol,
                           fmt::format("invalid HTTP response from {}: {}", endpoint_text(url_),
                                       ec.message()));
        return failure(http_error::kind::io, fmt::format("reading the response from {} failed: {}",
                                                         endpoint_text(url_), ec.message()));
    }

    template <class Fields>
    static http_response response_head(const http::response_header<Fields>& message) {
        http_response out;
        out.status = static_cast<int>(message.result_int());
        for (const auto& field : message)
            out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        return out;
    }

    // Reads with `read` (a whole response, or its head) into a fresh parser
    // until the answer is final: an interim 1xx answer (some servers send
    // 100 Continue unasked) is skipped, the final one follows on the same
    // connection.
    template <class Stream, class Body, class Read>
    error_code read_final(Stream& stream, std::optional<http::response_parser<Body>>& parser,
                          Read read) {
        error_code ec;
        do {
            parser.emplace();
            parser->body_limit(options_.body_limit);
            beast::get_lowest_layer(stream).expires_at(deadline_);
            ec = step([&](auto handler) { read(*parser, std::move(handler)); });
            if (ec)
                break;
        } while (parser->get().result_int() / 100 == 1 &&
                 parser->get().result() != http::status::switching_protocols);
        return ec;
    }

    // The body in pieces of at most kSinkPiece bytes: a 2xx body to the
    // sink, any other kept (bounded by body_limit like every body).
    template <class Stream>
    result<http_response, http_error> read_to_sink(Stream& stream, beast::flat_buffer& buffer,
                                                   bool& ended_at_eof) {
        constexpr std::size_t kSinkPiece = 64 * 1024;
        std::optional<http::response_parser<http::buffer_body>> parser;
        error_code ec = read_final(stream, parser, [&](auto& p, auto handler) {
            http::async_read_header(stream, buffer, p, std::move(handler));
        });
        if (auto err = read_failure(ec))
            return *err;

        http_response out = response_head(parser->get());
        const bool to_sink = out.status / 100 == 2;
        std::vector<char> piece(kSinkPiece);
        while (!parser->is_done()) {
            parser->get().body().data = piece.data();
            parser->get().body().size = piece.size();
            beast::get_lowest_layer(stream).expires_at(deadline_);
            ec = step([&](auto handler) {
                http::async_read_some(stream, buffer, *parser, std::move(handler));
            });
            // need_buffer: the piece is full, which is what was asked for.
            if (ec == http::error::need_buffer)
                ec = {};
            if (auto err = read_failure(ec))
                return *err;
            const std::size_t got = piece.size() - parser->get().body().size;
            if (got == 0)
                continue;
            if (!to_sink) {
                out.body.append(piece.data(), got);
            } else if (!options_.body_sink(std::string_view(piece.data(), got))) {
                return failure(
                    http_error::kind::io,
                    fmt::format("the response from {} could not be stored", endpoint_text(url_)));
            }
        }
        ended_at_eof = parser->need_eof();
        return out;
    }

    std::optional<http_error> connect(beast::tcp_stream& tcp_layer,
                                      const std::vector<tcp::endpoint>& endpoints) {
        tcp_layer.expires_at(deadline_);
        const auto ec =
            step([&](auto handler) { tcp_layer.async_connect(endpoints, std::move(handler)); });
        if (ec == beast::error::timeout)
            return failure(http_error::kind::timeout,
                           fmt::format("timeout after {} connecting to {}",
                                       seconds_text(options_.timeout), first_hop_text()));
        if (ec)
            return failure(http_error::kind::connect,
                           fmt::format("cannot connect to {}: {}", first_hop_text(), ec.message()));
        return std::nullopt;
    }

    // CONNECT origin:port through the proxy; on success the TCP stream is a
    // tunnel to the origin.
    std::optional<http_error> open_tunnel(beast::tcp_stream& tcp_layer) {
        const std::string authority = endpoint_text(url_);
        http::request<http::empty_body> req{http::verb::connect, authority, 11};
        req.set(http::field::host, authority);
        req.set(http::field::user_agent, "seller-healthd");
        if (!proxy_->userinfo.empty())
            req.set(http::field::proxy_authorization, "Basic " + base64(proxy_->userinfo));
        tcp_layer.expires_at(deadline_);
        auto ec =
            step([&](auto handler) { http::async_write(tcp_layer, req, std::move(handler)); });
        if (ec == beast::error::timeout)
            return timeout_error("opening a tunnel through " + first_hop_text() + " to");
        if (ec)
            return failure(
                http_error::kind::connect,
                fmt::format("sending CONNECT to {} failed: {}", first_hop_text(), ec.message()));
        beast::flat_buffer buffer;
        http::response_parser<http::empty_body> parser;
        // A 2xx answer to CONNECT has no body: the tunnel starts right after
        // the header.
        parser.skip(true);
        tcp_layer.expires_at(deadline_);
        ec = step([&](auto handler) {
            http::async_read_header(tcp_layer, buffer, parser, std::move(handler));
        });
        if (ec == beast::error::timeout)
            return timeout_error("opening a tunnel through " + first_hop_text() + " to");
        if (ec)
            return failure(http_error::kind::connect, fmt::format("{} did not answer CONNECT: {}",
                                                                  first_hop_text(), ec.message()));
        const int status = static_cast<int>(parser.get().result_int());
        if (status / 100 != 2)
            return failure(
                http_error::kind::connect,
                fmt::format("{} refused the tunnel to {}: {} {}", first_hop_text(),
                            endpoint_text(url_), status, std::string(parser.get().reason())));
        if (buffer.size() != 0)
            return failure(http_error::kind::protocol,
                           fmt::format("{} sent data before the TLS handshake", first_hop_text()));
        return std::nullopt;
    }

    result<http_response, http_error> run_plain(request_type& req,
                                                const std::vector<tcp::endpoint>& endpoints) {
        beast::tcp_stream stream(ioc_);
        if (auto err = connect(stream, endpoints))
            return *err;
        bool ended_at_eof = false;
        auto response = write_and_read(stream, req, ended_at_eof);
        error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        return response;
    }

    result<ssl::context, http_error> make_tls_context() const {
        ssl::context ctx{ssl::context::tls_client};
        // tls_client allows TLS 1.3; only the floor is raised (tlsv12_client
        // would also cap the ceiling at 1.2).
        if (SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION) != 1)
            throw std::logic_error("cannot set the minimum TLS version");
        error_code ec;
        ctx.set_default_verify_paths(ec);
        if (ec)
            return failure(http_error::kind::tls,
                           fmt::format("cannot load the system trust store: {}", ec.message()));
        if (!options_.ca_file.empty()) {
            ctx.load_verify_file(options_.ca_file.string(), ec);
            if (ec)
                return failure(http_error::kind::tls,
                               fmt::format("cannot load ca_file {}: {}", options_.ca_file.string(),
                                           ec.message()));
        }
        ctx.set_verify_mode(ssl::verify_peer);
        return ctx;
    }

    result<http_response, http_error> run_tls(request_type& req,
                                              const std::vector<tcp::endpoint>& endpoints) {
        auto ctx = make_tls_context();
        if (!ctx)
            return ctx.error();
        beast::ssl_stream<beast::tcp_stream> stream(ioc_, *ctx);

        error_code literal_ec;
        asio::ip::make_address(url_.host, literal_ec);
        const bool ip_literal = !literal_ec;
        // RFC 6066 forbids IP literals in SNI.
        if (!ip_literal && !SSL_set_tlsext_host_name(stream.native_handle(), url_.host.c_str())) {
            const error_code sni_ec(static_cast<int>(::ERR_get_error()),
                                    asio::error::get_ssl_category());
            return failure(http_error::kind::tls,
                           fmt::format("cannot set SNI for {}: {}", url_.host, sni_ec.message()));
        }
        // host_name_verification defers to OpenSSL's chain verdict and then
        // checks the leaf against the name (or the IP address). The wrapper
        // only remembers why a certificate was refused, for the error text.
        std::string refused_because;
        stream.set_verify_callback(
            [&refused_because, check = ssl::host_name_verification(url_.host), host = url_.host](
                bool preverified, ssl::verify_context& vctx) mutable {
                const bool ok = check(preverified, vctx);
                if (!ok && refused_because.empty()) {
                    if (!preverified) {
                        const int err = X509_STORE_CTX_get_error(vctx.native_handle());
                        refused_because = X509_verify_cert_error_string(err);
                    } else {
                        refused_because = "certificate is not valid for " + host;
                    }
                }
                return ok;
            });

        if (auto err = connect(beast::get_lowest_layer(stream), endpoints))
            return *err;
        if (proxy_) {
            if (auto err = open_tunnel(beast::get_lowest_layer(stream)))
                return *err;
        }

        beast::get_lowest_layer(stream).expires_at(deadline_);
        auto ec = step([&](auto handler) {
            stream.async_handshake(ssl::stream_base::client, std::move(handler));
        });
        if (ec == beast::error::timeout)
            return timeout_error("in the TLS handshake with");
        if (ec) {
            std::string why = ec.message();
            if (!refused_because.empty())
                why += " (" + refused_because + ")";
            return failure(http_error::kind::tls, fmt::format("TLS handshake with {} failed: {}",
                                                              endpoint_text(url_), why));
        }

        bool ended_at_eof = false;
        auto response = write_and_read(stream, req, ended_at_eof);
        if (!response)
            return response;

        // The response is complete and framed by Content-Length or chunked
        // encoding (a body ending at EOF only got here if the peer sent
        // close_notify). A peer that then closes without close_notify
        // (stream_truncated) or never answers ours cannot change what was
        // received, so shutdown errors are not failures; the short budget
        // keeps a silent peer from holding the caller.
        if (!ended_at_eof) {
            const auto budget = std::min(deadline_, steady::now() + std::chrono::seconds(2));
            if (budget > steady::now()) {
                beast::get_lowest_layer(stream).expires_at(budget);
                step([&](auto handler) { stream.async_shutdown(std::move(handler)); });
            }
        }
        error_code ignored;
        beast::get_lowest_layer(stream).socket().close(ignored);
        return response;
    }

    const http_request_options& options_;
    const parsed_url& url_;
    std::optional<parsed_url> proxy_;
    steady::time_point deadline_;
    asio::io_context ioc_;
};

}  // namespace

std::optional<std::string> http_response::header(std::string_view name) const {
    for (const auto& [key, value] : headers)
        if (iequals(key, name))
            return value;
    return std::nullopt;
}

result<parsed_url, error_message> parse_http_url(std::string_view text) {
    for (const char c : text) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
            return error_message{"the URL contains a space or control character"};
    }
    const auto parsed = boost::urls::parse_uri(text);
    if (!parsed)
        return error_message{"not a valid absolute URL"};
    const boost::urls::url_view& u = *parsed;

    parsed_url out;
    if (u.scheme_id() == boost::urls::scheme::https) {
        out.tls = true;
    } else if (u.scheme_id() != boost::urls::scheme::http) {
        return error_message{"the URL scheme must be http or https"};
    }
    if (!u.has_authority() || u.encoded_host().empty())
        return error_message{"the URL has no host"};
    switch (u.host_type()) {
        case boost::urls::host_type::ipv4:
        case boost::urls::host_type::ipv6:
        case boost::urls::host_type::name:
            break;
        default:
            return error_message{"the URL host is not a name or an IP address"};
    }
    out.host = u.host_address();
    if (out.host.empty() || out.host.find('\0') != std::string::npos)
        return error_message{"the URL has no host"};

    const std::uint16_t default_port = out.tls ? 443 : 80;
    out.port = default_port;
    if (u.has_port() && !u.port().empty()) {
        const auto digits = std::string_view(u.port());
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (ec != std::errc{} || end != digits.data() + digits.size() || value == 0 ||
            value > 65535)
            return error_message{"the URL port must be 1 to 65535"};
        out.port = static_cast<std::uint16_t>(value);
    }

    const bool v6 = u.host_type() == boost::urls::host_type::ipv6;
    const std::string host_for_header = v6 ? "[" + out.host + "]" : out.host;
    out.host_header = out.port == default_port ? host_for_header
                                               : fmt::format("{}:{}", host_for_header, out.port);

    out.target = std::string(u.encoded_path());
    if (out.target.empty())
        out.target = "/";
    if (out.target.front() != '/')
        return error_message{"the URL path must start with /"};
    if (u.has_query())
        out.target += "?" + std::string(u.encoded_query());

    if (u.has_userinfo()) {
        out.userinfo = u.user();
        if (u.has_password())
            out.userinfo += ":" + u.password();
    }
    return out;
}

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string environment(environment_lookup getenv_fn, const char* lower_name,
                        const char* upper_name) {
    // curl's order: the lower-case name first.
    for (const char* name : {lower_name, upper_name}) {
        const char* value = getenv_fn(name);
        if (value != nullptr && *value != '\0')
            return value;
    }
    return {};
}

}  // namespace

bool no_proxy_matches(std::string_view host, std::string_view no_proxy) {
    const std::string h = lower(host);
    std::size_t start = 0;
    while (start <= no_proxy.size()) {
        auto end = no_proxy.find(',', start);
        if (end == std::string_view::npos)
            end = no_proxy.size();
        std::string entry = lower(trim(no_proxy.substr(start, end - start)));
        start = end + 1;
        if (entry.empty())
            continue;
        if (entry == "*")
            return true;
        // "[v6]:port", "host:port": the port is ignored.
        if (entry.front() == '[') {
            const auto close = entry.find(']');
            if (close == std::string::npos)
                continue;
            entry = entry.substr(1, close - 1);
        } else if (std::count(entry.begin(), entry.end(), ':') == 1) {
            entry.resize(entry.find(':'));
        }
        if (!entry.empty() && entry.front() == '.')
            entry.erase(0, 1);
        if (entry.empty())
            continue;
        if (h == entry)
            return true;
        if (h.size() > entry.size() &&
            h.compare(h.size() - entry.size(), entry.size(), entry) == 0 &&
            h[h.size() - entry.size() - 1] == '.')
            return true;
    }
    return false;
}

result<std::optional<parsed_url>, error_message> choose_proxy(const parsed_url& target,
                                                              std::string_view proxy,
                                                              std::string_view no_proxy,
                                                              environment_lookup getenv_fn) {
    std::string chosen(trim(proxy));
    if (chosen == "none")
        return std::optional<parsed_url>{};
    if (chosen.empty())
        chosen = target.tls ? environment(getenv_fn, "https_proxy", "HTTPS_PROXY")
                            : environment(getenv_fn, "http_proxy", "HTTP_PROXY");
    if (chosen.empty())
        return std::optional<parsed_url>{};
    std::string exceptions(trim(no_proxy));
    if (exceptions.empty())
        exceptions = environment(getenv_fn, "no_proxy", "NO_PROXY");
    if (no_proxy_matches(target.host, exceptions))
        return std::optional<parsed_url>{};

    if (chosen.find("://") == std::string::npos)
        chosen = "http://" + chosen;
    auto parsed = parse_http_url(chosen);
    // The proxy's own URL may carry credentials: no error repeats it.
    if (!parsed)
        return error_message{"the proxy is not an http://host:port URL"};
    if (parsed->tls)
        return error_message{"https:// proxies are not supported; use http://host:port"};
    return std::optional<parsed_url>{std::move(*parsed)};
}

result<http_response, http_error> http_request(const http_request_options& options) {
    auto url = parse_http_url(options.url);
    if (!url)
        return http_error{http_error::kind::invalid_url, "invalid URL: " + url.error().text};
    exchange one(options, *url);
    return one.run();
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, instant now) {
    value = trim(value);
    if (value.empty())
        return std::nullopt;
    if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        // Absurdly long values saturate rather than overflow.
        constexpr long long kMax = 10LL * 365 * 86400;
        if (value.size() > 10)
            return std::chrono::seconds{kMax};
        long long seconds = 0;
        std::from_chars(value.data(), value.data() + value.size(), seconds);
        return std::chrono::seconds{std::min(seconds, kMax)};
    }
    // IMF-fixdate, then the obsolete RFC 850 and asctime forms. The fields go
    // through std::tm with the classic locale (English names whatever the
    // process locale), then become a UTC instant without any time zone.
    static constexpr const char* kFormats[] = {"%a, %d %b %Y %H:%M:%S GMT",
                                               "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"};
    for (const char* format : kFormats) {
        std::istringstream in{std::string(value)};
        in.imbue(std::locale::classic());
        std::tm fields{};
        in >> std::get_time(&fields, format);
        if (in.fail() || in.peek() != std::char_traits<char>::eof())
            continue;
        const date::year_month_day day{date::year{fields.tm_year + 1900},
                                       date::month{static_cast<unsigned>(fields.tm_mon + 1)},
                                       date::day{static_cast<unsigned>(fields.tm_mday)}};
        if (!day.ok() || fields.tm_hour > 23 || fields.tm_min > 59 || fields.tm_sec > 60)
            continue;
        const instant when = date::sys_days{day} + std::chrono::hours{fields.tm_hour} +
                             std::chrono::minutes{fields.tm_min} +
                             std::chrono::seconds{fields.tm_sec};
        if (when <= now)
            return std::chrono::seconds{0};
        return std::chrono::duration_cast<std::chrono::seconds>(when - now);
    }
    return std::nullopt;
}

}  // namespace shd::net
