#include "metrics/engine.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <tuple>

#include "metrics/freshness.hpp"
#include "metrics/kept_counts.hpp"
#include "metrics/queries.hpp"
#include "metrics/reconcile.hpp"
#include "metrics/rules.hpp"
#include "metrics/service_metrics.hpp"
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

std::vector<metric_result> compute_metrics_from_records(SQLite::Database& db,
                                                        const config::config& cfg, instant as_of) {
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
                    out.push_back(std::move(row));
                }
            }
        }
    }
    std::sort(out.begin(), out.end(), result_order);
    return out;
}

// A metric's numerator and denominator over (a, b] as of T from the kept
// counts.
row_counts counts_in(kept_counts& kept, metric_key key, const std::string& marketplace,
                     const std::string& channel, std::int64_t a, std::int64_t b) {
    row_counts counts;
    switch (key) {
        case metric_key::order_defect_rate: {
            const auto c = kept.window(marketplace, channel, a, b, {count_arm::purchase});
            counts.numerator = c[defective];
            counts.denominator = c[orders];
            counts.components =
                odr_components{c[negative_feedback], c[a_to_z_claim], c[chargeback]};
            break;
        }
        case metric_key::late_dispatch_rate: {
            const auto c =
                kept.window(marketplace, channel, a, b, {count_arm::ship_by, count_arm::promise});
            counts.numerator = c[dispatch_late];
            counts.denominator = c[dispatch_counted];
            break;
        }
        case metric_key::cancellation_rate: {
            const auto c = kept.window(marketplace, channel, a, b, {count_arm::purchase});
            counts.numerator = c[cancelled];
            counts.denominator = c[orders];
            break;
        }
        case metric_key::valid_tracking_rate: {
            const auto c = kept.window(marketplace, channel, a, b, {count_arm::confirmed});
            counts.numerator = c[tracked];
            counts.denominator = c[confirmed];
            break;
        }
        case metric_key::response_rate_24h: {
            const auto c = kept.window(marketplace, channel, a, b, {count_arm::message});
            counts.numerator = c[on_time];
            counts.denominator = c[answerable];
            break;
        }
    }
    return counts;
}

// Every row from the kept counts (kept_counts.hpp): the cost depends on the
// windows' edges and what happened near T, not on the length of the history.
std::vector<metric_result> rows_from_counts(kept_counts& kept, const config::config& cfg,
                                            instant as_of) {
    const auto marketplaces = kept.marketplaces();
    std::vector<metric_result> out;
    for (const auto& marketplace : marketplaces) {
        for (const auto& def : all_metrics()) {
            const auto& thresholds = cfg.thresholds(def.key, marketplace);
            for (std::string_view channel_view : def.channels) {
                const std::string channel(channel_view);
                for (int window_days : sorted_windows(thresholds)) {
                    const auto window = window_for(as_of, window_days, thresholds.lag_days);
                    const std::int64_t a = to_unix(window.start);
                    const std::int64_t b = to_unix(std::min(window.end, as_of));
                    const row_counts counts = counts_in(kept, def.key, marketplace, channel, a, b);
                    if (counts.numerator > counts.denominator || counts.numerator < 0) {
                        throw std::logic_error(fmt::format(
                            "metrics: {} {} {} {}d: numerator {} and denominator {} from the kept"
                            " counts (seller-healthd check-db recounts them)",
                            def.name, marketplace, channel, window_days, counts.numerator,
                            counts.denominator));
                    }
                    out.push_back(make_result(def.key, marketplace, channel, window_days,
                                              thresholds, as_of, counts));
                }
            }
        }
    }
    std::sort(out.begin(), out.end(), result_order);
    return out;
}

std::vector<metric_result> compute_metrics_from_counts(SQLite::Database& db,
                                                       const config::config& cfg, instant as_of) {
    db.exec("PRAGMA mmap_size = 1073741824");
    kept_counts kept(db, as_of, cfg.default_marketplace);
    return rows_from_counts(kept, cfg, as_of);
}

// clears_by of the breached rows from the kept counts: day i of a row's
// buckets is the window (T - (i + 1) days, T - i days], as day_bucket
// attributes a record. Each (metric, marketplace, channel, day) is read once,
// whatever rows share it; with T on the hour every day is whole hours, so it
// costs index ranges of metric_counts only.
void add_clears_by_from_counts(kept_counts& kept, const config::config& cfg, instant as_of,
                               std::vector<metric_result>& rows) {
    const std::int64_t t = to_unix(as_of);
    std::map<std::tuple<metric_key, std::string, std::string, std::int64_t>, row_counts> days_read;
    for (auto& r : rows) {
        if (r.status != metric_status::breached || r.metric == metric_key::cancellation_rate)
            continue;
        const auto& thresholds = cfg.thresholds(r.metric, r.marketplace_id);
        const auto direction = definition(r.metric).direction;
        std::vector<std::int64_t> bad;
        for (std::int64_t day = thresholds.lag_days; day < thresholds.lag_days + r.window_days;
             ++day) {
            const auto key = std::make_tuple(r.metric, r.marketplace_id, r.channel, day);
            auto it = days_read.find(key);
            if (it == days_read.end()) {
                const row_counts c =
                    counts_in(kept, r.metric, r.marketplace_id, r.channel,
                              t - (day + 1) * kSecondsPerDay, t - day * kSecondsPerDay);
                it = days_read.emplace(key, c).first;
            }
            const auto& c = it->second;
            bad.push_back(direction == metric_direction::lower_is_better
                              ? c.numerator
                              : c.denominator - c.numerator);
        }
        r.clears_by =
            clears_by(direction, r.numerator, r.denominator, r.target, r.warn, bad, as_of);
    }
}

