#include "metrics/engine.hpp"

#include <SQLiteCpp/Database.h>
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "metrics/freshness.hpp"
#include "metrics/queries.hpp"
#include "metrics/reconcile.hpp"
#include "metrics/rules.hpp"
#include "metrics/upcoming.hpp"

namespace shd::metrics {
namespace {

std::vector<int> sorted_windows(const config::metric_thresholds& t) {
    std::vector<int> w = t.windows;
    std::sort(w.begin(), w.end());
    w.erase(std::unique(w.begin(), w.end()), w.end());
    return w;
}

// The longest lag + window of a metric over the marketplaces: the range one
// bucketed pass must cover.
int longest_reach(const config::config& cfg, metric_key key,
                  const std::set<std::string>& marketplaces) {
    int reach = 0;
    for (const auto& m : marketplaces) {
        const auto& t = cfg.thresholds(key, m);
        for (int w : t.windows)
            reach = std::max(reach, t.lag_days + w);
    }
    return reach;
}

// A breached row's clears_by from its day buckets; nullopt for a metric
// counted by one range query (no buckets).
std::optional<instant> breach_clears_by(const metric_result& row,
                                        const config::metric_thresholds& thresholds, instant as_of,
                                        const day_buckets* buckets) {
    if (buckets == nullptr)
        return std::nullopt;
    const auto direction = definition(row.metric).direction;
    std::vector<std::int64_t> bad;
    for (const auto& c :
         buckets->each(row.marketplace_id, row.channel, thresholds.lag_days, row.window_days)) {
        bad.push_back(direction == metric_direction::lower_is_better ? c.numerator
                                                                     : c.denominator - c.numerator);
    }
    return clears_by(direction, row.numerator, row.denominator, row.target, row.warn, bad, as_of);
}

std::vector<metric_result> compute_metrics(SQLite::Database& db, const config::config& cfg,
                                           instant as_of) {
    // The aggregates look orders up at random by primary key; reading pages
    // through a memory map instead of read() calls makes that ~35 % faster.
    // A connection setting, not a write: fine on a read-only connection.
    db.exec("PRAGMA mmap_size = 1073741824");
    const auto marketplaces = find_marketplaces(db, cfg.default_marketplace);
    if (marketplaces.empty())
        return {};

    const auto odr_defects = odr_defect_buckets(
        db, as_of, longest_reach(cfg, metric_key::order_defect_rate, marketplaces));
    const auto late = late_dispatch_buckets(
        db, as_of, longest_reach(cfg, metric_key::late_dispatch_rate, marketplaces));
    const auto tracking = valid_tracking_buckets(
        db, as_of, longest_reach(cfg, metric_key::valid_tracking_rate, marketplaces));
    const auto responses =
        response_buckets(db, as_of, longest_reach(cfg, metric_key::response_rate_24h, marketplaces),
                         cfg.default_marketplace);

    std::vector<metric_result> out;
    for (const auto& marketplace : marketplaces) {
        for (const auto& def : all_metrics()) {
            const auto& thresholds = cfg.thresholds(def.key, marketplace);
            for (std::string_view channel_view : def.channels) {
                const std::string channel(channel_view);
                for (int window_days : sorted_windows(thresholds)) {
                    const auto window = window_for(as_of, window_days, thresholds.lag_days);
                    const auto sum = [&](const day_buckets& b) {
                        return b.sum(marketplace, channel, thresholds.lag_days, window_days);
                    };
                    row_counts counts;
                    switch (def.key) {
                        case metric_key::order_defect_rate:
                            counts = sum(odr_defects);
                            counts.denominator =
                                count_orders(db, marketplace, channel, window, as_of);
                            if (!counts.components)
                                counts.components = odr_components{};
                            break;
                        case metric_key::late_dispatch_rate:
                            counts = sum(late);
                            break;
                        case metric_key::cancellation_rate:
                            counts = cancellation_counts(db, marketplace, window, as_of);
                            break;
                        case metric_key::valid_tracking_rate:
                            counts = sum(tracking);
                            break;
                        case metric_key::response_rate_24h:
                            counts = sum(responses);
                            break;
                    }
                    if (counts.numerator > counts.denominator) {
                        throw std::logic_error(fmt::format(
                            "metrics: {} {} {} {}d: numerator {} exceeds denominator {}", def.name,
                            marketplace, channel, window_days, counts.numerator,
                            counts.denominator));
                    }
                    auto row = make_result(def.key, marketplace, channel, window_days, thresholds,
                                           as_of, counts);
                    if (row.status == metric_status::breached)
                        row.clears_by =
                            breach_clears_by(row, thresholds, as_of, [&]() -> const day_buckets* {
                                switch (def.key) {
                                    case metric_key::order_defect_rate:
                                        return &odr_defects;
                                    case metric_key::late_dispatch_rate:
                                        return &late;
                                    case metric_key::valid_tracking_rate:
                                        return &tracking;
                                    case metric_key::response_rate_24h:
                                        return &responses;
                                    case metric_key::cancellation_rate:
                                        return nullptr;
                                }
                                return nullptr;
                            }());
                    out.push_back(std::move(row));
                }
            }
        }
    }
    std::sort(out.begin(), out.end(), result_order);
    return out;
}

}  // namespace

result<std::vector<metric_result>, error_message> evaluate_metrics(store::database& db,
                                                                   const config::config& cfg,
                                                                   instant as_of) {
    try {
        auto rows = compute_metrics(db.handle(), cfg, as_of);
        flag_stale_metrics(
            rows, judge_freshness(
                      load_feed_arrivals(db.handle()),
                      [&](std::string_view feed) { return cfg.feed_max_age(feed); }, as_of));
        return rows;
    } catch (const SQLite::Exception& e) {
        return error_message{fmt::format("evaluating metrics failed: {}", e.what())};
    }
}

result<evaluation, error_message> evaluate(store::database& db, const config::config& cfg,
                                           instant as_of) {
    try {
        evaluation e;
        e.as_of = as_of;
        e.reconcile_tolerance = cfg.reconcile_tolerance;
        e.metrics = compute_metrics(db.handle(), cfg, as_of);
        e.upcoming = find_upcoming(db.handle(), cfg, as_of, e.metrics);
        e.amazon = reconcile(load_amazon_snapshots(db.handle(), as_of), e.metrics,
                             cfg.reconcile_tolerance);
        e.feeds = judge_freshness(
            load_feed_arrivals(db.handle()),
            [&](std::string_view feed) { return cfg.feed_max_age(feed); }, as_of);
        flag_stale_metrics(e.metrics, e.feeds);
        return e;
    } catch (const SQLite::Exception& e) {
        return error_message{fmt::format("evaluating metrics failed: {}", e.what())};
    }
}

}  // namespace shd::metrics
