#include "spapi/rules.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/text.hpp"
#include "ingest/decode.hpp"

namespace shd::spapi {
std::string_view operation_name(operation op) {
    switch (op) {
        case operation::search_orders:
            return "searchOrders";
        case operation::list_financial_events:
            return "listFinancialEvents";
        case operation::create_report:
            return "createReport";
        case operation::get_report:
            return "getReport";
        case operation::get_report_document:
            return "getReportDocument";
        case operation::get_marketplace_participations:
            return "getMarketplaceParticipations";
    }
    throw std::logic_error("operation_name: unknown operation");
}

rate_plan published_plan(operation op) {
    switch (op) {
        case operation::search_orders:
            return {0.0056, 20};
        case operation::list_financial_events:
            return {0.5, 30};
        case operation::create_report:
            return {0.0167, 15};
        case operation::get_report:
            return {2, 15};
        case operation::get_report_document:
            return {0.0167, 15};
        case operation::get_marketplace_participations:
            return {0.016, 15};
    }
    throw std::logic_error("published_plan: unknown operation");
}

// --- token bucket -----------------------------------------------------------

token_bucket::token_bucket(rate_plan plan, ms now)
    : rate_(plan.rate), burst_(plan.burst), tokens_(plan.burst), updated_(now) {
    if (!(plan.rate > 0) || !(plan.burst >= 1))
        throw std::logic_error("token_bucket: rate must be > 0 and burst >= 1");
}

void token_bucket::refill(ms now) {
    if (now <= updated_)
        return;
    const double elapsed_s = static_cast<double>((now - updated_).count()) / 1000.0;
    tokens_ = std::min(burst_, tokens_ + elapsed_s * rate_);
    updated_ = now;
}

double token_bucket::tokens(ms now) const {
    auto copy = *this;
    copy.refill(now);
    return copy.tokens_;
}

token_bucket::ms token_bucket::wait_for_next(ms now) const {
    const double have = tokens(now);
    if (have >= 1)
        return ms{0};
    return ms{static_cast<long long>(std::ceil((1 - have) / rate_ * 1000.0))};
}

token_bucket::ms token_bucket::reserve(ms now) {
    refill(now);
    const ms wait = wait_for_next(now);
    // A reservation may drive the count below zero: the next caller then
    // waits for this one's token to refill as well as its own.
    tokens_ -= 1;
    return wait;
}

void token_bucket::lower_rate(double rate) {
    if (rate > 0 && rate < rate_)
        rate_ = rate;
}

// --- token expiry -----------------------------------------------------------

bool token_usable(instant now, instant expires_at) {
    return now + kTokenMargin < expires_at;
}

instant token_expiry(instant now, long long expires_in) {
    if (expires_in <= 0 || expires_in > 86400)
        expires_in = 0;
    return now + std::chrono::seconds{expires_in};
}

// --- waits ----------------------------------------------------------------------

namespace {
std::chrono::milliseconds spread(double base_ms, double jitter) {
    jitter = std::clamp(jitter, 0.0, 1.0);
    return std::chrono::milliseconds{static_cast<long long>(base_ms * (0.75 + 0.5 * jitter))};
}
}  // namespace

std::chrono::milliseconds throttle_wait(int attempt,
                                        std::optional<std::chrono::seconds> retry_after,
                                        double rate, double jitter) {
    if (retry_after) {
        // The server's word, plus a little jitter on top (never less).
        const auto base = std::chrono::duration_cast<std::chrono::milliseconds>(*retry_after);
        return base + std::chrono::milliseconds{
                          static_cast<long long>(std::clamp(jitter, 0.0, 1.0) * 1000.0)};
    }
    const double interval_ms = rate > 0 ? 1000.0 / rate : 1000.0;
    const double base =
        std::clamp(interval_ms * std::pow(2.0, std::max(0, attempt - 1)), 1000.0, 300000.0);
    return spread(base, jitter);
}

std::chrono::milliseconds backoff_wait(int attempt, double jitter) {
    const double base = std::min(60000.0, 1000.0 * std::pow(2.0, std::max(0, attempt - 1)));
    return spread(base, jitter);
}

// --- documents --------------------------------------------------------------

std::string charset_of(std::string_view content_type) {
    std::string lower;
    for (const char c : content_type)
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto at = lower.find("charset=");
    if (at == std::string::npos)
        return {};
    std::string value = lower.substr(at + 8);
    const auto end = value.find_first_of("; \t");
    if (end != std::string::npos)
        value.resize(end);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
    if (value == "cp1252" || value == "windows-1252" || value == "x-cp1252" ||
        value == "iso-8859-1" || value == "iso8859-1" || value == "latin1" || value == "latin-1" ||
        value == "us-ascii" || value == "ascii")
        return "windows-1252";
    if (value == "utf8" || value == "utf-8")
        return "utf-8";
    return value;
}

// --- error bodies -----------------------------------------------------------

std::optional<lwa_error_body> parse_lwa_error(std::string_view body) {
    const auto json = nlohmann::json::parse(body, nullptr, false);
    if (!json.is_object() || !json.contains("error") || !json["error"].is_string())
        return std::nullopt;
    lwa_error_body out;
    out.error = json["error"].get<std::string>();
    if (json.contains("error_description") && json["error_description"].is_string())
        out.description = json["error_description"].get<std::string>();
    return out;
}

std::optional<sp_error_body> parse_sp_errors(std::string_view body) {
    const auto json = nlohmann::json::parse(body, nullptr, false);
    if (!json.is_object() || !json.contains("errors") || !json["errors"].is_array() ||
        json["errors"].empty() || !json["errors"][0].is_object())
        return std::nullopt;
    const auto& first = json["errors"][0];
    sp_error_body out;
    if (first.contains("code") && first["code"].is_string())
        out.code = first["code"].get<std::string>();
    if (first.contains("message") && first["message"].is_string())
        out.message = first["message"].get<std::string>();
    return out;
}

std::optional<double> parse_rate_limit_header(std::string_view value) {
    while (!value.empty() && value.front() == ' ')
        value.remove_prefix(1);
    while (!value.empty() && value.back() == ' ')
        value.remove_suffix(1);
    double rate = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), rate);
    if (ec != std::errc{} || end != value.data() + value.size() || !(rate > 0) ||
        !std::isfinite(rate))
        return std::nullopt;
    return rate;
}

std::string form_encode(std::string_view value) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += kHex[u >> 4];
            out += kHex[u & 15];
        }
    }
    return out;
}

std::string redact(std::string text, std::initializer_list<std::string_view> secrets) {
    for (const auto secret : secrets) {
        if (secret.empty())
            continue;
        for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3))
            text.replace(at, secret.size(), "***");
    }
    return text;
}

}  // namespace shd::spapi
