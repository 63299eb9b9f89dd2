// The SP-API transport against the stand-in Amazon (HTTPS on loopback, a CA
// made at test time): tokens, single-flight refresh, 401/403, throttling,
// 5xx, deadlines, documents. Waits go through a sleeper that advances a
// ManualClock, except where both sides' buckets must run on real time (the
// stand-in's rates are then scaled up so the waits are a few milliseconds);
// no test asserts a duration.
#include "spapi/client.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <thread>

#include "support/spapi_standin.hpp"

namespace shd::spapi {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::spapi_standin;

json order(int n, const std::string& updated) {
    return {{"orderId", "113-0000000-" + std::to_string(1000000 + n)},
            {"createdTime", "2026-11-01T10:00:00Z"},
            {"lastUpdatedTime", updated},
            {"salesChannel", {{"channelName", "AMAZON"}, {"marketplaceId", "ATVPDKIKX0DER"}}},
            {"fulfillment", {{"fulfillmentStatus", "SHIPPED"}, {"fulfilledBy", "MERCHANT"}}},
            {"orderItems", json::array({{{"orderItemId", "i" + std::to_string(n)},
                                         {"quantityOrdered", 1},
                                         {"product", {{"asin", "B000000001"}}}}})}};
}

json seller_with(json behaviour = json::object()) {
    json orders = json::array();
    for (int i = 0; i < 5; ++i)
        orders.push_back(order(i, "2026-11-0" + std::to_string(1 + i) + "T12:00:00Z"));
    return {{"marketplaces", {"ATVPDKIKX0DER"}},
            {"orders", orders},
            {"reports",
             {{"GET_SELLER_FEEDBACK_DATA",
               {{"document", "Date\tComments\n2026-11-01\tCaf\u00e9 \u2013 5\u20ac\n"},
                {"charset", "windows-1252"},
                {"gzip", true}}},
              {"GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL",
               {{"document", "amazon-order-id\tpurchase-date\n1\t2026-11-01\n"},
                {"mislabel_gzip", true}}},
              {"GET_V2_SELLER_PERFORMANCE_REPORT", {{"status", "FATAL"}}}}},
            {"behaviour", behaviour}};
}

// Waits advance the clock instead of passing; each is recorded.
struct fake_time {
    ManualClock clock{from_unix(1'790'000'000)};
    std::mutex mutex;
    std::vector<std::chrono::milliseconds> waits;
    client::sleeper sleeper() {
        return [this](std::chrono::milliseconds d) {
            std::lock_guard lock(mutex);
            waits.push_back(d);
            clock.advance(std::chrono::duration_cast<std::chrono::seconds>(d + 999ms));
        };
    }
};

client_settings settings_for(const spapi_standin& amazon) {
    client_settings s;
    s.endpoint = amazon.endpoint();
    s.token_url = amazon.token_url();
    s.client_id = spapi_standin::kClientId;
    s.client_secret = spapi_standin::kClientSecret;
    s.refresh_token = spapi_standin::kRefreshToken;
    s.ca_file = amazon.ca_file();
    s.proxy = "none";
    s.request_timeout = 10s;
    return s;
}

const std::string kOrdersPath =
    "/orders/2026-01-01/"
    "orders?lastUpdatedAfter=2026-11-01T00%3A00%3A00Z&includedData=FULFILLMENT%2CPACKAGES";
const std::string kParticipations = "/sellers/v1/marketplaceParticipations";

void expect_no_secret(const api_error& e) {
    for (const std::string secret : {spapi_standin::kClientSecret, spapi_standin::kRefreshToken}) {
        EXPECT_EQ(e.message.find(secret), std::string::npos) << e.message;
        EXPECT_EQ(e.code.find(secret), std::string::npos);
    }
    EXPECT_EQ(e.message.find("Atza|"), std::string::npos) << e.message;
}

TEST(SpApiClient, FetchesATokenOnceAndSendsItAsHeader) {
    spapi_standin amazon(seller_with());
    fake_time time;
    client c(settings_for(amazon), time.clock, time.sleeper());
    auto first = c.get(operation::search_orders, kOrdersPath);
    ASSERT_TRUE(first) << first.error().message << amazon.server_errors();
    EXPECT_EQ(first->status, 200);
    EXPECT_EQ(json::parse(first->body)["orders"].size(), 5u);
    auto second = c.get(operation::get_marketplace_participations, kParticipations);
    ASSERT_TRUE(second) << second.error().message;

    EXPECT_EQ(amazon.count("lwa"), 1u);
    for (const auto& r : amazon.requests()) {
        if (r["operation"] != "lwa") {
            EXPECT_TRUE(r["token_sent"].get<bool>()) << r.dump();
            const auto& h = r["headers"];
            EXPECT_NE(std::find(h.begin(), h.end(), "x-amz-date"), h.end());
            EXPECT_NE(std::find(h.begin(), h.end(), "user-agent"), h.end());
        }
    }
    EXPECT_EQ(c.counters(operation::search_orders).requests, 1);
    EXPECT_EQ(c.counters(operation::search_orders).errors, 0);
    EXPECT_TRUE(time.waits.empty());
}

TEST(SpApiClient, ConcurrentCallersShareOneRefresh) {
    spapi_standin amazon(seller_with());
    fake_time time;
    client c(settings_for(amazon), time.clock, time.sleeper());
    std::vector<std::thread> callers;
    std::atomic<int> ok{0};
    for (int i = 0; i < 8; ++i) {
        callers.emplace_back([&] {
            if (c.get(operation::get_report, "/reports/2021-06-30/reports/nope").error().status ==
                404)
                ++ok;
        });
    }
    for (auto& t : callers)
        t.join();
    EXPECT_EQ(ok.load(), 8);
    EXPECT_EQ(amazon.count("lwa"), 1u);
    EXPECT_EQ(amazon.count("getReport"), 8u);
    // A 404 is our request's fault: counted as an error, not retried.
    EXPECT_EQ(c.counters(operation::get_report).errors, 8);
}

TEST(SpApiClient, RefreshesSixtySecondsBeforeExpiry) {
    spapi_standin amazon(seller_with());
    fake_time time;
    client c(settings_for(amazon), time.clock, time.sleeper());
    ASSERT_TRUE(c.authorise());
    time.clock.advance(3539s);
    ASSERT_TRUE(c.get(operation::get_marketplace_participations, kParticipations));
    EXPECT_EQ(amazon.count("lwa"), 1u);
    time.clock.advance(1s);
    ASSERT_TRUE(c.get(operation::get_marketplace_participations, kParticipations));
    EXPECT_EQ(amazon.count("lwa"), 2u);
}

TEST(SpApiClient, ATokenThatExpiredEarlyIsRefreshedOnceAndTheCallRetried) {
    spapi_standin amazon(seller_with({{"expire_first_tokens", 1}}));
    fake_time time;
    client c(settings_for(amazon), time.clock, time.sleeper());
    auto r = c.get(operation::search_orders, kOrdersPath);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(amazon.count("lwa"), 2u);
    EXPECT_EQ(amazon.count("searchOrders"), 2u);
    EXPECT_EQ(amazon.count_status(401), 1u);
}

TEST(SpApiClient, StillUnauthorisedAfterOneRefreshIsAnAuthError) {
    spapi_standin amazon(seller_with({{"expire_first_tokens", 5}}));
    fake_time time;
    client c(settings_for(amazon), time.clock, time.sleeper());
    auto r = c.get(operation::search_orders, kOrdersPath);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().what, api_error::kind::auth);
    EXPECT_EQ(r.error().status, 401);
    EXPECT_EQ(r.error().code, "Unauthorized");
    EXPECT_EQ(amazon.count("lwa"), 2u);
    EXPECT_EQ(amazon.count("searchOrders"), 2u);
    expect_no_secret(r.error());
}

TEST(SpApiClient, AMissingRoleIsA403AuthError) {
    spapi_standin amazon(seller_with({{"forbidden", {"getMarketplaceParticipations"}}}));
    fake_time time;
    client c(settings_for(amazon), time.clock, time.sleeper());
    auto r = c.get(operation::get_marketplace_participations, kParticipations);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().what, api_error::kind::auth);
    EXPECT_EQ(r.error().status, 403);
    EXPECT_EQ(amazon.count("getMarketplaceParticipations"), 2u);
}

TEST(SpApiClient, InvalidGrantAndInvalidClientAreAuthErrorsWithTheirCode) {
    spapi_standin amazon(seller_with({{"lwa_error", "invalid_grant"}}));
    fake_time time;
    {
        client c(settings_for(amazon), time.clock, time.sleeper());
        auto r = c.authorise();
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().what, api_error::kind::auth);
        EXPECT_EQ(r.error().code, "invalid_grant");
        expect_no_secret(r.error());
        auto call = c.get(operation::search_orders, kOrdersPath);
        ASSERT_FALSE(call);
        EXPECT_EQ(call.error().code, "invalid_grant");
        EXPECT_EQ(c.counters(operation::search_orders).errors, 1);
        EXPECT_EQ(c.counters(operation::search_orders).requests, 0);
    }
    auto wrong = settings_for(amazon);
    wrong.client_secret = "not-the-secret-value";
    amazon.update(seller_with());
    client c(wrong, time.clock, time.sleeper());
    auto r = c.authorise();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().what, api_error::kind::auth);
    EXPECT_EQ(r.error().code, "invalid_client");
    EXPECT_EQ(r.error().message.find("not-the-secret-value"), std::string::npos);
    // No retry loop against Login with Amazon: one request each.
    EXPECT_EQ(amazon.count("lwa"), 3u);
}

