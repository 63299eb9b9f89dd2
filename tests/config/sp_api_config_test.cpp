// The `sp_api` section: absent means nothing is fetched; present, it is read
// strictly (errors name line and key), overrides must be https://, secrets
// may be systemd credentials and are never printed.
#include <gtest/gtest.h>

#include "config/config.hpp"

namespace shd::config {
namespace {

const std::filesystem::path kFile = "/etc/seller-healthd/test.yaml";

const char* kIssueExample = R"(sp_api:
  region: na
  marketplaces: [ATVPDKIKX0DER, A2EUQ1WTGCTBG2]
  client_id: amzn1.application-oa2-client.xxxx
  client_secret: credential:lwa-client-secret
  refresh_token: credential:lwa-refresh-token
  client_secret_expires: 2027-05-01
  backfill_days: 90
  schedule: {orders: 15m, finances: 6h, feedback: 24h, performance: 4h}
  endpoint: https://127.0.0.1:8443
  token_url: https://127.0.0.1:8443/auth/o2/token
  ca_file: /path/ca.pem
)";

TEST(SpApiConfig, AbsentMeansNothingIsFetched) {
    auto c = parse_config("account: x\n", kFile);
    ASSERT_TRUE(c);
    EXPECT_FALSE(c->sp_api.has_value());
    EXPECT_EQ(format_effective(*c).find("sp_api"), std::string::npos);
}

TEST(SpApiConfig, ReadsTheIssueExample) {
    auto c = parse_config(kIssueExample, kFile);
    ASSERT_TRUE(c) << c.error().to_string();
    ASSERT_TRUE(c->sp_api);
    const auto& s = *c->sp_api;
    EXPECT_EQ(s.region, "na");
    EXPECT_EQ(s.marketplaces, (std::vector<std::string>{"ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"}));
    EXPECT_EQ(s.client_id, "amzn1.application-oa2-client.xxxx");
    EXPECT_EQ(s.client_secret, "credential:lwa-client-secret");
    EXPECT_EQ(s.refresh_token, "credential:lwa-refresh-token");
    EXPECT_EQ(s.client_secret_expires, "2027-05-01");
    EXPECT_EQ(s.backfill_days, 90);
    EXPECT_EQ(s.schedule.orders, std::chrono::minutes(15));
    EXPECT_EQ(s.schedule.finances, std::chrono::hours(6));
    EXPECT_EQ(s.schedule.feedback, std::chrono::hours(24));
    EXPECT_EQ(s.schedule.performance, std::chrono::hours(4));
    EXPECT_EQ(s.endpoint, "https://127.0.0.1:8443");
    EXPECT_EQ(s.token_url, "https://127.0.0.1:8443/auth/o2/token");
    EXPECT_EQ(s.ca_file, "/path/ca.pem");
}

TEST(SpApiConfig, DefaultsAndPrintsBack) {
    auto c = parse_config(
        "sp_api:\n  marketplaces: [A1PA6795UKMFR9]\n  region: eu\n  client_id: id\n"
        "  client_secret: credential:s\n  refresh_token: credential:r\n",
        kFile);
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_EQ(c->sp_api->backfill_days, 90);
    EXPECT_EQ(c->sp_api->schedule, sp_api_schedule{});
    EXPECT_TRUE(c->sp_api->endpoint.empty());
    const std::string printed = format_effective(*c);
    EXPECT_EQ(printed.find("endpoint"), std::string::npos) << printed;
    auto again = parse_config(printed, kFile);
    ASSERT_TRUE(again) << again.error().to_string() << "\n" << printed;
    EXPECT_EQ(again->sp_api->marketplaces, c->sp_api->marketplaces);
    EXPECT_EQ(again->sp_api->schedule, c->sp_api->schedule);
}

TEST(SpApiConfig, SecretValuesAreNeverPrinted) {
    auto c = parse_config(
        "sp_api:\n  marketplaces: [ATVPDKIKX0DER]\n  client_id: id\n"
        "  client_secret: amzn1.oa2-cs.v1.TOPSECRET\n  refresh_token: Atzr|REFRESHSECRET\n",
        kFile);
    ASSERT_TRUE(c) << c.error().to_string();
    const std::string printed = format_effective(*c);
    EXPECT_EQ(printed.find("TOPSECRET"), std::string::npos) << printed;
    EXPECT_EQ(printed.find("REFRESHSECRET"), std::string::npos) << printed;
}

struct bad_case {
    std::string yaml;
    std::string expected;  // the whole error text
};

TEST(SpApiConfig, ErrorsNameLineAndKey) {
    const std::string head =
        "sp_api:\n  marketplaces: [ATVPDKIKX0DER]\n  client_id: id\n"
        "  client_secret: s\n  refresh_token: r\n";
    const std::vector<bad_case> cases = {
        {head + "  endpoint: http://127.0.0.1:8443\n",
         "/etc/seller-healthd/test.yaml:6:13: sp_api.endpoint: needs a https:// URL, got http://"},
        {head + "  token_url: ftp://x/y\n",
         "/etc/seller-healthd/test.yaml:6:14: sp_api.token_url: needs a https:// URL, got ftp://"},
        {head + "  region: us\n",
         "/etc/seller-healthd/test.yaml:6:11: sp_api.region: unknown region 'us'; expected one of: "
         "na, eu, fe"},
        {head + "  client_secret_expires: 2027-02-30\n",
         "/etc/seller-healthd/test.yaml:6:26: sp_api.client_secret_expires: '2027-02-30' is not a "
         "date such as 2027-05-01"},
        {head + "  backfill_days: 0\n", ""},
        {head + "  schedule: {orders: 1m}\n", ""},
        {head + "  regoin: na\n", ""},
        {"sp_api:\n  marketplaces: [ATVPDKIKX0DER]\n  client_id: id\n  client_secret: s\n",
         "/etc/seller-healthd/test.yaml:1:1: sp_api.refresh_token: missing key 'refresh_token'"},
        {"sp_api:\n  marketplaces: [ATVPDKIKX0DER, ATVPDKIKX0DER]\n  client_id: id\n"
         "  client_secret: s\n  refresh_token: r\n",
         "/etc/seller-healthd/test.yaml:2:33: sp_api.marketplaces: ATVPDKIKX0DER is listed twice"},
        {"sp_api:\n  marketplaces: []\n  client_id: id\n  client_secret: s\n  refresh_token: r\n",
         "/etc/seller-healthd/test.yaml:2:17: sp_api.marketplaces: the list is empty; give at "
         "least one marketplace ID"},
        {head + "  proxy: socks5://p:1080\n", ""},
        {"sp_api:\n  marketplaces: [ATVPDKIKX0DER]\n  client_id: id\n"
         "  client_secret: credential:../etc/shadow\n  refresh_token: r\n",
         ""},
    };
    for (const auto& bad : cases) {
        auto c = parse_config(bad.yaml, kFile);
        ASSERT_FALSE(c) << bad.yaml;
        EXPECT_EQ(c.error().key.rfind("sp_api.", 0), 0u) << c.error().to_string();
        EXPECT_GT(c.error().line, 0) << c.error().to_string();
        if (!bad.expected.empty()) {
            EXPECT_EQ(c.error().to_string(), bad.expected);
        }
    }
}

TEST(SpApiConfig, KeysAreDocumented) {
    std::vector<std::string> keys;
    for (const auto& k : schema_keys())
        keys.push_back(k.key);
    for (const char* expected :
         {"sp_api", "sp_api.region", "sp_api.marketplaces", "sp_api.client_secret",
          "sp_api.schedule.orders", "sp_api.client_secret_expires", "sp_api.proxy"}) {
        EXPECT_NE(std::find(keys.begin(), keys.end(), expected), keys.end()) << expected;
    }
}

}  // namespace
}  // namespace shd::config
