#include "config/sp_api_rows.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <memory>
#include <set>

#include "core/credentials.hpp"
#include "core/time.hpp"

namespace shd::config::detail {
namespace {

constexpr std::string_view kRegions[] = {"na", "eu", "fe"};

// The host of an absolute URL whose scheme is one of `schemes`; the problem
// otherwise. libcurl parses, as for the alert channels.
std::optional<std::string> url_problem(const std::string& text,
                                       std::initializer_list<std::string_view> schemes) {
    std::unique_ptr<CURLU, void (*)(CURLU*)> url(curl_url(), &curl_url_cleanup);
    if (!url)
        throw std::bad_alloc();
    if (const CURLUcode rc =
            curl_url_set(url.get(), CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME);
        rc != CURLUE_OK) {
        return fmt::format("not a valid URL ({})", curl_url_strerror(rc));
    }
    const auto part = [&](CURLUPart which) -> std::string {
        char* value = nullptr;
        if (curl_url_get(url.get(), which, &value, 0) != CURLUE_OK || value == nullptr)
            return {};
        std::string s(value);
        curl_free(value);
        return s;
    };
    std::string scheme = part(CURLUPART_SCHEME);
    for (auto& ch : scheme)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    bool allowed = false;
    for (auto s : schemes)
        allowed = allowed || s == scheme;
    if (!allowed) {
        return fmt::format("needs a {}:// URL, got {}://", fmt::join(schemes, ":// or "), scheme);
    }
    if (part(CURLUPART_HOST).empty())
        return "the URL has no host";
    if (!part(CURLUPART_USER).empty())
        return "the URL must not carry a user name or password";
    return std::nullopt;
}

const table<sp_api_schedule>& schedule_rows() {
    static const table<sp_api_schedule> rows = {
        field("orders", &sp_api_schedule::orders, in_range(at_least(180)),
              "How often orders are fetched (searchOrders allows one request per 3 minutes)."),
        field("finances", &sp_api_schedule::finances, in_range(at_least(60)),
              "How often claims and chargebacks are fetched (listFinancialEvents)."),
        field("feedback", &sp_api_schedule::feedback, in_range(at_least(3600)),
              "How often the Feedback report is requested, per marketplace."),
        field("performance", &sp_api_schedule::performance, in_range(at_least(3600)),
              "How often Amazon's account-health report is requested."),
    };
    return rows;
}

// `marketplaces: [ATVPDKIKX0DER, ...]`: at least one, each well formed, no
// duplicates.
row<sp_api_config> marketplaces_field() {
    return required(text_list("marketplaces", &sp_api_config::marketplaces, marketplace_id(),
                              "a list of marketplace IDs such as [ATVPDKIKX0DER]", "marketplace ID",
                              "The marketplaces to fetch, by ID (all served by the region's "
                              "endpoint).",
                              "list of marketplace IDs"));
}

// An optional text key left out of the output when empty, so the section
// reads back the same.
template <class M>
row<sp_api_config> optional_field(row<sp_api_config> r, M sp_api_config::*member) {
    r.emit = [emit = r.emit, member](YAML::Emitter& out, const sp_api_config& c) {
        if (!(c.*member).empty())
            emit(out, c);
    };
    r.show_default = false;
    return r;
}

const table<sp_api_config>& sp_api_rows() {
    static const table<sp_api_config> rows = {
        field("region", &sp_api_config::region, one_of(kRegions),
              "Amazon's SP-API region: na (US, CA, MX, BR), eu (Europe, IN, the Middle East) or "
              "fe (JP, AU, SG)."),
        marketplaces_field(),
        required(field("client_id", &sp_api_config::client_id, {},
                       "The LWA client ID of the seller's private SP-API app.")),
        required(field("client_secret", &sp_api_config::client_secret, secret_text(),
                       "The app's LWA client secret, or credential:NAME (a systemd credential). "
                       "Never logged.")),
        required(field("refresh_token", &sp_api_config::refresh_token, secret_text(),
                       "The seller's LWA refresh token (self-authorisation), or credential:NAME. "
                       "Never logged.")),
        optional_field(field("client_secret_expires", &sp_api_config::client_secret_expires, {},
                             "The date (YYYY-MM-DD) the client secret expires: an alert fires 14 "
                             "days before. Amazon requires a rotation every 180 days."),
                       &sp_api_config::client_secret_expires),
        field("backfill_days", &sp_api_config::backfill_days, in_range(closed(1, 730)),
              "Days of order history fetched through the All Orders report at first start."),
        section("schedule", &sp_api_config::schedule, schedule_rows(),
                "How often each source is fetched."),
        optional_field(field("endpoint", &sp_api_config::endpoint, {},
                             "An https:// URL replacing the region's SP-API endpoint."),
                       &sp_api_config::endpoint),
        optional_field(field("token_url", &sp_api_config::token_url, {},
                             "An https:// URL replacing Login with Amazon's token endpoint."),
                       &sp_api_config::token_url),
        optional_field(field("ca_file", &sp_api_config::ca_file, {},
                             "An extra trusted CA certificate (PEM) for the SP-API's TLS."),
                       &sp_api_config::ca_file),
        optional_field(field("proxy", &sp_api_config::proxy, {},
                             "An http:// or https:// proxy for every SP-API request; default: "
                             "HTTPS_PROXY (and NO_PROXY) from the environment."),
                       &sp_api_config::proxy),
    };
    return rows;
}

// The checks no single key can make: credential names, URL schemes, the
// expiry date.
status check_sp_api(const sp_api_config& c, const std::string& key, position section_at,
                    parse_context& ctx) {
    const auto at = [&](std::string_view field) {
        const auto it = ctx.origins.find(join_key(key, field));
        return it == ctx.origins.end() ? section_at : it->second;
    };
    for (const auto& [name, value] :
         {std::pair<std::string_view, const std::string*>{"client_secret", &c.client_secret},
          {"refresh_token", &c.refresh_token}}) {
        if (!is_credential_reference(*value))
            continue;
        if (auto problem = credential_name_problem(value->substr(kCredentialPrefix.size())))
            return ctx.error(at(name), join_key(key, name), *problem);
    }
    for (const auto& [name, value] :
         {std::pair<std::string_view, const std::string*>{"endpoint", &c.endpoint},
          {"token_url", &c.token_url}}) {
        if (value->empty())
            continue;
        if (auto problem = url_problem(*value, {"https"}))
            return ctx.error(at(name), join_key(key, name), *problem);
    }
    if (!c.proxy.empty()) {
        if (auto problem = url_problem(c.proxy, {"http", "https"}))
            return ctx.error(at("proxy"), join_key(key, "proxy"), *problem);
    }
    if (!c.client_secret_expires.empty()) {
        const auto& d = c.client_secret_expires;
        const bool shaped = d.size() == 10 && d[4] == '-' && d[7] == '-';
        const auto parsed = shaped ? parse_iso8601(d) : std::nullopt;
        if (!parsed || format_iso8601(*parsed).substr(0, 10) != d) {
            return ctx.error(at("client_secret_expires"), join_key(key, "client_secret_expires"),
                             fmt::format("'{}' is not a date such as 2027-05-01", d));
        }
    }
    return {};
}

}  // namespace

row<config> sp_api_row() {
    return row<config>{
        "sp_api",
        [](const map_entry& e, const std::string& key, config& c, parse_context& ctx) -> status {
            sp_api_config value;
            const position at = position_of(e.key.Mark());
            if (auto s = parse_map(e.value, key, at, sp_api_rows(), value, ctx); !s)
                return s;
            if (auto s = check_sp_api(value, key, at, ctx); !s)
                return s;
            c.sp_api = std::move(value);
            return {};
        },
        [](YAML::Emitter& out, const config& c) {
            if (!c.sp_api)
                return;
            out << YAML::Key << "sp_api" << YAML::Value;
            emit_map(out, sp_api_rows(), *c.sp_api);
        },
        false,
        "Fetch the seller's data from Amazon's Selling Partner API. Without this section "
        "nothing is fetched and export files work as before.",
        "map",
        false,
        [](const std::string& key, const config*, std::vector<key_doc>& out) {
            const sp_api_config defaults;
            document_table(sp_api_rows(), key, &defaults, out);
        }};
}

}  // namespace shd::config::detail
