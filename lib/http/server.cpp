#include "http/server.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <list>
#include <optional>

namespace shd::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

constexpr std::size_t kHeaderLimit = 8 * 1024;

bhttp::response<bhttp::string_body> to_beast(response r, unsigned version, bool keep_alive,
                                             bool head) {
    bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(r.status), version};
    out.set(bhttp::field::server, "seller-healthd");
    out.set(bhttp::field::content_type, r.content_type);
    for (auto& [name, value] : r.headers)
        out.set(name, value);
    out.body() = std::move(r.body);
    out.keep_alive(keep_alive);
    out.prepare_payload();
    // HEAD: the same headers (Content-Length of the GET body), no body.
    if (head)
        out.body().clear();
    return out;
}

response plain(int status, std::string text) {
    response r;
    r.status = status;
    r.body = std::move(text) + "\n";
    return r;
}

}  // namespace

class session;

struct server_state : std::enable_shared_from_this<server_state> {
    server_state(asio::io_context& ioc_, handler h, server_limits l)
        : ioc(ioc_), acceptor(ioc_), retry_timer(ioc_), on_request(std::move(h)), limits(l) {}
    void accept();
    void admit(tcp::socket socket);
    void forget(session* s);
    // The session waiting longest for a request of which nothing has come,
    // among those from `peer` (or all when peer is null); null when none.
    std::shared_ptr<session> longest_idle(const asio::ip::address* peer) const;

    asio::io_context& ioc;
    tcp::acceptor acceptor;
    asio::steady_timer retry_timer;  // after a failed accept
    handler on_request;
    server_limits limits;
    std::list<std::weak_ptr<session>> sessions;
    bool closed = false;
};

class session : public std::enable_shared_from_this<session> {
  public:
    session(tcp::socket socket, asio::ip::address peer, std::shared_ptr<server_state> owner)
        : stream_(std::move(socket)), peer_(std::move(peer)), owner_(std::move(owner)) {}

    void start() { read(); }
    const asio::ip::address& peer() const { return peer_; }
    // Waiting for a request and not a byte of it yet: safe to drop, the
    // client loses nothing it sent.
    // Bytes still in the kernel's queue count as sent: the client wrote them
    // before this loop got round to reading.
    bool idle() const {
        if (!waiting_ || buffer_.size() != 0 || (parser_ && parser_->got_some()))
            return false;
        beast::error_code ec;
        return stream_.socket().available(ec) == 0 && !ec;
    }
    std::chrono::steady_clock::time_point waiting_since() const { return waiting_since_; }
    void close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.close();
    }

  private:
    void read() {
        parser_.emplace();
        parser_->header_limit(kHeaderLimit);
        parser_->body_limit(0);
        waiting_ = true;
        waiting_since_ = std::chrono::steady_clock::now();
        stream_.expires_after(owner_->limits.head_deadline);
        bhttp::async_read(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        waiting_ = false;
        if (ec == bhttp::error::end_of_stream)
            return finish();
        if (ec) {
            // A body, oversized headers or garbage: say so once, then hang up.
            if (ec != asio::error::operation_aborted && ec != beast::error::timeout &&
                ec != asio::error::connection_reset) {
                write(plain(400, "bad request"), 11, false, false);
            } else {
                finish();
            }
            return;
        }
        const auto& req = parser_->get();
        const bool head = req.method() == bhttp::verb::head;
        response answer;
        if (req.method() != bhttp::verb::get && !head) {
            answer = plain(405, "only GET and HEAD");
            answer.headers.emplace_back("Allow", "GET, HEAD");
        } else {
            request r{std::string(req.method_string()), std::string(req.target())};
            try {
                answer = owner_->on_request(r);
            } catch (const std::exception& e) {
                // A renderer bug must not take the daemon down with it.
                spdlog::error("http: {} {}: {}", r.method, r.path(), e.what());
                answer = plain(500, "internal error");
            }
        }
        write(std::move(answer), req.version(), req.keep_alive(), head);
    }

    void write(response answer, unsigned version, bool keep_alive, bool head) {
        std::shared_ptr<bhttp::response<bhttp::string_body>> out;
        try {
            out = std::make_shared<bhttp::response<bhttp::string_body>>(
                to_beast(std::move(answer), version, keep_alive, head));
        } catch (const std::exception& e) {
            // A header value Beast refuses (a handler bug): answer, not crash.
            spdlog::error("http: cannot build the response: {}", e.what());
            out = std::make_shared<bhttp::response<bhttp::string_body>>(
                to_beast(plain(500, "internal error"), version, false, head));
            keep_alive = false;
        }
        stream_.expires_after(owner_->limits.write_deadline);
        bhttp::async_write(
            stream_, *out,
            [self = shared_from_this(), out, keep_alive](beast::error_code ec, std::size_t) {
                if (ec || !keep_alive)
                    return self->finish();
                self->read();
            });
    }

    void finish() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        owner_->forget(this);
    }

    beast::tcp_stream stream_;
    asio::ip::address peer_;
    bool waiting_ = false;
    std::chrono::steady_clock::time_point waiting_since_;
    beast::flat_buffer buffer_{kHeaderLimit};
    std::optional<bhttp::request_parser<bhttp::empty_body>> parser_;
    std::shared_ptr<server_state> owner_;
};

