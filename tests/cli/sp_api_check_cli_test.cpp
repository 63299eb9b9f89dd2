// `seller-healthd sp-api check`, the real binary against the stand-in Amazon
// (tests/support/spapi_standin.py): a token and getMarketplaceParticipations,
// and for each thing that can be wrong a failure that names it, exit codes,
// and no secret in the output.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/spapi_standin.hpp"
#include "support/test_support.hpp"

namespace shd {
namespace {

using nlohmann::json;
using test::spapi_standin;

class SpApiCheckCli : public ::testing::Test {
  protected:
    test::temp_dir dir;

    std::filesystem::path write_config(const spapi_standin& amazon, const std::string& marketplaces,
                                       bool with_ca = true, std::string token_url = {}) {
        const auto path = dir / "shd.yaml";
        if (token_url.empty())
            token_url = amazon.token_url();
        std::string text = "database: \"" + (dir / "shd.sqlite").string() +
                           "\"\n"
                           "sp_api:\n"
                           "  region: na\n"
                           "  marketplaces: [" +
                           marketplaces +
                           "]\n"
                           "  client_id: " +
                           spapi_standin::kClientId +
                           "\n"
                           "  client_secret: \"" +
                           spapi_standin::kClientSecret +
                           "\"\n"
                           "  refresh_token: \"" +
                           spapi_standin::kRefreshToken +
                           "\"\n"
                           "  endpoint: " +
                           amazon.endpoint() + "\n  token_url: " + token_url + "\n";
        if (with_ca)
            text += "  ca_file: " + amazon.ca_file().string() + "\n";
        test::write_file(path, text);
        return path;
    }

    static test::process_result check(const std::filesystem::path& config, bool as_json = false) {
        std::vector<std::string> args = {"sp-api", "check", "--config", config.string()};
        if (as_json)
            args.push_back("--json");
        return test::run_binary(args);
    }

    static void expect_no_secret(const test::process_result& r) {
        for (const std::string secret :
             {spapi_standin::kClientSecret, spapi_standin::kRefreshToken, "Atza|"}) {
            EXPECT_EQ(r.out.find(secret), std::string::npos) << r.out;
            EXPECT_EQ(r.err.find(secret), std::string::npos) << r.err;
        }
    }
};

json seller(json behaviour = json::object()) {
    return {{"marketplaces", {"ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"}}, {"behaviour", behaviour}};
}

TEST_F(SpApiCheckCli, GoodCredentialsPassWithOneTokenAndOneCall) {
    spapi_standin amazon(seller());
    const auto r = check(write_config(amazon, "ATVPDKIKX0DER, A2EUQ1WTGCTBG2"));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err << amazon.server_errors();
    EXPECT_NE(r.out.find("token: ok"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("getMarketplaceParticipations: ok (2 marketplaces)"), std::string::npos)
        << r.out;
    EXPECT_EQ(amazon.count("lwa"), 1u);
    EXPECT_EQ(amazon.count("getMarketplaceParticipations"), 1u);
    expect_no_secret(r);
}

TEST_F(SpApiCheckCli, JsonNamesAConfiguredMarketplaceTheSellerDoesNotSellIn) {
    spapi_standin amazon(seller());
    const auto r = check(write_config(amazon, "ATVPDKIKX0DER, A1AM78C64UM0Y8"), true);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    const auto doc = json::parse(r.out);
    EXPECT_FALSE(doc["ok"].get<bool>());
    EXPECT_TRUE(doc["token"]["ok"].get<bool>());
    EXPECT_EQ(doc["marketplaces_not_participating"], json::array({"A1AM78C64UM0Y8"}));
    EXPECT_EQ(doc["getMarketplaceParticipations"]["marketplaces"].size(), 2u);
}

TEST_F(SpApiCheckCli, InvalidGrantSaysToAuthoriseAgain) {
    spapi_standin amazon(seller({{"lwa_error", "invalid_grant"}}));
    const auto r = check(write_config(amazon, "ATVPDKIKX0DER"), true);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    const auto doc = json::parse(r.out);
    EXPECT_EQ(doc["token"]["kind"], "auth");
    EXPECT_EQ(doc["token"]["code"], "invalid_grant");
    EXPECT_NE(doc["token"]["advice"].get<std::string>().find("Authorise the app again"),
              std::string::npos);
    EXPECT_EQ(amazon.count("getMarketplaceParticipations"), 0u);
    expect_no_secret(r);
}

TEST_F(SpApiCheckCli, InvalidClientNamesTheClientIdAndSecret) {
    spapi_standin amazon(seller({{"lwa_error", "invalid_client"}}));
    const auto r = check(write_config(amazon, "ATVPDKIKX0DER"));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.out.find("token: FAILED"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("invalid_client"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("sp_api.client_secret"), std::string::npos) << r.out;
    expect_no_secret(r);
}

TEST_F(SpApiCheckCli, AMissingRoleIsNamed) {
    spapi_standin amazon(seller({{"forbidden", {"getMarketplaceParticipations"}}}));
    const auto r = check(write_config(amazon, "ATVPDKIKX0DER"), true);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    const auto doc = json::parse(r.out);
    EXPECT_TRUE(doc["token"]["ok"].get<bool>());
    EXPECT_EQ(doc["getMarketplaceParticipations"]["status"], 403);
    EXPECT_NE(doc["getMarketplaceParticipations"]["advice"].get<std::string>().find("role"),
              std::string::npos);
}

TEST_F(SpApiCheckCli, UntrustedCertificateIsATlsProblem) {
    spapi_standin amazon(seller());
    const auto r = check(write_config(amazon, "ATVPDKIKX0DER", false), true);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    const auto doc = json::parse(r.out);
    EXPECT_EQ(doc["token"]["kind"], "transport");
    EXPECT_NE(doc["token"]["advice"].get<std::string>().find("sp_api.ca_file"), std::string::npos);
}

TEST_F(SpApiCheckCli, UnreachableHostIsNamed) {
    spapi_standin amazon(seller());
    const auto r =
        check(write_config(amazon, "ATVPDKIKX0DER", true, "https://127.0.0.1:1/auth/o2/token"));
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("cannot be reached"), std::string::npos) << r.out;
}

TEST_F(SpApiCheckCli, NoSectionIsAConfigurationProblem) {
    const auto path = dir / "plain.yaml";
    test::write_file(path, "database: \"" + (dir / "shd.sqlite").string() + "\"\n");
    const auto r = check(path);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("no sp_api section"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace shd
