// `seller-healthd test-alert`, the real binary against loopback HTTP and
// HTTPS servers (Beast) in this process: one line per channel, exit codes,
// no secrets in the output, and no outbox (the database is never opened).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/http_test_server.hpp"
#include "support/test_pki.hpp"
#include "support/test_support.hpp"

namespace shd {
namespace {

std::string fmt_hex(unsigned char byte) {
    static const char digits[] = "0123456789abcdef";
    return {digits[byte >> 4], digits[byte & 15]};
}

using test::http_test_server;
using test::scripted_response;

class TestAlertCli : public ::testing::Test {
  protected:
    test::temp_dir dir;

    std::filesystem::path write_config(const std::string& channels) {
        const auto path = dir / "shd.yaml";
        test::write_file(path,
                         "account: \"Acme Store\"\n"
                         "database: \"" +
                             (dir / "state/shd.sqlite").string() +
                             "\"\n"
                             "alerts:\n" +
                             channels);
        return path;
    }

    test::process_result test_alert(const std::filesystem::path& config,
                                    std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"test-alert", "--config", config.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return test::run_binary(args);
    }
};

TEST_F(TestAlertCli, DeliversToEveryChannelAndExitsZero) {
    http_test_server hook;
    test::test_ca ca("cli CA");
    const auto leaf = ca.issue({{"localhost"}, {"127.0.0.1"}});
    http_test_server slack(test::tls_server_options{leaf.cert_pem, leaf.key_pem});
    const auto ca_file = ca.write_cert(dir / "ca.pem");
    const auto config = write_config(
        "  channels:\n"
        "    - name: ops-hook\n"
        "      type: webhook\n"
        "      url: " +
        hook.url("/hook") +
        "\n"
        "      secret: hmac-secret\n"
        "      timeout: 2s\n"
        "    - name: team-slack\n"
        "      type: slack\n"
        "      url: " +
        slack.url("/services/T0/B0/SLACKSECRET", "localhost") +
        "\n"
        "      ca_file: " +
        ca_file.string() +
        "\n"
        "      timeout: 2s\n");
    const auto r = test_alert(config);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(r.out, "ops-hook: delivered\nteam-slack: delivered\n");

    ASSERT_EQ(hook.request_count(), 1u);
    const auto body = nlohmann::json::parse(hook.requests()[0].body);
    EXPECT_EQ(body.at("test"), true);
    EXPECT_EQ(body.at("account"), "Acme Store");
    ASSERT_EQ(body.at("alerts").size(), 1u);
    EXPECT_EQ(body.at("alerts")[0].at("metric"), "late_dispatch_rate");
    EXPECT_EQ(hook.requests()[0].header("Idempotency-Key"), body.at("idempotency_key"));
    EXPECT_TRUE(hook.requests()[0].header("X-Signature-SHA256"));

    ASSERT_EQ(slack.request_count(), 1u);
    EXPECT_EQ(slack.requests()[0].target, "/services/T0/B0/SLACKSECRET");
    // test-alert neither creates nor opens the database: no outbox rows.
    EXPECT_FALSE(std::filesystem::exists(dir / "state/shd.sqlite"));
}

TEST_F(TestAlertCli, AFailedChannelIsNamedWithItsReasonAndExitsOne) {
    http_test_server good;
    http_test_server bad;
    bad.set_default(scripted_response::with_status(500, "internal trouble"));
    test::test_ca untrusted("untrusted CA");
    const auto leaf = untrusted.issue({{"localhost"}, {}});
    http_test_server tls(test::tls_server_options{leaf.cert_pem, leaf.key_pem});
    const auto config = write_config(
        "  channels:\n"
        "    - name: good\n"
        "      type: webhook\n"
        "      url: " +
        good.url() +
        "\n"
        "    - name: bad\n"
        "      type: webhook\n"
        "      url: " +
        bad.url("/BADSECRET") +
        "\n"
        "    - name: untrusted\n"
        "      type: discord\n"
        "      url: " +
        tls.url("/api/webhooks/1/DISCORDTOKEN", "localhost") + "\n");
    const auto r = test_alert(config);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("good: delivered\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("bad: failed: the receiver failed on its side: try again later; real "
                         "notifications are retried (HTTP 500: internal trouble)\n"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("untrusted: failed: the certificate is not trusted: if the receiver uses "
                         "a private CA, add its certificate as ca_file; otherwise check the host "
                         "name in the URL (TLS handshake with localhost:" +
                         std::to_string(tls.port()) + " failed: certificate verify failed"),
              std::string::npos)
        << r.out;
    for (const char* secret : {"BADSECRET", "DISCORDTOKEN"}) {
        EXPECT_EQ(r.out.find(secret), std::string::npos) << secret;
        EXPECT_EQ(r.err.find(secret), std::string::npos) << secret;
    }
    EXPECT_EQ(tls.request_count(), 0u);
}

// A receiver that accepts each connection, reads a little and closes it
// without a word: what a wrong port or a crashing relay looks like.
class closing_receiver {
  public:
    closing_receiver() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        ::listen(fd_, 8);
        socklen_t len = sizeof addr;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] {
            while (true) {
                const int c = ::accept(fd_, nullptr, nullptr);
                if (c < 0)
                    return;
                char buffer[256];
                (void)::recv(c, buffer, sizeof buffer, 0);
                ::close(c);
            }
        });
    }
    ~closing_receiver() {
        ::shutdown(fd_, SHUT_RDWR);
        ::close(fd_);
        thread_.join();
    }
    std::uint16_t port() const { return port_; }

  private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

