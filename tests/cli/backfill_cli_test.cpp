// `backfill` through the real binary on the worked example's data: one point
// per whole hour, each the rows `run --once --at` stores for that hour; a
// second run keeps everything; --replace leaves one point an hour; no alert
// state, outbox row or request to a receiver.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "core/time.hpp"
#include "support/http_test_server.hpp"
#include "support/test_support.hpp"

namespace shd::test {
namespace {

using json = nlohmann::json;

// 2025-10-30T00:00:00Z, the hour of the worked example's as_of (00:39).
constexpr long long kLastHour = 1761782400;
constexpr const char* kAsOf = "2025-10-30T00:39:00Z";

// A row as metric_results holds it, by (metric, marketplace, channel, window).
using row_key = std::tuple<std::string, std::string, std::string, int>;
struct row_value {
    long long numerator = 0;
    long long denominator = 0;
    std::string status;
    bool operator==(const row_value&) const = default;
};
using point = std::map<row_key, row_value>;

// The worked example's files imported into `dir`, with a webhook channel to
// `url` added to its configuration.
std::string prepare(const temp_dir& dir, const std::string& url) {
    const auto source = data_file("worked-example");
    for (const auto& entry : std::filesystem::directory_iterator(source))
        std::filesystem::copy_file(entry.path(), dir / entry.path().filename().string());
    const auto config = (dir / "config.yaml").string();
    write_file(config, read_file(config) +
                           "alerts:\n"
                           "  channels:\n"
                           "    - name: hook\n"
                           "      type: webhook\n"
                           "      url: \"" +
                           url + "\"\n");
    const json expected = json::parse(read_file(dir / "expected-status.json"));
    for (const auto& batch : expected.at("import_order")) {
        std::vector<std::string> args{"import", "--config", config};
        for (const auto& file : batch)
            args.push_back((dir / file.get<std::string>()).string());
        const auto r = run_binary(args, dir.path());
        EXPECT_EQ(r.exit_code, 0) << r.err;
    }
    return config;
}

// Every stored point: evaluated_at -> its rows.
std::map<long long, point> stored_points(const std::filesystem::path& db_path) {
    SQLite::Database db(db_path.string(), SQLite::OPEN_READONLY);
    SQLite::Statement q(db,
                        "SELECT evaluated_at, metric, marketplace_id, channel, window_days,"
                        " numerator, denominator, status FROM metric_results");
    std::map<long long, point> out;
    while (q.executeStep()) {
        out[q.getColumn(0).getInt64()][{q.getColumn(1).getString(), q.getColumn(2).getString(),
                                        q.getColumn(3).getString(), q.getColumn(4).getInt()}] =
            row_value{q.getColumn(5).getInt64(), q.getColumn(6).getInt64(),
                      q.getColumn(7).getString()};
    }
    return out;
}

long long count_rows(const std::filesystem::path& db_path, const std::string& table) {
    SQLite::Database db(db_path.string(), SQLite::OPEN_READONLY);
    return db.execAndGet("SELECT COUNT(*) FROM " + table).getInt64();
}

json backfill(const std::string& config, const std::vector<std::string>& extra,
              const temp_dir& dir) {
    std::vector<std::string> args{"backfill", "--json", "--config", config, "--at", kAsOf};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_binary(args, dir.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json::parse(r.out) : json();
}

TEST(Backfill, OnePointAnHourAsRunOnceAtStoresIt) {
    http_test_server receiver;
    temp_dir dir;
    const auto config = prepare(dir, receiver.url("/alerts"));
    const auto db_path = dir / "worked-example.sqlite";

    const json first = backfill(config, {"--days", "2"}, dir);
    EXPECT_EQ(first.at("mode"), "fill");
    EXPECT_EQ(first.at("first_hour"), "2025-10-28T01:00:00Z");
    EXPECT_EQ(first.at("last_hour"), "2025-10-30T00:00:00Z");
    EXPECT_EQ(first.at("hours"), 48);
    EXPECT_EQ(first.at("evaluated"), 48);
    EXPECT_EQ(first.at("kept"), 0);

    const auto points = stored_points(db_path);
    ASSERT_EQ(points.size(), 48u);
    std::size_t rows = 0;
    for (const auto& [at, p] : points) {
        EXPECT_EQ(at % 3600, 0) << at;
        EXPECT_GE(at, kLastHour - 47 * 3600);
        EXPECT_LE(at, kLastHour);
        EXPECT_EQ(p.size(), points.at(kLastHour).size()) << at;
        rows += p.size();
    }
    EXPECT_EQ(first.at("rows_written"), rows);
    // Nothing decided, queued or sent.
    EXPECT_EQ(count_rows(db_path, "alert_states"), 0);
    EXPECT_EQ(count_rows(db_path, "outbox"), 0);
    EXPECT_EQ(receiver.request_count(), 0u);

    // The same data, evaluated by `run --once --at` for two of the hours,
    // stores the very rows the backfill did. The evaluation differs between
    // them (the later hour knows more).
    http_test_server other_receiver;
    temp_dir other;
    const auto other_config = prepare(other, other_receiver.url("/alerts"));
    for (long long at : {kLastHour - 24 * 3600, kLastHour}) {
        const auto r = run_binary(
            {"run", "--once", "--at", format_iso8601(from_unix(at)), "--config", other_config},
            other.path());
        EXPECT_NE(r.exit_code, -1) << r.err;
    }
    const auto live = stored_points(other / "worked-example.sqlite");
    ASSERT_EQ(live.size(), 2u);
    for (const auto& [at, p] : live) {
        ASSERT_TRUE(points.contains(at)) << at;
        EXPECT_EQ(points.at(at), p) << at;
    }
    EXPECT_NE(live.begin()->second, live.rbegin()->second);
}

TEST(Backfill, RerunKeepsPointsAndReplaceLeavesOneAnHour) {
    http_test_server receiver;
    temp_dir dir;
    const auto config = prepare(dir, receiver.url("/alerts"));
    const auto db_path = dir / "worked-example.sqlite";

    // A point the daemon stored live, 17 minutes into an hour, with a number
    // no evaluation of this data gives: fill mode must keep it untouched.
    const long long live_at = kLastHour - 5 * 3600 + 17 * 60;
    {
        SQLite::Database db(db_path.string(), SQLite::OPEN_READWRITE);
        db.exec(
            "INSERT INTO metric_results (evaluated_at, metric, marketplace_id, channel,"
            " window_days, numerator, denominator, rate, status, headroom) VALUES (" +
            std::to_string(live_at) +
            ", 'late_dispatch_rate', 'ATVPDKIKX0DER', 'MFN', 10, 999, 1000, 0.999,"
            " 'breached', NULL)");
    }

    const json first = backfill(config, {"--days", "1"}, dir);
    EXPECT_EQ(first.at("hours"), 24);
    EXPECT_EQ(first.at("evaluated"), 23);
    EXPECT_EQ(first.at("kept"), 1);
    const auto after_first = stored_points(db_path);
    ASSERT_EQ(after_first.size(), 24u);
    ASSERT_TRUE(after_first.contains(live_at));
    EXPECT_FALSE(after_first.contains(kLastHour - 5 * 3600));
    EXPECT_EQ(after_first.at(live_at).size(), 1u);

    // Again: nothing evaluated, nothing changed.
    const json second = backfill(config, {"--days", "1"}, dir);
    EXPECT_EQ(second.at("evaluated"), 0);
    EXPECT_EQ(second.at("kept"), 24);
    EXPECT_EQ(second.at("rows_written"), 0);
    EXPECT_EQ(stored_points(db_path), after_first);

    // A longer range fills only the new hours.
    const json longer = backfill(config, {"--days", "2"}, dir);
    EXPECT_EQ(longer.at("evaluated"), 24);
    EXPECT_EQ(longer.at("kept"), 24);
    EXPECT_EQ(stored_points(db_path).size(), 48u);

    // --replace: the live point gives way to the hour's own; one point an
    // hour; twice gives the same rows.
    const json replaced = backfill(config, {"--days", "2", "--replace"}, dir);
    EXPECT_EQ(replaced.at("mode"), "replace");
    EXPECT_EQ(replaced.at("evaluated"), 48);
    EXPECT_EQ(replaced.at("kept"), 0);
    EXPECT_EQ(replaced.at("rows_removed"), 1);
    const auto after_replace = stored_points(db_path);
    ASSERT_EQ(after_replace.size(), 48u);
    EXPECT_FALSE(after_replace.contains(live_at));
    ASSERT_TRUE(after_replace.contains(kLastHour - 5 * 3600));
    for (const auto& [at, p] : after_first) {
        if (at != live_at) {
            EXPECT_EQ(after_replace.at(at), p) << at;
        }
    }
    backfill(config, {"--days", "2", "--replace"}, dir);
    EXPECT_EQ(stored_points(db_path), after_replace);

    EXPECT_EQ(count_rows(db_path, "outbox"), 0);
    EXPECT_EQ(receiver.request_count(), 0u);
}

TEST(Backfill, RejectsDaysOutOfRangeAndBadTimes) {
    temp_dir dir;
    write_file(dir / "config.yaml", "database: \"state.sqlite\"\ninbox: \"inbox\"\n");
    const auto config = (dir / "config.yaml").string();
    for (const char* days : {"0", "401", "-3"}) {
        const auto r = run_binary({"backfill", "--config", config, "--days", days}, dir.path());
        EXPECT_EQ(r.exit_code, 2) << days;
        EXPECT_NE(r.err.find("--days"), std::string::npos) << r.err;
    }
    const auto r = run_binary({"backfill", "--config", config, "--at", "yesterday"}, dir.path());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--at"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "state.sqlite"));
}

}  // namespace
}  // namespace shd::test
