// The `alerts` section: channels per type, lifecycle settings, quiet hours,
// deadline and stale-data settings, and what format_effective prints of them.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "config/config.hpp"
#include "support/test_support.hpp"

namespace shd::config {
namespace {

const std::filesystem::path kFile = "/etc/seller-healthd/test.yaml";

config parse_ok(std::string_view yaml) {
    auto c = parse_config(yaml, kFile);
    EXPECT_TRUE(c.has_value()) << yaml << "\n-> " << (c ? "" : c.error().to_string());
    return c ? *c : config{};
}

// "LINE:COL: KEY: MESSAGE" of the error, or "no error".
std::string error_of(std::string_view yaml) {
    auto c = parse_config(yaml, kFile);
    if (c)
        return "no error";
    const std::string text = c.error().to_string();
    return text.substr(kFile.string().size() + 1);
}

std::string channel(std::string_view body) {
    return "alerts:\n  channels:\n" + std::string(body);
}

::testing::AssertionResult contains(const std::string& text, const std::string& part) {
    if (text.find(part) != std::string::npos)
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "'" << part << "' not in:\n" << text;
}

TEST(AlertsConfig, Defaults) {
    const alerts_config a = default_config().alerts;
    EXPECT_TRUE(a.channels.empty());
    EXPECT_EQ(a.for_evaluations, 1);
    EXPECT_EQ(a.repeat_interval, std::chrono::hours{12});
    EXPECT_EQ(a.resolve_margin, 0.0);
    EXPECT_EQ(a.max_delivery_age, std::chrono::hours{24});
    EXPECT_FALSE(a.quiet_hours.has_value());
    EXPECT_TRUE(a.deadline_alerts);
    EXPECT_EQ(a.message_deadline_warn, std::chrono::hours{20});
    EXPECT_EQ(a.ship_deadline_warn, std::chrono::hours{4});
    EXPECT_EQ(a.stale_after, std::chrono::hours{36});
    config expected = default_config();
    expected.source_path = kFile;
    expected.account = "test";  // the file's stem
    EXPECT_EQ(parse_ok("alerts:\n"), expected);
    EXPECT_EQ(parse_ok("alerts:\n  channels: []\n  quiet_hours: {}\n"), expected);
}

TEST(AlertsConfig, EverySetting) {
    const config c = parse_ok(
        "alerts:\n"
        "  for: 3\n"
        "  repeat_interval: 6h\n"
        "  resolve_margin: 0.005\n"
        "  max_delivery_age: 2d\n"
        "  quiet_hours:\n"
        "    start: \"22:00\"\n"
        "    end: 7:30\n"
        "    timezone: Europe/Berlin\n"
        "  deadline_alerts: false\n"
        "  message_deadline_warn: 18h\n"
        "  ship_deadline_warn: 2h\n"
        "  stale_after: 2d\n");
    const alerts_config& a = c.alerts;
    EXPECT_EQ(a.for_evaluations, 3);
    EXPECT_EQ(a.repeat_interval, std::chrono::hours{6});
    EXPECT_EQ(a.resolve_margin, 0.005);
    EXPECT_EQ(a.max_delivery_age, std::chrono::hours{48});
    ASSERT_TRUE(a.quiet_hours.has_value());
    EXPECT_EQ(a.quiet_hours->start, "22:00");
    EXPECT_EQ(a.quiet_hours->end, "7:30");
    EXPECT_EQ(a.quiet_hours->timezone, "Europe/Berlin");
    EXPECT_FALSE(a.deadline_alerts);
    EXPECT_EQ(a.message_deadline_warn, std::chrono::hours{18});
    EXPECT_EQ(a.ship_deadline_warn, std::chrono::hours{2});
    EXPECT_EQ(a.stale_after, std::chrono::hours{48});
}

TEST(AlertsConfig, QuietHoursTimezoneDefaultsToUtc) {
    const config c = parse_ok("alerts:\n  quiet_hours: {start: \"23:00\", end: \"06:00\"}\n");
    ASSERT_TRUE(c.alerts.quiet_hours.has_value());
    EXPECT_EQ(c.alerts.quiet_hours->timezone, "UTC");
}

TEST(AlertsConfig, TimeOfDay) {
    EXPECT_EQ(parse_time_of_day("22:00"), std::chrono::hours{22});
    EXPECT_EQ(parse_time_of_day("7:05"), std::chrono::minutes{7 * 60 + 5});
    EXPECT_EQ(parse_time_of_day("00:00"), std::chrono::minutes{0});
    EXPECT_EQ(parse_time_of_day("23:59"), std::chrono::minutes{23 * 60 + 59});
    for (const char* bad : {"24:00", "7:5", "7", "", ":30", "12:60", "123:00", "ab:cd", "12:00:00",
                            "-1:00", " 7:00"}) {
        EXPECT_FALSE(parse_time_of_day(bad).has_value()) << bad;
    }
}

TEST(AlertsConfig, ChannelsOfEveryType) {
    const config c =
        parse_ok(channel("    - name: hook\n"
                         "      type: webhook\n"
                         "      url: https://hooks.example.com/seller\n"
                         "      secret: s3cret\n"
                         "      timeout: 5s\n"
                         "    - name: plain-hook\n"
                         "      type: webhook\n"
                         "      url: http://127.0.0.1:8080/alerts\n"
                         "    - name: slack\n"
                         "      type: slack\n"
                         "      url: https://hooks.slack.com/services/T0/B0/XYZ\n"
                         "      min_severity: breached\n"
                         "    - name: teams\n"
                         "      type: teams\n"
                         "      url: https://prod.westeurope.logic.azure.com/workflows/abc\n"
                         "    - name: discord\n"
                         "      type: discord\n"
                         "      url: https://discord.com/api/webhooks/1/tok\n"
                         "    - name: pager\n"
                         "      type: pagerduty\n"
                         "      routing_key: R0UT1NG\n"
                         "      min_severity: breached\n"
                         "    - name: mail\n"
                         "      type: email\n"
                         "      url: smtp://mail.example.com:587\n"
                         "      from: shd@example.com\n"
                         "      to: [ops@example.com, owner@example.org]\n"
                         "      username: shd\n"
                         "      password_file: smtp-password\n"
                         "      ca_file: /etc/ssl/private-ca.pem\n"
                         "    - name: mail-465\n"
                         "      type: email\n"
                         "      url: smtps://mail.example.com:465\n"
                         "      from: shd@example.com\n"
                         "      to:\n"
                         "        - ops@example.com\n"
                         "    - name: mail-local\n"
                         "      type: email\n"
                         "      url: smtp://localhost:25\n"
                         "      from: shd@localhost\n"
                         "      to: [root@localhost]\n"
                         "      tls: none\n"));
    const auto& ch = c.alerts.channels;
    ASSERT_EQ(ch.size(), 9u);
    EXPECT_EQ(ch[0].type, "webhook");
    EXPECT_EQ(ch[0].secret, "s3cret");
    EXPECT_EQ(ch[0].timeout, std::chrono::seconds{5});
    EXPECT_EQ(ch[0].min_severity, "at_risk");
    EXPECT_EQ(ch[1].url, "http://127.0.0.1:8080/alerts");
    EXPECT_EQ(ch[1].timeout, std::chrono::seconds{10});
    EXPECT_EQ(ch[2].min_severity, "breached");
    EXPECT_EQ(ch[5].url, "https://events.pagerduty.com/v2/enqueue");  // the default
    EXPECT_EQ(ch[5].routing_key, "R0UT1NG");
    EXPECT_EQ(ch[6].to, (std::vector<std::string>{"ops@example.com", "owner@example.org"}));
    EXPECT_EQ(ch[6].tls, "starttls");                                     // the default for smtp://
    EXPECT_EQ(ch[6].password_file, "/etc/seller-healthd/smtp-password");  // beside the config
    EXPECT_EQ(ch[6].ca_file, "/etc/ssl/private-ca.pem");
    EXPECT_EQ(ch[7].tls, "implicit");  // smtps://
    EXPECT_EQ(ch[7].to, (std::vector<std::string>{"ops@example.com"}));
    EXPECT_EQ(ch[8].tls, "none");
}

TEST(AlertsConfig, ChatChannelsTakeHttpOnLoopback) {
    for (const char* url : {"http://127.0.0.1:8080/slack", "http://localhost:9/x",
                            "http://[::1]:8080/x", "http://127.0.0.2/x"}) {
        const auto c = parse_config(std::string("alerts:\n  channels:\n    - name: a\n      type: "
                                                "slack\n      url: ") +
                                        url + "\n",
                                    "c.yaml");
        ASSERT_TRUE(c) << url << ": " << c.error().to_string();
        EXPECT_EQ(c->alerts.channels[0].url, url);
    }
}

TEST(AlertsConfig, AlertmanagerChannel) {
    const auto c = parse_config(
        "alerts:\n  repeat_interval: 4h\n  channels:\n"
        "    - name: am\n      type: alertmanager\n      url: http://127.0.0.1:9093\n"
        "    - name: am2\n      type: alertmanager\n      url: https://am.example/\n"
        "      ends_after: 1h\n"
        "    - name: am3\n      type: alertmanager\n      url: "
        "https://am.example/am/api/v2/alerts\n",
        "c.yaml");
    ASSERT_TRUE(c) << c.error().to_string();
    const auto& ch = c->alerts.channels;
    EXPECT_EQ(ch[0].url, "http://127.0.0.1:9093/api/v2/alerts");
    EXPECT_EQ(ch[0].ends_after, std::chrono::hours(8));  // twice repeat_interval
    EXPECT_EQ(ch[1].url, "https://am.example/api/v2/alerts");
    EXPECT_EQ(ch[1].ends_after, std::chrono::hours(1));
    EXPECT_EQ(ch[2].url, "https://am.example/am/api/v2/alerts");
    // The effective configuration reads back to the same channels.
    const auto again = parse_config(format_effective(*c), "c.yaml");
    ASSERT_TRUE(again) << again.error().to_string();
    EXPECT_EQ(again->alerts.channels[0].url, ch[0].url);
    EXPECT_EQ(again->alerts.channels[0].ends_after, ch[0].ends_after);
}

TEST(AlertsConfig, ChannelMatchersAndSendResolved) {
    const auto c = parse_config(
        "alerts:\n  channels:\n"
        "    - name: uk\n      type: alertmanager\n      url: http://127.0.0.1:9093\n"
        "      match: {marketplace: [A1F83G8C2ARO7P], metric: [late_dispatch_rate],\n"
        "              severity: [breached], kind: [metric, deadline]}\n"
        "      send_resolved: false\n"
        "    - name: all\n      type: alertmanager\n      url: http://127.0.0.1:9094\n",
        "c.yaml");
    ASSERT_TRUE(c) << c.error().to_string();
    const auto& ch = c->alerts.channels;
    EXPECT_EQ(ch[0].match.marketplaces, std::vector<std::string>{"A1F83G8C2ARO7P"});
    EXPECT_EQ(ch[0].match.metrics, std::vector<std::string>{"late_dispatch_rate"});
    EXPECT_EQ(ch[0].match.severities, std::vector<std::string>{"breached"});
    EXPECT_EQ(ch[0].match.kinds, (std::vector<std::string>{"metric", "deadline"}));
    EXPECT_FALSE(ch[0].send_resolved);
    EXPECT_EQ(ch[1].match, channel_match{});
    EXPECT_TRUE(ch[1].send_resolved);
    // The effective configuration reads back to the same channels.
    const std::string effective = format_effective(*c);
    const auto again = parse_config(effective, "c.yaml");
    ASSERT_TRUE(again) << again.error().to_string() << "\n" << effective;
    EXPECT_EQ(again->alerts.channels[0].match, ch[0].match);
    EXPECT_EQ(again->alerts.channels[0].send_resolved, false);
    EXPECT_EQ(again->alerts.channels[1].match, channel_match{});
}

TEST(AlertsConfig, ChannelMatcherErrors) {
    const std::string head = "    - name: a\n      type: slack\n      url: https://x.example\n";
    EXPECT_TRUE(contains(error_of(channel(head + "      match: {marketplace: [UK]}\n")),
                         "alerts.channels[0].match.marketplace: 'UK' is a country code, not a "
                         "marketplace ID; the ID of Amazon.co.uk is A1F83G8C2ARO7P"));
    EXPECT_TRUE(contains(error_of(channel(head + "      match: {metric: [late_dispatch]}\n")),
                         "alerts.channels[0].match.metric: unknown metric 'late_dispatch'"));
    EXPECT_TRUE(contains(error_of(channel(head + "      match: {kind: [metrics]}\n")),
                         "alerts.channels[0].match.kind: unknown kind 'metrics'"));
    EXPECT_TRUE(
        contains(error_of(channel(head + "      match: {severity: [breached, breached]}\n")),
                 "breached is listed twice"));
    EXPECT_TRUE(
        contains(error_of(channel(head + "      match: {marketplaces: [A1F83G8C2ARO7P]}\n")),
                 "alerts.channels[0].match.marketplaces: unknown key 'marketplaces'; did "
                 "you mean 'marketplace'?"));
    EXPECT_TRUE(contains(error_of(channel(head + "      send_resolved: maybe\n")),
                         "alerts.channels[0].send_resolved"));
}

TEST(AlertsConfig, DigestChannels) {
    const config c = parse_ok(
        "display_time_zone: America/New_York\n"
        "alerts:\n  channels:\n"
        "    - name: morning\n      type: slack\n      url: \"credential:slack-url\"\n"
        "      digest: {at: \"08:00\", timezone: Europe/Berlin}\n"
        "    - name: mail\n      type: email\n      url: smtp://mail.example.com\n"
        "      from: a@example.com\n      to: [b@example.com]\n      digest: {at: \"7:30\"}\n"
        "    - name: now\n      type: webhook\n      url: \"credential:hook-url\"\n");
    const auto& ch = c.alerts.channels;
    ASSERT_EQ(ch.size(), 3u);
    ASSERT_TRUE(ch[0].digest.has_value());
    EXPECT_EQ(ch[0].digest->at, "08:00");
    EXPECT_EQ(ch[0].digest->timezone, "Europe/Berlin");
    EXPECT_EQ(digest_time_zone(*ch[0].digest, c), "Europe/Berlin");
    ASSERT_TRUE(ch[1].digest.has_value());
    EXPECT_EQ(ch[1].digest->timezone, "");
    // Without its own zone: display_time_zone, else UTC.
    EXPECT_EQ(digest_time_zone(*ch[1].digest, c), "America/New_York");
    EXPECT_EQ(digest_time_zone(*ch[1].digest, default_config()), "UTC");
    EXPECT_FALSE(ch[2].digest.has_value());
    // The effective configuration reads back to the same channels.
    const std::string text = format_effective(c);
    EXPECT_TRUE(contains(text, "digest:\n        at: \"08:00\"")) << text;
    auto again = parse_config(text, kFile);
    ASSERT_TRUE(again) << again.error().to_string() << "\n" << text;
    EXPECT_EQ(again->alerts.channels[0].digest, ch[0].digest);
    EXPECT_EQ(again->alerts.channels[1].digest, ch[1].digest);
    EXPECT_FALSE(again->alerts.channels[2].digest.has_value());
}

TEST(AlertsConfig, DigestErrors) {
    const std::string head = "    - name: a\n      type: slack\n      url: https://x.example\n";
    EXPECT_EQ(error_of(channel(head + "      digest: {timezone: UTC}\n")),
              "6:7: alerts.channels[0].digest.at: missing key 'at'");
    EXPECT_TRUE(contains(error_of(channel(head + "      digest: {at: \"8am\"}\n")),
                         "alerts.channels[0].digest.at: '8am' is not a time of day; write HH:MM, "
                         "such as 08:00"));
    EXPECT_TRUE(contains(
        error_of(channel(head + "      digest: {at: \"08:00\", timezone: Europe/Berlinn}\n")),
        "alerts.channels[0].digest.timezone: unknown time zone 'Europe/Berlinn'"));
    EXPECT_TRUE(contains(error_of(channel(head + "      digest: {at: \"08:00\", hour: 8}\n")),
                         "alerts.channels[0].digest.hour: unknown key 'hour'"));
    // Incidents must not wait a day.
    EXPECT_TRUE(contains(error_of(channel("    - name: p\n      type: pagerduty\n"
                                          "      routing_key: abc\n"
                                          "      digest: {at: \"08:00\"}\n")),
                         "alerts.channels[0].digest: pagerduty channels cannot be a digest: an "
                         "incident must not wait a day (digest is for webhook, slack, teams, "
                         "discord, email channels)"));
    EXPECT_TRUE(contains(error_of(channel("    - name: am\n      type: alertmanager\n"
                                          "      url: http://127.0.0.1:9093\n"
                                          "      digest: {at: \"08:00\"}\n")),
                         "alerts.channels[0].digest: alertmanager channels cannot be a digest"));
}

TEST(AlertsConfig, DisplayTimeZone) {
    const auto c = parse_config("display_time_zone: Europe/Berlin\n", "c.yaml");
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_EQ(c->display_time_zone, "Europe/Berlin");
    EXPECT_EQ(default_config().display_time_zone, "");
    const auto bad = parse_config("display_time_zone: Mars/Olympus\n", "c.yaml");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().to_string(),
              "c.yaml:1:20: display_time_zone: unknown time zone 'Mars/Olympus'; write an IANA "
              "name such as Europe/Berlin or America/New_York");
}

TEST(AlertsConfig, ChannelErrors) {
    EXPECT_EQ(error_of(channel("    - name: a\n      type: slak\n      url: https://x.example\n")),
              "4:13: alerts.channels[0].type: unknown type 'slak'; did you mean 'slack'?");
    EXPECT_EQ(error_of(channel("    - type: slack\n      url: https://x.example\n")),
              "3:7: alerts.channels[0].name: missing key 'name'");
    EXPECT_EQ(error_of(channel("    - name: a\n      type: slack\n")),
              "3:7: alerts.channels[0].url: missing key 'url': slack channels need the URL to "
              "post to");
    EXPECT_EQ(error_of(channel("    - name: a\n      type: slack\n      url: https://x.example\n"
                               "    - name: a\n      type: teams\n      url: https://y.example\n")),
              "6:13: alerts.channels[1].name: channel name 'a' is already used by "
              "alerts.channels[0]");
    EXPECT_EQ(
        error_of(channel("    - name: a b\n      type: slack\n      url: https://x.example\n")),
        "3:13: alerts.channels[0].name: channel name 'a b' may hold only letters, digits, "
        "'-', '_' and '.' (at most 64)");
    EXPECT_EQ(error_of(channel("    - name: a\n      type: slack\n      url: https://x.example\n"
                               "      secret: abc\n")),
              "6:15: alerts.channels[0].secret: slack channels do not take 'secret' (it is for "
              "webhook channels)");
    EXPECT_EQ(error_of(channel("    - name: a\n      type: webhook\n      url: https://x.example\n"
                               "      from: a@b.example\n")),
              "6:13: alerts.channels[0].from: webhook channels do not take 'from' (it is for "
              "email channels)");
    EXPECT_EQ(error_of(channel("    - name: a\n      type: slack\n      url: http://x.example\n")),
              "5:12: alerts.channels[0].url: slack channels need an https:// URL; http:// is "
              "only allowed to a loopback address (127.0.0.1, ::1, localhost), not x.example");
    EXPECT_EQ(error_of(channel("    - name: a\n      type: teams\n      url: http://10.0.0.5/x\n")),
              "5:12: alerts.channels[0].url: teams channels need an https:// URL; http:// is "
              "only allowed to a loopback address (127.0.0.1, ::1, localhost), not 10.0.0.5");
    EXPECT_EQ(error_of(channel(
                  "    - name: a\n      type: discord\n      url: http://127.evil.example/x\n")),
              "5:12: alerts.channels[0].url: discord channels need an https:// URL; http:// is "
              "only allowed to a loopback address (127.0.0.1, ::1, localhost), not "
              "127.evil.example");
    EXPECT_EQ(error_of(channel("    - name: a\n      type: webhook\n      url: ftp://x.example\n")),
              "5:12: alerts.channels[0].url: webhook channels need a https:// or http URL, got "
              "ftp://");
    EXPECT_TRUE(
        contains(error_of(channel("    - name: a\n      type: webhook\n      url: not a url\n")),
                 "5:12: alerts.channels[0].url: not a valid URL"));
    EXPECT_EQ(error_of(channel("    - name: a\n      type: pagerduty\n")),
              "3:7: alerts.channels[0].routing_key: missing key 'routing_key': pagerduty "
              "channels need the integration's routing key (Events API v2)");
    EXPECT_EQ(error_of(channel("    - name: a\n      type: slack\n      url: https://x.example\n"
                               "      min_severity: critical\n")),
              "6:21: alerts.channels[0].min_severity: unknown min_severity 'critical'; expected "
              "one of: at_risk, breached");
    EXPECT_EQ(error_of(channel("    - name: a\n      type: slack\n      url: https://x.example\n"
                               "      timeout: 0s\n")),
              "6:16: alerts.channels[0].timeout: timeout 0s is out of range; it must be between "
              "1s and 5m");
}

TEST(AlertsConfig, EmailErrors) {
    const std::string head = "    - name: m\n      type: email\n";
    EXPECT_EQ(error_of(channel(head + "      url: https://mail.example.com\n")),
              "5:12: alerts.channels[0].url: email channels need a smtp:// or smtps URL, got "
              "https://");
    EXPECT_EQ(error_of(channel(head + "      url: smtp://mail.example.com\n      to: [a@b.c]\n")),
              "3:7: alerts.channels[0].from: missing key 'from': email channels need a sender "
              "address");
    EXPECT_EQ(error_of(channel(head + "      url: smtp://mail.example.com\n      from: a@b.c\n")),
              "3:7: alerts.channels[0].to: missing key 'to': email channels need a list of "
              "recipient addresses");
    EXPECT_EQ(error_of(channel(head + "      url: smtp://mail.example.com\n      from: a@b.c\n"
                                      "      to: ops@example.com\n")),
              "7:11: alerts.channels[0].to: expected a list of email addresses such as "
              "[ops@example.com]; write [ops@example.com]");
    EXPECT_EQ(error_of(channel(head + "      url: smtp://mail.example.com\n      from: a@b.c\n"
                                      "      to: []\n")),
              "7:11: alerts.channels[0].to: the list is empty; give at least one address");
    EXPECT_EQ(error_of(channel(head + "      url: smtp://mail.example.com\n      from: a@b.c\n"
                                      "      to: [ok@example.com, \"Ops <ops@example.com>\"]\n")),
              "7:28: alerts.channels[0].to: 'Ops <ops@example.com>' is not an email address "
              "such as alerts@example.com (display names are not supported)");
    EXPECT_EQ(error_of(channel(head + "      url: smtp://mail.example.com\n      from: nobody\n"
                                      "      to: [a@b.c]\n")),
              "6:13: alerts.channels[0].from: 'nobody' is not an email address such as "
              "alerts@example.com (display names are not supported)");
    EXPECT_EQ(error_of(channel(head + "      url: smtps://mail.example.com\n      from: a@b.c\n"
                                      "      to: [a@b.c]\n      tls: none\n")),
              "8:12: alerts.channels[0].tls: smtps:// always uses TLS (implicit); tls: none does "
              "not apply (use smtp:// for none)");
    EXPECT_EQ(error_of(channel(head + "      url: smtp://mail.example.com\n      from: a@b.c\n"
                                      "      to: [a@b.c]\n      tls: implicit\n")),
              "8:12: alerts.channels[0].tls: tls: implicit needs an smtps:// URL (port 465); "
              "smtp:// uses starttls");
    EXPECT_EQ(error_of(channel(head + "      url: smtp://mail.example.com\n      from: a@b.c\n"
                                      "      to: [a@b.c]\n      tls: try\n")),
              "8:12: alerts.channels[0].tls: unknown tls 'try'; expected one of: starttls, "
              "implicit, none");
    EXPECT_EQ(error_of(channel(head + "      url: smtp://mail.example.com\n      from: a@b.c\n"
                                      "      to: [a@b.c]\n      username: shd\n")),
              "3:7: alerts.channels[0].password_file: missing key 'password_file': email "
              "channels need a password_file when a username is given");
    EXPECT_EQ(
        error_of(channel(head + "      url: smtp://shd:pw@mail.example.com\n      from: a@b.c\n"
                                "      to: [a@b.c]\n")),
        "5:12: alerts.channels[0].url: put the user name in 'username' and the password "
        "in 'password_file', not in the URL");
}

TEST(AlertsConfig, SettingErrors) {
    EXPECT_EQ(error_of("alerts:\n  for: 0\n"),
              "2:8: alerts.for: for 0 is out of range; it must be between 1 and 1000");
    EXPECT_EQ(error_of("alerts:\n  repeat_interval: 30s\n"),
              "2:20: alerts.repeat_interval: repeat_interval 30s is out of range; it must be at "
              "least 1m");
    EXPECT_EQ(error_of("alerts:\n  resolve_margin: 0.5\n"),
              "2:19: alerts.resolve_margin: resolve_margin 0.5 is out of range; it must be at "
              "least 0 and below 0.5");
    EXPECT_EQ(error_of("alerts:\n  message_deadline_warn: 24h\n"),
              "2:26: alerts.message_deadline_warn: message_deadline_warn 24h is out of range; it "
              "must be at least 12h and below 1d");
    EXPECT_EQ(error_of("alerts:\n  message_deadline_warn: 6h\n"),
              "2:26: alerts.message_deadline_warn: message_deadline_warn 6h is out of range; it "
              "must be at least 12h and below 1d");
    EXPECT_EQ(error_of("alerts:\n  ship_deadline_warn: 25h\n"),
              "2:23: alerts.ship_deadline_warn: ship_deadline_warn 25h is out of range; it must "
              "be between 1m and 1d");
    EXPECT_EQ(error_of("alerts:\n  deadline_alerts: yes\n"),
              "2:20: alerts.deadline_alerts: 'yes' is not a boolean here; write true or false");
    EXPECT_EQ(error_of("alerts:\n  stale_after: 36\n"),
              "2:16: alerts.stale_after: '36' is not a duration; write a whole number and a "
              "unit: 90s, 15m, 12h or 2d");
    EXPECT_EQ(error_of("alerts:\n  quiet_hour: {}\n"),
              "2:3: alerts.quiet_hour: unknown key 'quiet_hour'; did you mean 'quiet_hours'?");
    EXPECT_EQ(
        error_of("alerts:\n  channels:\n    name: a\n"),
        "3:5: alerts.channels: expected a list of maps (- key: value), each with name, "
        "type, min_severity, url, secret, routing_key, ca_file, timeout, match, send_resolved, "
        "digest, ends_after, from, to, "
        "username, password_file, tls");
}

TEST(AlertsConfig, QuietHoursErrors) {
    EXPECT_EQ(error_of("alerts:\n  quiet_hours:\n    start: \"22:00\"\n"),
              "2:3: alerts.quiet_hours.end: missing key 'end'");
    EXPECT_EQ(error_of("alerts:\n  quiet_hours:\n    start: \"25:00\"\n    end: \"07:00\"\n"),
              "3:12: alerts.quiet_hours.start: '25:00' is not a time of day; write HH:MM, such as "
              "22:00 or 07:30");
    EXPECT_EQ(error_of("alerts:\n  quiet_hours:\n    start: 10pm\n    end: \"07:00\"\n"),
              "3:12: alerts.quiet_hours.start: '10pm' is not a time of day; write HH:MM, such as "
              "22:00 or 07:30");
    EXPECT_EQ(error_of("alerts:\n  quiet_hours:\n    start: \"07:00\"\n    end: \"7:00\"\n"),
              "4:10: alerts.quiet_hours.end: end equals start; quiet hours need a span (remove "
              "quiet_hours to have none)");
    EXPECT_EQ(error_of("alerts:\n  quiet_hours:\n    start: \"22:00\"\n    end: \"07:00\"\n"
                       "    timezone: Europe/Berlinn\n"),
              "5:15: alerts.quiet_hours.timezone: unknown time zone 'Europe/Berlinn'; write an "
              "IANA name such as Europe/Berlin or America/New_York");
    EXPECT_EQ(error_of("alerts:\n  quiet_hours:\n    start: \"22:00\"\n    end: \"07:00\"\n"
                       "    zone: UTC\n"),
              "5:5: alerts.quiet_hours.zone: unknown key 'zone'; expected one of: start, end, "
              "timezone");
}

TEST(AlertsConfigFormat, SecretsAreMasked) {
    const config c = parse_ok(
        channel("    - name: hook\n      type: webhook\n      url: https://hooks.example.com/a\n"
                "      secret: hooksecret\n"
                "    - name: hook-creds\n      type: webhook\n"
                "      url: https://user:urlpass@hooks.example.com/b\n"
                "    - name: slack\n      type: slack\n      url: "
                "https://hooks.slack.com/services/SLACKTOK\n"
                "    - name: teams\n      type: teams\n      url: "
                "https://example.logic.azure.com/TEAMSTOK\n"
                "    - name: discord\n      type: discord\n      url: "
                "https://discord.com/api/webhooks/1/DISCTOK\n"
                "    - name: pager\n      type: pagerduty\n      routing_key: PDKEY\n"
                "    - name: mail\n      type: email\n      url: smtp://mail.example.com\n"
                "      from: a@example.com\n      to: [b@example.com]\n      username: shd\n"
                "      password_file: /etc/seller-healthd/smtp-password\n"));
    const std::string text = format_effective(c);
    for (const char* secret : {"hooksecret", "urlpass", "SLACKTOK", "TEAMSTOK", "DISCTOK", "PDKEY",
                               "events.pagerduty"}) {
        EXPECT_EQ(text.find(secret), std::string::npos) << secret << " printed:\n" << text;
    }
    // A webhook's URL is a secret too: its path or query often holds a token.
    EXPECT_FALSE(contains(text, "hooks.example.com/a")) << text;
    EXPECT_TRUE(contains(text, "secret: \"***\""));
    EXPECT_TRUE(contains(text, "routing_key: \"***\""));
    EXPECT_TRUE(contains(text, "url: \"smtp://mail.example.com\""));
    EXPECT_TRUE(contains(text, "username: \"shd\""));
    EXPECT_TRUE(contains(text, "password_file: \"/etc/seller-healthd/smtp-password\""));
    EXPECT_TRUE(contains(text, "tls: starttls"));
    EXPECT_TRUE(contains(text, "to: [\"b@example.com\"]"));
}

TEST(AlertsConfigFormat, PrintsOnlyTheKeysAChannelTypeTakes) {
    const config c = parse_ok(
        channel("    - name: hook\n      type: webhook\n      url: https://hooks.example.com/a\n"));
    const std::string text = format_effective(c);
    for (const char* absent : {"from:", "to:", "tls:", "routing_key:", "secret:", "username:",
                               "password_file:", "ca_file:"}) {
        EXPECT_EQ(text.find(absent), std::string::npos) << absent << "\n" << text;
    }
    EXPECT_TRUE(contains(text, "min_severity: at_risk"));
    EXPECT_TRUE(contains(text, "timeout: 10s"));
}

TEST(AlertsConfigFormat, OutputWithoutSecretsParsesBackToAnEqualConfig) {
    const config c = parse_ok(
        "alerts:\n"
        "  channels:\n"
        "    - name: hook\n      type: webhook\n      url: \"credential:hook-url\"\n"
        "      min_severity: breached\n      timeout: 30s\n      ca_file: ca.pem\n"
        "    - name: mail\n      type: email\n      url: smtps://mail.example.com:465\n"
        "      from: a@example.com\n      to: [b@example.com, c@example.com]\n"
        "      username: shd\n      password_file: pw\n"
        "    - name: local\n      type: email\n      url: smtp://localhost\n"
        "      from: a@localhost\n      to: [root@localhost]\n      tls: none\n"
        "  for: 2\n"
        "  repeat_interval: 90m\n"
        "  resolve_margin: 0.0025\n"
        "  quiet_hours: {start: \"22:30\", end: \"06:00\", timezone: America/New_York}\n"
        "  deadline_alerts: false\n"
        "  stale_after: 1d\n");
    const std::string text = format_effective(c);
    auto again = parse_config(text, kFile);
    ASSERT_TRUE(again.has_value()) << again.error().to_string() << "\n" << text;
    EXPECT_EQ(*again, c) << text;
    EXPECT_EQ(format_effective(*again), text);
    EXPECT_TRUE(contains(text, "quiet_hours:\n    start: \"22:30\""));
    EXPECT_TRUE(contains(format_effective(default_config()), "quiet_hours: {}"));
    EXPECT_TRUE(contains(format_effective(default_config()), "channels: []"));
}

// config/seller-healthd.yaml shows one channel of each type, commented out
// (a fresh install must not post to example hosts). Uncommented, they are valid.
TEST(AlertsConfigExample, ChannelExamplesAreValidOnceUncommented) {
    const auto path = std::filesystem::path(SHD_SOURCE_DIR) / "config/seller-healthd.yaml";
    std::string text = test::read_file(path);
    const std::string marker = "  # channels:\n";
    const auto begin = text.find(marker);
    ASSERT_NE(begin, std::string::npos);
    std::string uncommented;
    std::size_t end = begin;
    {
        std::istringstream lines(text.substr(begin));
        for (std::string line; std::getline(lines, line);) {
            if (!line.starts_with("  #"))
                break;
            end += line.size() + 1;
            if (line == "  #")
                continue;
            ASSERT_TRUE(line.starts_with("  # ")) << line;
            uncommented += "  " + line.substr(4) + "\n";
        }
    }
    text.replace(begin, end - begin, uncommented);
    const std::string empty_list = "  channels: []\n";
    const auto empty = text.find(empty_list);
    ASSERT_NE(empty, std::string::npos);
    text.erase(empty, empty_list.size());
    auto c = parse_config(text, path);
    ASSERT_TRUE(c.has_value()) << c.error().to_string() << "\n" << text;
    std::set<std::string> types;
    for (const auto& ch : c->alerts.channels)
        types.insert(ch.type);
    EXPECT_EQ(types, (std::set<std::string>{"webhook", "slack", "teams", "discord", "pagerduty",
                                            "email"}));
    EXPECT_GE(c->alerts.channels.size(), 6u);
}

}  // namespace
}  // namespace shd::config
