// The HTTP(S) client against real loopback servers: plain and TLS, with a CA
// made at test time. Timeouts are short (1 s) and the tests assert outcomes,
// never durations.
#include "net/http_client.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "support/http_test_server.hpp"
#include "support/test_pki.hpp"
#include "support/test_support.hpp"

namespace shd::net {
namespace {

using namespace std::chrono_literals;
using test::http_test_server;
using test::scripted_response;

http_request_options post(std::string url, std::string body = R"({"x":1})") {
    http_request_options o;
    o.url = std::move(url);
    o.body = std::move(body);
    o.headers = {{"Content-Type", "application/json"}};
    o.timeout = 1s;
    return o;
}

// ---- URLs -------------------------------------------------------------------

TEST(ParseHttpUrl, SplitsHttpsUrlWithDefaultPort) {
    auto u = parse_http_url("https://hooks.slack.com/services/T0/B0/secret?x=1#frag");
    ASSERT_TRUE(u) << u.error().text;
    EXPECT_TRUE(u->tls);
    EXPECT_EQ(u->host, "hooks.slack.com");
    EXPECT_EQ(u->port, 443);
    EXPECT_EQ(u->target, "/services/T0/B0/secret?x=1");
    EXPECT_EQ(u->host_header, "hooks.slack.com");
    EXPECT_EQ(u->userinfo, "");
}

TEST(ParseHttpUrl, NonDefaultPortGoesIntoHostHeader) {
    auto u = parse_http_url("http://127.0.0.1:8080");
    ASSERT_TRUE(u);
    EXPECT_FALSE(u->tls);
    EXPECT_EQ(u->port, 8080);
    EXPECT_EQ(u->target, "/");
    EXPECT_EQ(u->host_header, "127.0.0.1:8080");

    auto explicit_default = parse_http_url("https://example.com:443/a");
    ASSERT_TRUE(explicit_default);
    EXPECT_EQ(explicit_default->host_header, "example.com");
}

TEST(ParseHttpUrl, Ipv6LiteralKeepsBracketsOnlyInHostHeader) {
    auto u = parse_http_url("https://[::1]:8443/hook");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->host, "::1");
    EXPECT_EQ(u->port, 8443);
    EXPECT_EQ(u->host_header, "[::1]:8443");
}

TEST(ParseHttpUrl, UserinfoIsDecoded) {
    auto u = parse_http_url("https://bot:p%40ss@example.com/x");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->userinfo, "bot:p@ss");
    EXPECT_EQ(u->host, "example.com");
}

TEST(ParseHttpUrl, RejectsWhatIsNotAnHttpUrl) {
    for (const char* bad :
         {"", "hooks.slack.com/services/x", "ftp://example.com/", "smtp://mail.example.com",
          "https://", "https:///path", "http://example.com:0/", "http://example.com:65536/",
          "http://example.com:80x/", "http://exa mple.com/", " https://example.com/",
          "https://example.com/\n", "mailto:someone@example.com"}) {
        EXPECT_FALSE(parse_http_url(bad)) << bad;
    }
}

TEST(HttpRequest, InvalidUrlIsAnErrorNotAnException) {
    auto r = http_request(post("notaurl"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().what, http_error::kind::invalid_url);
}

// ---- Retry-After ----------------------------------------------------------------

TEST(ParseRetryAfter, DelaySeconds) {
    const instant now = from_unix(1'700'000'000);
    EXPECT_EQ(parse_retry_after("120", now), 120s);
    EXPECT_EQ(parse_retry_after(" 0 ", now), 0s);
    EXPECT_EQ(parse_retry_after("99999999999999", now), std::chrono::seconds{10LL * 365 * 86400});
    EXPECT_EQ(parse_retry_after("-5", now), std::nullopt);
    EXPECT_EQ(parse_retry_after("1.5", now), std::nullopt);
    EXPECT_EQ(parse_retry_after("", now), std::nullopt);
    EXPECT_EQ(parse_retry_after("soon", now), std::nullopt);
}

TEST(ParseRetryAfter, HttpDateInAllThreeForms) {
    const instant now = *parse_iso8601("1994-11-06T08:48:37Z");
    EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now), 60s);
    EXPECT_EQ(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now), 60s);
    EXPECT_EQ(parse_retry_after("Sun Nov  6 08:49:37 1994", now), 60s);
    // A date in the past means "now".
    EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now), 0s);
    EXPECT_EQ(parse_retry_after("Sun, 31 Feb 1994 08:00:00 GMT", now), std::nullopt);
    EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT trailing", now), std::nullopt);
}

