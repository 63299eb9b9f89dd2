#include "spapi/client.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "net/http_client.hpp"
#include "spapi/rules.hpp"

namespace shd::spapi {
namespace {

using ms = std::chrono::milliseconds;

constexpr int kMaxThrottleRetries = 5;
constexpr const char* kUserAgent = "seller-healthd (Language=C++; Platform=Linux)";

std::size_t index_of(operation op) {
    const auto i = static_cast<std::size_t>(op);
    if (i >= kOperationCount)
        throw std::logic_error("spapi: unknown operation");
    return i;
}

std::string amz_date(instant now) {
    // 20190430T123600Z
    auto text = format_iso8601(now);  // 2019-04-30T12:36:00Z
    text.erase(std::remove(text.begin(), text.end(), '-'), text.end());
    text.erase(std::remove(text.begin(), text.end(), ':'), text.end());
    return text;
}

}  // namespace

std::string_view region_endpoint(std::string_view region) {
    if (region == "na")
        return "https://sellingpartnerapi-na.amazon.com";
    if (region == "eu")
        return "https://sellingpartnerapi-eu.amazon.com";
    if (region == "fe")
        return "https://sellingpartnerapi-fe.amazon.com";
    return {};
}

struct client::impl {
    impl(client_settings s, const Clock& c, sleeper sl)
        : settings(std::move(s)), clock(c), sleep_for(std::move(sl)), rng(std::random_device{}()) {
        if (!sleep_for)
            sleep_for = [](ms d) { std::this_thread::sleep_for(d); };
        if (!(settings.rate_scale > 0))
            throw std::logic_error("spapi::client: rate_scale must be > 0");
        while (!settings.endpoint.empty() && settings.endpoint.back() == '/')
            settings.endpoint.pop_back();
        const ms start = clock_ms();
        for (int i = 0; i < kOperationCount; ++i) {
            auto plan = published_plan(static_cast<operation>(i));
            plan.rate *= settings.rate_scale;
            buckets.emplace(i, token_bucket(plan, start));
        }
    }

    client_settings settings;
    const Clock& clock;
    sleeper sleep_for;

    // --- the time line ------------------------------------------------------
    // The Clock counts whole seconds; buckets refill in milliseconds. The
    // time line is the clock, or the end of the latest wait when that is
    // later: it never runs ahead of real time (a wait ends after its
    // duration), so the buckets never grant more than the rate.
    std::mutex time_mutex;
    ms waited_until{0};

    ms clock_ms() const { return std::chrono::duration_cast<ms>(clock.now().time_since_epoch()); }
    ms now_ms() {
        std::lock_guard lock(time_mutex);
        return std::max(clock_ms(), waited_until);
    }
    void wait(ms d) {
        if (d <= ms{0})
            return;
        const ms wake = now_ms() + d;
        sleep_for(d);
        std::lock_guard lock(time_mutex);
        waited_until = std::max(waited_until, wake);
    }

    // --- buckets, jitter, counters ----------------------------------------------
    std::mutex bucket_mutex;
    std::map<int, token_bucket> buckets;
    std::mt19937 rng;

    struct counter_set {
        std::atomic<long> requests{0};
        std::atomic<long> throttled{0};
        std::atomic<long> errors{0};
    };
    std::array<counter_set, kOperationCount> counters;

    ms reserve(operation op) {
        const ms now = now_ms();
        std::lock_guard lock(bucket_mutex);
        return buckets.at(static_cast<int>(index_of(op))).reserve(now);
    }
    void lower_rate(operation op, double rate) {
        std::lock_guard lock(bucket_mutex);
        buckets.at(static_cast<int>(index_of(op))).lower_rate(rate);
    }
    double bucket_rate(operation op) {
        std::lock_guard lock(bucket_mutex);
        return buckets.at(static_cast<int>(index_of(op))).rate();
    }
    double jitter() {
        std::lock_guard lock(bucket_mutex);
        return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    }

