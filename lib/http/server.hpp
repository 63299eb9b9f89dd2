// A small HTTP/1.1 server for the daemon's own endpoint, run on the caller's
// io_context: every handler call happens on that context's thread, so the
// handler may read state the loop owns without locks.
//
// - GET and HEAD only (405 otherwise); a request with a body is refused
//   (the endpoint takes none), headers are capped at 8 KiB.
// - Each connection has a short deadline for the request head (5 s from the
//   moment the server starts waiting for it, keep-alive waits included) and
//   10 s to write the answer; it is kept alive for HTTP/1.1.
// - At most 64 connections are open at once and at most 16 from one client
//   address. A new connection past either cap first evicts the longest-idle
//   connection (one waiting for a request of which no byte has come) of that
//   client, or else of anyone; only when none is idle is it closed at accept.
//   So one local client holding connections open cannot starve /healthz.
// - close() stops accepting and closes every open connection, so the
//   io_context has nothing left of this server.
// The handler is a pure function of the request in the daemon (routes.hpp).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/listen_address.hpp"
#include "core/result.hpp"

namespace shd::http {

struct request {
    std::string method;  // "GET" or "HEAD"
    std::string target;  // "/metrics?x=1": path and query as sent
    std::string path() const { return target.substr(0, target.find('?')); }
};

struct response {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // extra ones
};

using handler = std::function<response(const request&)>;

struct server_limits {
    std::chrono::milliseconds head_deadline{5000};
    std::chrono::milliseconds write_deadline{10000};
    std::size_t max_connections = 64;
    std::size_t max_per_client = 16;
};

struct server_state;  // server.cpp

class server {
  public:
    server(boost::asio::io_context& ioc, handler h, server_limits limits = {});
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Binds and starts accepting. Errors: the address is in use, not local,
    // or not permitted; they name the address.
    result<void, error_message> listen(const listen_address& address);

    // The bound endpoint (port 0 in listen() picks a free one: tests).
    boost::asio::ip::tcp::endpoint local_endpoint() const;

    void close();

  private:
    std::shared_ptr<server_state> state_;
};

}  // namespace shd::http
