// The endpoint's HTTP server fed raw bytes over a real loopback connection, in
// process: one server for the whole run, one connection per input. The client
// writes the input, ends its side, and reads until the server closes. Whatever
// the server sends must be an HTTP response (1.0 to a 1.0 request). The server and the client run
// on one io_context on this thread, so a run is deterministic enough to replay.
#include <spdlog/spdlog.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "fuzz_support.hpp"
#include "http/server.hpp"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

shd::http::response answer(const shd::http::request& req) {
    if (req.path() == "/throw")
        throw std::runtime_error("a handler that fails");
    shd::http::response res;
    res.body = req.method + " " + req.target;
    res.headers.emplace_back("X-Path", req.path());
    return res;
}

struct fixture {
    asio::io_context ioc;
    shd::http::server server;
    tcp::endpoint endpoint;

    fixture() : server(ioc, answer, limits()) {
        spdlog::set_level(spdlog::level::off);  // a failing handler logs once per input
        auto bound = server.listen(shd::listen_address{"127.0.0.1", 0, false});
        if (!bound) {
            std::fprintf(stderr, "listen: %s\n", bound.error().text.c_str());
            std::abort();
        }
        endpoint = server.local_endpoint();
    }
    static shd::http::server_limits limits() {
        shd::http::server_limits l;
        // Shorter than libFuzzer's -timeout, so a request the server waits on
        // ends by the server's own deadline and a hang is still a finding.
        l.head_deadline = std::chrono::milliseconds(1000);
        l.write_deadline = std::chrono::milliseconds(1000);
        return l;
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fixture f;
    const std::string request(shd::fuzz::as_text(data, size));

    tcp::socket client(f.ioc);
    std::string reply;
    bool done = false;
    auto buffer = asio::dynamic_buffer(reply, 1 << 20);
    client.async_connect(f.endpoint, [&](boost::system::error_code ec) {
        if (ec) {
            done = true;
            return;
        }
        asio::async_write(client, asio::buffer(request),
                          [&](boost::system::error_code, std::size_t) {
                              boost::system::error_code ignored;
                              client.shutdown(tcp::socket::shutdown_send, ignored);
                          });
        asio::async_read(client, buffer,
                         [&](boost::system::error_code, std::size_t) { done = true; });
    });
    f.ioc.restart();
    while (!done)
        f.ioc.run_one_for(std::chrono::milliseconds(100));
    boost::system::error_code ignored;
    client.close(ignored);
    f.ioc.poll();

    if (!reply.empty() && !reply.starts_with("HTTP/1.")) {
        std::fprintf(stderr, "not an HTTP response: %.80s\n", reply.c_str());
        std::abort();
    }
    return 0;
}