TEST_F(TestAlertCli, FailuresAreExplainedInWordsASellerCanActOn) {
    closing_receiver closing;
    // A port nothing listens on: bind one, note it, close it.
    std::uint16_t refused_port = 0;
    {
        closing_receiver gone;
        refused_port = gone.port();
    }
    http_test_server local_slack;
    const auto config = write_config(
        "  channels:\n"
        "    - name: closing\n"
        "      type: slack\n"
        "      url: http://127.0.0.1:" +
        std::to_string(closing.port()) +
        "/services/T/B/X\n"
        "    - name: refused\n"
        "      type: teams\n"
        "      url: http://127.0.0.1:" +
        std::to_string(refused_port) +
        "/workflows\n"
        "    - name: relay\n"
        "      type: slack\n"
        "      url: " +
        local_slack.url("/services/T/B/X", "localhost") + "\n");
    const auto r = test_alert(config);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("closing: failed: the receiver closed the connection before answering: "
                         "check that the URL names the right service and port"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("refused: failed: nothing accepts connections at that address: check the "
                         "host and port in the URL, and that the receiver is running"),
              std::string::npos)
        << r.out;
    // http:// to a loopback relay is allowed for chat channels, and it works.
    EXPECT_NE(r.out.find("relay: delivered\n"), std::string::npos) << r.out;
    EXPECT_EQ(local_slack.request_count(), 1u);
}

TEST_F(TestAlertCli, ChannelOptionSendsToThatChannelOnly) {
    http_test_server first;
    http_test_server second;
    const auto config = write_config(
        "  channels:\n"
        "    - name: first\n"
        "      type: webhook\n"
        "      url: " +
        first.url() +
        "\n"
        "    - name: second\n"
        "      type: webhook\n"
        "      url: " +
        second.url() + "\n");
    const auto r = test_alert(config, {"--channel", "second"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "second: delivered\n");
    EXPECT_EQ(first.request_count(), 0u);
    EXPECT_EQ(second.request_count(), 1u);
}

TEST_F(TestAlertCli, UnknownChannelNameIsBadUsage) {
    http_test_server server;
    const auto config = write_config(
        "  channels:\n"
        "    - name: only\n"
        "      type: webhook\n"
        "      url: " +
        server.url() + "\n");
    const auto r = test_alert(config, {"--channel", "nope"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("no channel named 'nope'"), std::string::npos) << r.err;
    EXPECT_EQ(server.request_count(), 0u);
}

TEST_F(TestAlertCli, NoChannelsConfiguredFails) {
    const auto config = write_config("  channels: []\n");
    const auto r = test_alert(config);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("no alert channels are configured"), std::string::npos) << r.err;
}

TEST_F(TestAlertCli, HangingReceiverFailsAfterItsTimeout) {
    http_test_server server;
    server.set_default(scripted_response::hang_forever());
    const auto config = write_config(
        "  channels:\n"
        "    - name: slow\n"
        "      type: webhook\n"
        "      url: " +
        server.url() +
        "\n"
        "      timeout: 1s\n");
    const auto r = test_alert(config);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out.rfind("slow: failed: the receiver did not answer in time: check the URL, or "
                          "raise the channel's timeout (timeout after 1s",
                          0),
              0u)
        << r.out;
}

// systemd credentials: the webhook's URL and HMAC key come from files in
// $CREDENTIALS_DIRECTORY, as LoadCredential= provides them; without that
// directory the channel fails and says which credential is missing.
TEST_F(TestAlertCli, ReadsChannelSecretsFromSystemdCredentials) {
    http_test_server hook;
    const auto credentials = dir / "credentials";
    std::filesystem::create_directories(credentials);
    test::write_file(credentials / "secrets_hook-url", hook.url("/hook") + "\n");
    test::write_file(credentials / "secrets_hook-key", "from-a-credential\n");
    const auto config = write_config(
        "  channels:\n"
        "    - name: ops-hook\n"
        "      type: webhook\n"
        "      url: \"credential:secrets_hook-url\"\n"
        "      secret: \"credential:secrets_hook-key\"\n"
        "      timeout: 2s\n");

    const auto without = test_alert(config);
    EXPECT_EQ(without.exit_code, 1) << without.out << without.err;
    EXPECT_NE(without.out.find("credential secrets_hook-url: $CREDENTIALS_DIRECTORY is not set"),
              std::string::npos)
        << without.out;
    EXPECT_EQ(hook.request_count(), 0u);

    ::setenv("CREDENTIALS_DIRECTORY", credentials.c_str(), 1);
    const auto with = test_alert(config);
    ::unsetenv("CREDENTIALS_DIRECTORY");
    EXPECT_EQ(with.exit_code, 0) << with.out << with.err;
    ASSERT_EQ(hook.request_count(), 1u);
    const auto request = hook.requests().at(0);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_length = 0;
    const std::string key = "from-a-credential";
    // The signature covers the timestamp header and the body (docs/alerts.md).
    const std::string timestamp = request.header("X-Seller-Healthd-Timestamp").value_or("");
    ASSERT_FALSE(timestamp.empty());
    const std::string signed_text = timestamp + "." + request.body;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(), mac,
         &mac_length);
    std::string hex;
    for (unsigned int i = 0; i < mac_length; ++i)
        hex += fmt_hex(mac[i]);
    EXPECT_EQ(request.header("X-Signature-SHA256").value_or(""), hex);
    // Neither secret reaches the output.
    EXPECT_EQ(with.out.find("from-a-credential"), std::string::npos);
    EXPECT_EQ(with.err.find("from-a-credential"), std::string::npos);
}

}  // namespace
}  // namespace shd
