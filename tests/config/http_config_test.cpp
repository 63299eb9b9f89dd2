// The `http` section: off unless listen is set, the address checked where it
// is written, and printed back so it parses again (an IPv6 address starts
// with '[', which YAML would read as a list unless quoted).
#include <gtest/gtest.h>

#include "config/config.hpp"

namespace shd::config {
namespace {

const std::filesystem::path kFile = "/etc/seller-healthd/test.yaml";

TEST(HttpConfig, OffByDefault) {
    auto c = parse_config("", kFile);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->http.listen, "");
    auto explicit_off = parse_config("http:\n  listen: \"\"\n", kFile);
    ASSERT_TRUE(explicit_off);
    EXPECT_EQ(*explicit_off, *c);
}

TEST(HttpConfig, TakesAnAddress) {
    auto c = parse_config("http:\n  listen: 127.0.0.1:9110\n", kFile);
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_EQ(c->http.listen, "127.0.0.1:9110");
}

TEST(HttpConfig, ABadAddressNamesLineColumnAndKey) {
    auto c = parse_config("account: x\nhttp:\n  listen: \"127.0.0.1:99999\"\n", kFile);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().to_string(),
              "/etc/seller-healthd/test.yaml:3:11: http.listen: the port 99999 is out of range "
              "1 to 65535");
    auto name = parse_config("http:\n  listen: example.com:80\n", kFile);
    ASSERT_FALSE(name);
    EXPECT_EQ(name.error().key, "http.listen");
    auto typo = parse_config("http:\n  listne: 127.0.0.1:80\n", kFile);
    ASSERT_FALSE(typo);
    EXPECT_NE(typo.error().message.find("did you mean 'listen'"), std::string::npos)
        << typo.error().message;
}

TEST(HttpConfig, PrintsBackToTheSameConfig) {
    for (const char* address : {"127.0.0.1:9110", "[::1]:9110"}) {
        auto c = parse_config(std::string("http:\n  listen: \"") + address + "\"\n", kFile);
        ASSERT_TRUE(c) << address;
        const std::string printed = format_effective(*c);
        EXPECT_NE(printed.find(std::string("listen: \"") + address + "\""), std::string::npos)
            << printed;
        auto again = parse_config(printed, kFile);
        ASSERT_TRUE(again) << again.error().to_string() << "\n" << printed;
        EXPECT_EQ(again->http, c->http);
    }
}

}  // namespace
}  // namespace shd::config

namespace shd::config {
namespace {

const std::filesystem::path kCredFile = "/etc/seller-healthd/test.yaml";

TEST(CredentialConfig, SecretsMayNameSystemdCredentials) {
    auto c = parse_config(
        "alerts:\n"
        "  channels:\n"
        "    - {name: hook, type: webhook, url: \"credential:hook-url\", secret: "
        "\"credential:hook-key\"}\n"
        "    - {name: slack, type: slack, url: \"credential:slack-url\"}\n"
        "    - {name: pd, type: pagerduty, routing_key: \"credential:pd-key\"}\n"
        "    - {name: mail, type: email, url: \"smtp://mail.example.com:587\", from: "
        "a@example.com,\n"
        "       to: [b@example.com], username: a, password_file: \"credential:smtp-password\"}\n",
        kCredFile);
    ASSERT_TRUE(c) << c.error().to_string();
    const auto& ch = c->alerts.channels;
    EXPECT_EQ(ch[0].url, "credential:hook-url");
    EXPECT_EQ(ch[0].secret, "credential:hook-key");
    EXPECT_EQ(ch[1].url, "credential:slack-url");
    EXPECT_EQ(ch[2].routing_key, "credential:pd-key");
    // Not made relative to the config's folder: it is no path here.
    EXPECT_EQ(ch[3].password_file, "credential:smtp-password");
}

TEST(CredentialConfig, BadReferencesAreErrorsAtTheirKey) {
    auto bad_name = parse_config(
        "alerts:\n  channels:\n    - {name: s, type: slack, url: \"credential:a/b\"}\n", kCredFile);
    ASSERT_FALSE(bad_name);
    EXPECT_EQ(bad_name.error().key, "alerts.channels[0].url");
    EXPECT_NE(bad_name.error().message.find("letters, digits"), std::string::npos);
    auto email_url = parse_config(
        "alerts:\n  channels:\n    - {name: m, type: email, url: \"credential:smtp\", from: "
        "a@x.com, "
        "to: [b@x.com]}\n",
        kCredFile);
    ASSERT_FALSE(email_url);
    EXPECT_NE(email_url.error().message.find("not a secret"), std::string::npos);
}

}  // namespace
}  // namespace shd::config

namespace shd::config {
namespace {

TEST(CredentialConfig, OnlyASecretsFileMayBeACredential) {
    auto c = parse_config("database: \"credential:db\"\n", "/etc/seller-healthd/test.yaml");
    ASSERT_TRUE(c);
    // An ordinary path, relative to the config's folder, not a credential.
    EXPECT_EQ(c->database, "/etc/seller-healthd/credential:db");
}

}  // namespace
}  // namespace shd::config
