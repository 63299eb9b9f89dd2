// The HTTP channels (webhook, slack, teams, discord, pagerduty, alertmanager) and the
// sender factory. Rendering is in render.cpp, the answer's meaning in
// retry_policy.cpp; this file only posts.
#include <fmt/format.h>

#include "delivery/credentials.hpp"
#include "delivery/email.hpp"
#include "delivery/render.hpp"
#include "delivery/retry_policy.hpp"
#include "delivery/sender.hpp"

namespace shd::delivery {
namespace {

class http_channel_sender final : public sender {
  public:
    send_outcome send(const config::alert_channel& channel, const alerts::notification& n,
                      instant now) override {
        auto posts = render_for_channel(channel, n, now);
        if (!posts)
            return {send_outcome::kind::rejected, posts.error().text, std::nullopt};
        // PagerDuty sends one event per alert. They go in order and stop at the
        // first that is not accepted; a retry sends them all again, which
        // PagerDuty folds into the same incidents by dedup_key.
        std::string last_detail;
        for (std::size_t i = 0; i < posts->size(); ++i) {
            net::http_request_options request;
            request.method = "POST";
            request.url = channel.url;
            request.headers = std::move((*posts)[i].headers);
            request.body = std::move((*posts)[i].body);
            request.timeout = channel.timeout;
            request.ca_file = channel.ca_file;
            auto outcome = classify_http(net::http_request(request), now);
            outcome.detail = redact(std::move(outcome.detail), channel);
            if (outcome.result != send_outcome::kind::delivered) {
                if (posts->size() > 1)
                    outcome.detail =
                        fmt::format("event {} of {}: {}", i + 1, posts->size(), outcome.detail);
                return outcome;
            }
            last_detail = std::move(outcome.detail);
        }
        if (posts->size() > 1)
            last_detail = fmt::format("{} events, {}", posts->size(), last_detail);
        return send_outcome::delivered_ok(last_detail);
    }
};

}  // namespace

std::unique_ptr<sender> make_sender(const std::string& channel_type) {
    if (channel_type == "email")
        return with_credentials(make_email_sender());
    if (channel_type == "webhook" || channel_type == "slack" || channel_type == "teams" ||
        channel_type == "discord" || channel_type == "pagerduty" || channel_type == "alertmanager")
        return with_credentials(std::make_unique<http_channel_sender>());
    return nullptr;
}

}  // namespace shd::delivery
