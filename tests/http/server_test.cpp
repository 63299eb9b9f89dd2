// The endpoint's HTTP server on a real loopback socket: what the handler
// returns is what a client gets; HEAD, wrong methods, oversized headers and a
// throwing handler each get the answer HTTP says they should; close() leaves
// the io_context with nothing to do.
#include "http/server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <stdexcept>
#include <thread>

#include "net/http_client.hpp"

namespace shd::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class running_server {
  public:
    explicit running_server(handler h, server_limits limits = {})
        : server_(ioc_, std::move(h), limits) {
        auto bound = server_.listen(listen_address{"127.0.0.1", 0, false});
        if (!bound)
            throw std::runtime_error(bound.error().text);
        port_ = server_.local_endpoint().port();
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~running_server() { stop(); }

    // Closes the server on its own thread; run() must then return by itself.
    void stop() {
        if (!thread_.joinable())
            return;
        asio::post(ioc_, [this] { server_.close(); });
        thread_.join();
    }
    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }
    unsigned short port() const { return port_; }

  private:
    asio::io_context ioc_;
    server server_;
    unsigned short port_ = 0;
    std::thread thread_;
};

net::http_response get(const std::string& url) {
    net::http_request_options o;
    o.method = "GET";
    o.url = url;
    auto r = net::http_request(o);
    if (!r)
        throw std::runtime_error("request failed");
    return *r;
}

// A connection to the server from `source` (any address of 127/8 is this host).
tcp::socket connect_from(asio::io_context& ioc, unsigned short port,
                         const char* source = "127.0.0.1") {
    tcp::socket socket(ioc);
    socket.open(tcp::v4());
    socket.bind({asio::ip::make_address(source), 0});
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    return socket;
}

// Reads until the server closes the connection.
std::string read_to_close(tcp::socket& socket) {
    std::string out;
    boost::system::error_code ec;
    char buffer[4096];
    for (;;) {
        const std::size_t n = socket.read_some(asio::buffer(buffer), ec);
        out.append(buffer, n);
        if (ec)
            break;
    }
    return out;
}

// Sends raw bytes and reads until the server closes the connection.
std::string exchange(unsigned short port, const std::string& bytes,
                     const char* source = "127.0.0.1") {
    asio::io_context ioc;
    tcp::socket socket = connect_from(ioc, port, source);
    asio::write(socket, asio::buffer(bytes));
    return read_to_close(socket);
}

// Whether the server has closed `socket` (EOF or reset waiting to be read).
bool closed_by_server(tcp::socket& socket) {
    socket.non_blocking(true);
    char byte;
    boost::system::error_code ec;
    socket.read_some(asio::buffer(&byte, 1), ec);
    return ec && ec != asio::error::would_block;
}

TEST(HttpServer, AnswersWhatTheHandlerReturns) {
    std::atomic<int> calls{0};
    running_server s([&](const request& r) {
        ++calls;
        response out;
        out.status = r.path() == "/here" ? 200 : 404;
        out.content_type = "application/json";
        out.body = "{\"target\": \"" + r.target + "\"}";
        out.headers.emplace_back("Cache-Control", "no-store");
        return out;
    });
    const auto here = get(s.url("/here?x=1"));
    EXPECT_EQ(here.status, 200);
    EXPECT_EQ(here.body, "{\"target\": \"/here?x=1\"}");
    EXPECT_EQ(here.header("Content-Type").value_or(""), "application/json");
    EXPECT_EQ(here.header("Cache-Control").value_or(""), "no-store");
    EXPECT_EQ(get(s.url("/elsewhere")).status, 404);
    EXPECT_EQ(calls.load(), 2);
}

