#include "metrics/backfill.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "metrics/engine.hpp"
#include "metrics/history.hpp"

namespace shd::metrics {
namespace {

constexpr std::chrono::hours kHour{1};

}  // namespace

std::vector<instant> backfill_hours(instant until, int days) {
    if (days < 1 || days > kMaxBackfillDays)
        throw std::invalid_argument(
            fmt::format("backfill: {} days is outside 1..{}", days, kMaxBackfillDays));
    const instant last = std::chrono::floor<std::chrono::hours>(until);
    const std::size_t count = static_cast<std::size_t>(days) * 24;
    std::vector<instant> out;
    out.reserve(count);
    for (std::size_t i = count; i-- > 0;)
        out.push_back(last - kHour * static_cast<long>(i));
    return out;
}

result<backfill_summary, error_message> backfill_history(store::database& db,
                                                         const config::config& cfg, instant until,
                                                         int days, backfill_mode mode,
                                                         const backfill_progress& progress) {
    const auto hours = backfill_hours(until, days);
    backfill_summary summary;
    summary.first_hour = hours.front();
    summary.last_hour = hours.back();
    summary.hours = hours.size();

    // Fill mode: the hours that already hold a point, read once.
    std::vector<instant> occupied;
    if (mode == backfill_mode::fill) {
        auto stored =
            stored_instants(db, hours.front(), hours.back() + kHour - std::chrono::seconds{1});
        if (!stored)
            return stored.error();
        occupied = std::move(*stored);
    }
    auto has_point = [&](instant hour) {
        auto it = std::lower_bound(occupied.begin(), occupied.end(), hour);
        return it != occupied.end() && *it < hour + kHour;
    };

    for (std::size_t i = 0; i < hours.size(); ++i) {
        const instant hour = hours[i];
        if (mode == backfill_mode::fill && has_point(hour)) {
            ++summary.kept;
        } else {
            auto rows = evaluate_metrics(db, cfg, hour);
            if (!rows)
                return error_message{
                    fmt::format("backfill at {}: {}", format_iso8601(hour), rows.error().text)};
            evaluation e;
            e.as_of = hour;
            e.metrics = std::move(*rows);
            if (mode == backfill_mode::replace) {
                auto replaced = replace_results(db, e, hour + kHour);
                if (!replaced)
                    return replaced.error();
                summary.rows_written += replaced->written;
                summary.rows_removed += replaced->removed;
            } else {
                auto written = store_results(db, e);
                if (!written)
                    return written.error();
                summary.rows_written += *written;
            }
            ++summary.evaluated;
        }
        if (progress)
            progress(i + 1, hours.size());
    }
    return summary;
}

}  // namespace shd::metrics
