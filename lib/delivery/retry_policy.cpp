#include "delivery/retry_policy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace shd::delivery {
namespace {

// The start of a response body, on one line, for a detail.
std::string body_snippet(std::string_view body) {
    std::string out;
    for (const char c : body.substr(0, 200)) {
        const auto u = static_cast<unsigned char>(c);
        out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
    }
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    while (!out.empty() && out.front() == ' ')
        out.erase(out.begin());
    if (body.size() > 200)
        out += "...";
    return out;
}

void replace_all(std::string& text, std::string_view what) {
    if (what.empty())
        return;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 3))
        text.replace(at, what.size(), "***");
}

}  // namespace

instant next_attempt_at(const retry_policy& policy, int failures, instant now,
                        std::optional<std::chrono::seconds> retry_after, double unit_random) {
    if (failures < 1)
        throw std::logic_error("next_attempt_at: failures must be at least 1");
    const long long first = std::max<long long>(1, policy.first_delay.count());
    const long long cap = std::max<long long>(first, policy.max_delay.count());
    long long step = first;
    for (int i = 1; i < failures && step < cap; ++i)
        step *= 2;
    step = std::min(step, cap);
    const double factor = 0.5 + 0.5 * std::clamp(unit_random, 0.0, 1.0);
    auto delay = std::chrono::seconds{
        std::max<long long>(1, static_cast<long long>(std::llround(step * factor)))};
    if (retry_after)
        delay = std::max(delay, *retry_after);
    return now + delay;
}

std::chrono::seconds min_spacing(const std::string& channel_type) {
    return channel_type == "slack" ? std::chrono::seconds{1} : std::chrono::seconds{0};
}

send_outcome classify_http(const result<net::http_response, net::http_error>& response,
                           instant now) {
    using kind = send_outcome::kind;
    if (!response) {
        const auto& e = response.error();
        if (e.what == net::http_error::kind::invalid_url)
            return {kind::rejected, e.message, std::nullopt};
        return {kind::retry, e.message, std::nullopt};
    }
    const int status = response->status;
    const std::string snippet = body_snippet(response->body);
    std::string detail = fmt::format("HTTP {}", status);
    if (status >= 200 && status < 300)
        return send_outcome::delivered_ok(detail);
    if (!snippet.empty())
        detail += ": " + snippet;
    if (status == 429 || status == 503) {
        std::optional<std::chrono::seconds> retry_after;
        if (const auto value = response->header("Retry-After"))
            retry_after = net::parse_retry_after(*value, now);
        if (retry_after)
            detail += fmt::format(" (Retry-After {}s)", retry_after->count());
        return {kind::retry, detail, retry_after};
    }
    if (status == 408 || status == 425 || (status >= 500 && status < 600))
        return {kind::retry, detail, std::nullopt};
    if (status >= 300 && status < 400)
        detail += " (redirects are not followed; check the URL)";
    return {kind::rejected, detail, std::nullopt};
}

std::string redact(std::string text, const config::alert_channel& channel) {
    replace_all(text, channel.url);
    if (auto url = net::parse_http_url(channel.url)) {
        if (url->target.size() > 1)
            replace_all(text, url->target);
        replace_all(text, url->userinfo);
    }
    replace_all(text, channel.secret);
    replace_all(text, channel.routing_key);
    return text;
}

}  // namespace shd::delivery
