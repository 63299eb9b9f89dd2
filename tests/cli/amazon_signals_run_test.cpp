// Amazon's own signals through the real binary: an account-health report
// dropped into the inbox with the account AT_RISK and an ODR far from ours;
// `run --once --at T` imports it and a webhook receiver on 127.0.0.1 gets an
// account_status and an amazon_divergence alert with the report's values; a
// later NORMAL report, with Amazon's ODR close to ours, resolves both.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/http_test_server.hpp"
#include "support/test_support.hpp"

namespace shd::test {
namespace {

constexpr const char* kUS = "ATVPDKIKX0DER";

// 100 US MFN orders shipped, purchased inside the 60-day ODR window (lagged
// 14 days) as of 2025-10-03: our ODR is 0%.
std::string orders_file() {
    std::string text =
        "amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\t"
        "sales-channel\n";
    for (int i = 0; i < 100; ++i) {
        text += "111-0000000-" + std::to_string(2000000 + i) +
                "\t2025-08-15T10:00:00Z\t2025-08-16T10:00:00Z\tShipped\tMerchant\tAmazon.com\n";
    }
    return text;
}

std::string health_report(const std::string& status, double odr, int defects,
                          const std::string& to) {
    return R"({"accountStatuses": [{"marketplaceId": ")" + std::string(kUS) + R"(", "status": ")" +
           status + R"("}],
 "performanceMetrics": [{"marketplaceId": ")" +
           std::string(kUS) + R"(",
   "orderDefectRate": {"mfn": {"rate": )" +
           std::to_string(odr) + R"(, "status": "GOOD", "orderCount": 100,
     "orderWithDefects": {"count": )" +
           std::to_string(defects) + R"(, "status": "GOOD"},
     "reportingDateRange": {"reportingDateFrom": "2025-07-21T00:00:00Z", "reportingDateTo": ")" +
           to + R"("}}}}]})";
}

std::string config_for(const std::string& url) {
    return "account: \"Test seller\"\n"
           "database: \"state.sqlite\"\n"
           "inbox: \"inbox\"\n"
           "alerts:\n"
           "  channels:\n"
           "    - name: hook\n"
           "      type: webhook\n"
           "      url: \"" +
           url + "\"\n";
}

process_result run_once(const temp_dir& dir, const std::string& at) {
    return run_binary({"run", "--once", "--at", at, "--config", (dir / "config.yaml").string()});
}

// Every alert of the requests from `first` on, by fingerprint.
std::map<std::string, nlohmann::json> alerts_since(const http_test_server& receiver,
                                                   std::size_t first) {
    std::map<std::string, nlohmann::json> out;
    const auto requests = receiver.requests();
    for (std::size_t i = first; i < requests.size(); ++i) {
        const auto body = nlohmann::json::parse(requests[i].body);
        EXPECT_EQ(body.at("version"), 2);
        for (const auto& a : body.at("alerts"))
            out[a.at("fingerprint").get<std::string>()] = a;
    }
    return out;
}

TEST(AmazonSignalsRun, AtRiskAndADivergentOdrFireWithTheirValuesThenNormalResolves) {
    http_test_server receiver;
    temp_dir dir;
    write_file(dir / "config.yaml", config_for(receiver.url("/alerts")));
    write_file(dir / "inbox" / "orders.txt", orders_file());
    write_file(dir / "inbox" / "health.json",
               health_report("AT_RISK", 0.03, 3, "2025-09-19T00:00:00Z"));

    auto first = run_once(dir, "2025-10-03T00:00:00Z");
    ASSERT_EQ(first.exit_code, 0) << first.err;
    ASSERT_GE(receiver.request_count(), 1u) << first.err;
    auto fired = alerts_since(receiver, 0);
    const std::string status_key = std::string("account_status|") + kUS;
    const std::string odr_key = std::string("amazon_divergence|order_defect_rate|") + kUS + "|MFN";
    ASSERT_TRUE(fired.contains(status_key)) << receiver.requests().at(0).body;
    ASSERT_TRUE(fired.contains(odr_key)) << receiver.requests().at(0).body;

    const auto& status = fired[status_key];
    EXPECT_EQ(status.at("kind"), "account_status");
    EXPECT_EQ(status.at("state"), "firing");
    EXPECT_EQ(status.at("severity"), "at_risk");
    EXPECT_EQ(status.at("marketplace"), kUS);
    EXPECT_EQ(status.at("title"), "[AT RISK] Amazon account status AT_RISK in ATVPDKIKX0DER");
    EXPECT_EQ(status.at("signal").at("status"), "AT_RISK");
    EXPECT_EQ(status.at("signal").at("taken_at"), "2025-09-19T00:00:00Z");

    const auto& odr = fired[odr_key];
    EXPECT_EQ(odr.at("kind"), "amazon_divergence");
    EXPECT_EQ(odr.at("state"), "firing");
    EXPECT_EQ(odr.at("channel"), "MFN");
    EXPECT_DOUBLE_EQ(odr.at("signal").at("our_rate").get<double>(), 0.0);
    EXPECT_DOUBLE_EQ(odr.at("signal").at("amazon_rate").get<double>(), 0.03);
    EXPECT_EQ(odr.at("signal").at("amazon_numerator"), 3);
    EXPECT_EQ(odr.at("signal").at("amazon_denominator"), 100);
    const std::string words = odr.at("headroom_text").get<std::string>();
    EXPECT_NE(words.find("is 0.00%"), std::string::npos) << words;
    EXPECT_NE(words.find("says 3.00% (3 of 100)"), std::string::npos) << words;

    // Nothing new an hour later.
    const std::size_t after_first = receiver.request_count();
    auto second = run_once(dir, "2025-10-03T01:00:00Z");
    ASSERT_EQ(second.exit_code, 0) << second.err;
    EXPECT_EQ(receiver.request_count(), after_first);

    // A NORMAL report, Amazon's ODR within the tolerance of ours: resolved.
    write_file(dir / "inbox" / "health-2.json",
               health_report("NORMAL", 0.002, 0, "2025-09-20T00:00:00Z"));
    auto third = run_once(dir, "2025-10-03T02:00:00Z");
    ASSERT_EQ(third.exit_code, 0) << third.err;
    ASSERT_GT(receiver.request_count(), after_first) << third.err;
    auto resolved = alerts_since(receiver, after_first);
    ASSERT_TRUE(resolved.contains(status_key)) << receiver.requests().back().body;
    ASSERT_TRUE(resolved.contains(odr_key)) << receiver.requests().back().body;
    EXPECT_EQ(resolved[status_key].at("state"), "resolved");
    EXPECT_EQ(resolved[status_key].at("signal").at("status"), "NORMAL");
    EXPECT_EQ(resolved[odr_key].at("state"), "resolved");
    EXPECT_DOUBLE_EQ(resolved[odr_key].at("signal").at("amazon_rate").get<double>(), 0.002);

    // Over: nothing more to say.
    const std::size_t after_third = receiver.request_count();
    auto fourth = run_once(dir, "2025-10-03T03:00:00Z");
    ASSERT_EQ(fourth.exit_code, 0) << fourth.err;
    EXPECT_EQ(receiver.request_count(), after_third);
}

}  // namespace
}  // namespace shd::test
