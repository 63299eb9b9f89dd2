// The pure parts of the SP-API transport (client.hpp), each a function of its
// inputs and a time, so they are tested without sockets or sleeps:
// - Amazon's published rate and burst per operation;
// - the token bucket (reservations, refill, a rate lowered by
//   x-amzn-RateLimit-Limit);
// - when a cached access token may still be used;
// - how long to wait after a 429 or a 5xx;
// - the charset of a document and its conversion to UTF-8;
// - the error bodies of Login with Amazon and of the SP-API.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"
#include "spapi/client.hpp"

namespace shd::spapi {

// Requests per second and burst, as each operation's description in Amazon's
// models states them (../shared/sp-api/*.json; getMarketplaceParticipations
// from Amazon's Sellers API v1 model).
struct rate_plan {
    double rate = 1;  // tokens per second
    double burst = 1;
};
rate_plan published_plan(operation op);

// A token bucket on a millisecond time line. Callers reserve a token: when
// none is left the reservation is still granted and the answer is how long
// to wait before sending, so concurrent callers queue in order and never
// exceed the rate together. Starts full.
class token_bucket {
  public:
    using ms = std::chrono::milliseconds;
    token_bucket(rate_plan plan, ms now);

    // Takes one token and returns how long to wait before using it (0: now).
    ms reserve(ms now);
    // How long until a token would be free, without taking it.
    ms wait_for_next(ms now) const;
    // x-amzn-RateLimit-Limit: the rate Amazon applies. Only ever lowers the
    // rate (a higher value is not trusted beyond the published plan).
    void lower_rate(double rate);

    double rate() const { return rate_; }
    double burst() const { return burst_; }
    double tokens(ms now) const;

  private:
    void refill(ms now);
    double rate_;
    double burst_;
    double tokens_;
    ms updated_;
};

// A cached access token is used until 60 s before it expires.
inline constexpr std::chrono::seconds kTokenMargin{60};
bool token_usable(instant now, instant expires_at);
// Expiry of a token issued at `now` with `expires_in` seconds; a missing or
// absurd expires_in counts as 0 (the token is refreshed before each use).
instant token_expiry(instant now, long long expires_in);

// The wait before retry number `attempt` (1, 2, ...) after a 429: the
// Retry-After delay when the server gave one, else exponential from one
// bucket interval (1/rate), at least 1 s and at most 5 min; `jitter` in
// [0, 1) spreads it by -25 %..+25 % so callers that were throttled together
// do not retry together.
std::chrono::milliseconds throttle_wait(int attempt,
                                        std::optional<std::chrono::seconds> retry_after,
                                        double rate, double jitter);
// The wait before retry number `attempt` after a 5xx or a broken connection:
// 1 s, 2 s, 4 s ... at most 60 s, spread the same way.
std::chrono::milliseconds backoff_wait(int attempt, double jitter);

// "text/plain;charset=Cp1252" -> "windows-1252"; lower case, aliases folded
// (cp1252, windows-1252, iso-8859-1, latin1 -> windows-1252; utf8 -> utf-8).
// Empty when the header names no charset.
std::string charset_of(std::string_view content_type);

// Login with Amazon's error body {"error": "...", "error_description": "..."}.
struct lwa_error_body {
    std::string error;
    std::string description;
};
std::optional<lwa_error_body> parse_lwa_error(std::string_view body);

// The SP-API's ErrorList {"errors": [{"code", "message", "details"}]}: the
// first entry's code and message.
struct sp_error_body {
    std::string code;
    std::string message;
};
std::optional<sp_error_body> parse_sp_errors(std::string_view body);

// x-amzn-RateLimit-Limit: a positive decimal number of requests per second.
std::optional<double> parse_rate_limit_header(std::string_view value);

// application/x-www-form-urlencoded encoding of one value.
std::string form_encode(std::string_view value);

// Replaces every occurrence of each non-empty secret in `text` by "***".
std::string redact(std::string text, std::initializer_list<std::string_view> secrets);

}  // namespace shd::spapi
