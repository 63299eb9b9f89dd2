// The pure freshness rules (metrics/freshness.hpp): feeds, their max_age and
// the evaluation time in, the stale set and the reasons out. Time comes from
// a ManualClock moved by hand.
#include "metrics/freshness.hpp"

#include <gtest/gtest.h>

#include <map>

#include "core/clock.hpp"
#include "core/feed_catalog.hpp"
#include "metrics/rules.hpp"

namespace shd::metrics {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const instant kStart = *parse_iso8601("2026-03-01T08:00:00Z");

struct fixture {
    ManualClock clock{kStart};
    std::map<std::string, seconds, std::less<>> max_ages{{"shipments", hours(48)}};
    seconds fallback = hours(36);

    std::vector<feed_freshness> judge(const std::vector<feed_arrival>& arrivals) const {
        return judge_freshness(
            arrivals,
            [&](std::string_view f) {
                auto it = max_ages.find(f);
                return it == max_ages.end() ? fallback : it->second;
            },
            clock.now());
    }
};

const feed_freshness& find(const std::vector<feed_freshness>& feeds, std::string_view name) {
    for (const auto& f : feeds) {
        if (f.feed == name)
            return f;
    }
    throw std::logic_error("no feed " + std::string(name));
}

std::vector<std::string> stale_set(const std::vector<feed_freshness>& feeds) {
    std::vector<std::string> out;
    for (const auto& f : feeds) {
        if (f.stale)
            out.push_back(f.feed);
    }
    return out;
}

TEST(Freshness, EveryCatalogFeedInOrderNeverImportedIsNotStale) {
    fixture fx;
    const auto feeds = fx.judge({});
    ASSERT_EQ(feeds.size(), all_feeds().size());
    for (std::size_t i = 0; i < feeds.size(); ++i) {
        EXPECT_EQ(feeds[i].feed, all_feeds()[i].name);
        EXPECT_FALSE(feeds[i].stale);
        EXPECT_FALSE(feeds[i].last_import_at.has_value());
        EXPECT_FALSE(feeds[i].age.has_value());
    }
    EXPECT_EQ(find(feeds, "shipments").max_age, hours(48));
    EXPECT_EQ(find(feeds, "all_orders").max_age, hours(36));
}

TEST(Freshness, StaleOnlyPastMaxAgeSinceTheLastArrival) {
    fixture fx;
    const std::vector<feed_arrival> arrivals = {
        {"all_orders", kStart, kStart - hours(2), 5},
        {"shipments", kStart, kStart - hours(1), 3},
    };
    EXPECT_TRUE(stale_set(fx.judge(arrivals)).empty());
    fx.clock.advance(hours(36));  // exactly max_age: still within it
    EXPECT_TRUE(stale_set(fx.judge(arrivals)).empty());
    fx.clock.advance(seconds(1));
    auto feeds = fx.judge(arrivals);
    EXPECT_EQ(stale_set(feeds), (std::vector<std::string>{"all_orders"}));
    EXPECT_EQ(find(feeds, "all_orders").reason,
              "All Orders report last arrived 1 d 12 h ago (max 1 d 12 h)");
    EXPECT_EQ(find(feeds, "all_orders").age, hours(36) + seconds(1));
    EXPECT_TRUE(find(feeds, "shipments").reason.empty());
    fx.clock.advance(hours(12));
    feeds = fx.judge(arrivals);
    EXPECT_EQ(stale_set(feeds), (std::vector<std::string>{"all_orders", "shipments"}));
    EXPECT_EQ(find(feeds, "shipments").reason, "shipments last arrived 2 d ago (max 2 d)");
}

TEST(Freshness, JudgedByArrivalNotByTheDatesInside) {
    fixture fx;
    // A quiet week: the newest order is 7 days old, but the report arrived
    // an hour ago. Not stale.
    fx.clock.advance(hours(1));
    const auto feeds = fx.judge({{"all_orders", kStart, kStart - hours(24 * 7), 9}});
    EXPECT_FALSE(find(feeds, "all_orders").stale);
    EXPECT_EQ(find(feeds, "all_orders").newest_data_at, kStart - hours(24 * 7));
    EXPECT_EQ(find(feeds, "all_orders").age, hours(1));
}

TEST(Freshness, AnArrivalAfterTheEvaluationTimeCountsAsJustArrived) {
    fixture fx;
    const auto feeds = fx.judge({{"messages", kStart + hours(100), std::nullopt, 1}});
    EXPECT_FALSE(find(feeds, "messages").stale);
    EXPECT_EQ(find(feeds, "messages").age, seconds(0));
}

TEST(Freshness, AFeedThisBuildDoesNotKnowIsJudgedByItsName) {
    fixture fx;
    fx.clock.advance(hours(40));
    const auto feeds = fx.judge({{"sp_api_orders", kStart, std::nullopt, 1}});
    ASSERT_EQ(feeds.size(), all_feeds().size() + 1);
    EXPECT_EQ(feeds.back().feed, "sp_api_orders");
    EXPECT_TRUE(feeds.back().stale);
    EXPECT_EQ(feeds.back().reason, "sp_api_orders last arrived 1 d 16 h ago (max 1 d 12 h)");
}

metric_result row(metric_key key, const std::string& channel = "MFN") {
    metric_result r;
    r.metric = key;
    r.marketplace_id = "ATVPDKIKX0DER";
    r.channel = channel;
    r.window_days = 10;
    r.status = metric_status::breached;
    return r;
}

TEST(Freshness, RowsAreFlaggedByTheFeedsTheyAreCountedFrom) {
    fixture fx;
    fx.clock.advance(hours(24 * 3));
    // Orders and messages keep arriving; shipments stopped 3 days ago.
    const auto feeds = fx.judge({{"all_orders", fx.clock.now() - hours(1), std::nullopt, 9},
                                 {"messages", fx.clock.now() - hours(1), std::nullopt, 9},
                                 {"shipments", kStart, std::nullopt, 2},
                                 {"feedback", kStart, std::nullopt, 1}});
    std::vector<metric_result> rows = {
        row(metric_key::order_defect_rate),        row(metric_key::late_dispatch_rate),
        row(metric_key::cancellation_rate),        row(metric_key::valid_tracking_rate),
        row(metric_key::response_rate_24h, "all"),
    };
    flag_stale_metrics(rows, feeds);
    EXPECT_TRUE(rows[0].stale);  // feedback
    EXPECT_EQ(rows[0].stale_reason, "Feedback report last arrived 3 d ago (max 1 d 12 h)");
    EXPECT_TRUE(rows[1].stale);
    EXPECT_EQ(rows[1].stale_reason, "shipments last arrived 3 d ago (max 2 d)");
    EXPECT_FALSE(rows[2].stale);
    EXPECT_TRUE(rows[2].stale_reason.empty());
    EXPECT_TRUE(rows[3].stale);
    EXPECT_FALSE(rows[4].stale);
    // The status is never touched.
    for (const auto& r : rows)
        EXPECT_EQ(r.status, metric_status::breached);

    // Fresh again: the flags clear.
    flag_stale_metrics(rows, fx.judge({}));
    for (const auto& r : rows) {
        EXPECT_FALSE(r.stale);
        EXPECT_TRUE(r.stale_reason.empty());
    }
}

TEST(Freshness, SeveralStaleFeedsJoinTheirReasons) {
    fixture fx;
    fx.clock.advance(hours(24 * 3));
    const auto feeds =
        fx.judge({{"all_orders", kStart, std::nullopt, 1}, {"shipments", kStart, std::nullopt, 1}});
    std::vector<metric_result> rows = {row(metric_key::late_dispatch_rate)};
    flag_stale_metrics(rows, feeds);
    EXPECT_EQ(rows[0].stale_reason,
              "All Orders report last arrived 3 d ago (max 1 d 12 h); shipments last arrived 3 d "
              "ago (max 2 d)");
}

}  // namespace
}  // namespace shd::metrics