    std::string clean(std::string text) const {
        return redact(std::move(text), {settings.client_secret, settings.refresh_token,
                                        current_token_for_redaction()});
    }
    // Read under token_mutex by the caller when it matters; a stale copy only
    // weakens the redaction of an old token, which Amazon no longer accepts.
    std::string current_token_for_redaction() const {
        std::lock_guard lock(token_mutex);
        return access_token;
    }

    api_error fail(api_error::kind what, int status, std::string code, std::string message) const {
        return api_error{what, status, clean(std::move(code)), clean(std::move(message))};
    }

    net::http_request_options base_options(std::string method, std::string url) const {
        net::http_request_options o;
        o.method = std::move(method);
        o.url = std::move(url);
        o.timeout = settings.request_timeout;
        o.ca_file = settings.ca_file;
        o.proxy = settings.proxy;
        o.no_proxy = settings.no_proxy;
        return o;
    }

    // --- Login with Amazon --------------------------------------------------------
    mutable std::mutex token_mutex;
    std::condition_variable token_cv;
    bool refreshing = false;
    long refreshes = 0;  // completed refreshes, successful or not
    std::string access_token;
    instant expires_at{};
    std::optional<api_error> last_refresh_error;

    struct issued_token {
        std::string token;
        long long expires_in = 0;
    };

    result<issued_token, api_error> request_token() {
        auto o = base_options("POST", settings.token_url);
        o.headers = {{"Content-Type", "application/x-www-form-urlencoded;charset=UTF-8"},
                     {"Accept", "application/json"}};
        o.body = "grant_type=refresh_token&refresh_token=" + form_encode(settings.refresh_token) +
                 "&client_id=" + form_encode(settings.client_id) +
                 "&client_secret=" + form_encode(settings.client_secret);
        for (int attempt = 1;; ++attempt) {
            auto r = net::http_request(o);
            if (!r) {
                if (attempt <= settings.failure_retries &&
                    r.error().what != net::http_error::kind::invalid_url &&
                    r.error().what != net::http_error::kind::tls) {
                    wait(backoff_wait(attempt, jitter()));
                    continue;
                }
                return fail(api_error::kind::transport, 0, {},
                            "Login with Amazon: " + r.error().message);
            }
            const int status = r->status;
            if (status == 200) {
                const auto json = nlohmann::json::parse(r->body, nullptr, false);
                if (!json.is_object() || !json.contains("access_token") ||
                    !json["access_token"].is_string() ||
                    json["access_token"].get<std::string>().empty())
                    return fail(api_error::kind::decode, status, {},
                                "Login with Amazon answered without an access_token");
                issued_token out;
                out.token = json["access_token"].get<std::string>();
                if (json.contains("expires_in") && json["expires_in"].is_number_integer())
                    out.expires_in = json["expires_in"].get<long long>();
                return out;
            }
            if ((status >= 500 || status == 429) && attempt <= settings.failure_retries) {
                wait(status == 429 ? throttle_wait(attempt, std::nullopt, 1.0, jitter())
                                   : backoff_wait(attempt, jitter()));
                continue;
            }
            const auto lwa = parse_lwa_error(r->body);
            const std::string code = lwa ? lwa->error : std::string{};
            std::string message =
                fmt::format("Login with Amazon refused the token request ({}{}{})", status,
                            code.empty() ? "" : ": ", code);
            if (lwa && !lwa->description.empty())
                message += ": " + lwa->description;
            if (status >= 500 || status == 429)
                return fail(api_error::kind::server, status, code, message);
            if (code == "invalid_client" || code == "invalid_grant" ||
                code == "unauthorized_client" || status == 401)
                return fail(api_error::kind::auth, status, code, message);
            return fail(api_error::kind::request, status, code, message);
        }
    }

