// The email channel's pure decisions: which TLS mode a channel gets, and how a
// finished libcurl transfer maps to an outcome.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include "delivery/email.hpp"

namespace shd::delivery {
namespace {

using kind = send_outcome::kind;

config::alert_channel channel(std::string url, std::string tls = {}) {
    config::alert_channel c;
    c.name = "mail";
    c.type = "email";
    c.url = std::move(url);
    c.tls = std::move(tls);
    c.from = "alerts@example.com";
    c.to = {"ops@example.com"};
    return c;
}

TEST(EmailTransport, SmtpDefaultsToRequiredStarttls) {
    const auto plan = plan_smtp_transport(channel("smtp://mail.example.com:587"));
    ASSERT_TRUE(plan) << plan.error().text;
    EXPECT_TRUE(plan->require_tls);
    EXPECT_FALSE(plan->implicit_tls);
    EXPECT_EQ(plan->url, "smtp://mail.example.com:587");

    const auto explicit_starttls = plan_smtp_transport(channel("smtp://h:587", "starttls"));
    ASSERT_TRUE(explicit_starttls);
    EXPECT_TRUE(explicit_starttls->require_tls);
}

TEST(EmailTransport, PlaintextOnlyWhenNoneIsWritten) {
    const auto plan = plan_smtp_transport(channel("smtp://h:25", "none"));
    ASSERT_TRUE(plan);
    EXPECT_FALSE(plan->require_tls);
}

TEST(EmailTransport, SmtpsIsImplicitTls) {
    for (const char* tls : {"", "implicit"}) {
        const auto plan = plan_smtp_transport(channel("smtps://h:465", tls));
        ASSERT_TRUE(plan) << tls;
        EXPECT_TRUE(plan->implicit_tls);
        EXPECT_TRUE(plan->require_tls);
    }
    EXPECT_TRUE(plan_smtp_transport(channel("SMTPS://h:465")));
}

TEST(EmailTransport, ContradictionsAndGapsAreRefused) {
    EXPECT_FALSE(plan_smtp_transport(channel("smtps://h:465", "none")));
    EXPECT_FALSE(plan_smtp_transport(channel("smtps://h:465", "starttls")));
    EXPECT_FALSE(plan_smtp_transport(channel("smtp://h:587", "implicit")));
    EXPECT_FALSE(plan_smtp_transport(channel("smtp://h:587", "try")));
    EXPECT_FALSE(plan_smtp_transport(channel("https://h/")));
    EXPECT_FALSE(plan_smtp_transport(channel("")));

    auto no_from = channel("smtp://h:587");
    no_from.from.clear();
    EXPECT_FALSE(plan_smtp_transport(no_from));
    auto no_to = channel("smtp://h:587");
    no_to.to.clear();
    EXPECT_FALSE(plan_smtp_transport(no_to));
    auto user_only = channel("smtp://h:587");
    user_only.username = "alice";
    const auto refused = plan_smtp_transport(user_only);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().text.find("password_file"), std::string::npos);
}

TEST(EmailTransport, OutcomesFollowTheSmtpReply) {
    const auto ten = std::chrono::seconds{10};
    const auto ok = classify_smtp_result(CURLE_OK, 250, "", ten);
    EXPECT_EQ(ok.result, kind::delivered);
    EXPECT_EQ(ok.detail, "SMTP 250");

    const auto refused_rcpt = classify_smtp_result(CURLE_SEND_ERROR, 550, "RCPT failed: 550", ten);
    EXPECT_EQ(refused_rcpt.result, kind::rejected);
    EXPECT_EQ(refused_rcpt.detail, "SMTP 550: RCPT failed: 550");

    const auto bad_login = classify_smtp_result(CURLE_LOGIN_DENIED, 535, "Login denied", ten);
    EXPECT_EQ(bad_login.result, kind::rejected);

    const auto greylisted = classify_smtp_result(CURLE_SEND_ERROR, 451, "RCPT failed: 451", ten);
    EXPECT_EQ(greylisted.result, kind::retry);
    EXPECT_EQ(greylisted.detail, "SMTP 451: RCPT failed: 451");

    const auto data_refused = classify_smtp_result(CURLE_WEIRD_SERVER_REPLY, 554, "x", ten);
    EXPECT_EQ(data_refused.result, kind::rejected);
}

TEST(EmailTransport, TransportFailuresAreRetried) {
    const auto ten = std::chrono::seconds{10};
    const auto timeout = classify_smtp_result(CURLE_OPERATION_TIMEDOUT, 0, "x", ten);
    EXPECT_EQ(timeout.result, kind::retry);
    EXPECT_EQ(timeout.detail, "timeout after 10s");

    for (const CURLcode code : {CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST,
                                CURLE_SSL_CONNECT_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING,
                                CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE}) {
        EXPECT_EQ(classify_smtp_result(code, 0, "x", ten).result, kind::retry) << code;
    }
    const auto untrusted =
        classify_smtp_result(CURLE_PEER_FAILED_VERIFICATION, 220, "SSL certificate problem", ten);
    EXPECT_NE(untrusted.detail.find("not trusted"), std::string::npos) << untrusted.detail;

    // A 5xx to STARTTLS still never leads to plaintext, and is worth another try.
    const auto no_starttls = classify_smtp_result(CURLE_USE_SSL_FAILED, 502, "STARTTLS", ten);
    EXPECT_EQ(no_starttls.result, kind::retry);
    EXPECT_NE(no_starttls.detail.find("without TLS"), std::string::npos);

    EXPECT_EQ(classify_smtp_result(CURLE_URL_MALFORMAT, 0, "x", ten).result, kind::rejected);
}

}  // namespace
}  // namespace shd::delivery
