// Benchmark of the HTTP endpoint (issue #6): a daemon that has kept 90 days
// of hourly history for two marketplaces (every metric, channel and window:
// about 78,000 metric_results rows) and 200 finished alert episodes. Times
// what a cycle adds when the endpoint is on (reading the dashboard's data),
// rendering the page and the Prometheus text, and requests through the real
// server on 127.0.0.1; prints the sizes and the snapshot's memory.
//
// Usage: endpoint_bench [--runs N]. Figures go to docs/performance.md,
// "HTTP endpoint".
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/metric_catalog.hpp"
#include "http/server.hpp"
#include "metrics/history.hpp"
#include "net/http_client.hpp"
#include "service/dashboard_data.hpp"
#include "service/routes.hpp"
#include "store/database.hpp"
#include "web/dashboard.hpp"
#include "web/prometheus.hpp"

namespace {

using namespace shd;
using clock_type = std::chrono::steady_clock;

constexpr int kDays = 90;
const instant kNow = from_unix(1772323200);  // 2026-03-01T00:00:00Z

template <class F>
double median_ms(int runs, F&& f) {
    std::vector<double> times;
    for (int i = 0; i < runs; ++i) {
        const auto start = clock_type::now();
        f();
        times.push_back(
            std::chrono::duration<double, std::milli>(clock_type::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

// Every row an evaluation of two marketplaces has, with rates that drift.
metrics::evaluation evaluation_at(instant t, std::mt19937& random) {
    metrics::evaluation e;
    e.as_of = t;
    std::uniform_real_distribution<double> wobble(-0.002, 0.002);
    for (const char* marketplace : {"A1F83G8C2ARO7P", "ATVPDKIKX0DER"}) {
        for (const auto& m : all_metrics()) {
            for (const auto channel : m.channels) {
                for (const int window : m.default_windows) {
                    metrics::metric_result r;
                    r.metric = m.key;
                    r.marketplace_id = marketplace;
                    r.channel = std::string(channel);
                    r.window_days = window;
                    r.denominator = 500;
                    const double base = m.direction == metric_direction::lower_is_better
                                            ? m.default_warn * 0.7
                                            : (m.default_warn + 1) / 2;
                    r.rate = std::clamp(base + wobble(random), 0.0, 1.0);
                    r.numerator = static_cast<std::int64_t>(*r.rate * 500);
                    r.target = m.default_target;
                    r.warn = m.default_warn;
                    r.status = metrics::metric_status::ok;
                    r.headroom = 3;
                    r.low_volume = false;
                    r.min_orders = 100;
                    r.window = {t - std::chrono::days{window}, t};
                    e.metrics.push_back(std::move(r));
                }
            }
        }
    }
    std::sort(e.metrics.begin(), e.metrics.end(), metrics::result_order);
    return e;
}

long peak_rss_kb() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
    int runs = 9;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == "--runs")
            runs = std::max(1, std::atoi(argv[i + 1]));

    const auto dir = std::filesystem::temp_directory_path() / "shd-endpoint-bench";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto opened = store::database::open(dir / "bench.sqlite");
    if (!opened) {
        fmt::print(stderr, "{}\n", opened.error().text);
        return 1;
    }
    store::database db = std::move(*opened);

    std::mt19937 random(1);
    metrics::evaluation latest;
    const auto fill_start = clock_type::now();
    for (int hour = kDays * 24; hour >= 0; --hour) {
        latest = evaluation_at(kNow - std::chrono::hours{hour}, random);
        if (auto stored = metrics::store_results(db, latest); !stored) {
            fmt::print(stderr, "{}\n", stored.error().text);
            return 1;
        }
    }
    {
        SQLite::Transaction tx(db.handle());
        SQLite::Statement insert(db.handle(),
                                 "INSERT INTO alert_history (fingerprint, severity, episode_start,"
                                 " resolved_at) VALUES (?1, 'at_risk', ?2, ?3)");
        for (int i = 0; i < 200; ++i) {
            insert.reset();
            insert.bind(1, fmt::format("message_deadline|M{}", i));
            insert.bind(2, static_cast<std::int64_t>(to_unix(kNow) - 86400LL * (i % 90) - 7200));
            insert.bind(3, static_cast<std::int64_t>(to_unix(kNow) - 86400LL * (i % 90)));
            insert.exec();
        }
        tx.commit();
    }
    const double fill_s = std::chrono::duration<double>(clock_type::now() - fill_start).count();
    const auto history_rows =
        db.handle().execAndGet("SELECT COUNT(*) FROM metric_results").getInt64();

    web::snapshot snap;
    snap.account = "Benchmark seller";
    snap.version = "bench";
    snap.started_at = kNow - std::chrono::days{1};
    snap.evaluation = latest;
    const double load_ms = median_ms(runs, [&] {
        web::snapshot fresh;
        if (!service::load_dashboard_data(db, kNow, fresh))
            std::abort();
        snap.history = std::move(fresh.history);
        snap.alerts = std::move(fresh.alerts);
        snap.counters = fresh.counters;
    });
    // A cycle that stored no history (most of them) reads only the rest.
    const double load_without_history_ms = median_ms(runs, [&] {
        web::snapshot fresh;
        if (!service::load_dashboard_data(db, kNow, fresh, false))
            std::abort();
    });
    std::string page, exposition;
    const double page_ms = median_ms(runs, [&] { page = web::render_dashboard(snap, kNow); });
    const double prom_ms =
        median_ms(runs, [&] { exposition = web::render_prometheus(snap, kNow); });
    const double history_mb =
        static_cast<double>(snap.history.size() * sizeof(metrics::stored_result)) /
        (1024.0 * 1024.0);

    // Through the real server: one connection per request, as a scraper or a
    // browser reload opens.
    boost::asio::io_context ioc;
    http::server server(ioc, [&](const http::request& req) {
        return service::route(req, snap, kNow, std::chrono::seconds{60});
    });
    if (!server.listen(listen_address{"127.0.0.1", 0, false}))
        return 1;
    const auto port = server.local_endpoint().port();
    std::thread loop([&] { ioc.run(); });
    const auto request_ms = [&](const std::string& path) {
        net::http_request_options o;
        o.method = "GET";
        o.url = fmt::format("http://127.0.0.1:{}{}", port, path);
        o.body_limit = 16 * 1024 * 1024;
        return median_ms(runs * 5, [&] {
            auto r = net::http_request(o);
            if (!r || r->status != 200)
                std::abort();
        });
    };
    const double get_page_ms = request_ms("/");
    const double get_metrics_ms = request_ms("/metrics");
    const double get_health_ms = request_ms("/healthz");
    boost::asio::post(ioc, [&] { server.close(); });
    loop.join();

    fmt::print(
        "history: {} metric_results rows over {} days ({} rows per evaluation), filled in "
        "{:.1f} s\n",
        history_rows, kDays, latest.metrics.size(), fill_s);
    fmt::print("load_dashboard_data (per cycle, endpoint on): {:.1f} ms median of {}\n", load_ms,
               runs);
    fmt::print("load_dashboard_data without history (a cycle that stored none): {:.2f} ms\n",
               load_without_history_ms);
    fmt::print("snapshot history: {} rows, {:.1f} MiB\n", snap.history.size(), history_mb);
    fmt::print("render_dashboard: {:.1f} ms, {} KiB\n", page_ms, page.size() / 1024);
    fmt::print("render_prometheus: {:.2f} ms, {} KiB\n", prom_ms, exposition.size() / 1024);
    fmt::print("GET / over loopback: {:.1f} ms median of {}\n", get_page_ms, runs * 5);
    fmt::print("GET /metrics over loopback: {:.2f} ms\n", get_metrics_ms);
    fmt::print("GET /healthz over loopback: {:.2f} ms\n", get_health_ms);
    fmt::print("peak RSS: {:.1f} MiB\n", static_cast<double>(peak_rss_kb()) / 1024.0);
    if (std::getenv("SHD_BENCH_KEEP") == nullptr)
        std::filesystem::remove_all(dir);
    return 0;
}