    // An access token to send: the cached one while usable (and not the
    // `refused` one a 401/403 came back for), else one refresh however many
    // callers need it; the others wait for its outcome.
    result<std::string, api_error> token(const std::string& refused) {
        std::unique_lock lock(token_mutex);
        for (;;) {
            if (!refreshing) {
                if (!access_token.empty() && access_token != refused &&
                    token_usable(clock.now(), expires_at))
                    return access_token;
                break;
            }
            const long seen = refreshes;
            token_cv.wait(lock, [&] { return !refreshing; });
            if (refreshes != seen && last_refresh_error)
                return *last_refresh_error;
        }
        refreshing = true;
        lock.unlock();
        result<issued_token, api_error> outcome = api_error{};
        try {
            outcome = request_token();
        } catch (...) {
            lock.lock();
            refreshing = false;
            ++refreshes;
            token_cv.notify_all();
            throw;
        }
        lock.lock();
        refreshing = false;
        ++refreshes;
        if (outcome) {
            access_token = outcome->token;
            expires_at = token_expiry(clock.now(), outcome->expires_in);
            last_refresh_error.reset();
        } else {
            access_token.clear();
            last_refresh_error = outcome.error();
        }
        token_cv.notify_all();
        if (!outcome)
            return outcome.error();
        return access_token;
    }

    // --- one operation ------------------------------------------------------------
    result<api_response, api_error> send(operation op, const std::string& method,
                                         const std::string& path, const std::string& body) {
        auto& count = counters[index_of(op)];
        const std::string name(operation_name(op));
        std::string refused;
        bool retried_auth = false;
        int throttles = 0;
        int failures = 0;
        for (;;) {
            auto tok = token(refused);
            if (!tok) {
                ++count.errors;
                return tok.error();
            }
            wait(reserve(op));

            auto o = base_options(method, settings.endpoint + path);
            o.body_limit = settings.response_limit;
            o.headers = {{"x-amz-access-token", *tok},
                         {"x-amz-date", amz_date(clock.now())},
                         {"User-Agent", kUserAgent},
                         {"Accept", "application/json"}};
            if (method == "POST")
                o.headers.emplace_back("Content-Type", "application/json");
            o.body = body;
            ++count.requests;
            auto r = net::http_request(o);
            if (!r) {
                // A POST that timed out may have been carried out: retrying
                // createReport would only make a second report, so it is
                // retried too, but never past the bound.
                if (++failures <= settings.failure_retries &&
                    r.error().what != net::http_error::kind::invalid_url &&
                    r.error().what != net::http_error::kind::tls) {
                    wait(backoff_wait(failures, jitter()));
                    continue;
                }
                ++count.errors;
                return fail(api_error::kind::transport, 0, {}, name + ": " + r.error().message);
            }
            if (const auto limit = r->header("x-amzn-RateLimit-Limit")) {
                if (const auto rate = parse_rate_limit_header(*limit))
                    lower_rate(op, *rate);
            }
            const int status = r->status;
            if (status >= 200 && status < 300)
                return api_response{status, std::move(r->body)};

            const auto sp = parse_sp_errors(r->body);
            const std::string code = sp ? sp->code : std::string{};
            const std::string detail = sp && !sp->message.empty() ? ": " + sp->message : "";
            if (status == 429) {
                ++count.throttled;
                if (++throttles > kMaxThrottleRetries) {
                    ++count.errors;
                    return fail(api_error::kind::throttled, status, code,
                                fmt::format("{}: still throttled (429) after {} retries", name,
                                            kMaxThrottleRetries));
                }
                std::optional<std::chrono::seconds> retry_after;
                if (const auto value = r->header("Retry-After"))
                    retry_after = net::parse_retry_after(*value, clock.now());
                wait(throttle_wait(throttles, retry_after, bucket_rate(op), jitter()));
                continue;
            }
            if (status == 401 || status == 403) {
                if (!retried_auth) {
                    retried_auth = true;
                    refused = *tok;
                    continue;
                }
                ++count.errors;
                return fail(api_error::kind::auth, status, code,
                            fmt::format("{}: {} {}{}", name, status,
                                        status == 401 ? "unauthorized" : "forbidden", detail));
            }
            if (status >= 500) {
                if (++failures <= settings.failure_retries) {
                    wait(backoff_wait(failures, jitter()));
                    continue;
                }
                ++count.errors;
                return fail(api_error::kind::server, status, code,
                            fmt::format("{}: server error {}{}", name, status, detail));
            }
            ++count.errors;
            return fail(api_error::kind::request, status, code,
                        fmt::format("{}: request refused with {}{}{}", name, status,
                                    code.empty() ? "" : " " + code, detail));
        }
    }

