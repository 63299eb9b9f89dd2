#include "service/daemon.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <csignal>
#include <cstdlib>
#include <optional>

#include "alerts/silence_store.hpp"
#include "alerts/silences.hpp"
#include "core/listen_address.hpp"
#include "delivery/dispatcher.hpp"
#include "http/server.hpp"
#include "ingest/folder_watch.hpp"
#include "ingest/importer.hpp"
#include "ingest/inbox.hpp"
#include "report/status_json.hpp"
#include "service/cycle.hpp"
#include "service/dashboard_data.hpp"
#include "service/delivery.hpp"
#include "service/routes.hpp"
#include "service/spapi_poll.hpp"
#include "service/systemd_notify.hpp"
#include "spapi/source_status.hpp"
#include "web/snapshot.hpp"

namespace shd::service {
namespace {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;
using std::chrono::seconds;

// Files closed within this long of each other share a cycle.
constexpr std::chrono::milliseconds kArrivalDebounce{250};
constexpr std::chrono::seconds kInboxPeek{1};
// Even with nothing due, delivery looks again now and then, so a row written
// by another process (or a clock jump) is not stranded.
constexpr seconds kLongestDeliverySleep{60};
constexpr seconds kDatabaseRetry{10};
// A cycle with no progress (no new file started) for this long is stuck: the
// watchdog ping is withheld so systemd restarts the service.
constexpr std::chrono::minutes kStuckCycle{15};
// One thread per lane: the cycle and delivery each run one job at a time.
constexpr std::size_t kWorkerThreads = 2;

// Another thread may be logging: flush, but do not tear the logger down.
[[noreturn]] void exit_now(int code) {
    if (auto logger = spdlog::default_logger())
        logger->flush();
    std::_Exit(code);
}

struct cycle_outcome {
    cycle_report report;
    std::chrono::duration<double> took{};    // the whole cycle, by the clock
    std::optional<web::snapshot> dashboard;  // history, alerts, DB counters
    bool history_loaded = false;             // else the last snapshot's history still holds
    std::vector<spapi::source_state> sp_api_sources;  // with an sp_api section
    std::optional<std::string> broken;                // a logic_error on the worker
    // For /api/status, as `status --json` adds them: the silences and the
    // open alerts with their acks (alerts/silences.hpp).
    std::optional<std::vector<alerts::silence>> silences;
    std::vector<alerts::quiet_alert> quiet_alerts;
};

struct delivery_outcome {
    result<delivery::dispatch_summary, error_message> summary = error_message{"not run"};
    bool database_unavailable = false;
    instant as_of;
};

class daemon_loop {
  public:
    daemon_loop(daemon_options options, store::database db, const Clock& clock)
        : options_(std::move(options)),
          cfg_(options_.cfg),
          clock_(clock),
          started_at_(clock.now()),
          db_(std::move(db)),
          importer_(db_, clock_, cfg_->default_marketplace),
          inbox_(cfg_->inbox, clock_),
          runner_(db_, inbox_, importer_),
          dispatcher_(make_dispatch_options()) {
        sync_channel_counters(*cfg_);
    }

    ~daemon_loop() {
        // Leaving by an exception: the pool is joined below, so a delivery in
        // flight must not start its next send.
        stop_requested_ = true;
        // The descriptor belongs to the folder_watch; asio must not close it too.
        if (watch_fd_)
            watch_fd_->release();
    }

    int run() {
        // A link or a foreign owner where files are moved to is refused
        // before anything runs (ingest/inbox.hpp).
        if (auto checked = inbox_.check_folders(); !checked) {
            spdlog::error("cannot start: {}", checked.error().text);
            return 1;
        }
        wait_for_signal();
        open_watch();
        if (!cfg_->http.listen.empty()) {
            auto bound = bind_http(cfg_->http.listen);
            if (!bound) {
                spdlog::error("{}", bound.error().text);
                return 1;
            }
            http_ = std::move(*bound);
            http_listen_ = cfg_->http.listen;
        }
        if (auto wd = systemd::watchdog_interval()) {
            watchdog_period_ = std::chrono::duration_cast<steady::duration>(*wd / 2);
            arm_watchdog();
        }
        spdlog::info("watching {} (full scan every {}s){}", cfg_->inbox.string(),
                     cfg_->poll_interval.count(),
                     http_ ? fmt::format("; http endpoint on {}", http_listen_) : "");
        systemd::notify("READY=1\n" + systemd::status_assignment("starting: first cycle"));
        request_cycle();
        arm_poll();
        arm_peek();
        request_delivery();  // whatever an earlier run left owed
        ioc_.run();
        spdlog::info("stopped");
        return 0;
    }

