#include <spdlog/spdlog.h>

#include <filesystem>
#include <system_error>

#include "commands.hpp"
#include "common.hpp"
#include "core/clock.hpp"
#include "ingest/importer.hpp"
#include "ingest/inbox.hpp"
#include "ingest/run_loop.hpp"
#include "store/database.hpp"

namespace shd::cli {

// `run --once`: one cycle, then exit (1 when something could not be done and
// will need another go: database trouble, a file that could not be moved).
// `run`: the loop, until SIGTERM/SIGINT (exit 0).
int run(const global_options& g, bool once) {
    auto cfg = load_config_or_report(g.config_path);
    if (!cfg)
        return kExitUsage;
    setup_logging(cfg->log_level);

    auto db = store::database::open(cfg->database);
    if (!db) {
        spdlog::error("{}", db.error().text);
        return kExitFailure;
    }
    std::error_code ec;
    std::filesystem::create_directories(cfg->inbox, ec);
    if (ec) {
        spdlog::error("cannot create inbox {}: {}", cfg->inbox.string(), ec.message());
        return kExitFailure;
    }

    SystemClock clock;
    ingest::importer importer(*db, clock, cfg->default_marketplace);
    ingest::inbox box(cfg->inbox, clock);
    // The cycle the lead extends with evaluation and alerting.
    auto cycle = [&] {
        const auto summary = ingest::process_inbox(box, importer);
        return ingest::cycle_outcome{summary.waiting > 0};
    };

    if (once) {
        const auto summary = ingest::process_inbox(box, importer);
        return summary.failed > 0 ? kExitFailure : kExitOk;
    }

    spdlog::info("watching {} (full scan every {}s)", cfg->inbox.string(),
                 cfg->poll_interval.count());
    ingest::run_loop loop({cfg->inbox, cfg->poll_interval, ingest::kDefaultSettleTime}, cycle);
    auto stopped = loop.run();
    if (!stopped) {
        spdlog::error("{}", stopped.error().text);
        return kExitFailure;
    }
    spdlog::info("stopping on signal {}", *stopped);
    return kExitOk;
}

}  // namespace shd::cli