void server_state::accept() {
    // One thread runs the io_context, so sessions need no strand.
    acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
        if (self->closed)
            return;
        if (ec == asio::error::operation_aborted)
            return;
        if (ec) {
            // Out of descriptors or buffers: the listening socket stays
            // readable, so accepting again at once would spin. Wait a little.
            spdlog::warn("http: accept: {}; accepting again in 1 s", ec.message());
            self->retry_timer.expires_after(std::chrono::seconds(1));
            self->retry_timer.async_wait([self](beast::error_code e) {
                if (!e && !self->closed)
                    self->accept();
            });
            return;
        }
        self->admit(std::move(socket));
        self->accept();
    });
}

void server_state::admit(tcp::socket socket) {
    beast::error_code ec;
    const auto endpoint = socket.remote_endpoint(ec);
    if (ec)
        return;  // gone already
    const asio::ip::address peer = endpoint.address();
    sessions.remove_if([](const auto& w) { return w.expired(); });
    std::size_t from_peer = 0;
    for (const auto& w : sessions) {
        if (auto s = w.lock(); s && s->peer() == peer)
            ++from_peer;
    }
    const auto make_room = [&](const asio::ip::address* among) {
        auto victim = longest_idle(among);
        if (!victim)
            return false;
        victim->close();
        forget(victim.get());
        return true;
    };
    bool room = true;
    if (from_peer >= limits.max_per_client)
        room = make_room(&peer);
    if (room && sessions.size() >= limits.max_connections)
        room = make_room(nullptr);
    if (!room) {
        spdlog::debug("http: connection from {} refused: every slot is busy", peer.to_string());
        beast::error_code ignored;
        socket.close(ignored);
        return;
    }
    auto s = std::make_shared<session>(std::move(socket), peer, shared_from_this());
    sessions.push_back(s);
    s->start();
}

std::shared_ptr<session> server_state::longest_idle(const asio::ip::address* peer) const {
    std::shared_ptr<session> oldest;
    for (const auto& w : sessions) {
        auto s = w.lock();
        if (!s || !s->idle() || (peer && s->peer() != *peer))
            continue;
        if (!oldest || s->waiting_since() < oldest->waiting_since())
            oldest = std::move(s);
    }
    return oldest;
}

void server_state::forget(session* s) {
    sessions.remove_if([s](const auto& w) {
        auto p = w.lock();
        return !p || p.get() == s;
    });
}

server::server(asio::io_context& ioc, handler h, server_limits limits)
    : state_(std::make_shared<server_state>(ioc, std::move(h), limits)) {}

server::~server() {
    close();
}

result<void, error_message> server::listen(const listen_address& address) {
    const auto fail = [&](const beast::error_code& ec) {
        return error_message{fmt::format("cannot listen on {}{}{}:{}: {}", address.is_v6 ? "[" : "",
                                         address.host, address.is_v6 ? "]" : "", address.port,
                                         ec.message())};
    };
    beast::error_code ec;
    const auto ip = asio::ip::make_address(address.host, ec);
    if (ec)
        return fail(ec);
    const tcp::endpoint endpoint{ip, address.port};
    auto& a = state_->acceptor;
    a.open(endpoint.protocol(), ec);
    if (ec)
        return fail(ec);
    a.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec && endpoint.protocol() == tcp::v6())
        a.set_option(asio::ip::v6_only(true), ec);
    if (!ec)
        a.bind(endpoint, ec);
    if (!ec)
        a.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        beast::error_code ignored;
        a.close(ignored);
        return fail(ec);
    }
    state_->accept();
    return {};
}

tcp::endpoint server::local_endpoint() const {
    beast::error_code ec;
    return state_->acceptor.local_endpoint(ec);
}

void server::close() {
    if (!state_ || state_->closed)
        return;
    state_->closed = true;
    beast::error_code ignored;
    state_->acceptor.close(ignored);
    state_->retry_timer.cancel();
    for (auto& w : state_->sessions) {
        if (auto s = w.lock())
            s->close();
    }
    state_->sessions.clear();
}

}  // namespace shd::http
