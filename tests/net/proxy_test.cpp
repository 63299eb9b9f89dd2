// Outbound requests through a forward proxy: the choice of proxy (options,
// environment, NO_PROXY) as a pure function, then real requests through a
// real CONNECT proxy on loopback (tests/support/connect_proxy.py) to real
// loopback servers, plain and TLS with a CA made at test time.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "net/http_client.hpp"
#include "support/child_server.hpp"
#include "support/http_test_server.hpp"
#include "support/test_pki.hpp"
#include "support/test_support.hpp"

namespace shd::net {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// ---- choosing the proxy --------------------------------------------------------

std::map<std::string, std::string>& fake_env() {
    static std::map<std::string, std::string> env;
    return env;
}
const char* fake_getenv(const char* name) {
    const auto it = fake_env().find(name);
    return it == fake_env().end() ? nullptr : it->second.c_str();
}

parsed_url url(const char* text) {
    return *parse_http_url(text);
}

class ChooseProxy : public ::testing::Test {
  protected:
    void SetUp() override { fake_env().clear(); }
    void TearDown() override { fake_env().clear(); }
};

TEST_F(ChooseProxy, NoneWithoutOptionOrEnvironment) {
    auto p = choose_proxy(url("https://sellingpartnerapi-na.amazon.com/x"), "", "", fake_getenv);
    ASSERT_TRUE(p);
    EXPECT_FALSE(*p);
}

TEST_F(ChooseProxy, EnvironmentBySchemeLowerCaseFirst) {
    fake_env()["HTTPS_PROXY"] = "http://upper:3128";
    fake_env()["https_proxy"] = "http://lower:3128";
    fake_env()["HTTP_PROXY"] = "plainproxy:8080";
    auto tls = choose_proxy(url("https://example.com/"), "", "", fake_getenv);
    ASSERT_TRUE(tls && *tls);
    EXPECT_EQ((*tls)->host, "lower");
    EXPECT_EQ((*tls)->port, 3128);
    auto plain = choose_proxy(url("http://example.com/"), "", "", fake_getenv);
    ASSERT_TRUE(plain && *plain);
    EXPECT_EQ((*plain)->host, "plainproxy");
    EXPECT_EQ((*plain)->port, 8080);
}

TEST_F(ChooseProxy, TheOptionWinsAndNoneTurnsItOff) {
    fake_env()["HTTPS_PROXY"] = "http://env:3128";
    auto p = choose_proxy(url("https://example.com/"), "http://u:p%40ss@cfg:8888", "", fake_getenv);
    ASSERT_TRUE(p && *p);
    EXPECT_EQ((*p)->host, "cfg");
    EXPECT_EQ((*p)->userinfo, "u:p@ss");
    auto off = choose_proxy(url("https://example.com/"), "none", "", fake_getenv);
    ASSERT_TRUE(off);
    EXPECT_FALSE(*off);
}

TEST_F(ChooseProxy, NoProxyFromOptionOrEnvironment) {
    fake_env()["HTTPS_PROXY"] = "http://env:3128";
    fake_env()["NO_PROXY"] = "localhost,.internal.example, 10.0.0.5:443";
    EXPECT_FALSE(*choose_proxy(url("https://localhost:8443/"), "", "", fake_getenv));
    EXPECT_FALSE(*choose_proxy(url("https://a.internal.example/"), "", "", fake_getenv));
    EXPECT_FALSE(*choose_proxy(url("https://10.0.0.5/"), "", "", fake_getenv));
    EXPECT_TRUE(*choose_proxy(url("https://notinternal.example/"), "", "", fake_getenv));
    // The option replaces the environment's list.
    EXPECT_TRUE(*choose_proxy(url("https://localhost/"), "", "other.example", fake_getenv));
}

TEST(NoProxyMatches, NamesSubdomainsAddressesAndStar) {
    EXPECT_TRUE(no_proxy_matches("api.amazon.com", "amazon.com"));
    EXPECT_TRUE(no_proxy_matches("API.Amazon.com", ".amazon.com"));
    EXPECT_FALSE(no_proxy_matches("notamazon.com", "amazon.com"));
    EXPECT_TRUE(no_proxy_matches("::1", "[::1]:8443"));
    EXPECT_TRUE(no_proxy_matches("anything", "*"));
    EXPECT_FALSE(no_proxy_matches("anything", ""));
    EXPECT_FALSE(no_proxy_matches("anything", " , "));
}

TEST_F(ChooseProxy, BadProxyIsAnErrorThatNamesNoCredentials) {
    auto p =
        choose_proxy(url("https://example.com/"), "http://user:hunter2@:99999", "", fake_getenv);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().text.find("hunter2"), std::string::npos);
    auto tls = choose_proxy(url("https://example.com/"), "https://proxy:443", "", fake_getenv);
    ASSERT_FALSE(tls);
    EXPECT_NE(tls.error().text.find("not supported"), std::string::npos);
}

