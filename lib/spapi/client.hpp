// The transport to Amazon's Selling Partner API, shared by every SP-API source
// (spec/sources.md "Access"). One object per configured account; the sources
// (orders, finances, reports) call it and never see tokens, rates or retries.
//
// - Login with Amazon: the access token is cached until 60 s before expiry;
//   one refresh at a time however many callers wait; a 401/403 refreshes once
//   and retries once. invalid_client / invalid_grant are api_error::kind::auth.
// - A token bucket per operation at Amazon's published rate and burst; a 429
//   waits (with jitter, honouring x-amzn-RateLimit-Limit) and retries.
// - Every request has a deadline. Presigned document URLs are fetched WITHOUT
//   the access token.
// - Errors never carry secrets (client secret, refresh or access token).
// Time is a parameter: the clock and the sleeper are injected, so tests can
// drive token expiry and bucket refills without waiting.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace shd::spapi {

// The operations this project calls, each with its published rate and burst
// (spec/sources.md, ../shared/sp-api/*.json).
enum class operation {
    search_orders,            // GET /orders/2026-01-01/orders
    list_financial_events,    // GET /finances/v0/financialEvents
    create_report,            // POST /reports/2021-06-30/reports
    get_report,               // GET /reports/2021-06-30/reports/{reportId}
    get_report_document,      // GET /reports/2021-06-30/documents/{reportDocumentId}
    get_marketplace_participations,  // GET /sellers/v1/marketplaceParticipations (sp-api check)
};
std::string_view operation_name(operation op);  // "searchOrders", ...

struct client_settings {
    std::string endpoint;   // https://sellingpartnerapi-na.amazon.com, or the override
    std::string token_url;  // https://api.amazon.com/auth/o2/token, or the override
    std::string client_id;
    std::string client_secret;  // resolved value (credential: already read)
    std::string refresh_token;  // resolved value
    std::filesystem::path ca_file;  // extra trusted CA, may be empty
    std::string proxy;              // https_proxy value to use, may be empty
    std::string no_proxy;           // NO_PROXY list, may be empty
    std::chrono::milliseconds request_timeout{30000};
    double rate_scale = 1.0;  // tests and benchmarks: multiply every published rate
};

struct api_error {
    enum class kind {
        auth,        // invalid_client / invalid_grant / unauthorized after a refresh
        throttled,   // still 429 after the retries allowed
        transport,   // connect, TLS, timeout, broken response
        server,      // 5xx after retries
        request,     // other 4xx: our request was wrong (a bug or bad config)
        decode,      // the body is not the JSON the model describes
    };
    kind what = kind::transport;
    int status = 0;           // HTTP status when there was one
    std::string code;         // Amazon's errors[].code or LWA's "error", when given
    std::string message;      // for people and logs; never a secret
};

struct api_response {
    int status = 0;
    std::string body;  // JSON text
};

// A document fetched from a presigned URL, decoded: gunzipped when the
// report said GZIP and the magic bytes agree, converted to UTF-8 from the
// Content-Type charset (Windows-1252 happens).
struct document {
    std::string text;
    std::string content_type;
};

// Counters for /metrics and benchmarks.
struct operation_counters {
    long requests = 0;
    long throttled = 0;  // 429 answers
    long errors = 0;
};

class client {
  public:
    // `sleep_for` is how the client waits (for a bucket, a 429): production
    // passes a real sleep, tests pass one that advances a ManualClock.
    using sleeper = std::function<void(std::chrono::milliseconds)>;
    client(client_settings settings, const Clock& clock, sleeper sleep_for);
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    // `path_and_query` starts with '/', already percent-encoded.
    result<api_response, api_error> get(operation op, const std::string& path_and_query);
    result<api_response, api_error> post(operation op, const std::string& path,
                                         const std::string& json_body);

    // GET a presigned URL without the access token; `compression` is the
    // report's compressionAlgorithm ("GZIP" or empty).
    result<document, api_error> fetch_document(const std::string& url,
                                               std::string_view compression);

    // An access token now (refreshing when needed): `sp-api check` uses it.
    result<void, api_error> authorise();

    operation_counters counters(operation op) const;

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace shd::spapi