TEST(HttpServer, HeadGivesTheHeadersWithoutTheBody) {
    running_server s([](const request&) {
        response out;
        out.body = "twelve bytes";
        return out;
    });
    const std::string reply =
        exchange(s.port(), "HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_NE(reply.find("HTTP/1.1 200 OK"), std::string::npos) << reply;
    EXPECT_NE(reply.find("Content-Length: 12"), std::string::npos) << reply;
    EXPECT_EQ(reply.find("twelve bytes"), std::string::npos) << reply;
}

TEST(HttpServer, OnlyGetAndHead) {
    std::atomic<int> calls{0};
    running_server s([&](const request&) {
        ++calls;
        return response{};
    });
    const std::string reply =
        exchange(s.port(), "DELETE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_NE(reply.find("HTTP/1.1 405"), std::string::npos) << reply;
    EXPECT_NE(reply.find("Allow: GET, HEAD"), std::string::npos) << reply;
    EXPECT_EQ(calls.load(), 0);
}

TEST(HttpServer, RefusesBodiesAndOversizedHeaders) {
    std::atomic<int> calls{0};
    running_server s([&](const request&) {
        ++calls;
        return response{};
    });
    const std::string with_body =
        exchange(s.port(), "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
    EXPECT_NE(with_body.find("HTTP/1.1 400"), std::string::npos) << with_body;
    const std::string huge =
        exchange(s.port(),
                 "GET / HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(20000, 'a') + "\r\n\r\n");
    EXPECT_NE(huge.find("HTTP/1.1 400"), std::string::npos) << huge.substr(0, 200);
    EXPECT_EQ(calls.load(), 0);
}

TEST(HttpServer, AHandlerThatThrowsIsA500AndTheServerGoesOn) {
    running_server s([](const request& r) -> response {
        if (r.path() == "/bug")
            throw std::logic_error("renderer bug");
        return response{};
    });
    EXPECT_EQ(get(s.url("/bug")).status, 500);
    EXPECT_EQ(get(s.url("/")).status, 200);
}

TEST(HttpServer, KeepsAConnectionAliveForSeveralRequests) {
    running_server s([](const request& r) {
        response out;
        out.body = r.path();
        return out;
    });
    const std::string reply = exchange(s.port(),
                                       "GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
                                       "GET /two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const auto first = reply.find("/one");
    const auto second = reply.find("/two");
    ASSERT_NE(first, std::string::npos) << reply;
    ASSERT_NE(second, std::string::npos) << reply;
    EXPECT_LT(first, second);
}

TEST(HttpServer, CloseEndsEveryConnectionSoTheLoopReturns) {
    running_server s([](const request&) { return response{}; });
    // An idle keep-alive connection is open while the server closes.
    asio::io_context client;
    tcp::socket idle(client);
    idle.connect({asio::ip::make_address("127.0.0.1"), s.port()});
    EXPECT_EQ(get(s.url("/")).status, 200);
    s.stop();  // joins the server's thread: returns only if run() did
    char byte;
    boost::system::error_code ec;
    idle.read_some(asio::buffer(&byte, 1), ec);
    EXPECT_TRUE(ec) << "the idle connection was closed";
}

TEST(HttpServer, IdleConnectionsAreEvictedSoHealthzStillGetsThrough) {
    running_server s([](const request& r) { return response{200, "text/plain", r.path(), {}}; });
    asio::io_context client;
    std::vector<tcp::socket> idle;
    for (int i = 0; i < 200; ++i)
        idle.push_back(connect_from(client, s.port()));
    // Accepted in order, so every idle one was admitted before this request.
    const auto answer = get(s.url("/healthz"));
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.body, "/healthz");
    std::size_t still_open = 0;
    for (auto& socket : idle)
        still_open += closed_by_server(socket) ? 0 : 1;
    // One client address keeps at most 16; the newest idle ones stay.
    EXPECT_LE(still_open, 16u);
    EXPECT_GE(still_open, 15u);
    EXPECT_FALSE(closed_by_server(idle.back()));
    EXPECT_TRUE(closed_by_server(idle.front()));
}

TEST(HttpServer, AClientAtItsCapWithNothingIdleIsRefusedButOthersAreServed) {
    server_limits limits;
    limits.max_per_client = 4;
    running_server s([](const request&) { return response{200, "text/plain", "ok", {}}; }, limits);
    asio::io_context client;
    // Four connections each half way through a request head: busy, not idle.
    std::vector<tcp::socket> busy;
    for (int i = 0; i < 4; ++i) {
        busy.push_back(connect_from(client, s.port(), "127.0.0.2"));
        asio::write(busy.back(), asio::buffer(std::string("GET / HTTP/1.1\r\n")));
    }
    // Its fifth is closed unanswered: nothing of its own could make room.
    EXPECT_EQ(exchange(s.port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "127.0.0.2"), "");
    // Another client address is served as usual.
    const std::string other =
        exchange(s.port(), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "127.0.0.3");
    EXPECT_EQ(other.rfind("HTTP/1.1 200", 0), 0u) << other;
    for (auto& socket : busy)
        EXPECT_FALSE(closed_by_server(socket));
}

TEST(HttpServer, AHeadNotFinishedBeforeItsDeadlineIsDropped) {
    server_limits limits;
    limits.head_deadline = std::chrono::milliseconds(200);
    running_server s([](const request&) { return response{}; }, limits);
    asio::io_context client;
    tcp::socket slow = connect_from(client, s.port());
    asio::write(slow, asio::buffer(std::string("GET / HTTP/1.1\r\nHost: x\r\n")));
    // Returns only when the server hangs up; it answers nothing to a
    // request it never fully got.
    EXPECT_EQ(read_to_close(slow), "");
}

TEST(HttpServer, ListenNamesTheAddressWhenItIsTaken) {
    running_server first([](const request&) { return response{}; });
    asio::io_context ioc;
    server second(ioc, [](const request&) { return response{}; });
    auto bound = second.listen(listen_address{"127.0.0.1", first.port(), false});
    ASSERT_FALSE(bound);
    EXPECT_NE(bound.error().text.find("127.0.0.1:" + std::to_string(first.port())),
              std::string::npos)
        << bound.error().text;
}

}  // namespace
}  // namespace shd::http
