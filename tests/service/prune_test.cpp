// Retention: a daemon that runs for years deletes old history and finished
// notifications, and never a notification still owed.
#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include "core/time.hpp"
#include "service/cycle.hpp"
#include "store/database.hpp"
#include "support/test_support.hpp"

namespace shd::service {
namespace {

long long count(store::database& db, const std::string& table) {
    return db.handle().execAndGet("SELECT COUNT(*) FROM " + table).getInt64();
}

TEST(Prune, DeletesOnlyWhatIsPastRetention) {
    test::temp_dir dir;
    auto db = store::database::open(dir / "a.sqlite");
    ASSERT_TRUE(db) << db.error().text;
    const instant now = *parse_iso8601("2027-06-01T00:00:00Z");
    const long long t = to_unix(now);
    const long long old_history = t - 401LL * 86400;
    const long long kept_history = t - 399LL * 86400;
    const long long old_outbox = t - 91LL * 86400;
    auto& h = db->handle();
    for (long long at : {old_history, kept_history}) {
        h.exec("INSERT INTO metric_results VALUES (" + std::to_string(at) +
               ", 'late_dispatch_rate', 'ATVPDKIKX0DER', 'MFN', 10, 1, 100, 0.01, 'ok', 2)");
        h.exec("INSERT INTO alert_history VALUES ('fp', 'at_risk', " + std::to_string(at - 10) +
               ", " + std::to_string(at) + ")");
    }
    const std::string old_s = std::to_string(old_outbox);
    // Delivered long ago, dead long ago, still owed from long ago, delivered recently.
    h.exec("INSERT INTO outbox (channel_name, idempotency_key, payload, severity, created_at,"
           " not_before, delivered_at, dead_at) VALUES"
           " ('c', 'k1', '{}', 'at_risk', " + old_s + ", " + old_s + ", " + old_s + ", NULL),"
           " ('c', 'k2', '{}', 'at_risk', " + old_s + ", " + old_s + ", NULL, " + old_s + "),"
           " ('c', 'k3', '{}', 'at_risk', " + old_s + ", " + old_s + ", NULL, NULL),"
           " ('c', 'k4', '{}', 'at_risk', " + old_s + ", " + old_s + ", " + std::to_string(t - 86400) + ", NULL)");

    auto pruned = prune_old_rows(*db, now);
    ASSERT_TRUE(pruned) << pruned.error().text;
    EXPECT_EQ(pruned->metric_results, 1);
    EXPECT_EQ(pruned->alert_history, 1);
    EXPECT_EQ(pruned->outbox, 2);
    EXPECT_EQ(count(*db, "metric_results"), 1);
    EXPECT_EQ(count(*db, "alert_history"), 1);
    EXPECT_EQ(db->handle().execAndGet("SELECT group_concat(idempotency_key) FROM"
                                      " (SELECT idempotency_key FROM outbox ORDER BY 1)")
                  .getString(),
              "k3,k4");

    // Nothing more to do the second time.
    auto again = prune_old_rows(*db, now);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->metric_results + again->alert_history + again->outbox, 0);
}

}  // namespace
}  // namespace shd::service