// ---- plain HTTP ---------------------------------------------------------------

TEST(HttpRequest, PostsAndReadsTheResponse) {
    http_test_server server;
    server.script({{200, {{"X-Reply", "yes"}}, "accepted", false}});
    auto options = post(server.url("/hook?a=b"));
    options.headers.emplace_back("Idempotency-Key", "k-1");
    auto r = http_request(options);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "accepted");
    EXPECT_EQ(r->header("x-reply"), "yes");

    const auto seen = server.requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].method, "POST");
    EXPECT_EQ(seen[0].target, "/hook?a=b");
    EXPECT_EQ(seen[0].body, R"({"x":1})");
    EXPECT_EQ(seen[0].header("Host"), "127.0.0.1:" + std::to_string(server.port()));
    EXPECT_EQ(seen[0].header("Content-Type"), "application/json");
    EXPECT_EQ(seen[0].header("Content-Length"), "7");
    EXPECT_EQ(seen[0].header("Idempotency-Key"), "k-1");
    EXPECT_EQ(seen[0].header("User-Agent"), "seller-healthd");
    EXPECT_EQ(seen[0].header("Authorization"), std::nullopt);
}

TEST(HttpRequest, ErrorStatusesAreResponsesNotErrors) {
    http_test_server server;
    server.script({scripted_response::with_status(500, "boom"),
                   {429, {{"Retry-After", "7"}}, "slow down", false}});
    auto first = http_request(post(server.url()));
    ASSERT_TRUE(first);
    EXPECT_EQ(first->status, 500);
    EXPECT_EQ(first->body, "boom");
    auto second = http_request(post(server.url()));
    ASSERT_TRUE(second);
    EXPECT_EQ(second->status, 429);
    EXPECT_EQ(second->header("Retry-After"), "7");
}

TEST(HttpRequest, InterimContinueIsSkipped) {
    http_test_server server;
    server.set_interim_continue(true);
    server.script({{202, {}, "queued", false}});
    auto r = http_request(post(server.url()));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 202);
    EXPECT_EQ(r->body, "queued");
}

TEST(HttpRequest, UserinfoBecomesBasicAuthorization) {
    http_test_server server;
    auto r =
        http_request(post("http://bot:p%40ss@127.0.0.1:" + std::to_string(server.port()) + "/x"));
    ASSERT_TRUE(r) << r.error().message;
    const auto seen = server.requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].header("Authorization"), "Basic Ym90OnBAc3M=");  // bot:p@ss
}

TEST(HttpRequest, ServerThatNeverAnswersTimesOut) {
    http_test_server server;
    server.script({scripted_response::hang_forever()});
    auto r = http_request(post(server.url("/secret-path")));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().what, http_error::kind::timeout);
    EXPECT_NE(r.error().message.find("timeout after 1s"), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find("secret-path"), std::string::npos);
    EXPECT_EQ(server.request_count(), 1u);
}