// ---- through a real proxy ------------------------------------------------------------

const fs::path kProxyScript = fs::path(SHD_SOURCE_DIR) / "tests/support/connect_proxy.py";

class ThroughProxy : public ::testing::Test {
  protected:
    test::temp_dir dir;
    test::test_ca ca{"shd proxy test CA"};
    fs::path ca_file = ca.write_cert(dir / "ca.pem");

    test::tls_server_options tls_origin() {
        const auto id = ca.issue({{"localhost"}, {"127.0.0.1"}});
        return {id.cert_pem, id.key_pem};
    }

    std::unique_ptr<test::child_server> start_proxy(std::vector<std::string> extra = {}) {
        std::vector<std::string> argv = {test::python3(), kProxyScript.string(), "--log",
                                         (dir / "proxy.jsonl").string()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        return std::make_unique<test::child_server>(argv, dir / "proxy.err");
    }

    std::vector<nlohmann::json> proxy_log() const {
        std::vector<nlohmann::json> out;
        if (!fs::exists(dir / "proxy.jsonl"))
            return out;
        std::istringstream in(test::read_file(dir / "proxy.jsonl"));
        for (std::string line; std::getline(in, line);)
            out.push_back(nlohmann::json::parse(line));
        return out;
    }
};

TEST_F(ThroughProxy, HttpsTunnelsWithCredentialsAndVerifiesTheOrigin) {
    test::http_test_server origin(tls_origin());
    auto proxy = start_proxy({"--user", "alice", "--password", "s3cret:x"});

    http_request_options o;
    o.method = "GET";
    o.url = origin.url("/orders?token=abc", "localhost");
    o.ca_file = ca_file;
    o.timeout = 10s;
    o.proxy = "http://alice:s3cret%3Ax@127.0.0.1:" + std::to_string(proxy->port());
    o.no_proxy = "example.invalid";  // not the environment's list (which may name localhost)
    auto r = http_request(o);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200);

    const auto seen = proxy_log();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0]["method"], "CONNECT");
    EXPECT_EQ(seen[0]["target"], "localhost:" + std::to_string(origin.port()));
    // base64("alice:s3cret:x")
    EXPECT_EQ(seen[0]["proxy_authorization"], "Basic YWxpY2U6czNjcmV0Ong=");
    // TLS ran end to end with the origin, by its name.
    EXPECT_EQ(origin.server_names(), std::vector<std::string>{"localhost"});
    ASSERT_EQ(origin.requests().size(), 1u);
    EXPECT_EQ(origin.requests()[0].target, "/orders?token=abc");
    EXPECT_FALSE(origin.requests()[0].header("Proxy-Authorization"));
}

