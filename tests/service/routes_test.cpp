// The endpoint's answers as a pure function of request, snapshot and time.
#include "service/routes.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/time.hpp"

namespace shd::service {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

instant at(const char* iso) {
    return *parse_iso8601(iso);
}

web::snapshot evaluated_at(instant t) {
    web::snapshot s;
    s.account = "Test seller";
    s.version = "0.1.0";
    s.evaluation = metrics::evaluation{};
    s.evaluation->as_of = t;
    s.alerts_decided_at = t;
    s.status_json = "{\"as_of\": \"" + format_iso8601(t) + "\", \"metrics\": []}";
    return s;
}

http::response get(const std::string& target, const web::snapshot& s, instant now,
                   seconds poll = seconds{60}) {
    return route(http::request{"GET", target}, s, now, poll);
}

std::string header(const http::response& r, const std::string& name) {
    for (const auto& [n, v] : r.headers)
        if (n == name)
            return v;
    return {};
}

TEST(HealthMaxAge, ThreePollsAndNeverUnderFiveMinutes) {
    EXPECT_EQ(health_max_age(seconds{60}), minutes{5});
    EXPECT_EQ(health_max_age(seconds{1}), minutes{5});
    EXPECT_EQ(health_max_age(minutes{10}), minutes{30});
}

TEST(Healthz, HealthyWhileTheLastEvaluationIsRecent) {
    const instant t = at("2026-12-06T10:00:00Z");
    const auto s = evaluated_at(t);
    const auto fresh = get("/healthz", s, t + seconds{12});
    EXPECT_EQ(fresh.status, 200);
    EXPECT_EQ(fresh.body, "ok: last evaluation 2026-12-06T10:00:00Z, 12 s ago\n");
    EXPECT_EQ(get("/healthz", s, t + minutes{5}).status, 200);  // the bound itself is fine
    const auto stale = get("/healthz", s, t + minutes{5} + seconds{1});
    EXPECT_EQ(stale.status, 503);
    EXPECT_EQ(stale.body,
              "unhealthy: last evaluation 2026-12-06T10:00:00Z, 301 s ago (more than 300 s)\n");
    // A slower poll stretches the bound.
    EXPECT_EQ(get("/healthz", s, t + minutes{20}, minutes{10}).status, 200);
}

TEST(Healthz, UnhealthyWhenAlertsCannotBeDecided) {
    const instant t = at("2026-12-06T10:00:00Z");
    auto s = evaluated_at(t);
    s.alerts_decided_at.reset();
    const auto never = get("/healthz", s, t);
    EXPECT_EQ(never.status, 503);
    EXPECT_EQ(never.body,
              "unhealthy: last evaluation 2026-12-06T10:00:00Z, 0 s ago; alerts not decided yet "
              "(see the log)\n");
    // Evaluations go on, but the alert decisions stopped an hour ago.
    s.alerts_decided_at = t - minutes{60};
    const auto stuck = get("/healthz", s, t);
    EXPECT_EQ(stuck.status, 503);
    EXPECT_NE(stuck.body.find("alerts not decided since 2026-12-06T09:00:00Z"), std::string::npos)
        << stuck.body;
    s.alerts_decided_at = t - minutes{4};
    EXPECT_EQ(get("/healthz", s, t).status, 200);
}

TEST(Healthz, UnhealthyBeforeTheFirstEvaluation) {
    const auto r = get("/healthz", web::snapshot{}, at("2026-12-06T10:00:00Z"));
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.body, "unhealthy: no evaluation yet\n");
}

TEST(Healthz, NamesTheInboxEntriesNotRead) {
    const instant t = at("2026-12-06T10:00:00Z");
    web::snapshot s = evaluated_at(t);
    EXPECT_EQ(get("/healthz", s, t).body.find("inbox"), std::string::npos);
    s.inbox_unreadable = {{"a\\x1b.txt", "is a symbolic link (not followed)"},
                          {"pipe", "is a named pipe (FIFO), not a file"}};
    const auto text = get("/healthz", s, t);
    EXPECT_EQ(text.status, 200);  // everything else is imported: still healthy
    EXPECT_EQ(text.body.substr(text.body.find('\n') + 1), "inbox: 2 not read: a\\x1b.txt pipe\n");

    const auto as_json = get("/healthz?format=json", s, t);
    EXPECT_EQ(as_json.status, 200);
    EXPECT_EQ(as_json.content_type, "application/json");
    const auto doc = nlohmann::json::parse(as_json.body);
    EXPECT_EQ(doc.at("healthy"), true);
    EXPECT_EQ(doc.at("inbox_unreadable").at("count"), 2);
    EXPECT_EQ(doc.at("inbox_unreadable").at("files").at(0).at("name"), "a\\x1b.txt");
    EXPECT_EQ(doc.at("inbox_unreadable").at("files").at(1).at("reason"),
              "is a named pipe (FIFO), not a file");

    const auto unhealthy = get("/healthz?format=json", web::snapshot{}, t);
    EXPECT_EQ(unhealthy.status, 503);
    EXPECT_EQ(nlohmann::json::parse(unhealthy.body).at("inbox_unreadable").at("count"), 0);
}

TEST(ApiStatus, IsTheStatusJsonOnceThereIsOne) {
    const instant t = at("2026-12-06T10:00:00Z");
    const auto r = get("/api/status?pretty=1", evaluated_at(t), t);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(r.body, "{\"as_of\": \"2026-12-06T10:00:00Z\", \"metrics\": []}\n");
    const auto before = get("/api/status", web::snapshot{}, t);
    EXPECT_EQ(before.status, 503);
    EXPECT_EQ(before.body, "{\"error\": \"no evaluation yet\"}\n");
}

TEST(Routes, PageMetricsAndNotFound) {
    const instant t = at("2026-12-06T10:00:00Z");
    const auto s = evaluated_at(t);
    const auto page = get("/", s, t);
    EXPECT_EQ(page.status, 200);
    EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
    EXPECT_NE(page.body.find("Test seller"), std::string::npos);
    const auto metrics = get("/metrics", s, t);
    EXPECT_EQ(metrics.status, 200);
    EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_NE(
        metrics.body.find("seller_healthd_build_info{account=\"Test seller\",version=\"0.1.0\"} 1"),
        std::string::npos);
    EXPECT_EQ(get("/metrics/", s, t).status, 404);
    EXPECT_EQ(get("/../etc/passwd", s, t).status, 404);
}

TEST(Routes, EveryAnswerIsNoStoreAndMayLoadNothing) {
    const instant t = at("2026-12-06T10:00:00Z");
    for (const char* target : {"/", "/healthz", "/metrics", "/api/status", "/nope"}) {
        const auto r = get(target, evaluated_at(t), t);
        EXPECT_EQ(header(r, "Cache-Control"), "no-store") << target;
        EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff") << target;
        EXPECT_TRUE(header(r, "Content-Security-Policy").starts_with("default-src 'none'"))
            << target;
    }
}

}  // namespace
}  // namespace shd::service