TEST(HttpRequest, RefusedConnectionIsAConnectError) {
    std::uint16_t closed_port = 0;
    {
        boost::asio::io_context ioc;
        boost::asio::ip::tcp::acceptor probe(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
        closed_port = probe.local_endpoint().port();
    }
    auto r = http_request(post("http://127.0.0.1:" + std::to_string(closed_port) + "/"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().what, http_error::kind::connect);
}

TEST(HttpRequest, OversizedResponseBodyIsRefused) {
    http_test_server server;
    server.script({{200, {}, std::string(4096, 'x'), false}});
    auto options = post(server.url());
    options.body_limit = 1024;
    auto r = http_request(options);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().what, http_error::kind::protocol);
}

// ---- body sink ----------------------------------------------------------------

TEST(HttpRequest, ASuccessfulBodyGoesToTheSinkInPiecesNotToMemory) {
    http_test_server server;
    std::string document;
    for (int i = 0; document.size() < 300 * 1024; ++i)
        document += "line " + std::to_string(i) + "\n";
    server.script({{200, {{"Content-Type", "text/plain"}}, document, false}});
    server.set_interim_continue(true);
    auto options = post(server.url());
    options.method = "GET";
    options.body.clear();
    options.body_limit = 1024 * 1024;
    std::string received;
    std::size_t pieces = 0;
    options.body_sink = [&](std::string_view piece) {
        received.append(piece);
        ++pieces;
        return true;
    };
    auto r = http_request(options);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->header("Content-Type"), "text/plain");
    EXPECT_TRUE(r->body.empty());
    EXPECT_EQ(received, document);
    EXPECT_GT(pieces, 1u);  // 64 KiB at most each
}

TEST(HttpRequest, AnErrorBodyIsKeptNotSunk) {
    http_test_server server;
    server.script({scripted_response::with_status(403, "<Error>AccessDenied</Error>")});
    auto options = post(server.url());
    std::string received;
    options.body_sink = [&](std::string_view piece) {
        received.append(piece);
        return true;
    };
    auto r = http_request(options);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 403);
    EXPECT_EQ(r->body, "<Error>AccessDenied</Error>");
    EXPECT_TRUE(received.empty());
}

TEST(HttpRequest, ASinkThatCannotStoreStopsTheRequestAndTheLimitStillHolds) {
    http_test_server server;
    server.script({{200, {}, std::string(200 * 1024, 'x'), false},
                   {200, {}, std::string(200 * 1024, 'x'), false}});
    auto options = post(server.url());
    options.body_sink = [](std::string_view) { return false; };
    auto refused = http_request(options);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().what, http_error::kind::io);

    options.body_limit = 100 * 1024;
    std::size_t received = 0;
    options.body_sink = [&](std::string_view piece) {
        received += piece.size();
        return true;
    };
    auto too_long = http_request(options);
    ASSERT_FALSE(too_long);
    EXPECT_EQ(too_long.error().what, http_error::kind::protocol);
    EXPECT_LE(received, 100u * 1024);
}

TEST(HttpRequest, HeaderValuesCannotInjectLines) {
    http_test_server server;
    auto options = post(server.url());
    options.headers.emplace_back("Idempotency-Key", "a\r\nX-Evil: 1");
    auto r = http_request(options);
    ASSERT_FALSE(r);
    EXPECT_EQ(server.request_count(), 0u);
}

TEST(HttpRequest, ResolvesLocalhostByName) {
    http_test_server server;
    auto r = http_request(post(server.url("/", "localhost")));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(server.requests().at(0).header("Host"), "localhost:" + std::to_string(server.port()));
}

// ---- HTTPS ----------------------------------------------------------------------

class HttpsTest : public ::testing::Test {
  protected:
    test::temp_dir dir;
    test::test_ca ca{"shd test CA"};
    std::filesystem::path ca_file = ca.write_cert(dir / "ca.pem");

    test::tls_server_options server_for(const test::leaf_options& leaf) {
        const auto id = ca.issue(leaf);
        return {id.cert_pem, id.key_pem};
    }
    test::tls_server_options localhost_server() {
        return server_for({{"localhost"}, {"127.0.0.1"}});
    }
    http_request_options https_post(const http_test_server& server,
                                    std::string_view host = "localhost") {
        auto o = post(server.url("/hook", host));
        o.ca_file = ca_file;
        return o;
    }
};

TEST_F(HttpsTest, VerifiedWithPrivateCaByNameWithSni) {
    http_test_server server(localhost_server());
    auto r = http_request(https_post(server));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "ok");
    ASSERT_EQ(server.requests().size(), 1u);
    EXPECT_EQ(server.requests()[0].body, R"({"x":1})");
    EXPECT_EQ(server.server_names(), std::vector<std::string>{"localhost"});
}

