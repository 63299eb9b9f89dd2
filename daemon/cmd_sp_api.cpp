// `sp-api check`: proves the `sp_api` credentials with an access token from
// Login with Amazon and one cheap call (getMarketplaceParticipations), and
// when something is wrong names it and what to do: the client ID or secret
// (invalid_client), the seller's authorisation (invalid_grant), a role the
// app lacks (403), TLS, or a host that cannot be reached. It also says which
// configured marketplaces the seller does not sell in. Exit 0 when all is
// well, 1 when a check failed, 2 for a bad or missing configuration.
// Nothing secret is printed: errors come from the transport, which redacts.
#include <fmt/format.h>

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "commands.hpp"
#include "common.hpp"
#include "core/clock.hpp"
#include "spapi/client.hpp"
#include "spapi/settings.hpp"

namespace shd::cli {
namespace {

using spapi::api_error;

struct finding {
    std::string problem;  // what is wrong, for people
    std::string advice;   // what to do about it
};

// What a failed step means for the person running the check.
finding diagnose(const api_error& e, std::string_view step) {
    finding f;
    f.problem = e.message;
    switch (e.what) {
        case api_error::kind::auth:
            if (e.code == "invalid_client")
                f.advice =
                    "Login with Amazon does not accept the app's client ID and secret: check "
                    "sp_api.client_id and sp_api.client_secret against the app's LWA credentials "
                    "in Developer Central; Amazon makes the secret expire every 180 days, so a "
                    "rotated secret must be stored again (docs/sp-api.md).";
            else if (e.code == "invalid_grant")
                f.advice =
                    "The refresh token is no longer valid: the seller revoked the app or the "
                    "authorisation lapsed. Authorise the app again in Seller Central and store "
                    "the new refresh token in sp_api.refresh_token (docs/sp-api.md).";
            else if (e.code == "unauthorized_client")
                f.advice = "The app may not use this refresh token: it was issued to another app.";
            else if (e.status == 403)
                f.advice = fmt::format(
                    "Amazon refused {} (403): the app lacks a role the call needs, or the "
                    "seller's authorisation predates the role. Add the roles in Developer "
                    "Central (docs/sp-api.md) and authorise the app again.",
                    step);
            else
                f.advice =
                    "Amazon refused the access token even after a fresh one: authorise the app "
                    "again and check that the endpoint matches the seller's region.";
            break;
        case api_error::kind::transport:
            if (e.message.find("TLS") != std::string::npos)
                f.advice =
                    "The TLS connection failed: the server's certificate is not trusted or "
                    "not valid for its name. For a private endpoint set sp_api.ca_file; behind "
                    "a TLS-inspecting proxy add the proxy's CA there.";
            else if (e.message.find("proxy") != std::string::npos)
                f.advice =
                    "The proxy did not open a tunnel: check sp_api.proxy or HTTPS_PROXY, its "
                    "credentials, and that it allows CONNECT to port 443.";
            else
                f.advice =
                    "The host cannot be reached: check the network, DNS, the firewall, and the "
                    "proxy (HTTPS_PROXY / NO_PROXY or sp_api.proxy).";
            break;
        case api_error::kind::throttled:
            f.advice = "Amazon throttled the call: wait a minute and check again.";
            break;
        case api_error::kind::server:
            f.advice = "Amazon answered with a server error: try again later.";
            break;
        case api_error::kind::request:
        case api_error::kind::decode:
            f.advice =
                "Amazon did not answer as expected: check sp_api.endpoint and sp_api.token_url.";
            break;
    }
    return f;
}

std::string_view kind_text(api_error::kind k) {
    switch (k) {
        case api_error::kind::auth:
            return "auth";
        case api_error::kind::throttled:
            return "throttled";
        case api_error::kind::transport:
            return "transport";
        case api_error::kind::server:
            return "server";
        case api_error::kind::request:
            return "request";
        case api_error::kind::decode:
            return "decode";
    }
    return "unknown";
}

nlohmann::json error_json(const api_error& e, const finding& f) {
    return {{"kind", kind_text(e.what)},
            {"status", e.status},
            {"code", e.code},
            {"problem", f.problem},
            {"advice", f.advice}};
}

}  // namespace

int sp_api_check(const global_options& g, bool as_json) {
    auto cfg = load_config_or_report(g.config_path);
    if (!cfg)
        return kExitUsage;
    if (!cfg->sp_api) {
        std::cerr << "seller-healthd: " << g.config_path
                  << ": no sp_api section: nothing to check (docs/sp-api.md)\n";
        return kExitUsage;
    }
    auto settings = spapi::make_client_settings(*cfg->sp_api, std::getenv("CREDENTIALS_DIRECTORY"));
    if (!settings) {
        std::cerr << "seller-healthd: " << g.config_path << ": " << settings.error().text << "\n";
        return kExitUsage;
    }
    // A check answers now: a failure is reported, not retried.
    settings->failure_retries = 0;
    const std::string endpoint = settings->endpoint;
    SystemClock clock;
    spapi::client client(std::move(*settings), clock,
                         [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); });

    nlohmann::json out = {{"endpoint", endpoint}};
    bool ok = true;
    const auto report_failure = [&](std::string_view step, const api_error& e) {
        const auto f = diagnose(e, step);
        out[std::string(step)] = error_json(e, f);
        ok = false;
        if (!as_json)
            std::cout << step << ": FAILED: " << f.problem << "\n  " << f.advice << "\n";
    };

    auto token = client.authorise();
    if (!token) {
        report_failure("token", token.error());
    } else {
        out["token"] = {{"ok", true}};
        if (!as_json)
            std::cout << "token: ok (Login with Amazon issued an access token)\n";
        auto call = client.get(spapi::operation::get_marketplace_participations,
                               "/sellers/v1/marketplaceParticipations");
        if (!call) {
            report_failure("getMarketplaceParticipations", call.error());
        } else {
            std::set<std::string> participating;
            nlohmann::json listed = nlohmann::json::array();
            const auto body = nlohmann::json::parse(call->body, nullptr, false);
            if (body.is_object() && body.contains("payload") && body["payload"].is_array()) {
                for (const auto& p : body["payload"]) {
                    if (!p.is_object() || !p.contains("marketplace"))
                        continue;
                    const std::string id = p["marketplace"].value("id", "");
                    const bool active = p.contains("participation") &&
                                        p["participation"].value("isParticipating", false);
                    listed.push_back({{"id", id},
                                      {"name", p["marketplace"].value("name", "")},
                                      {"participating", active}});
                    if (active)
                        participating.insert(id);
                }
            }
            out["getMarketplaceParticipations"] = {{"ok", true}, {"marketplaces", listed}};
            if (!as_json) {
                std::cout << "getMarketplaceParticipations: ok (" << listed.size()
                          << " marketplaces)\n";
            }
            nlohmann::json missing = nlohmann::json::array();
            for (const auto& id : cfg->sp_api->marketplaces) {
                if (!participating.count(id)) {
                    missing.push_back(id);
                    ok = false;
                    if (!as_json)
                        std::cout << "marketplaces: FAILED: " << id
                                  << " is in sp_api.marketplaces but the seller does not sell "
                                     "there\n  Remove it from sp_api.marketplaces.\n";
                }
            }
            out["marketplaces_not_participating"] = missing;
            if (!as_json && missing.empty())
                std::cout << "marketplaces: ok (the seller sells in every configured one)\n";
        }
    }
    out["ok"] = ok;
    if (as_json)
        std::cout << out.dump(2) << "\n";
    return ok ? kExitOk : kExitFailure;
}

}  // namespace shd::cli