  private:
    delivery::dispatch_options make_dispatch_options() {
        delivery::dispatch_options o;
        o.should_stop = [this] { return stop_requested_.load(); };
        o.take_over_claims = options_.owns_database;
        return o;
    }

    // ---- signals, reload, shutdown ----

    void wait_for_signal() {
        signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
            if (ec)
                return;
            if (signo == SIGHUP) {
                if (!stopping_)
                    reload();
            } else if (stopping_) {
                spdlog::warn("signal {} again: exiting now", signo);
                exit_now(0);
            } else {
                begin_shutdown(signo);
            }
            wait_for_signal();
        });
    }

    // A reload must never end the process: whatever the new file makes the
    // loader do, it becomes an error and the running configuration stays.
    result<config::config, config::config_error> load_config_for_reload() const {
        try {
            return config::load_config(options_.config_path);
        } catch (const std::exception& e) {
            return config::config_error{options_.config_path.string(), 0, 0, "",
                                        std::string("cannot load: ") + e.what()};
        }
    }

    void reload() {
        systemd::notify("RELOADING=1");
        auto next = load_config_for_reload();
        if (!next) {
            spdlog::error("reload: {}; keeping the current configuration",
                          next.error().to_string());
            systemd::notify("READY=1");
            return;
        }
        if (next->database != cfg_->database || next->inbox != cfg_->inbox) {
            spdlog::warn("reload: database and inbox apply only after a restart");
            next->database = cfg_->database;
            next->inbox = cfg_->inbox;
        }
        if (*next == *cfg_) {
            spdlog::info("reload: configuration unchanged");
            systemd::notify("READY=1");
            return;
        }
        if (next->http.listen != http_listen_)
            next->http.listen = move_http(next->http.listen);
        const bool poll_changed = next->poll_interval != cfg_->poll_interval;
        spdlog::set_level(spdlog::level::from_str(next->log_level));
        cfg_ = std::make_shared<const config::config>(std::move(*next));
        sync_channel_counters(*cfg_);
        if (poll_changed)
            arm_poll();
        spdlog::info("reload: configuration applied");
        systemd::notify("READY=1");
        request_cycle();
        request_delivery();
    }

    void begin_shutdown(int signo) {
        spdlog::info("stopping on signal {}", signo);
        stopping_ = true;
        stop_requested_ = true;
        systemd::notify("STOPPING=1");
        poll_timer_.cancel();
        peek_timer_.cancel();
        settle_timer_.cancel();
        debounce_timer_.cancel();
        delivery_timer_.cancel();
        watchdog_timer_.cancel();
        http_.reset();
        if (watch_fd_) {
            watch_fd_->release();
            watch_fd_.reset();
        }
        watch_.reset();
        if (delivery_running_) {
            grace_timer_.expires_after(options_.shutdown_grace);
            grace_timer_.async_wait([this](const boost::system::error_code& ec) {
                if (ec)
                    return;
                grace_over_ = true;
                maybe_finish();
            });
        }
        maybe_finish();
    }

    // Ends the loop once the cycle has finished and delivery is done or has
    // had its grace period.
    void maybe_finish() {
        if (!stopping_ || cycle_running_)
            return;
        if (delivery_running_ && !grace_over_)
            return;
        if (delivery_running_) {
            spdlog::warn(
                "a delivery was still in flight after {} s; it stays owed and is sent again once "
                "its claim expires",
                options_.shutdown_grace.count());
            exit_now(0);
        }
        grace_timer_.cancel();
        signals_.cancel();
        ioc_.stop();
    }

    // ---- inbox arrivals and timers ----

    void open_watch() {
        watch_.emplace(cfg_->inbox);
        if (watch_->fd() < 0)
            return;
        watch_fd_.emplace(ioc_, watch_->fd());
        wait_for_arrival();
    }