// The SP-API's first pass over seller-fulfilled orders, while it runs:
// "the first SP-API pass over seller-fulfilled orders of ATVPDKIKX0DER is in
// progress (since ...)". A database without the table (before schema 6, read
// only) has none.
std::optional<std::string> first_pass_in_progress(SQLite::Database& db) {
    if (!db.tableExists("spapi_sources"))
        return std::nullopt;
    SQLite::Statement q(db,
                        "SELECT marketplace_id, progress_from FROM spapi_sources WHERE source ="
                        " 'orders' AND progress_from IS NOT NULL AND progress_until IS NULL"
                        " ORDER BY marketplace_id");
    std::string text;
    while (q.executeStep()) {
        if (!text.empty())
            text += ", ";
        text += q.getColumn(0).getString();
    }
    if (text.empty())
        return std::nullopt;
    return "the first SP-API pass over seller-fulfilled orders of " + text +
           " is in progress: confirmations are still being fetched";
}

// Above this many records of one kind after T, the windows are counted from
// the records (about 50 ms of corrections at most, against ~1 s for a full
// count at 1M orders).
constexpr std::int64_t kFewRecordsAfter = 20000;

// A read-only open of a database from before schema 4 has no counts. For
// a T deep in the past (a backfill), correcting the counts for everything
// after T costs more than counting the windows: both are exact.
bool counts_apply(SQLite::Database& db, instant as_of) {
    return has_kept_counts(db) && few_records_after(db, as_of, kFewRecordsAfter);
}

// clears_by for the breached rows, whichever way they were counted: one
// bucketed pass per metric that has a breach (rare, so the usual cycle pays
// nothing).
void add_clears_by(SQLite::Database& db, const config::config& cfg, instant as_of,
                   std::vector<metric_result>& rows) {
    std::map<metric_key, std::set<std::string>> breached;
    for (const auto& r : rows) {
        if (r.status == metric_status::breached && r.metric != metric_key::cancellation_rate)
            breached[r.metric].insert(r.marketplace_id);
    }
    for (const auto& [key, marketplaces] : breached) {
        const int reach = longest_reach(cfg, key, marketplaces);
        day_buckets buckets;
        switch (key) {
            case metric_key::order_defect_rate:
                buckets = odr_defect_buckets(db, as_of, reach);
                break;
            case metric_key::late_dispatch_rate:
                buckets = late_dispatch_buckets(db, as_of, reach);
                break;
            case metric_key::valid_tracking_rate:
                buckets = valid_tracking_buckets(db, as_of, reach);
                break;
            case metric_key::response_rate_24h:
                buckets = response_buckets(db, as_of, reach, cfg.default_marketplace);
                break;
            case metric_key::cancellation_rate:
                continue;
        }
        for (auto& r : rows) {
            if (r.metric == key && r.status == metric_status::breached)
                r.clears_by =
                    breach_clears_by(r, cfg.thresholds(key, r.marketplace_id), as_of, &buckets);
        }
    }
}

std::vector<metric_result> compute_metrics(SQLite::Database& db, const config::config& cfg,
                                           instant as_of) {
    if (counts_apply(db, as_of)) {
        db.exec("PRAGMA mmap_size = 1073741824");
        kept_counts kept(db, as_of, cfg.default_marketplace);
        auto rows = rows_from_counts(kept, cfg, as_of);
        add_clears_by_from_counts(kept, cfg, as_of, rows);
        return rows;
    }
    auto rows = compute_metrics_from_records(db, cfg, as_of);
    add_clears_by(db, cfg, as_of, rows);
    return rows;
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
        flag_first_pass(rows, first_pass_in_progress(db.handle()));
        return rows;
    } catch (const SQLite::Exception& e) {
        return error_message{fmt::format("evaluating metrics failed: {}", e.what())};
    }
}

result<std::vector<metric_result>, error_message> evaluate_metrics_from_records(
    store::database& db, const config::config& cfg, instant as_of) {
    try {
        return compute_metrics_from_records(db.handle(), cfg, as_of);
    } catch (const SQLite::Exception& e) {
        return error_message{fmt::format("evaluating metrics failed: {}", e.what())};
    }
}

result<std::vector<metric_result>, error_message> evaluate_metrics_from_kept_counts(
    store::database& db, const config::config& cfg, instant as_of) {
    try {
        if (!has_kept_counts(db.handle()))
            return error_message{"the database has no kept metric counts (schema before 4)"};
        return compute_metrics_from_counts(db.handle(), cfg, as_of);
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
        flag_first_pass(e.metrics, first_pass_in_progress(db.handle()));

        std::set<std::string> marketplaces;
        for (const auto& r : e.metrics)
            marketplaces.insert(r.marketplace_id);
        const int longest = *std::max_element(kServiceWindows.begin(), kServiceWindows.end());
        e.message_service = compute_message_service(
            load_message_facts(db.handle(), as_of, as_of - days(longest), cfg.default_marketplace),
            marketplaces, as_of);
        return e;
    } catch (const SQLite::Exception& e) {
        return error_message{fmt::format("evaluating metrics failed: {}", e.what())};
    }
}

}  // namespace shd::metrics