TEST_F(HttpsTest, VerifiedByIpAddressWithoutSni) {
    http_test_server server(localhost_server());
    auto r = http_request(https_post(server, "127.0.0.1"));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200);
    // RFC 6066: no IP literals in SNI.
    EXPECT_EQ(server.server_names(), std::vector<std::string>{""});
}

TEST_F(HttpsTest, UntrustedCaIsRefusedWithoutCaFile) {
    http_test_server server(localhost_server());
    auto options = https_post(server);
    options.ca_file.clear();
    auto r = http_request(options);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().what, http_error::kind::tls);
    EXPECT_NE(r.error().message.find("certificate verify failed"), std::string::npos)
        << r.error().message;
    EXPECT_EQ(server.request_count(), 0u);
}

TEST_F(HttpsTest, CertificateFromAnotherCaIsRefused) {
    test::test_ca other{"another CA"};
    http_test_server server(localhost_server());
    auto options = https_post(server);
    options.ca_file = other.write_cert(dir / "other.pem");
    auto r = http_request(options);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().what, http_error::kind::tls);
    EXPECT_EQ(server.request_count(), 0u);
}

TEST_F(HttpsTest, CertificateForAnotherHostIsRefused) {
    http_test_server server(server_for({{"wrong.example"}, {}}));
    for (const char* host : {"localhost", "127.0.0.1"}) {
        auto r = http_request(https_post(server, host));
        ASSERT_FALSE(r) << host;
        EXPECT_EQ(r.error().what, http_error::kind::tls);
        EXPECT_NE(r.error().message.find(std::string("not valid for ") + host), std::string::npos)
            << r.error().message;
    }
    EXPECT_EQ(server.request_count(), 0u);
}

TEST_F(HttpsTest, ExpiredCertificateIsRefused) {
    http_test_server server(server_for({{"localhost"}, {}, -7200s, -3600s}));
    auto r = http_request(https_post(server));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().what, http_error::kind::tls);
    EXPECT_NE(r.error().message.find("expired"), std::string::npos) << r.error().message;
}

TEST_F(HttpsTest, Tls11OnlyServerIsRefused) {
    auto options = localhost_server();
    options.min_version = TLS1_1_VERSION;
    options.max_version = TLS1_1_VERSION;
    http_test_server server(options);
    auto r = http_request(https_post(server));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().what, http_error::kind::tls);
    // The client offers nothing below TLS 1.2, so the server finds no common version.
    EXPECT_NE(r.error().message.find("protocol version"), std::string::npos) << r.error().message;
    EXPECT_EQ(server.request_count(), 0u);
}

TEST_F(HttpsTest, Tls13OnlyServerIsAccepted) {
    auto options = localhost_server();
    options.min_version = TLS1_3_VERSION;
    http_test_server server(options);
    auto r = http_request(https_post(server));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200);
}

TEST_F(HttpsTest, ServerThatStallsTheHandshakeTimesOut) {
    auto options = localhost_server();
    options.stall_handshake = true;
    http_test_server server(options);
    auto r = http_request(https_post(server));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().what, http_error::kind::timeout);
}

TEST_F(HttpsTest, ServerThatHangsAfterTheRequestTimesOut) {
    http_test_server server(localhost_server());
    server.script({scripted_response::hang_forever()});
    auto r = http_request(https_post(server));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().what, http_error::kind::timeout);
    EXPECT_EQ(server.request_count(), 1u);
}

TEST_F(HttpsTest, UnreadableCaFileIsATlsError) {
    http_test_server server(localhost_server());
    auto options = https_post(server);
    options.ca_file = dir / "missing.pem";
    auto r = http_request(options);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().what, http_error::kind::tls);
    EXPECT_NE(r.error().message.find("ca_file"), std::string::npos);
}

TEST_F(HttpsTest, PlainHttpToATlsServerFails) {
    http_test_server server(localhost_server());
    auto r = http_request(post(server.url("/hook").replace(0, 5, "http")));
    ASSERT_FALSE(r);
}

}  // namespace
}  // namespace shd::net