TEST(SpApiClient, ServerErrorsAreRetriedWithBackoff) {
    spapi_standin amazon(seller_with({{"server_errors", {{"searchOrders", 2}}}}));
    fake_time time;
    client c(settings_for(amazon), time.clock, time.sleeper());
    auto r = c.get(operation::search_orders, kOrdersPath);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(amazon.count("searchOrders"), 3u);
    EXPECT_EQ(c.counters(operation::search_orders).requests, 3);
    ASSERT_EQ(time.waits.size(), 2u);
    EXPECT_GE(time.waits[0], 750ms);
    EXPECT_GE(time.waits[1], 1500ms);
}

TEST(SpApiClient, PersistentServerErrorsEndAsServerErrors) {
    spapi_standin amazon(seller_with({{"server_errors", {{"searchOrders", 100}}}}));
    fake_time time;
    client c(settings_for(amazon), time.clock, time.sleeper());
    auto r = c.get(operation::search_orders, kOrdersPath);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().what, api_error::kind::server);
    EXPECT_EQ(r.error().status, 503);
    EXPECT_EQ(amazon.count("searchOrders"), 4u);  // one try and three retries
}

TEST(SpApiClient, ThrottlingBeyondTheRetriesIsAThrottledError) {
    // Another client already spent the stand-in's burst of 15: this one's
    // own bucket is full, so Amazon's answer is 429 and the client waits and
    // retries, a bounded number of times.
    spapi_standin amazon(seller_with());
    fake_time time;
    {
        client other(settings_for(amazon), time.clock, time.sleeper());
        for (int i = 0; i < 15; ++i)
            ASSERT_TRUE(other.get(operation::get_marketplace_participations, kParticipations));
    }
    time.waits.clear();
    client c(settings_for(amazon), time.clock, time.sleeper());
    auto r = c.get(operation::get_marketplace_participations, kParticipations);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().what, api_error::kind::throttled);
    EXPECT_EQ(r.error().status, 429);
    EXPECT_EQ(r.error().code, "QuotaExceeded");
    const auto counted = c.counters(operation::get_marketplace_participations);
    EXPECT_EQ(counted.requests, 6);
    EXPECT_EQ(counted.throttled, 6);
    EXPECT_EQ(counted.errors, 1);
    ASSERT_EQ(time.waits.size(), 5u);
    // From one bucket interval (1/0.016 s = 62.5 s) with jitter, doubling.
    EXPECT_GE(time.waits[0], 46s);
    EXPECT_LE(time.waits[0], 79s);
    EXPECT_GE(time.waits[1], 93s);
}

