// When to try a failed delivery again, and how an HTTP answer maps to an
// outcome. Pure functions: the caller passes the time and the random draw, so
// tests fix both.
//
// Backoff: the n-th failure waits first_delay * 2^(n-1), capped at max_delay,
// scaled by a jitter factor in [0.5, 1] ("equal jitter": never less than half
// the step, so retries spread out without collapsing to zero). A Retry-After
// from the receiver is a floor: the next attempt is never earlier than it.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "delivery/sender.hpp"
#include "net/http_client.hpp"

namespace shd::delivery {

struct retry_policy {
    std::chrono::seconds first_delay{10};
    std::chrono::seconds max_delay{3600};
};

// `failures` counts failed attempts so far, this one included (>= 1);
// `unit_random` is a uniform draw in [0, 1).
instant next_attempt_at(const retry_policy& policy, int failures, instant now,
                        std::optional<std::chrono::seconds> retry_after, double unit_random);

// The least time between two messages on one channel of this type: 1 s for
// Slack (its incoming-webhook limit), 0 otherwise (429s pace the others).
std::chrono::seconds min_spacing(const std::string& channel_type);

// An HTTP exchange as a send outcome: 2xx delivered; 429 and 503 retry with
// their Retry-After; 408, 425 and other 5xx retry; other statuses (4xx, and
// 3xx since redirects are not followed) rejected; failures to get a response
// retry, except an unusable URL, which is rejected. The detail names the
// status and the start of the response body; `now` turns an HTTP-date
// Retry-After into a delay.
send_outcome classify_http(const result<net::http_response, net::http_error>& response,
                           instant now);

// `text` with the channel's secrets (URL, its path and query, secret,
// routing key) replaced by "***": for details that may echo a request.
std::string redact(std::string text, const config::alert_channel& channel);

// What a failed send means for the person who set up the channel, and what to
// do about it: "the receiver closed the connection before answering: ...",
// "the certificate is not trusted: add ca_file ...". Read from the outcome's
// detail (the words of net/http_client and classify_http); empty when the
// detail says nothing this knows.
std::string explain_failure(std::string_view detail);

}  // namespace shd::delivery
