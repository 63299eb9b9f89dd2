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
    explicit running_server(handler h) : server_(ioc_, std::move(h)) {
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

// Sends raw bytes and reads until the server closes the connection.
std::string exchange(unsigned short port, const std::string& bytes) {
    asio::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    asio::write(socket, asio::buffer(bytes));
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
