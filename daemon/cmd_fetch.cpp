// `seller-healthd fetch --source NAME`: reads one source that the daemon
// fetches by itself, now, into the database, without evaluating or alerting
// (the next cycle does). Each source is its own function below.
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "core/clock.hpp"
#include "mailbox/poll.hpp"
#include "store/database.hpp"

namespace shd::cli {
namespace {

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
    auto db = store::database::open(loaded->database);
    if (!db) {
        spdlog::error("{}", db.error().text);
        return kExitFailure;
    }
    if (source == "mailbox")
        return fetch_mailbox(*loaded, *db, json);
    std::cerr << "seller-healthd: fetch: unknown source '" << source << "'\n";
    return kExitUsage;
}

}  // namespace shd::cli
