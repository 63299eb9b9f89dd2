// The pure retry policy (backoff, jitter bounds, Retry-After as a floor), the
// mapping of HTTP answers to outcomes, and redaction of secrets in details.
#include "delivery/retry_policy.hpp"

#include <gtest/gtest.h>

namespace shd::delivery {
namespace {

using namespace std::chrono_literals;
using kind = send_outcome::kind;

const instant kNow = *parse_iso8601("2026-03-01T12:00:00Z");

TEST(NextAttemptAt, DoublesFromFirstDelayUpToTheCap) {
    const retry_policy p{30s, 3600s};
    // unit_random 1.0 gives the full step, 0.0 half of it.
    const std::vector<long long> full = {30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600};
    for (int failures = 1; failures <= 10; ++failures) {
        EXPECT_EQ(next_attempt_at(p, failures, kNow, std::nullopt, 1.0) - kNow,
                  std::chrono::seconds{full[failures - 1]})
            << failures;
        EXPECT_EQ(next_attempt_at(p, failures, kNow, std::nullopt, 0.0) - kNow,
                  std::chrono::seconds{full[failures - 1] / 2})
            << failures;
    }
    // Many failures neither overflow nor pass the cap.
    EXPECT_EQ(next_attempt_at(p, 1000, kNow, std::nullopt, 1.0) - kNow, 3600s);
}

TEST(NextAttemptAt, JitterStaysWithinHalfToFullStep) {
    const retry_policy p{30s, 3600s};
    for (double u : {0.0, 0.1, 0.25, 0.5, 0.75, 0.999}) {
        const auto d = next_attempt_at(p, 3, kNow, std::nullopt, u) - kNow;
        EXPECT_GE(d, 60s);
        EXPECT_LE(d, 120s);
    }
    EXPECT_EQ(next_attempt_at(p, 3, kNow, std::nullopt, 0.5) - kNow, 90s);
}

TEST(NextAttemptAt, RetryAfterIsAFloor) {
    const retry_policy p{30s, 3600s};
    EXPECT_EQ(next_attempt_at(p, 1, kNow, 120s, 1.0) - kNow, 120s);
    EXPECT_EQ(next_attempt_at(p, 1, kNow, 5s, 1.0) - kNow, 30s);
    EXPECT_EQ(next_attempt_at(p, 1, kNow, 7200s, 1.0) - kNow, 7200s);  // beyond the cap: honoured
    EXPECT_EQ(next_attempt_at(p, 1, kNow, 0s, 0.0) - kNow, 15s);
}

TEST(NextAttemptAt, ZeroFailuresIsAProgrammingError) {
    EXPECT_THROW(next_attempt_at({}, 0, kNow, std::nullopt, 0.5), std::logic_error);
}

TEST(MinSpacing, OnlySlackIsPaced) {
    EXPECT_EQ(min_spacing("slack"), 1s);
    for (const char* t : {"webhook", "teams", "discord", "pagerduty", "email"})
        EXPECT_EQ(min_spacing(t), 0s) << t;
}

net::http_response response(int status, std::string body = {}, net::header_list headers = {}) {
    return {status, std::move(headers), std::move(body)};
}

send_outcome classify(net::http_response r) {
    return classify_http(result<net::http_response, net::http_error>(std::move(r)), kNow);
}

TEST(ClassifyHttp, SuccessStatuses) {
    for (int s : {200, 201, 202, 204}) {
        const auto o = classify(response(s));
        EXPECT_EQ(o.result, kind::delivered) << s;
        EXPECT_EQ(o.detail, "HTTP " + std::to_string(s));
    }
}

TEST(ClassifyHttp, RetryAfterOn429And503) {
    auto o = classify(response(429, "rate limited", {{"retry-after", "30"}}));
    EXPECT_EQ(o.result, kind::retry);
    EXPECT_EQ(o.retry_after, 30s);
    EXPECT_EQ(o.detail, "HTTP 429: rate limited (Retry-After 30s)");

    o = classify(response(503, "", {{"Retry-After", "Sun, 01 Mar 2026 12:02:00 GMT"}}));
    EXPECT_EQ(o.result, kind::retry);
    EXPECT_EQ(o.retry_after, 120s);

    o = classify(response(429));
    EXPECT_EQ(o.result, kind::retry);
    EXPECT_EQ(o.retry_after, std::nullopt);

    // Only 429 and 503 carry a meaningful Retry-After here.
    o = classify(response(500, "", {{"Retry-After", "30"}}));
    EXPECT_EQ(o.result, kind::retry);
    EXPECT_EQ(o.retry_after, std::nullopt);
}

TEST(ClassifyHttp, ServerErrorsAndTimeoutsRetry) {
    for (int s : {408, 425, 500, 502, 504, 599})
        EXPECT_EQ(classify(response(s)).result, kind::retry) << s;
}

TEST(ClassifyHttp, ClientErrorsAndRedirectsAreRejected) {
    for (int s : {400, 401, 403, 404, 410, 413, 422}) {
        EXPECT_EQ(classify(response(s)).result, kind::rejected) << s;
    }
    const auto o = classify(response(404, "no_service\n"));
    EXPECT_EQ(o.detail, "HTTP 404: no_service");
    const auto redirect = classify(response(301));
    EXPECT_EQ(redirect.result, kind::rejected);
    EXPECT_NE(redirect.detail.find("redirects are not followed"), std::string::npos);
}

TEST(ClassifyHttp, LongBodiesAreCutAndFlattened) {
    const auto o = classify(response(400, "line one\r\nline two" + std::string(500, 'z')));
    EXPECT_EQ(o.detail.find('\n'), std::string::npos);
    EXPECT_LT(o.detail.size(), 260u);
}

TEST(ClassifyHttp, TransportErrorsRetryExceptABadUrl) {
    using E = net::http_error;
    for (auto k : {E::kind::resolve, E::kind::connect, E::kind::tls, E::kind::timeout, E::kind::io,
                   E::kind::protocol}) {
        const auto o = classify_http(result<net::http_response, E>(E{k, "boom"}), kNow);
        EXPECT_EQ(o.result, kind::retry);
        EXPECT_EQ(o.detail, "boom");
    }
    const auto bad =
        classify_http(result<net::http_response, E>(E{E::kind::invalid_url, "invalid URL"}), kNow);
    EXPECT_EQ(bad.result, kind::rejected);
}

TEST(Redact, RemovesEverySecretForm) {
    config::alert_channel c;
    c.url = "https://user:pw@hooks.slack.com/services/T0/B0/XYZSECRET";
    c.secret = "hmac-key";
    c.routing_key = "R0UTINGKEY";
    const std::string text =
        "echo https://user:pw@hooks.slack.com/services/T0/B0/XYZSECRET and "
        "/services/T0/B0/XYZSECRET and hmac-key and R0UTINGKEY and user:pw";
    const auto out = redact(text, c);
    for (const char* s : {"XYZSECRET", "hmac-key", "R0UTINGKEY", "user:pw"})
        EXPECT_EQ(out.find(s), std::string::npos) << s << " in " << out;
    EXPECT_NE(out.find("***"), std::string::npos);
    EXPECT_EQ(redact("nothing here", c), "nothing here");
}

TEST(Redact, FragmentsOfASecretEchoedByAReceiverGoToo) {
    config::alert_channel c;
    c.type = "slack";
    c.url = "https://hooks.slack.com/services/T0ABCDEF/B0GHIJKL/xoxbSECRETtoken123456";
    c.routing_key = "R0UTINGKEY0123456789abcdef012345";
    // Cut short, JSON-escaped slashes, inside the receiver's own words.
    const std::string text =
        "invalid_token: xoxbSECRETtok... for https:\\/\\/hooks.slack.com\\/services\\/"
        "T0ABCDEF\\/B0GHIJKL; key 'R0UTINGKEY0123' unknown; status no_service";
    const auto out = redact(text, c);
    for (const char* s : {"xoxbSECRET", "T0ABCDEF", "B0GHIJKL", "R0UTINGKEY"})
        EXPECT_EQ(out.find(s), std::string::npos) << s << " in " << out;
    // Words of the receiver's own stay readable.
    EXPECT_NE(out.find("invalid_token"), std::string::npos) << out;
    EXPECT_NE(out.find("no_service"), std::string::npos) << out;
    // Short runs are not taken for secrets even when they occur in one.
    EXPECT_EQ(redact("HTTP 403: https", c), "HTTP 403: https");
}

}  // namespace
}  // namespace shd::delivery
