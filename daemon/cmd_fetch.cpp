// `seller-healthd fetch [--source NAME]`: reads the sources that the daemon
// fetches by itself, now, into the database, without evaluating or alerting
// (the next cycle does). Each source is its own function below: the mailbox,
// and the SP-API sources (all of them when no source is named).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "commands.hpp"
#include "common.hpp"
#include "core/clock.hpp"
#include "mailbox/poll.hpp"
#include "spapi/client.hpp"
#include "spapi/settings.hpp"
#include "spapi/sync.hpp"
#include "store/database.hpp"

namespace shd::cli {
namespace {

// The SP-API sources' JSON: keys in the order written.
using sp_json = nlohmann::ordered_json;

sp_json optional_time_json(const std::optional<instant>& t) {
    return t ? sp_json(format_iso8601(*t)) : sp_json(nullptr);
}

// The SP-API sources: orders, finances, feedback, performance.
int fetch_sp_api(const config::config& cfg, const std::string& source, bool as_json) {
    if (!cfg.sp_api) {
        std::cerr << "seller-healthd: fetch: the configuration has no sp_api section; nothing "
                     "to fetch\n";
        return kExitUsage;
    }
    std::optional<spapi::source_kind> only;
    if (!source.empty()) {
        only = spapi::parse_source_name(source);
        if (!only) {
            std::cerr << "seller-healthd: fetch: unknown source '" << source << "'\n";
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
    sp_json sources = sp_json::array();
    for (const auto& r : results) {
        all_ok = all_ok && r.ok;
        sources.push_back(
            sp_json{{"source", r.source},
                    {"marketplace_id",
                     r.marketplace_id.empty() ? sp_json(nullptr) : sp_json(r.marketplace_id)},
                    {"ok", r.ok},
                    {"requests", r.requests},
                    {"orders", r.orders},
                    {"records", r.records},
                    {"newest_data", optional_time_json(r.newest_data)},
                    {"behind", r.behind},
                    {"auth_failed", r.auth_failed},
                    {"message", r.message}});
        if (!as_json) {
            const std::string where =
                r.marketplace_id.empty() ? r.source : r.source + " " + r.marketplace_id;
            std::cout << fmt::format(
                "{}: {}: {} requests, {} orders, {} records, newest data {}{}\n", where,
                r.ok ? "ok" : "FAILED", r.requests, r.orders, r.records,
                r.newest_data ? format_iso8601(*r.newest_data) : "none",
                r.message.empty() ? "" : " (" + r.message + ")");
        }
    }
    if (as_json)
        std::cout << sp_json{{"ok", all_ok}, {"sources", sources}}.dump(2) << "\n";
    return all_ok ? kExitOk : kExitFailure;
}

// The mailbox (spec/sources.md "The mailbox"): every folder once, from where
// the last read stopped. Exit 1 when a folder could not be read.
int fetch_mailbox(const config::config& cfg, store::database& db, bool json) {
    if (!cfg.mailbox.enabled()) {
        std::cerr << "seller-healthd: fetch --source mailbox: " << cfg.source_path.string()
                  << " has no mailbox: section\n";
        return kExitUsage;
    }
    mailbox::init_mailbox_transport();
    SystemClock clock;
    auto polled = mailbox::poll_mailbox(db.handle(), cfg.mailbox, clock.now(),
                                        std::getenv("CREDENTIALS_DIRECTORY"));
    if (!polled) {
        spdlog::error("mailbox: {}", polled.error().text);
        if (json) {
            std::cout << nlohmann::json{{"source", "mailbox"},
                                        {"ok", false},
                                        {"errors", {polled.error().text}}}
                             .dump(2)
                      << "\n";
        }
        return kExitFailure;
    }
    const auto& s = *polled;
    if (json) {
        std::cout << nlohmann::json{{"source", "mailbox"},
                                    {"ok", !s.failed()},
                                    {"buyer_messages", s.buyer_messages},
                                    {"replies", s.replies},
                                    {"other", s.unrelated},
                                    {"skipped", s.skipped},
                                    {"folders_read", s.folders_read},
                                    {"imap_commands", s.imap_commands},
                                    {"imap_connections", s.imap_connections},
                                    {"errors", s.folder_errors}}
                         .dump(2)
                  << "\n";
    } else {
        std::cout << mailbox::describe(s) << "\n";
        for (const auto& e : s.folder_errors)
            std::cout << "  not read: " << e << "\n";
    }
    return s.failed() ? kExitFailure : kExitOk;
}

}  // namespace

int fetch(const global_options& g, const std::string& source, bool json) {
    auto loaded = load_config_or_report(g.config_path);
    if (!loaded)
        return kExitUsage;
    setup_logging(loaded->log_level);
    if (source != "mailbox")
        return fetch_sp_api(*loaded, source, json);
    auto db = store::database::open(loaded->database);
    if (!db) {
        spdlog::error("{}", db.error().text);
        return kExitFailure;
    }
    return fetch_mailbox(*loaded, *db, json);
}

}  // namespace shd::cli
