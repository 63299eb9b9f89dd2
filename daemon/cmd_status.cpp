#include <unistd.h>

#include <iostream>

#include "commands.hpp"
#include "common.hpp"
#include "core/clock.hpp"
#include "core/time.hpp"
#include "ingest/inbox.hpp"
#include "metrics/engine.hpp"
#include "report/inbox_status.hpp"
#include "report/status_json.hpp"
#include "report/status_table.hpp"
#include "store/database.hpp"

namespace shd::cli {

// Read-only: opens the database read-only and never stores results (the
// daemon's run cycle does that), so it is safe beside a running daemon.
int status(const global_options& g, const std::optional<std::string>& at, bool json) {
    auto cfg = load_config_or_report(g.config_path);
    if (!cfg)
        return kExitUsage;

    instant as_of = SystemClock{}.now();
    if (at) {
        auto parsed = parse_iso8601(*at);
        if (!parsed) {
            std::cerr << "seller-healthd: --at: not an ISO-8601 time with an offset or a date: "
                      << *at << "\n";
            return kExitUsage;
        }
        as_of = *parsed;
    }

    auto db = store::database::open(cfg->database, store::open_options{.read_only = true});
    if (!db) {
        std::cerr << "seller-healthd: " << db.error().text << "\n";
        return kExitFailure;
    }
    auto evaluated = metrics::evaluate(*db, *cfg, as_of);
    if (!evaluated) {
        std::cerr << "seller-healthd: " << evaluated.error().text << "\n";
        return kExitFailure;
    }
    // The inbox as this process sees it (run `status` as the service's user
    // for the daemon's view): entries that would not be read. Nothing in it
    // is read or moved.
    std::vector<report::unreadable_inbox_file> unreadable;
    // No inbox yet (the daemon makes it): nothing in it to tell about.
    std::error_code ec;
    if (std::filesystem::exists(cfg->inbox, ec)) {
        if (auto surveyed = ingest::survey_inbox(cfg->inbox); surveyed) {
            for (auto& u : *surveyed)
                unreadable.push_back({std::move(u.name), std::move(u.reason)});
        } else {
            std::cerr << "seller-healthd: " << surveyed.error().text << "\n";
        }
    }
    if (json) {
        std::cout << report::with_inbox_json(report::status_json(*evaluated), unreadable) << "\n";
    } else {
        std::cout << report::status_table(*evaluated,
                                          report::table_options{.color = ::isatty(1) == 1})
                  << report::inbox_status_table(unreadable);
    }
    std::cout.flush();
    return std::cout ? kExitOk : kExitFailure;
}

}  // namespace shd::cli
