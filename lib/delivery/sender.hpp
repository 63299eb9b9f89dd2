// One attempt to hand one notification to one channel. Each channel type
// (webhook, slack, teams, discord, pagerduty, email) implements `sender`; the
// dispatcher owns retries, backoff, ordering and the outbox bookkeeping.
//
// A send blocks for at most the channel's timeout; it runs on a worker
// thread, never on the thread that imports and evaluates.
#pragma once

#include "alerts/notification.hpp"
#include "config/config.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace shd::delivery {

struct send_outcome {
    enum class kind {
        delivered,  // the receiver accepted it (HTTP 2xx, SMTP 250)
        retry,      // a transient failure: try again later (timeouts, 5xx, 429, connection errors)
        rejected,   // the receiver refused it for good (most 4xx, SMTP 5xx): retrying will not help
    };
    kind result = kind::retry;
    std::string detail;  // for logs and test-alert: "HTTP 503", "timeout after 10s", ...
    std::optional<std::chrono::seconds> retry_after;  // from a Retry-After header

    static send_outcome delivered_ok(std::string detail = {}) {
        return {kind::delivered, std::move(detail), std::nullopt};
    }
};

class sender {
public:
    virtual ~sender() = default;
    // `now` is the time stamped into the message (sent_at, Date:).
    virtual send_outcome send(const config::alert_channel& channel,
                              const alerts::notification& n, instant now) = 0;
};

// The sender for a channel type ("webhook", "email", ...); nullptr for an
// unknown type (config validation rules that out).
std::unique_ptr<sender> make_sender(const std::string& channel_type);

}  // namespace shd::delivery