    void wait_for_arrival() {
        watch_fd_->async_wait(
            asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
                if (ec || !watch_)
                    return;
                std::vector<std::string> complete;
                if (watch_->drain(&complete)) {
                    for (auto& name : complete)
                        inbox_.note_complete(std::move(name));
                    debounce_timer_.expires_after(kArrivalDebounce);
                    debounce_timer_.async_wait([this](const boost::system::error_code& e) {
                        if (!e)
                            request_cycle();
                    });
                }
                wait_for_arrival();
            });
    }

    void arm_poll() {
        poll_timer_.expires_after(cfg_->poll_interval);
        poll_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (ec)
                return;
            request_cycle();
            arm_poll();
        });
    }

    // Without a working inotify watch, a look at the inbox folder's own
    // modification time every second (a stat, on the loop) stands in for it:
    // a name added or renamed in changes it, and a cycle is asked for, so a
    // file dropped in is still taken within about two seconds and not only
    // at the next poll_interval.
    void arm_peek() {
        peek_timer_.expires_after(kInboxPeek);
        peek_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (ec)
                return;
            if (!watch_ || !watch_->active()) {
                struct stat st {};
                if (::stat(cfg_->inbox.c_str(), &st) == 0) {
                    const auto stamp = std::pair{st.st_mtim.tv_sec, st.st_mtim.tv_nsec};
                    if (inbox_stamp_ && *inbox_stamp_ != stamp)
                        request_cycle();
                    inbox_stamp_ = stamp;
                }
            }
            arm_peek();
        });
    }

    void arm_watchdog() {
        watchdog_timer_.expires_after(watchdog_period_);
        watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (ec)
                return;
            const auto last_progress =
                steady::time_point(steady::duration(cycle_heartbeat_.load()));
            const bool stuck =
                cycle_started_ &&
                steady::now() - std::max(*cycle_started_, last_progress) > kStuckCycle;
            if (!stuck) {
                systemd::notify("WATCHDOG=1");
            } else if (!warned_stuck_) {
                spdlog::error("a cycle has run for more than {} min; withholding the watchdog",
                              kStuckCycle.count());
                warned_stuck_ = true;
            }
            arm_watchdog();
        });
    }

    // ---- the cycle lane ----

    void request_cycle() {
        if (stopping_)
            return;
        if (cycle_running_) {
            cycle_again_ = true;
            return;
        }
        start_cycle();
    }

    void start_cycle() {
        cycle_running_ = true;
        cycle_again_ = false;
        cycle_started_ = steady::now();
        if (watch_)
            watch_->arm();
        auto cfg = cfg_;
        const instant now = clock_.now();
        const bool with_dashboard = http_ != nullptr;
        const bool have_history = snapshot_ && !snapshot_->history.empty();
        asio::post(pool_, [this, cfg, now, with_dashboard, have_history] {
            cycle_outcome out;
            try {
                // The SP-API sources first, so the cycle evaluates what came.
                try {
                    spapi_.poll(*cfg);
                } catch (const std::runtime_error& e) {
                    spdlog::error("sp-api: {}", e.what());
                }
                out.report = runner_.run(*cfg, now, [this] {
                    // Asked before each file: the watchdog sees progress, not
                    // one long cycle.
                    cycle_heartbeat_ = steady::now().time_since_epoch().count();
                    return stop_requested_.load();
                });
                // For /api/status and the dashboard: per source, the last
                // successful fetch and the newest data, as `status` shows.
                if (cfg->sp_api && out.report.evaluation)
                    out.sp_api_sources = spapi::load_source_states_or_none(db_);
                if (with_dashboard && out.report.evaluation && !stop_requested_) {
                    try {
                        auto silences = alerts::load_silences(db_.handle());
                        out.quiet_alerts =
                            alerts::quiet_alerts(alerts::load_open_alerts(db_.handle()), silences,
                                                 alerts::load_open_acks(db_.handle()), now);
                        out.silences = std::move(silences);
                    } catch (const SQLite::Exception& e) {
                        spdlog::warn("reading the silences failed: {}", e.what());
                    }
                    web::snapshot extra;
                    const bool with_history = !have_history || out.report.history_rows > 0;
                    if (auto loaded = load_dashboard_data(db_, now, extra, with_history); loaded) {
                        out.dashboard = std::move(extra);
                        out.history_loaded = with_history;
                    } else {
                        spdlog::warn("{}", loaded.error().text);
                    }
                }
            } catch (const std::exception& e) {
                out.broken = e.what();
            }
            out.took = clock_.now() - now;
            asio::post(ioc_,
                       [this, out = std::move(out)]() mutable { on_cycle_done(std::move(out)); });
        });
    }

    void on_cycle_done(cycle_outcome out) {
        cycle_running_ = false;
        cycle_started_.reset();
        warned_stuck_ = false;
        if (out.broken)
            throw std::logic_error(*out.broken);
        const cycle_report& r = out.report;
        ++counters_.cycles;
        counters_.cycle_durations.observe(out.took.count());
        if (r.failed)
            ++counters_.cycle_failures;
        counters_.files_imported += r.inbox.imported;
        counters_.files_rejected += r.inbox.rejected;
        counters_.files_already_imported += r.inbox.already_imported;
        if (r.inbox.scanned) {
            inbox_unreadable_.clear();
            for (const auto& u : r.inbox.unreadable)
                inbox_unreadable_.push_back({u.name, u.reason});
        }
        log_cycle(r);
        if (r.evaluation)
            publish(out);
        if (out.report.alerts && out.report.alerts->outbox_rows > 0)
            request_delivery();
        if (stopping_)
            return maybe_finish();
        if (out.report.inbox.waiting > 0) {
            // Just past the settle gap, so the next scan may take what this one saw.
            settle_timer_.expires_after(ingest::kSettleGap + std::chrono::milliseconds{100});
            settle_timer_.async_wait([this](const boost::system::error_code& ec) {
                if (!ec)
                    request_cycle();
            });
        }
        if (cycle_again_)
            start_cycle();
    }

    void publish(cycle_outcome& out) {
        auto next = std::make_shared<web::snapshot>();
        next->account = cfg_->account;
        next->display_time_zone = cfg_->display_time_zone;
        next->version = options_.version;
        next->started_at = started_at_;
        next->status_json =
            report::with_inbox_json(report::status_json(*out.report.evaluation), inbox_unreadable_);
        if (cfg_->sp_api) {
            next->status_json = spapi::with_sources_json(next->status_json, out.sp_api_sources);
            for (const auto& st : out.sp_api_sources)
                next->sp_api_sources.push_back({st.source, st.marketplace_id, st.last_success_at,
                                                st.newest_data_at, st.last_error, st.behind});
        }
        if (out.silences) {
            next->status_json = alerts::with_quiet_json(
                next->status_json, *out.silences, out.quiet_alerts, out.report.evaluation->as_of);
        }
        next->inbox_unreadable = inbox_unreadable_;
        // Only the loop thread reads snapshots, and only while it renders a
        // request, so the old one's data can move over when none was read
        // this time (history not stored, endpoint just enabled, a read error).
        if (out.dashboard && out.history_loaded)
            next->history = std::move(out.dashboard->history);
        else if (snapshot_)
            next->history = std::move(snapshot_->history);
        if (out.dashboard) {
            next->alerts = std::move(out.dashboard->alerts);
            next->silences = std::move(out.dashboard->silences);
            db_counters_ = out.dashboard->counters;
        } else if (snapshot_) {
            next->alerts = snapshot_->alerts;
            next->silences = snapshot_->silences;
        }
        // Health means alerting works, not only evaluation.
        if (out.report.alerts)
            next->alerts_decided_at = out.report.evaluation->as_of;
        else if (snapshot_)
            next->alerts_decided_at = snapshot_->alerts_decided_at;
        next->evaluation = std::move(out.report.evaluation);
        next->counters = live_counters();
        snapshot_ = std::move(next);
        ++snapshot_generation_;
        if (out.report.status_line != last_status_) {
            last_status_ = out.report.status_line;
            systemd::notify(systemd::status_assignment(last_status_));
        }
    }

    // One entry per configured channel, in config order; a channel that
    // stays (by name) keeps its counts across a reload.
    void sync_channel_counters(const config::config& cfg) {
        std::vector<web::channel_delivery_counters> next;
        for (const auto& channel : cfg.alerts.channels) {
            const auto known = std::find_if(
                counters_.channels.begin(), counters_.channels.end(),
                [&](const web::channel_delivery_counters& c) { return c.channel == channel.name; });
            web::channel_delivery_counters fresh;
            fresh.channel = channel.name;
            next.push_back(known != counters_.channels.end() ? *known : fresh);
        }
        counters_.channels = std::move(next);
    }

    void count_attempts(const std::vector<delivery::dispatch_summary::attempt>& attempts) {
        for (const auto& a : attempts) {
            auto c = std::find_if(
                counters_.channels.begin(), counters_.channels.end(),
                [&](const web::channel_delivery_counters& k) { return k.channel == a.channel; });
            if (c == counters_.channels.end())
                continue;  // removed by a reload while it was sent
            c->send_durations.observe(a.took.count());
            switch (a.result) {
                case delivery::send_outcome::kind::delivered:
                    ++c->delivered;
                    break;
                case delivery::send_outcome::kind::retry:
                    ++c->failed;
                    break;
                case delivery::send_outcome::kind::rejected:
                    ++c->dead;
                    break;
            }
        }
    }

    // The daemon's own counts, with what the last cycle read from the database.
    web::service_counters live_counters() const {
        web::service_counters c = counters_;
        c.last_import_at = db_counters_.last_import_at;
        c.outbox_pending = db_counters_.outbox_pending;
        c.active_at_risk = db_counters_.active_at_risk;
        c.active_breached = db_counters_.active_breached;
        c.alerts_acknowledged = db_counters_.alerts_acknowledged;
        c.alerts_silenced = db_counters_.alerts_silenced;
        return c;
    }

    // ---- the delivery lane ----

    void request_delivery() {
        if (stopping_)
            return;
        if (delivery_running_) {
            delivery_again_ = true;
            return;
        }
        start_delivery();
    }

    void start_delivery() {
        delivery_running_ = true;
        delivery_again_ = false;
        delivery_timer_.cancel();
        auto cfg = cfg_;
        const instant now = clock_.now();
        asio::post(pool_, [this, cfg, now] {
            delivery_outcome out;
            out.as_of = now;
            if (!delivery_db_) {
                // Busy (a long import holds the write lock) or briefly
                // unavailable: tried again soon rather than left unsent.
                auto opened = store::database::open(cfg->database);
                if (opened) {
                    delivery_db_.emplace(std::move(*opened));
                } else {
                    out.summary = error_message{"cannot open the database, will retry: " +
                                                opened.error().text};
                    out.database_unavailable = true;
                }
            }
            if (delivery_db_) {
                try {
                    out.summary = deliver_all_due(dispatcher_, *delivery_db_, *cfg, clock_);
                } catch (const std::exception& e) {
                    // A sender that throws is a bug, but it must not end delivery.
                    out.summary = error_message{std::string("unexpected error: ") + e.what()};
                }
            }
            asio::post(ioc_, [this, out = std::move(out)] { on_delivery_done(out); });
        });
    }

    void on_delivery_done(const delivery_outcome& out) {
        delivery_running_ = false;
        log_delivery(out.summary);
        seconds sleep = kLongestDeliverySleep;
        if (out.summary) {
            counters_.deliveries += static_cast<std::int64_t>(out.summary->delivered);
            counters_.delivery_failures += static_cast<std::int64_t>(out.summary->retried);
            counters_.dead_letters += static_cast<std::int64_t>(out.summary->dead);
            count_attempts(out.summary->attempts);
            if (out.summary->next_due) {
                sleep = std::clamp<seconds>(*out.summary->next_due - out.as_of, seconds{1},
                                            kLongestDeliverySleep);
            }
        } else if (out.database_unavailable) {
            sleep = kDatabaseRetry;
        }
        if (stopping_)
            return maybe_finish();
        if (delivery_again_)
            return start_delivery();
        delivery_timer_.expires_after(sleep);
        delivery_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec)
                request_delivery();
        });
    }

    // ---- the HTTP endpoint ----

    // Moves the endpoint to `listen` ("" closes it) and returns where it is
    // now. The new address is bound before the old one closes, except on the
    // same port, which the old socket still holds: then the old one closes
    // first and is bound again if the new one fails.
    std::string move_http(const std::string& listen) {
        if (listen.empty()) {
            http_.reset();
            http_listen_.clear();
            spdlog::info("reload: http endpoint closed");
            return http_listen_;
        }
        const auto old_address = parse_listen_address(http_listen_);
        const auto new_address = parse_listen_address(listen);
        const bool same_port =
            http_ && old_address && new_address && old_address->port == new_address->port;
        if (same_port)
            http_.reset();
        auto bound = bind_http(listen);
        if (bound) {
            http_ = std::move(*bound);
            http_listen_ = listen;
            spdlog::info("reload: http endpoint on {}", listen);
            return http_listen_;
        }
        if (same_port) {
            auto back = bind_http(http_listen_);
            if (back) {
                http_ = std::move(*back);
            } else {
                spdlog::error("reload: {}", back.error().text);
                http_listen_.clear();
            }
        }
        spdlog::error("reload: {}; the endpoint stays {}", bound.error().text,
                      http_listen_.empty() ? "off" : "on " + http_listen_);
        return http_listen_;
    }

    result<std::unique_ptr<http::server>, error_message> bind_http(const std::string& listen) {
        auto address = parse_listen_address(listen);
        if (!address)
            return error_message{"http.listen: " + address.error().text};
        auto s = std::make_unique<http::server>(
            ioc_, [this](const http::request& req) { return answer(req); });
        if (auto bound = s->listen(*address); !bound)
            return bound.error();
        if (!is_loopback(*address)) {
            spdlog::warn(
                "the http endpoint on {} is reachable from the network and has no "
                "authentication",
                listen);
        }
        return s;
    }

    http::response answer(const http::request& req) {
        const instant now = clock_.now();
        static const web::snapshot empty;
        const web::snapshot& s = snapshot_ ? *snapshot_ : empty;
        if (req.path() == "/metrics") {
            // The counters move between cycles; the page's history does not
            // need to be copied for them.
            web::snapshot light;
            light.account = s.account;
            light.version = options_.version;
            light.started_at = started_at_;
            light.evaluation = s.evaluation;
            light.alerts = s.alerts;
            light.silences = s.silences;
            light.counters = live_counters();
            return route(req, light, now, cfg_->poll_interval);
        }
        if (req.path() == "/" || req.path() == "/index.html") {
            // The page takes milliseconds to render and changes only with the
            // snapshot (and its "N min ago"): a reload storm must not hold
            // up the loop.
            const auto minute = std::chrono::floor<std::chrono::minutes>(now);
            if (!page_cache_ || page_cache_->generation != snapshot_generation_ ||
                page_cache_->minute != minute) {
                page_cache_ = cached_page{snapshot_generation_, minute,
                                          route(req, s, now, cfg_->poll_interval)};
            }
            return page_cache_->page;
        }
        return route(req, s, now, cfg_->poll_interval);
    }

    struct cached_page {
        std::uint64_t generation = 0;
        std::chrono::sys_time<std::chrono::minutes> minute;
        http::response page;
    };

    daemon_options options_;
    std::shared_ptr<const config::config> cfg_;
    const Clock& clock_;
    const instant started_at_;

    // Owned by the loop thread.
    asio::io_context ioc_{1};
    asio::signal_set signals_{ioc_, SIGTERM, SIGINT, SIGHUP};
    asio::steady_timer poll_timer_{ioc_};
    asio::steady_timer settle_timer_{ioc_};
    asio::steady_timer peek_timer_{ioc_};
    std::optional<std::pair<time_t, long>> inbox_stamp_;  // the inbox's mtime at the last peek
    asio::steady_timer debounce_timer_{ioc_};
    asio::steady_timer delivery_timer_{ioc_};
    asio::steady_timer watchdog_timer_{ioc_};
    asio::steady_timer grace_timer_{ioc_};
    steady::duration watchdog_period_{};
    std::optional<ingest::folder_watch> watch_;
    std::optional<asio::posix::stream_descriptor> watch_fd_;
    std::unique_ptr<http::server> http_;
    std::string http_listen_;
    // Replaced whole after each cycle; only the loop thread touches it.
    std::shared_ptr<web::snapshot> snapshot_;
    std::uint64_t snapshot_generation_ = 0;
    std::optional<cached_page> page_cache_;
    web::service_counters counters_;
    web::service_counters db_counters_;
    std::vector<report::unreadable_inbox_file> inbox_unreadable_;  // as the last scan saw it
    std::string last_status_;
    bool stopping_ = false;
    bool grace_over_ = false;
    bool cycle_running_ = false;
    bool cycle_again_ = false;
    bool warned_stuck_ = false;
    std::optional<steady::time_point> cycle_started_;
    bool delivery_running_ = false;
    bool delivery_again_ = false;
    std::atomic<bool> stop_requested_{false};
    std::atomic<steady::rep> cycle_heartbeat_{0};  // steady ticks of the cycle's last step

    // The cycle lane: used by one pool job at a time.
    store::database db_;
    ingest::importer importer_;
    ingest::inbox inbox_;
    cycle_runner runner_;
    spapi_poller spapi_{db_, clock_};

    // The delivery lane: likewise.
    std::optional<store::database> delivery_db_;
    delivery::dispatcher dispatcher_;

    // Last, so it is destroyed first: its threads are joined before anything
    // they use goes away.
    asio::thread_pool pool_{kWorkerThreads};
};

}  // namespace

int run_daemon(daemon_options options, store::database db, const Clock& clock) {
    daemon_loop loop(std::move(options), std::move(db), clock);
    return loop.run();
}

}  // namespace shd::service
