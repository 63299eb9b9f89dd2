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
// - 429: at most 5 retries, waiting Retry-After when given, else an
//   exponential wait from the bucket's interval, with jitter. 5xx and broken
//   connections: at most 3 retries with backoff. Other 4xx: no retry.
// - Errors never carry secrets (client secret, refresh or access token).
// - Thread safety: one client may be used from several threads at once.
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
    search_orders,                   // GET /orders/2026-01-01/orders
    list_financial_events,           // GET /finances/v0/financialEvents
    create_report,                   // POST /reports/2021-06-30/reports
    get_report,                      // GET /reports/2021-06-30/reports/{reportId}
    get_report_document,             // GET /reports/2021-06-30/documents/{reportDocumentId}
    get_marketplace_participations,  // GET /sellers/v1/marketplaceParticipations (sp-api check)
};
std::string_view operation_name(operation op);  // "searchOrders", ...
inline constexpr int kOperationCount = 6;

// "https://sellingpartnerapi-na.amazon.com" for "na", "eu", "fe"; empty otherwise.
std::string_view region_endpoint(std::string_view region);
inline constexpr std::string_view kLoginWithAmazonTokenUrl = "https://api.amazon.com/auth/o2/token";

struct client_settings {
    std::string endpoint;   // https://sellingpartnerapi-na.amazon.com, or the override
    std::string token_url;  // https://api.amazon.com/auth/o2/token, or the override
    std::string client_id;
    std::string client_secret;      // resolved value (credential: already read)
    std::string refresh_token;      // resolved value
    std::filesystem::path ca_file;  // extra trusted CA, may be empty
    // Outbound proxy, as net::http_request_options: "http://[user:pass@]host:port",
    // empty for HTTPS_PROXY / https_proxy from the environment, "none" for
    // a direct connection; no_proxy empty for NO_PROXY / no_proxy.
    std::string proxy;
    std::string no_proxy;
    std::chrono::milliseconds request_timeout{30000};
    double rate_scale = 1.0;  // tests and benchmarks: multiply every published rate
    // A response held in memory (the API's JSON) longer than
    // this is an error.
    std::size_t response_limit = std::size_t{64} << 20;
    // A report document downloaded to a file (download_document) longer
    // than this is an error: a bound on disk, not on memory.
    std::size_t document_limit = std::size_t{4} << 30;
    // The deadline of one document download: hundreds of MB take longer
    // than an API call.
    std::chrono::milliseconds document_timeout{std::chrono::minutes(15)};
    // Retries after a 5xx or a broken connection (429s have their own bound).
    // `sp-api check` uses 0: it reports at once instead of backing off.
    int failure_retries = 3;
};

struct api_error {
    enum class kind {
        auth,       // invalid_client / invalid_grant / unauthorized after a refresh
        throttled,  // still 429 after the retries allowed
        transport,  // connect, TLS, timeout, broken response
        server,     // 5xx after retries
        request,    // other 4xx: our request was wrong (a bug or bad config)
        decode,     // the body is not the JSON the model describes
    };
    kind what = kind::transport;
    int status = 0;       // HTTP status when there was one
    std::string code;     // Amazon's errors[].code or LWA's "error", when given
    std::string message;  // for people and logs; never a secret
};

struct api_response {
    int status = 0;
    std::string body;  // JSON text
};

// A document fetched from a presigned URL, decoded: gunzipped when the
// report said GZIP and the magic bytes agree, converted to UTF-8 from the
// Content-Type charset (Windows-1252 happens).
// What download_document wrote.
struct downloaded_document {
    std::string content_type;
    std::size_t bytes = 0;  // as received (compressed when gzip)
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

    // GET a presigned URL without the access token, streaming the raw bytes
    // (gzip or not, any charset) into `fd` from offset 0, so memory does not
    // grow with the document; the file is truncated first and again before
    // each retry. On an error the file's content is meaningless. Decoding is
    // the reader's (ingest reads gzip by its magic and Windows-1252).
    result<downloaded_document, api_error> download_document(const std::string& url, int fd);

    // An access token now (refreshing when needed): `sp-api check` uses it.
    // kind::auth with code invalid_client / invalid_grant when Login with
    // Amazon refuses the credentials.
    result<void, api_error> authorise();

    operation_counters counters(operation op) const;
    // The rate (requests/s) the bucket applies now: published * rate_scale,
    // or lower once x-amzn-RateLimit-Limit said so.
    double current_rate(operation op) const;

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace shd::spapi