TEST(SpApiClient, AThrottledCallSucceedsOnceTheBucketRefills) {
    // Amazon answers 429 to the first two calls; the client waits (its
    // sleeper moves a manual clock, so its bucket refills) and tries again.
    spapi_standin amazon(seller_with({{"throttle_first", {{"getMarketplaceParticipations", 2}}}}));
    fake_time time;
    client c(settings_for(amazon), time.clock, time.sleeper());
    auto r = c.get(operation::get_marketplace_participations, kParticipations);
    ASSERT_TRUE(r) << r.error().message;
    const auto counted = c.counters(operation::get_marketplace_participations);
    EXPECT_EQ(counted.requests, 3);
    EXPECT_EQ(counted.throttled, 2);
    EXPECT_EQ(counted.errors, 0);
    EXPECT_EQ(amazon.count("getMarketplaceParticipations"), 3u);
    EXPECT_EQ(amazon.count_status(429), 2u);
    // One wait per 429, from one bucket interval (1/0.016 s = 62.5 s) with
    // jitter, the second longer: the waits the client asked for, not time
    // that passed.
    ASSERT_EQ(time.waits.size(), 2u);
    EXPECT_GE(time.waits[0], 46s);
    EXPECT_LE(time.waits[0], 79s);
    EXPECT_GE(time.waits[1], 93s);
}

