#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <system_error>
#include <thread>

#include "commands.hpp"
#include "common.hpp"
#include "core/clock.hpp"
#include "delivery/email.hpp"
#include "ingest/importer.hpp"
#include "ingest/inbox.hpp"
#include "service/cycle.hpp"
#include "service/daemon.hpp"
#include "service/delivery.hpp"
#include "service/spapi_poll.hpp"
#include "store/database.hpp"
#include "store/instance_lock.hpp"

namespace shd::cli {
namespace {

// `run --once` is run by hand or from cron right after files were copied in:
// without inotify, a file is taken once two scans a second apart saw it
// unchanged; the wait is short and bounded rather than a whole poll_interval.
constexpr std::chrono::seconds kOnceSettle{1};
constexpr int kOnceSettleRounds = 10;
// `wall` times the files' readiness; `as_of` is the instant the cycle
// imports (imported_at, so feed freshness replays too), evaluates, alerts and
// delivers at: now, or the --at of a replay.
int run_once(const config::config& cfg, store::database& db, const Clock& wall,
             std::optional<instant> as_of, bool owns_database) {
    const ManualClock replay(as_of.value_or(instant{}));
    ingest::importer importer(db, as_of ? static_cast<const Clock&>(replay) : wall,
                              cfg.default_marketplace);
    ingest::inbox box(cfg.inbox, wall, kOnceSettle);
    if (auto checked = box.check_folders(); !checked) {
        spdlog::error("cannot run: {}", checked.error().text);
        return kExitFailure;
    }
    service::cycle_runner runner(db, box, importer,
                                 as_of ? service::cycle_time::replay : service::cycle_time::clock);
    const Clock& clock = as_of ? static_cast<const Clock&>(replay) : wall;

    // Files still settling are waited for, briefly, so that the one cycle sees
    // everything that was dropped in before it started.
    service::cycle_report report;
    for (int round = 0;; ++round) {
        auto scan = box.scan();
        if (!scan || scan->waiting == 0 || round >= kOnceSettleRounds)
            break;
        std::this_thread::sleep_for(kOnceSettle);
    }
    // The SP-API sources that are due, as `run` fetches them before each
    // cycle, so this cycle evaluates what came.
    service::spapi_poller spapi(db, clock);
    bool fetch_failed = false;
    try {
        fetch_failed = !spapi.poll(cfg).ok();
    } catch (const std::runtime_error& e) {
        spdlog::error("sp-api: {}", e.what());
        fetch_failed = true;
    }
    report = runner.run(cfg, as_of.value_or(wall.now()));
    service::log_cycle(report);

    delivery::dispatch_options options;
    options.take_over_claims = owns_database;
    delivery::dispatcher dispatcher(options);
    auto delivered = service::deliver_all_due(dispatcher, db, cfg, clock);
    service::log_delivery(delivered);
    const bool delivery_failed = !delivered || delivered->retried + delivered->dead > 0;
    return report.failed || delivery_failed || fetch_failed || report.inbox.rejected > 0
               ? kExitFailure
               : kExitOk;
}

}  // namespace

// `run --once`: one cycle (fetch what is due from the SP-API, scan, import,
// evaluate, alert, deliver), then exit:
// 0 when everything went through, 1 when a file was rejected, an SP-API
// fetch or another step failed, or a delivery is still owed (it stays in the
// outbox for the next run). A failed fetch still lets the cycle evaluate and
// alert on what the store holds.
// `run`: the daemon (service/daemon.hpp), until SIGTERM/SIGINT (exit 0).
int run(const global_options& g, bool once, const std::optional<std::string>& at) {
    std::optional<instant> fixed_now;
    if (at) {
        fixed_now = parse_iso8601(*at);
        if (!once || !fixed_now) {
            std::cerr << "seller-healthd: "
                      << (!once ? "--at is only for run --once"
                                : "--at: not an ISO-8601 time with an offset or Z: '" + *at + "'")
                      << "\n";
            return kExitUsage;
        }
    }
    auto loaded = load_config_or_report(g.config_path);
    if (!loaded)
        return kExitUsage;
    auto cfg = std::make_shared<const config::config>(std::move(*loaded));
    setup_logging(cfg->log_level);
    // libcurl's global setup is not thread-safe: do it before any thread.
    delivery::init_email_transport();

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
    // The daemon owns the database for its whole life; `run --once` while it
    // can (store/instance_lock.hpp).
    auto lock = store::instance_lock::try_acquire(cfg->database);
    if (!lock) {
        spdlog::error("{}", lock.error().text);
        return kExitFailure;
    }
    if (once) {
        // A replay ahead of the clock would store future times (notices never
        // due, repeats stopped) under a daemon that lives at the real now.
        // How far --at may be ahead of the clock on a database a daemon holds.
        if (!*lock && fixed_now && *fixed_now > clock.now() + kFutureTolerance) {
            spdlog::error(
                "--at {} is in the future, and a running seller-healthd holds {}: a replay "
                "there would store times ahead of its clock; stop it first, or replay on a "
                "copy of the database",
                *at, cfg->database.string());
            return kExitUsage;
        }
        return run_once(*cfg, *db, clock, fixed_now, lock->has_value());
    }
    if (!*lock) {
        spdlog::warn("another seller-healthd process holds {} ({}); waiting for it to finish",
                     cfg->database.string(),
                     store::instance_lock::lock_path(cfg->database).string());
        auto waited = store::instance_lock::acquire(cfg->database);
        if (!waited) {
            spdlog::error("{}", waited.error().text);
            return kExitFailure;
        }
        lock->emplace(std::move(*waited));
    }
    service::daemon_options options{g.config_path, cfg, SHD_VERSION};
    options.owns_database = true;
    return service::run_daemon(std::move(options), std::move(*db), clock);
}

}  // namespace shd::cli
