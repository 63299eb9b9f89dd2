// Channel secrets from systemd credentials, resolved per send.
#include "delivery/credentials.hpp"

#include <gtest/gtest.h>

#include "support/test_support.hpp"

namespace shd::delivery {
namespace {

class recording_sender final : public sender {
  public:
    send_outcome send(const config::alert_channel& channel, const alerts::notification&,
                      instant) override {
        seen.push_back(channel);
        return send_outcome::delivered_ok("ok");
    }
    std::vector<config::alert_channel> seen;
};

TEST(ChannelCredentials, ReferencesAreReplacedAndTheRestIsKept) {
    test::temp_dir dir;
    test::write_file(dir / "hook-url", "https://alerts.example.com/in\n");
    test::write_file(dir / "hook-key", "k3y\n");
    config::alert_channel c;
    c.name = "hook";
    c.type = "webhook";
    c.url = "credential:hook-url";
    c.secret = "credential:hook-key";
    c.password_file = "credential:smtp-password";
    const std::string d = dir.path().string();
    auto r = resolve_credentials(c, d.c_str());
    ASSERT_TRUE(r) << r.error().text;
    EXPECT_EQ(r->url, "https://alerts.example.com/in");
    EXPECT_EQ(r->secret, "k3y");
    EXPECT_EQ(r->password_file, dir.path() / "smtp-password");
    EXPECT_EQ(r->name, "hook");

    config::alert_channel plain = c;
    plain.url = "https://x.example.com/";
    plain.secret = "inline";
    plain.password_file.clear();
    auto same = resolve_credentials(plain, nullptr);
    ASSERT_TRUE(same);
    EXPECT_EQ(*same, plain);
}

TEST(ChannelCredentials, AMissingCredentialIsARetryThatNamesIt) {
    auto inner = std::make_unique<recording_sender>();
    auto* seen = inner.get();
    auto s = with_credentials(std::move(inner));
    config::alert_channel c;
    c.name = "slack";
    c.type = "slack";
    c.url = "credential:slack-url";
    ::unsetenv("CREDENTIALS_DIRECTORY");
    const auto outcome = s->send(c, alerts::notification{}, instant{});
    EXPECT_EQ(outcome.result, send_outcome::kind::retry);
    EXPECT_NE(outcome.detail.find("credential slack-url"), std::string::npos) << outcome.detail;
    EXPECT_TRUE(seen->seen.empty());

    test::temp_dir dir;
    test::write_file(dir / "slack-url", "https://hooks.slack.com/services/T/B/X");
    ::setenv("CREDENTIALS_DIRECTORY", dir.path().c_str(), 1);
    EXPECT_EQ(s->send(c, alerts::notification{}, instant{}).result, send_outcome::kind::delivered);
    ::unsetenv("CREDENTIALS_DIRECTORY");
    ASSERT_EQ(seen->seen.size(), 1u);
    EXPECT_EQ(seen->seen[0].url, "https://hooks.slack.com/services/T/B/X");
}

TEST(ChannelCredentials, ASlackUrlFromACredentialMustBeHttps) {
    auto inner = std::make_unique<recording_sender>();
    auto* seen = inner.get();
    auto s = with_credentials(std::move(inner));
    test::temp_dir dir;
    test::write_file(dir / "slack-url", "http://hooks.slack.com/services/T/B/X\n");
    config::alert_channel c;
    c.name = "slack";
    c.type = "slack";
    c.url = "credential:slack-url";
    ::setenv("CREDENTIALS_DIRECTORY", dir.path().c_str(), 1);
    const auto outcome = s->send(c, alerts::notification{}, instant{});
    ::unsetenv("CREDENTIALS_DIRECTORY");
    EXPECT_EQ(outcome.result, send_outcome::kind::rejected);
    EXPECT_EQ(outcome.detail, "the URL in credential:slack-url must start with https://");
    EXPECT_EQ(outcome.detail.find("hooks.slack.com"), std::string::npos);
    EXPECT_TRUE(seen->seen.empty());
}

}  // namespace
}  // namespace shd::delivery