TEST(SpApiClient, NoRequestBeyondThePublishedBurst) {
    // 40 getReport calls, twice the burst: the client's bucket spaces them
    // so the stand-in (same rates, scaled by 20: 40/s, burst 15) never has
    // to throttle.
    spapi_standin amazon(seller_with({{"rate_scale", 20}}));
    SystemClock clock;
    auto s = settings_for(amazon);
    s.rate_scale = 20;
    client c(s, clock, [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); });
    for (int i = 0; i < 40; ++i) {
        auto r = c.get(operation::get_report, "/reports/2021-06-30/reports/none");
        ASSERT_FALSE(r);
        ASSERT_EQ(r.error().status, 404) << r.error().message;
    }
    EXPECT_EQ(amazon.count("getReport"), 40u);
    EXPECT_EQ(amazon.count_status(429), 0u);
    EXPECT_EQ(c.counters(operation::get_report).throttled, 0);
}

TEST(SpApiClient, RateLimitHeaderLowersTheBucketRate) {
    spapi_standin amazon(seller_with({{"rate_scale", 0.25}}));
    fake_time time;
    client c(settings_for(amazon), time.clock, time.sleeper());
    EXPECT_DOUBLE_EQ(c.current_rate(operation::get_report), 2);
    (void)c.get(operation::get_report, "/reports/2021-06-30/reports/none");
    EXPECT_DOUBLE_EQ(c.current_rate(operation::get_report), 0.5);
}

TEST(SpApiClient, EveryRequestHasADeadline) {
    spapi_standin amazon(seller_with({{"hang", {"searchOrders"}}, {"slow", {{"getReport", 30}}}}));
    fake_time time;
    auto s = settings_for(amazon);
    s.request_timeout = 300ms;
    client c(s, time.clock, time.sleeper());
    auto hung = c.get(operation::search_orders, kOrdersPath);
    ASSERT_FALSE(hung);
    EXPECT_EQ(hung.error().what, api_error::kind::transport);
    EXPECT_NE(hung.error().message.find("timeout"), std::string::npos) << hung.error().message;
    EXPECT_EQ(amazon.count("searchOrders"), 4u);  // retried, then given up
    auto slow = c.get(operation::get_report, "/reports/2021-06-30/reports/1");
    ASSERT_FALSE(slow);
    EXPECT_EQ(slow.error().what, api_error::kind::transport);
}

TEST(SpApiClient, UntrustedCertificateAndUnreachableHostAreTransportErrors) {
    spapi_standin amazon(seller_with());
    fake_time time;
    auto untrusted = settings_for(amazon);
    untrusted.ca_file.clear();
    client c(untrusted, time.clock, time.sleeper());
    auto r = c.authorise();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().what, api_error::kind::transport);
    EXPECT_NE(r.error().message.find("TLS"), std::string::npos) << r.error().message;

    auto closed = settings_for(amazon);
    closed.token_url = "https://127.0.0.1:1/auth/o2/token";
    client d(closed, time.clock, time.sleeper());
    auto unreachable = d.authorise();
    ASSERT_FALSE(unreachable);
    EXPECT_EQ(unreachable.error().what, api_error::kind::transport);
    EXPECT_NE(unreachable.error().message.find("cannot connect"), std::string::npos);
}

