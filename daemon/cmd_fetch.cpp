// `seller-healthd fetch`: one pass of the configured sources now, printing
// what each fetched (docs/cli.md). The SP-API part lives in fetch_sp_api.
#include <fmt/format.h>

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "commands.hpp"
#include "common.hpp"
#include "core/clock.hpp"
#include "spapi/client.hpp"
#include "spapi/settings.hpp"
#include "spapi/sync.hpp"
#include "store/database.hpp"

namespace shd::cli {
namespace {

using json = nlohmann::ordered_json;

json optional_time_json(const std::optional<instant>& t) {
    return t ? json(format_iso8601(*t)) : json(nullptr);
}

// The SP-API sources: orders, finances, feedback, performance.
int fetch_sp_api(const config::config& cfg, const fetch_options& o) {
    if (!cfg.sp_api) {
        std::cerr << "seller-healthd: fetch: the configuration has no sp_api section; nothing "
                     "to fetch\n";
        return kExitUsage;
    }
    std::optional<spapi::source_kind> only;
    if (o.source) {
        only = spapi::parse_source_name(*o.source);
        if (!only) {
            std::cerr << "seller-healthd: fetch: unknown source '" << *o.source << "'\n";
            return kExitUsage;
        }
    }
    auto settings = spapi::make_client_settings(*cfg.sp_api, std::getenv("CREDENTIALS_DIRECTORY"));
    if (!settings) {
        std::cerr << "seller-healthd: " << settings.error().text << "\n";
        return kExitUsage;
    }
    auto db = store::database::open(cfg.database);
    if (!db) {
        std::cerr << "seller-healthd: " << db.error().text << "\n";
        return kExitFailure;
    }
    SystemClock clock;
    const spapi::client::sleeper sleep = [](std::chrono::milliseconds d) {
        std::this_thread::sleep_for(d);
    };
    spapi::client api(std::move(*settings), clock, sleep);
    spapi::syncer sync(*db, api, clock, sleep, cfg);
    const auto results = sync.run_now(only);

    bool all_ok = true;
    json sources = json::array();
    for (const auto& r : results) {
        all_ok = all_ok && r.ok;
        sources.push_back(json{
            {"source", r.source},
            {"marketplace_id", r.marketplace_id.empty() ? json(nullptr) : json(r.marketplace_id)},
            {"ok", r.ok},
            {"requests", r.requests},
            {"orders", r.orders},
            {"records", r.records},
            {"newest_data", optional_time_json(r.newest_data)},
            {"behind", r.behind},
            {"auth_failed", r.auth_failed},
            {"message", r.message}});
        if (!o.json) {
            const std::string where =
                r.marketplace_id.empty() ? r.source : r.source + " " + r.marketplace_id;
            std::cout << fmt::format(
                "{}: {}: {} requests, {} orders, {} records, newest data {}{}\n", where,
                r.ok ? "ok" : "FAILED", r.requests, r.orders, r.records,
                r.newest_data ? format_iso8601(*r.newest_data) : "none",
                r.message.empty() ? "" : " (" + r.message + ")");
        }
    }
    if (o.json)
        std::cout << json{{"ok", all_ok}, {"sources", sources}}.dump(2) << "\n";
    return all_ok ? kExitOk : kExitFailure;
}

}  // namespace

int fetch(const global_options& g, const fetch_options& o) {
    auto cfg = load_config_or_report(g.config_path);
    if (!cfg)
        return kExitUsage;
    return fetch_sp_api(*cfg, o);
}

}  // namespace shd::cli
