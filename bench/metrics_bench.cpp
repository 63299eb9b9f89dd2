// Benchmark of a full metrics evaluation (issue #4): a seller with 1,000,000
// orders over 90 days in 3 marketplaces and 50,000 messages, generated
// straight into SQLite, evaluated as `status` would; printed beside the time
// the sqlite3 shell takes for the same aggregate statements on the same file.
//
// Usage: metrics_bench [DB_PATH] [--runs N] [--orders N]
// DB_PATH is generated when missing and reused when present (delete it to
// regenerate). Figures go to docs/performance.md, "Metrics".
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "metrics/engine.hpp"
#include "metrics/queries.hpp"
#include "metrics/rules.hpp"
#include "store/database.hpp"

namespace {

using namespace shd;
using clock_type = std::chrono::steady_clock;

// Orders of the generated seller (--orders); messages are a twentieth of it.
long kOrders = 1'000'000;
long kMessages = 50'000;
constexpr std::int64_t kDay = 86400;
// T: 2026-03-01T00:00:00Z. Orders are purchased in (T - 90 d, T].
constexpr std::int64_t kT = 1772323200;

struct marketplace_share {
    const char* id;
    const char* sales_channel;
    double share;
};
constexpr std::array<marketplace_share, 3> kMarketplaces{{
    {"ATVPDKIKX0DER", "Amazon.com", 0.5},
    {"A1F83G8C2ARO7P", "Amazon.co.uk", 0.3},
    {"A1PA6795UKMFR9", "Amazon.de", 0.2},
}};

std::string order_id(std::mt19937_64& rng) {
    std::uniform_int_distribution<int> d3(100, 999);
    std::uniform_int_distribution<int> d7(0, 9'999'999);
    return fmt::format("{:03}-{:07}-{:07}", d3(rng), d7(rng), d7(rng));
}

// The data set, documented in docs/performance.md: half the orders MFN;
// 1.5 % cancelled (a fifth of those at the buyer's request), 0.3 % with an
// item cancelled; every MFN order not cancelled has a shipments row (ship-by
// 2 days after purchase, confirmed 2-60 h after purchase, so ~8 % late;
// confirmations after T are not there yet), except a tenth of the last two
// days' orders which only have an Unshipped-report row; 30 % of MFN orders
// also kept an old Unshipped-report row; 3 % of shipments without tracking;
// 0.5 % of orders with a defect (80 % counting); messages: 40 % with their
// own marketplace, 40 % with only an order, 20 % with neither; 10 % "no
// response needed"; replies within 1-20 h (85 %), 25-60 h (10 %), none (5 %).
void generate(const std::filesystem::path& path) {
    auto opened = store::database::open(path);
    if (!opened)
        throw std::runtime_error(opened.error().text);
    auto& db = opened->handle();
    std::mt19937_64 rng(20260301);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    auto chance = [&](double p) { return u(rng) < p; };
    auto uniform = [&](std::int64_t lo, std::int64_t hi) {
        return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
    };

    SQLite::Transaction tx(db);
    db.exec(
        "INSERT INTO imports (id, file_name, sha256, format, imported_at, row_count, order_count)"
        " VALUES (1, 'metrics_bench', 'metrics_bench', 'all_orders', 1772323200, 0, 0)");
    SQLite::Statement order(db,
                            "INSERT OR IGNORE INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                            " 'all_orders', 1)");
    SQLite::Statement shipment(db, "INSERT INTO shipments VALUES (?, ?, ?, ?, 'UPS', ?, 1)");
    SQLite::Statement unshipped(
        db,
        "INSERT INTO unshipped_orders(order_id, promise_at, buyer_requested_cancel, import_id)"
        " VALUES (?, ?, ?, 1)");
    SQLite::Statement defect(db, "INSERT OR IGNORE INTO defects VALUES (?, ?, ?, ?, ?, ?, 1)");
    SQLite::Statement message(db, "INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, 1)");

    std::vector<std::string> sample_orders;  // for messages that name an order
    long written = 0;
    while (written < kOrders) {
        const auto id = order_id(rng);
        const double pick = u(rng);
        const auto& m = pick < kMarketplaces[0].share                            ? kMarketplaces[0]
                        : pick < kMarketplaces[0].share + kMarketplaces[1].share ? kMarketplaces[1]
                                                                                 : kMarketplaces[2];
        const bool mfn = chance(0.5);
        const std::int64_t purchased = kT - 90 * kDay + 1 + uniform(0, 90 * kDay - 1);
        const bool cancelled = chance(0.015);
        const bool buyer_requested = cancelled && chance(0.2);
        const bool item_cancelled = !cancelled && chance(0.003);
        order.reset();
        order.clearBindings();
        order.bind(1, id);
        order.bind(2, m.id);
        order.bind(3, m.sales_channel);
        order.bind(4, mfn ? "MFN" : "AFN");
        order.bind(5, purchased);
        order.bind(6, cancelled ? "Cancelled" : "Shipped");
        order.bind(7, cancelled ? 1 : 0);
        order.bind(8, item_cancelled ? 1 : 0);
        order.bind(9, buyer_requested ? 1 : 0);
        order.bind(10, purchased + 3600);
        if (order.exec() == 0)
            continue;  // the rare duplicate ID
        ++written;
        if (written % 20 == 0)
            sample_orders.push_back(id);

        const std::int64_t latest_ship = purchased + 2 * kDay;
        if (mfn && !cancelled) {
            const bool recent = purchased > kT - 2 * kDay;
            if (recent && chance(0.1)) {
                unshipped.reset();
                unshipped.clearBindings();
                unshipped.bind(1, id);
                unshipped.bind(2, latest_ship);
                unshipped.bind(3, 0);
                unshipped.exec();
            } else {
                const std::int64_t confirmed = purchased + uniform(2 * 3600, 60 * 3600);
                shipment.reset();
                shipment.clearBindings();
                shipment.bind(1, id);
                shipment.bind(2, latest_ship);
                if (confirmed <= kT)
                    shipment.bind(3, confirmed);
                shipment.bind(4, chance(0.03) ? std::string() : "1Z" + id);
                if (chance(0.01))
                    shipment.bind(5, 0);
                shipment.exec();
                if (chance(0.3)) {
                    unshipped.reset();
                    unshipped.clearBindings();
                    unshipped.clearBindings();
                    unshipped.bind(1, id);
                    unshipped.bind(2, latest_ship);
                    unshipped.bind(3, 0);
                    unshipped.exec();
                }
            }
        }
        if (chance(0.005)) {
            static constexpr const char* kKinds[] = {"negative_feedback", "a_to_z_claim",
                                                     "chargeback"};
            const char* kind = kKinds[uniform(0, 2)];
            const std::int64_t occurred = purchased + uniform(kDay, 30 * kDay);
            if (occurred <= kT) {
                const bool counts = chance(0.8);
                defect.reset();
                defect.clearBindings();
                defect.bind(1, id);
                defect.bind(2, kind);
                defect.bind(3, occurred);
                defect.bind(4, counts ? "open" : "denied");
                if (std::string_view(kind) == "negative_feedback")
                    defect.bind(5, counts ? 1 : 4);
                defect.bind(6, counts ? 1 : 0);
                defect.exec();
            }
        }
    }

    for (long i = 0; i < kMessages; ++i) {
        const std::int64_t received = kT - 90 * kDay + 1 + uniform(0, 90 * kDay - 1);
        const double kind = u(rng);
        message.reset();
        message.clearBindings();
        message.bind(1, fmt::format("msg-{:06}", i));
        if (kind < 0.8)
            message.bind(2, sample_orders[uniform(0, sample_orders.size() - 1)]);
        if (kind < 0.4)
            message.bind(3, kMarketplaces[uniform(0, 2)].id);
        message.bind(4, received);
        const double reply = u(rng);
        const std::int64_t responded = reply < 0.85   ? received + uniform(3600, 20 * 3600)
                                       : reply < 0.95 ? received + uniform(25 * 3600, 60 * 3600)
                                                      : -1;
        if (responded >= 0 && responded <= kT)
            message.bind(5, responded);
        message.bind(6, chance(0.1) ? 1 : 0);
        message.exec();
    }
    tx.commit();
}

double ms_since(clock_type::time_point start) {
    return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

struct summary {
    double min, median, max;
};
summary summarize(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return {v.front(), v[v.size() / 2], v.back()};
}

}  // namespace

int main(int argc, char** argv) {
    std::filesystem::path path = "metrics-bench.sqlite";
    int runs = 20;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--runs" && i + 1 < argc) {
            runs = std::max(1, std::atoi(argv[++i]));
        } else if (arg == "--orders" && i + 1 < argc) {
            kOrders = std::max(1L, std::atol(argv[++i]));
            kMessages = std::max(1L, kOrders / 20);
        } else {
            path = arg;
        }
    }
    try {
        if (!std::filesystem::exists(path)) {
            fmt::print("generating {} ...\n", path.string());
            const auto start = clock_type::now();
            generate(path);
            fmt::print("generated in {:.1f} s\n", ms_since(start) / 1000.0);
        }
        auto db = store::database::open(path, store::open_options{.read_only = true});
        if (!db)
            throw std::runtime_error(db.error().text);
        auto& h = db->handle();
        fmt::print("database: {} ({:.0f} MB)\n", path.string(),
                   static_cast<double>(std::filesystem::file_size(path)) / 1e6);
        fmt::print("rows: {} orders, {} shipments, {} unshipped, {} defects, {} messages\n",
                   h.execAndGet("SELECT COUNT(*) FROM orders").getInt64(),
                   h.execAndGet("SELECT COUNT(*) FROM shipments").getInt64(),
                   h.execAndGet("SELECT COUNT(*) FROM unshipped_orders").getInt64(),
                   h.execAndGet("SELECT COUNT(*) FROM defects").getInt64(),
                   h.execAndGet("SELECT COUNT(*) FROM messages").getInt64());

        const auto cfg = config::default_config();
        // T at midnight (the windows are whole days); T at an odd second after
        // the newest data, as the daemon evaluates now (every window has
        // partial edge hours and edge days); and an odd T 3 hours before the
        // newest data, as a past --at (the records after T are corrections).
        for (const std::int64_t t :
             {kT, kT + 3 * 3600 + 17 * 60 + 13, kT - 3 * 3600 - 17 * 60 - 13}) {
            const instant as_of = from_unix(t);
            std::vector<double> kept_ms, full_ms, records_ms;
            std::size_t rows = 0;
            for (int i = 0; i < runs + 1; ++i) {
                auto start = clock_type::now();
                auto m = metrics::evaluate_metrics(*db, cfg, as_of);
                const double took = ms_since(start);
                if (!m)
                    throw std::runtime_error(m.error().text);
                rows = m->size();
                if (i > 0)
                    kept_ms.push_back(took);  // the first run warms the page cache
                start = clock_type::now();
                auto full = metrics::evaluate(*db, cfg, as_of);
                if (!full)
                    throw std::runtime_error(full.error().text);
                if (i > 0)
                    full_ms.push_back(ms_since(start));
                if (i < std::min(runs, 5) + 1) {
                    start = clock_type::now();
                    auto reference = metrics::evaluate_metrics_from_records(*db, cfg, as_of);
                    const double reference_took = ms_since(start);
                    if (!reference)
                        throw std::runtime_error(reference.error().text);
                    if (i > 0)
                        records_ms.push_back(reference_took);
                    // The benchmark is also a check: both ways agree.
                    for (std::size_t r = 0; r < reference->size(); ++r) {
                        const auto& x = (*reference)[r];
                        const auto& y = (*m)[r];
                        if (x.numerator != y.numerator || x.denominator != y.denominator)
                            throw std::runtime_error("the kept counts and the records disagree");
                    }
                }
            }
            const auto k = summarize(kept_ms);
            const auto f = summarize(full_ms);
            const auto r = summarize(records_ms);
            fmt::print("T = {}:\n", format_iso8601(as_of));
            fmt::print(
                "  evaluate_metrics, kept counts ({} rows), {} runs: min {:.2f} ms, median {:.2f}"
                " ms, max {:.2f} ms\n",
                rows, runs, k.min, k.median, k.max);
            fmt::print(
                "  evaluate (metrics + upcoming + amazon): min {:.2f} ms, median {:.2f} ms, max"
                " {:.2f} ms\n",
                f.min, f.median, f.max);
            fmt::print(
                "  evaluate_metrics_from_records (before the kept counts), {} runs: min {:.1f} ms,"
                " median {:.1f} ms, max {:.1f} ms\n",
                records_ms.size(), r.min, r.median, r.max);
        }
    } catch (const std::exception& e) {
        fmt::print(stderr, "metrics_bench: {}\n", e.what());
        return 1;
    }
    return 0;
}
