// `seller-healthd test-alert`, the real binary against loopback HTTP and
// HTTPS servers (Beast) in this process: one line per channel, exit codes,
// no secrets in the output, and no outbox (the database is never opened).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

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
    EXPECT_NE(r.out.find("bad: failed: HTTP 500: internal trouble\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("untrusted: failed: TLS handshake with localhost:" +
                         std::to_string(tls.port()) + " failed: certificate verify failed"),
              std::string::npos)
        << r.out;
    for (const char* secret : {"BADSECRET", "DISCORDTOKEN"}) {
        EXPECT_EQ(r.out.find(secret), std::string::npos) << secret;
        EXPECT_EQ(r.err.find(secret), std::string::npos) << secret;
    }
    EXPECT_EQ(tls.request_count(), 0u);
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
    EXPECT_EQ(r.out.rfind("slow: failed: timeout after 1s", 0), 0u) << r.out;
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
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(request.body.data()), request.body.size(), mac,
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
