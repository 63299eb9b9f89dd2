#include "metrics/freshness.hpp"

#include <algorithm>
#include <map>

#include "core/feed_catalog.hpp"

namespace shd::metrics {

std::string stale_reason_text(std::string_view feed_words, std::chrono::seconds age,
                              std::chrono::seconds max_age) {
    return std::string(feed_words) + " last arrived " + format_span(age) + " ago (max " +
           format_span(max_age) + ")";
}

std::vector<feed_freshness> judge_freshness(
    const std::vector<feed_arrival>& arrivals,
    const std::function<std::chrono::seconds(std::string_view)>& max_age_of, instant as_of) {
    std::map<std::string, const feed_arrival*, std::less<>> by_name;
    for (const auto& a : arrivals)
        by_name[a.feed] = &a;

    std::vector<feed_freshness> out;
    const auto judge = [&](std::string_view name, std::string_view words) {
        feed_freshness f;
        f.feed = std::string(name);
        f.words = std::string(words);
        f.max_age = max_age_of(name);
        const auto it = by_name.find(name);
        if (it != by_name.end()) {
            const feed_arrival& a = *it->second;
            f.last_import_at = a.last_import_at;
            f.newest_data_at = a.newest_data_at;
            f.imports = a.imports;
            f.age = std::max(as_of - a.last_import_at, std::chrono::seconds{0});
            f.stale = *f.age > f.max_age;
            if (f.stale)
                f.reason = stale_reason_text(words, *f.age, f.max_age);
            by_name.erase(it);
        }
        out.push_back(std::move(f));
    };
    for (const auto& def : all_feeds())
        judge(def.name, def.words);
    // Feeds written by a newer source: judged like the others, named as stored.
    const auto unknown = by_name;
    for (const auto& [name, arrival] : unknown)
        judge(name, name);
    return out;
}

void flag_stale_metrics(std::vector<metric_result>& rows,
                        const std::vector<feed_freshness>& feeds) {
    for (auto& r : rows) {
        r.stale = false;
        r.stale_reason.clear();
        for (std::string_view needed : feeds_of(r.metric)) {
            const auto it = std::find_if(feeds.begin(), feeds.end(),
                                         [&](const feed_freshness& f) { return f.feed == needed; });
            if (it == feeds.end() || !it->stale)
                continue;
            if (r.stale)
                r.stale_reason += "; ";
            r.stale = true;
            r.stale_reason += it->reason;
        }
    }
}

void flag_first_pass(std::vector<metric_result>& rows,
                     const std::optional<std::string>& pass_in_progress) {
    if (!pass_in_progress)
        return;
    for (auto& r : rows) {
        if (r.metric != metric_key::late_dispatch_rate &&
            r.metric != metric_key::valid_tracking_rate)
            continue;
        if (r.stale)
            r.stale_reason += "; ";
        r.stale = true;
        r.stale_reason += *pass_in_progress;
    }
}

}  // namespace shd::metrics
