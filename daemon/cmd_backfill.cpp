#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "core/clock.hpp"
#include "metrics/backfill.hpp"
#include "store/database.hpp"

namespace shd::cli {
namespace {

using json = nlohmann::ordered_json;

json summary_json(const metrics::backfill_summary& s, metrics::backfill_mode mode) {
    return json{{"mode", mode == metrics::backfill_mode::replace ? "replace" : "fill"},
                {"first_hour", format_iso8601(s.first_hour)},
                {"last_hour", format_iso8601(s.last_hour)},
                {"hours", s.hours},
                {"evaluated", s.evaluated},
                {"kept", s.kept},
                {"rows_written", s.rows_written},
                {"rows_removed", s.rows_removed}};
}

}  // namespace

// Exit 0 when every hour of the range was done, 1 when the database failed
// part-way (the hours before stay stored; a re-run completes the rest), 2 on
// bad usage or configuration.
int backfill(const global_options& g, const backfill_options& o) {
    if (o.days < 1 || o.days > metrics::kMaxBackfillDays) {
        std::cerr << "seller-healthd: --days must be 1.." << metrics::kMaxBackfillDays
                  << " (history older than that is pruned)\n";
        return kExitUsage;
    }
    std::optional<instant> until;
    if (o.at) {
        until = parse_iso8601(*o.at);
        if (!until) {
            std::cerr << "seller-healthd: --at: not an ISO-8601 time with an offset or Z: '"
                      << *o.at << "'\n";
            return kExitUsage;
        }
    }
    auto cfg = load_config_or_report(g.config_path);
    if (!cfg)
        return kExitUsage;
    setup_logging(cfg->log_level);
    auto db = store::database::open(cfg->database);
    if (!db) {
        spdlog::error("{}", db.error().text);
        return kExitFailure;
    }
    const SystemClock clock;
    const auto mode = o.replace ? metrics::backfill_mode::replace : metrics::backfill_mode::fill;
    // A 90-day run on a large seller takes minutes: say how far it is, every
    // tenth of the way.
    std::size_t next_report = 0;
    auto progress = [&](std::size_t done, std::size_t total) {
        if (done * 10 >= next_report * total && done < total) {
            spdlog::info("backfill: {} of {} hours", done, total);
            next_report = done * 10 / total + 1;
        }
    };
    auto done =
        metrics::backfill_history(*db, *cfg, until.value_or(clock.now()), o.days, mode, progress);
    if (!done) {
        spdlog::error("{}", done.error().text);
        return kExitFailure;
    }
    if (o.json) {
        std::cout << summary_json(*done, mode).dump(2) << "\n";
    } else {
        std::cout << fmt::format(
            "backfill: {} hours from {} to {}: {} evaluated ({} rows written{}), {} kept (already "
            "had a point)\n",
            done->hours, format_iso8601(done->first_hour), format_iso8601(done->last_hour),
            done->evaluated, done->rows_written,
            mode == metrics::backfill_mode::replace
                ? fmt::format(", {} rows of other points removed", done->rows_removed)
                : std::string(),
            done->kept);
    }
    std::cout.flush();
    return std::cout ? kExitOk : kExitFailure;
}

}  // namespace shd::cli