// The report flow by hand: the transport's part of it.
std::string document_url(client& c, const std::string& report_type, std::string& compression) {
    auto created =
        c.post(operation::create_report, "/reports/2021-06-30/reports",
               json{{"reportType", report_type}, {"marketplaceIds", {"ATVPDKIKX0DER"}}}.dump());
    EXPECT_TRUE(created) << created.error().message;
    EXPECT_EQ(created->status, 202);
    const std::string id = json::parse(created->body)["reportId"];
    json report;
    for (int i = 0; i < 3; ++i) {
        auto polled = c.get(operation::get_report, "/reports/2021-06-30/reports/" + id);
        EXPECT_TRUE(polled);
        report = json::parse(polled->body);
        if (report["processingStatus"] == "DONE")
            break;
    }
    EXPECT_EQ(report["processingStatus"], "DONE");
    auto doc =
        c.get(operation::get_report_document,
              "/reports/2021-06-30/documents/" + report["reportDocumentId"].get<std::string>());
    EXPECT_TRUE(doc);
    const auto body = json::parse(doc->body);
    compression = body.value("compressionAlgorithm", "");
    return body["url"];
}

// The bytes of a downloaded document, as the file holds them.
std::string file_bytes(int fd) {
    std::string out;
    char buffer[4096];
    ::lseek(fd, 0, SEEK_SET);
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;)
        out.append(buffer, static_cast<std::size_t>(n));
    return out;
}

// Decoding (gzip by its magic, Windows-1252) is the file import's: the
// download keeps the bytes exactly as Amazon sent them.
TEST(SpApiClient, DocumentsAreDownloadedWithoutTheTokenAsSent) {
    spapi_standin amazon(seller_with());
    fake_time time;
    client c(settings_for(amazon), time.clock, time.sleeper());
    std::string compression;
    const auto url = document_url(c, "GET_SELLER_FEEDBACK_DATA", compression);
    EXPECT_EQ(compression, "GZIP");
    FILE* packed_file = std::tmpfile();
    ASSERT_NE(packed_file, nullptr);
    auto doc = c.download_document(url, ::fileno(packed_file));
    ASSERT_TRUE(doc) << doc.error().message;
    EXPECT_NE(doc->content_type.find("Cp1252"), std::string::npos);
    const std::string packed = file_bytes(::fileno(packed_file));
    EXPECT_EQ(doc->bytes, packed.size());
    ASSERT_GE(packed.size(), 2u);
    EXPECT_EQ(packed.substr(0, 2), "\x1f\x8b");  // gzip, left for the import to inflate
    std::fclose(packed_file);

    // Labelled GZIP, sent plain: the file holds the plain text.
    const auto plain_url =
        document_url(c, "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL", compression);
    EXPECT_EQ(compression, "GZIP");
    FILE* plain_file = std::tmpfile();
    ASSERT_NE(plain_file, nullptr);
    auto plain = c.download_document(plain_url, ::fileno(plain_file));
    ASSERT_TRUE(plain) << plain.error().message;
    EXPECT_EQ(file_bytes(::fileno(plain_file)), "amazon-order-id\tpurchase-date\n1\t2026-11-01\n");
    std::fclose(plain_file);

    std::size_t downloads = 0;
    for (const auto& r : amazon.requests()) {
        if (r["operation"] == "download") {
            ++downloads;
            EXPECT_FALSE(r["token_sent"].get<bool>());
            EXPECT_EQ(r["status"], 200);
        }
    }
    EXPECT_EQ(downloads, 2u);
}

TEST(SpApiClient, AnExpiredDocumentUrlIsARequestErrorWithoutTheUrl) {
    spapi_standin amazon(seller_with({{"document_ttl", -10}}));
    fake_time time;
    client c(settings_for(amazon), time.clock, time.sleeper());
    std::string compression;
    const auto url = document_url(c, "GET_SELLER_FEEDBACK_DATA", compression);
    FILE* file = std::tmpfile();
    ASSERT_NE(file, nullptr);
    auto doc = c.download_document(url, ::fileno(file));
    std::fclose(file);
    ASSERT_FALSE(doc);
    EXPECT_EQ(doc.error().what, api_error::kind::request);
    EXPECT_EQ(doc.error().status, 403);
    EXPECT_EQ(doc.error().message.find("X-Amz-Signature"), std::string::npos);
}

}  // namespace
}  // namespace shd::spapi