    result<downloaded_document, api_error> download(const std::string& url, int fd) {
        int failures = 0;
        for (;;) {
            if (::ftruncate(fd, 0) != 0 || ::lseek(fd, 0, SEEK_SET) != 0)
                return fail(api_error::kind::transport, 0, {},
                            fmt::format("report document: cannot reset the download file: {}",
                                        std::strerror(errno)));
            auto o = base_options("GET", url);
            o.body_limit = settings.document_limit;
            o.timeout = settings.document_timeout;
            // A presigned URL: no access token, no Amazon headers. Its query
            // is the signature, so no error repeats the URL.
            o.headers = {{"User-Agent", kUserAgent}};
            std::size_t written = 0;
            int write_errno = 0;
            o.body_sink = [&](std::string_view piece) {
                while (!piece.empty()) {
                    const ssize_t n = ::write(fd, piece.data(), piece.size());
                    if (n < 0 && errno == EINTR)
                        continue;
                    if (n <= 0) {
                        write_errno = n < 0 ? errno : EIO;
                        return false;
                    }
                    piece.remove_prefix(static_cast<std::size_t>(n));
                    written += static_cast<std::size_t>(n);
                }
                return true;
            };
            auto r = net::http_request(o);
            if (write_errno != 0)
                return fail(api_error::kind::transport, 0, {},
                            fmt::format("report document: cannot write the download file: {}",
                                        std::strerror(write_errno)));
            if (!r) {
                // A download cut short is tried again (a large document over
                // a long way breaks now and then); one too large is not.
                const bool worth_retrying =
                    r.error().what != net::http_error::kind::invalid_url &&
                    r.error().what != net::http_error::kind::tls &&
                    (r.error().what != net::http_error::kind::protocol || r.error().cut_short);
                if (++failures <= settings.failure_retries && worth_retrying) {
                    wait(backoff_wait(failures, jitter()));
                    continue;
                }
                return fail(api_error::kind::transport, 0, {},
                            "report document: " + r.error().message);
            }
            if (r->status >= 500 && ++failures <= settings.failure_retries) {
                wait(backoff_wait(failures, jitter()));
                continue;
            }
            if (r->status >= 500)
                return fail(api_error::kind::server, r->status, {},
                            fmt::format("report document: server error {}", r->status));
            if (r->status != 200)
                return fail(api_error::kind::request, r->status, {},
                            fmt::format("report document: refused with {} (a presigned URL expires "
                                        "5 minutes after getReportDocument)",
                                        r->status));
            const std::string content_type = r->header("Content-Type").value_or("");
            // ingest reads UTF-8 and Windows-1252 (and ISO-8859-1, its
            // subset); a document in any other charset would be misread.
            const std::string charset = charset_of(content_type);
            if (!charset.empty() && charset != "utf-8" && charset != "windows-1252")
                return fail(
                    api_error::kind::decode, r->status, {},
                    "report document: the document's charset " + charset + " is not supported");
            return downloaded_document{content_type, written};
        }
    }
};

client::client(client_settings settings, const Clock& clock, sleeper sleep_for)
    : impl_(std::make_unique<impl>(std::move(settings), clock, std::move(sleep_for))) {}

client::~client() = default;

result<api_response, api_error> client::get(operation op, const std::string& path_and_query) {
    return impl_->send(op, "GET", path_and_query, {});
}

result<api_response, api_error> client::post(operation op, const std::string& path,
                                             const std::string& json_body) {
    return impl_->send(op, "POST", path, json_body);
}

result<downloaded_document, api_error> client::download_document(const std::string& url, int fd) {
    return impl_->download(url, fd);
}

result<void, api_error> client::authorise() {
    auto tok = impl_->token({});
    if (!tok)
        return tok.error();
    return {};
}

operation_counters client::counters(operation op) const {
    const auto& c = impl_->counters[index_of(op)];
    return operation_counters{c.requests.load(), c.throttled.load(), c.errors.load()};
}

double client::current_rate(operation op) const {
    return impl_->bucket_rate(op);
}

}  // namespace shd::spapi