TEST_F(ThroughProxy, TheOriginCertificateIsStillCheckedAgainstItsName) {
    // A certificate for another name: the tunnel does not weaken verification.
    const auto id = ca.issue({{"other.example"}, {}});
    test::http_test_server origin(test::tls_server_options{id.cert_pem, id.key_pem});
    auto proxy = start_proxy();
    http_request_options o;
    o.method = "GET";
    o.url = origin.url("/", "localhost");
    o.ca_file = ca_file;
    o.timeout = 10s;
    o.proxy = "127.0.0.1:" + std::to_string(proxy->port());
    o.no_proxy = "example.invalid";
    auto r = http_request(o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().what, http_error::kind::tls);
    EXPECT_EQ(proxy_log().size(), 1u);
}

TEST_F(ThroughProxy, WrongCredentialsAreAnErrorWithoutThem) {
    test::http_test_server origin(tls_origin());
    auto proxy = start_proxy({"--user", "alice", "--password", "right"});
    http_request_options o;
    o.method = "GET";
    o.url = origin.url("/", "localhost");
    o.ca_file = ca_file;
    o.timeout = 10s;
    o.proxy = "http://alice:wrongpass@127.0.0.1:" + std::to_string(proxy->port());
    o.no_proxy = "example.invalid";
    auto r = http_request(o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().what, http_error::kind::connect);
    EXPECT_NE(r.error().message.find("407"), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find("wrongpass"), std::string::npos);
    EXPECT_EQ(r.error().message.find("alice"), std::string::npos);
    EXPECT_EQ(origin.request_count(), 0u);
}

TEST_F(ThroughProxy, RefusedTunnelIsAConnectError) {
    test::http_test_server origin(tls_origin());
    auto proxy = start_proxy({"--refuse"});
    http_request_options o;
    o.url = origin.url("/", "localhost");
    o.ca_file = ca_file;
    o.timeout = 10s;
    o.proxy = "127.0.0.1:" + std::to_string(proxy->port());
    o.no_proxy = "example.invalid";
    auto r = http_request(o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().what, http_error::kind::connect);
    EXPECT_NE(r.error().message.find("403"), std::string::npos);
}

TEST_F(ThroughProxy, PlainHttpGoesInAbsoluteForm) {
    test::http_test_server origin;
    auto proxy = start_proxy({"--user", "bob", "--password", "pw"});
    http_request_options o;
    o.url = origin.url("/hook");
    o.body = "{}";
    o.timeout = 10s;
    o.proxy = "http://bob:pw@127.0.0.1:" + std::to_string(proxy->port());
    o.no_proxy = "example.invalid";
    auto r = http_request(o);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200);
    const auto seen = proxy_log();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0]["method"], "POST");
    EXPECT_EQ(seen[0]["target"], origin.url("/hook"));
    EXPECT_EQ(seen[0]["proxy_authorization"], "Basic Ym9iOnB3");
    ASSERT_EQ(origin.requests().size(), 1u);
    EXPECT_EQ(origin.requests()[0].target, "/hook");
}

TEST_F(ThroughProxy, EnvironmentProxyAndNoProxy) {
    test::http_test_server origin(tls_origin());
    auto proxy = start_proxy();
    const std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy->port());
    ::setenv("HTTPS_PROXY", proxy_url.c_str(), 1);
    ::setenv("https_proxy", proxy_url.c_str(), 1);
    ::setenv("NO_PROXY", "example.invalid", 1);
    ::setenv("no_proxy", "example.invalid", 1);
    http_request_options o;
    o.method = "GET";
    o.url = origin.url("/", "localhost");
    o.ca_file = ca_file;
    o.timeout = 10s;
    auto via_env = http_request(o);
    ::setenv("NO_PROXY", "localhost", 1);
    ::setenv("no_proxy", "localhost", 1);
    auto direct = http_request(o);
    for (const char* name : {"HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"})
        ::unsetenv(name);
    ASSERT_TRUE(via_env) << via_env.error().message;
    ASSERT_TRUE(direct) << direct.error().message;
    EXPECT_EQ(origin.request_count(), 2u);
    EXPECT_EQ(proxy_log().size(), 1u);  // only the first went through the proxy
}

}  // namespace
}  // namespace shd::net
