// The pure parts of the SP-API transport: published rates, the token bucket,
// token expiry, waits after 429 and 5xx, charsets, error bodies.
#include "spapi/rules.hpp"

#include <gtest/gtest.h>

#include "core/clock.hpp"

namespace shd::spapi {
namespace {

using ms = std::chrono::milliseconds;

TEST(PublishedPlan, MatchesAmazonsModels) {
    EXPECT_DOUBLE_EQ(published_plan(operation::search_orders).rate, 0.0056);
    EXPECT_DOUBLE_EQ(published_plan(operation::search_orders).burst, 20);
    EXPECT_DOUBLE_EQ(published_plan(operation::list_financial_events).rate, 0.5);
    EXPECT_DOUBLE_EQ(published_plan(operation::list_financial_events).burst, 30);
    EXPECT_DOUBLE_EQ(published_plan(operation::create_report).rate, 0.0167);
    EXPECT_DOUBLE_EQ(published_plan(operation::get_report).rate, 2);
    EXPECT_DOUBLE_EQ(published_plan(operation::get_report).burst, 15);
    EXPECT_DOUBLE_EQ(published_plan(operation::get_report_document).burst, 15);
    EXPECT_EQ(operation_name(operation::get_marketplace_participations),
              "getMarketplaceParticipations");
}

TEST(TokenBucket, GrantsTheBurstAtOnceThenOneTokenPerInterval) {
    token_bucket bucket({2, 15}, ms{0});
    for (int i = 0; i < 15; ++i)
        EXPECT_EQ(bucket.reserve(ms{0}), ms{0}) << i;
    // The 16th waits one interval (500 ms), the 17th two.
    EXPECT_EQ(bucket.reserve(ms{0}), ms{500});
    EXPECT_EQ(bucket.reserve(ms{0}), ms{1000});
    // At 1 s both reserved tokens have refilled; the next waits 500 ms more.
    EXPECT_EQ(bucket.reserve(ms{1000}), ms{500});
}

TEST(TokenBucket, RefillsUpToTheBurstOnly) {
    token_bucket bucket({0.5, 3}, ms{0});
    for (int i = 0; i < 3; ++i)
        bucket.reserve(ms{0});
    EXPECT_DOUBLE_EQ(bucket.tokens(ms{0}), 0);
    EXPECT_DOUBLE_EQ(bucket.tokens(ms{4000}), 2);
    EXPECT_DOUBLE_EQ(bucket.tokens(ms{3'600'000}), 3);
    EXPECT_EQ(bucket.wait_for_next(ms{1000}), ms{1000});
}

TEST(TokenBucket, NoMoreThanBurstPlusRateTimesElapsedOverAnyWindow) {
    // Whatever the callers do, the grants in [0, t] never exceed
    // burst + rate * t: what Amazon's bucket allows.
    token_bucket bucket({0.0056, 20}, ms{0});
    ms now{0};
    int granted_by_10min = 0;
    for (int i = 0; i < 40; ++i) {
        const ms wait = bucket.reserve(now);
        if (now + wait <= ms{600'000})
            ++granted_by_10min;
    }
    EXPECT_EQ(granted_by_10min, 20 + static_cast<int>(0.0056 * 600));
}

TEST(TokenBucket, RateLimitHeaderOnlyLowersTheRate) {
    token_bucket bucket({2, 2}, ms{0});
    bucket.lower_rate(5);
    EXPECT_DOUBLE_EQ(bucket.rate(), 2);
    bucket.lower_rate(0.5);
    EXPECT_DOUBLE_EQ(bucket.rate(), 0.5);
    bucket.reserve(ms{0});
    bucket.reserve(ms{0});
    EXPECT_EQ(bucket.reserve(ms{0}), ms{2000});
    EXPECT_THROW(token_bucket({0, 1}, ms{0}), std::logic_error);
}

TEST(TokenExpiry, UsedUntilSixtySecondsBeforeExpiry) {
    ManualClock clock(from_unix(1'700'000'000));
    const instant expires = token_expiry(clock.now(), 3600);
    EXPECT_EQ(expires, clock.now() + std::chrono::seconds{3600});
    EXPECT_TRUE(token_usable(clock.now(), expires));
    clock.advance(std::chrono::seconds{3539});
    EXPECT_TRUE(token_usable(clock.now(), expires));
    clock.advance(std::chrono::seconds{1});
    EXPECT_FALSE(token_usable(clock.now(), expires));
    // A missing or absurd expires_in is never trusted.
    EXPECT_FALSE(token_usable(clock.now(), token_expiry(clock.now(), 0)));
    EXPECT_FALSE(token_usable(clock.now(), token_expiry(clock.now(), -5)));
    EXPECT_FALSE(token_usable(clock.now(), token_expiry(clock.now(), 10'000'000)));
    EXPECT_FALSE(token_usable(clock.now(), token_expiry(clock.now(), 30)));
}

TEST(Waits, RetryAfterWinsOverTheComputedWait) {
    EXPECT_EQ(throttle_wait(1, std::chrono::seconds{7}, 2, 0), ms{7000});
    EXPECT_EQ(throttle_wait(1, std::chrono::seconds{7}, 2, 0.5), ms{7500});
}

TEST(Waits, ThrottleWaitGrowsFromTheBucketIntervalWithJitter) {
    // getReport (2/s): at least 1 s.
    EXPECT_EQ(throttle_wait(1, std::nullopt, 2, 0.5), ms{1000});
    // createReport (1/60 s): one interval, then doubling, capped at 5 min.
    EXPECT_EQ(throttle_wait(1, std::nullopt, 1.0 / 60, 0.5), ms{60000});
    EXPECT_EQ(throttle_wait(2, std::nullopt, 1.0 / 60, 0.5), ms{120000});
    EXPECT_EQ(throttle_wait(9, std::nullopt, 1.0 / 60, 0.5), ms{300000});
    // Jitter spreads by -25 %..+25 %.
    EXPECT_EQ(throttle_wait(1, std::nullopt, 1.0 / 60, 0), ms{45000});
    EXPECT_EQ(throttle_wait(1, std::nullopt, 1.0 / 60, 1), ms{75000});
}

TEST(Waits, BackoffDoublesUpToAMinute) {
    EXPECT_EQ(backoff_wait(1, 0.5), ms{1000});
    EXPECT_EQ(backoff_wait(2, 0.5), ms{2000});
    EXPECT_EQ(backoff_wait(3, 0.5), ms{4000});
    EXPECT_EQ(backoff_wait(20, 0.5), ms{60000});
}

TEST(Charset, FromContentType) {
    EXPECT_EQ(charset_of("text/plain;charset=Cp1252"), "windows-1252");
    EXPECT_EQ(charset_of("text/tab-separated-values; charset=\"windows-1252\""), "windows-1252");
    EXPECT_EQ(charset_of("text/plain; charset=ISO-8859-1"), "windows-1252");
    EXPECT_EQ(charset_of("application/json;charset=UTF-8"), "utf-8");
    EXPECT_EQ(charset_of("text/plain"), "");
    EXPECT_EQ(charset_of("text/plain; charset=shift_jis; x=y"), "shift_jis");
}

TEST(ErrorBodies, LoginWithAmazonAndSpApi) {
    const auto lwa = parse_lwa_error(
        R"({"error_description":"The request has an invalid grant parameter : refresh_token","error":"invalid_grant"})");
    ASSERT_TRUE(lwa);
    EXPECT_EQ(lwa->error, "invalid_grant");
    EXPECT_FALSE(parse_lwa_error("<html>"));
    const auto sp = parse_sp_errors(
        R"({"errors":[{"code":"QuotaExceeded","message":"You exceeded your quota","details":""}]})");
    ASSERT_TRUE(sp);
    EXPECT_EQ(sp->code, "QuotaExceeded");
    EXPECT_EQ(sp->message, "You exceeded your quota");
    EXPECT_FALSE(parse_sp_errors(R"({"errors":[]})"));
}

TEST(RateLimitHeader, PositiveNumbersOnly) {
    EXPECT_DOUBLE_EQ(*parse_rate_limit_header("0.0167"), 0.0167);
    EXPECT_DOUBLE_EQ(*parse_rate_limit_header(" 2 "), 2);
    EXPECT_FALSE(parse_rate_limit_header("0"));
    EXPECT_FALSE(parse_rate_limit_header("-1"));
    EXPECT_FALSE(parse_rate_limit_header("fast"));
}

TEST(Secrets, FormEncodingAndRedaction) {
    EXPECT_EQ(form_encode("Atzr|IwEB+a/b=c d"), "Atzr%7CIwEB%2Ba%2Fb%3Dc%20d");
    EXPECT_EQ(redact("token Atza|abc and Atza|abc, secret s3", {"Atza|abc", "", "s3"}),
              "token *** and ***, secret ***");
}

}  // namespace
}  // namespace shd::spapi
