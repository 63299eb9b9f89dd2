#include "delivery/retry_policy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string_view>
#include <vector>

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
    // The host and port stay readable ("connect to 127.0.0.1:9000 failed");
    // the path, query and user info are what carry a token.
    std::vector<std::string_view> secrets = {channel.secret, channel.routing_key};
    const auto url = net::parse_http_url(channel.url);  // the views below point into it
    if (url) {
        if (url->target.size() > 1)
            secrets.push_back(url->target);
        secrets.push_back(url->userinfo);
    } else {
        secrets.push_back(channel.url);
    }
    for (const auto secret : secrets)
        replace_all(text, secret);
    // A receiver may echo part of a token (cut short, JSON-escaped, inside
    // its own words): any run of token characters that shares eight
    // characters in a row with a secret goes too. Over-redacting a host
    // name that is part of the URL is the price.
    const auto token_char = [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~' || c == '%' ||
               c == '+' || c == '=';
    };
    constexpr std::size_t kMinFragment = 8;
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        if (!token_char(text[i])) {
            out.push_back(text[i++]);
            continue;
        }
        std::size_t end = i;
        while (end < text.size() && token_char(text[end]))
            ++end;
        const std::string_view run(text.data() + i, end - i);
        bool part_of_secret = false;
        for (std::size_t at = 0; !part_of_secret && at + kMinFragment <= run.size(); ++at) {
            const std::string_view window = run.substr(at, kMinFragment);
            part_of_secret =
                std::any_of(secrets.begin(), secrets.end(), [&](std::string_view secret) {
                    return secret.find(window) != std::string_view::npos;
                });
        }
        out += part_of_secret ? std::string_view("***") : run;
        i = end;
    }
    return out;
}

namespace {

bool has(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

}  // namespace

std::string explain_failure(std::string_view detail) {
    if (has(detail, "closed the connection before") ||
        (has(detail, "reading the response") &&
         (has(detail, "Connection reset by peer") || has(detail, "end of stream"))))
        return "the receiver closed the connection before answering: check that the URL names "
               "the right service and port (an https:// URL to a plain-http port ends like "
               "this too)";
    if (has(detail, "wrong version number") || has(detail, "packet length too long"))
        return "the receiver does not speak TLS on that port: check the port, or use http:// "
               "for a receiver on this machine";
    if (has(detail, "certificate") || has(detail, "self-signed") || has(detail, "self signed"))
        return "the certificate is not trusted: if the receiver uses a private CA, add its "
               "certificate as ca_file; otherwise check the host name in the URL";
    if (has(detail, "cannot load ca_file"))
        return "ca_file cannot be read: check its path and that the seller-healthd user may "
               "read it";
    if (has(detail, "TLS handshake"))
        return "the secure connection could not be set up: check the URL's port and that the "
               "receiver accepts TLS 1.2 or newer";
    if (has(detail, "Connection refused"))
        return "nothing accepts connections at that address: check the host and port in the "
               "URL, and that the receiver is running";
    if (has(detail, "cannot connect"))
        return "the receiver cannot be reached: check the host and port in the URL, and any "
               "firewall or proxy between this machine and it";
    if (has(detail, "resolv") || has(detail, "Host not found") || has(detail, "host not found"))
        return "the host name in the URL does not resolve: check its spelling and this "
               "machine's DNS";
    if (has(detail, "timeout after"))
        return "the receiver did not answer in time: check the URL, or raise the channel's "
               "timeout";
    if (detail.starts_with("HTTP 401") || detail.starts_with("HTTP 403"))
        return "the receiver refused the credentials: check the token in the URL, the "
               "routing_key or the secret";
    if (detail.starts_with("HTTP 404") || detail.starts_with("HTTP 410"))
        return "the receiver does not know this URL: the webhook may have been deleted; create "
               "a new one and update url";
    if (detail.starts_with("HTTP 400") || detail.starts_with("HTTP 422"))
        return "the receiver refused the message: check that the channel's type matches the "
               "service the URL belongs to";
    if (detail.starts_with("HTTP 429"))
        return "the receiver is throttling: real notifications wait and are sent when it "
               "allows";
    if (detail.starts_with("HTTP 5"))
        return "the receiver failed on its side: try again later; real notifications are "
               "retried";
    if (detail.starts_with("HTTP 3"))
        return "the URL redirects elsewhere: put the address it redirects to in url";
    return {};
}

}  // namespace shd::delivery
