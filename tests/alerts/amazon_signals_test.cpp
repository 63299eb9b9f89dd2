// Amazon's own signals as alert conditions: pure transitions, values in the
// notice.
#include "alerts/amazon_signals.hpp"

#include <gtest/gtest.h>

namespace shd::alerts {
namespace {

instant at(const char* iso) {
    return *parse_iso8601(iso);
}

ingest::account_health_metric_row metric(const char* name, const char* status,
                                         std::optional<long long> count,
                                         std::optional<double> rate = std::nullopt) {
    ingest::account_health_metric_row m;
    m.marketplace_id = "ATVPDKIKX0DER";
    m.metric = name;
    m.channel = "all";
    m.status = status;
    m.numerator = count;
    m.rate = rate;
    return m;
}

std::vector<std::string> fingerprints(const std::vector<signal>& signals) {
    std::vector<std::string> out;
    for (const auto& s : signals)
        out.push_back(s.fingerprint);
    return out;
}

TEST(AmazonSignals, StatusRatingViolationsAndDivergence) {
    ingest::account_health_snapshot before;
    before.statuses = {{"ATVPDKIKX0DER", "NORMAL"}};
    before.metrics = {metric("accountHealthRating", "GOOD", 250),
                      metric("listingPolicyViolations", "GOOD", 1)};
    ingest::account_health_snapshot now = before;
    now.taken_at = at("2026-12-01T00:00:00Z");
    EXPECT_TRUE(snapshot_signals(&before, now, nullptr, 0.005).empty()) << "nothing changed";

    now.statuses = {{"ATVPDKIKX0DER", "AT_RISK"}};
    now.metrics = {metric("accountHealthRating", "AT_RISK", 180),
                   metric("listingPolicyViolations", "BAD", 3)};
    auto late = metric("late_dispatch_rate", "GOOD", 5, 0.02);
    late.channel = "MFN";
    late.denominator = 250;
    now.metrics.push_back(late);
    const our_rate_lookup ours = [](const std::string& m, const std::string&,
                                    const std::string& channel) -> std::optional<double> {
        if (m == "late_dispatch_rate" && channel == "MFN")
            return 0.031;
        return std::nullopt;
    };
    const auto signals = snapshot_signals(&before, now, ours, 0.005);
    EXPECT_EQ(fingerprints(signals),
              (std::vector<std::string>{"account_status|ATVPDKIKX0DER", "ahr_status|ATVPDKIKX0DER",
                                        "policy_violations|ATVPDKIKX0DER|listingPolicyViolations",
                                        "amazon_divergence|late_dispatch_rate|ATVPDKIKX0DER|MFN"}));
    EXPECT_EQ(signals[0].severity, "at_risk");
    EXPECT_NE(signals[0].notice.find("AT_RISK"), std::string::npos);
    EXPECT_NE(signals[1].notice.find("AT_RISK (was GOOD), score 180"), std::string::npos)
        << signals[1].notice;
    EXPECT_NE(signals[2].notice.find("3 listingPolicyViolations (was 1)"), std::string::npos);
    EXPECT_NE(signals[3].notice.find("3.10%"), std::string::npos) << signals[3].notice;
    EXPECT_NE(signals[3].notice.find("2.00% (5 of 250)"), std::string::npos) << signals[3].notice;

    // Within the tolerance: no divergence. A first snapshot: no "worsened".
    const auto first = snapshot_signals(
        nullptr, now, [](auto&, auto&, auto&) { return std::optional<double>(0.022); }, 0.005);
    EXPECT_EQ(fingerprints(first), (std::vector<std::string>{"account_status|ATVPDKIKX0DER"}));

    now.statuses = {{"ATVPDKIKX0DER", "DEACTIVATED"}};
    EXPECT_EQ(snapshot_signals(&before, now, nullptr, 0.005).at(0).severity, "breached");
}

TEST(AmazonSignals, AccessAuthExpiryAndSilentSources) {
    access_health h;
    const instant now = at("2026-12-07T12:00:00Z");
    EXPECT_TRUE(access_signals(h, now).empty());

    h.auth_refused = true;
    h.auth_error = "invalid_grant";
    h.client_secret_expires = at("2026-12-20T00:00:00Z");
    h.sources = {{"orders", "ATVPDKIKX0DER", std::chrono::minutes(15), at("2026-12-07T11:20:00Z"),
                  std::nullopt},
                 {"finances", "", std::chrono::hours(6), at("2026-12-06T17:59:00Z"), std::nullopt},
                 {"feedback", "ATVPDKIKX0DER", std::chrono::hours(24), std::nullopt,
                  at("2026-12-01T00:00:00Z")}};
    const auto signals = access_signals(h, now);
    EXPECT_EQ(
        fingerprints(signals),
        (std::vector<std::string>{"sp_api_auth", "sp_api_secret_expiry", "sp_api_source|finances|",
                                  "sp_api_source|feedback|ATVPDKIKX0DER"}));
    EXPECT_NE(signals[0].notice.find("invalid_grant"), std::string::npos);
    EXPECT_EQ(signals[1].severity, "at_risk");

    h.client_secret_expires = at("2026-12-22T00:00:00Z");  // 14 days and 12 hours away
    h.auth_refused = false;
    h.sources.clear();
    EXPECT_TRUE(access_signals(h, now).empty());
    h.client_secret_expires = at("2026-12-01T00:00:00Z");
    EXPECT_EQ(access_signals(h, now).at(0).severity, "breached");
}

}  // namespace
}  // namespace shd::alerts
