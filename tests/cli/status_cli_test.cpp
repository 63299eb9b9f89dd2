// `seller-healthd status`, run as a child process on a database filled with
// SQL: JSON and table output, --at parsing, exit codes, and that it never
// writes to the database.
#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "store/database.hpp"
#include "support/test_support.hpp"

namespace shd {
namespace {

class status_cli : public ::testing::Test {
  protected:
    void SetUp() override {
        test::write_file(dir / "shd.yaml",
                         "database: \"db.sqlite\"\n"
                         "default_marketplace: \"ATVPDKIKX0DER\"\n"
                         "metrics:\n"
                         "  cancellation_rate:\n"
                         "    min_orders: 2\n");
        auto db = store::database::open(dir / "db.sqlite");
        ASSERT_TRUE(db) << db.error().text;
        // T = 2026-03-01T00:00:00Z = 1772323200. Two US MFN orders two days
        // before T, one cancelled by the seller; one JP message answered late.
        db->handle().exec(
            "INSERT INTO imports VALUES (1, 'f', 'x', 'all_orders', 0, 0, 0, 'imported');"
            "INSERT INTO orders VALUES ('o1', 'ATVPDKIKX0DER', 'Amazon.com', 'MFN', 1772150400,"
            " 'Shipped', 0, 0, 0, NULL, 'all_orders', 1);"
            "INSERT INTO orders VALUES ('o2', 'ATVPDKIKX0DER', 'Amazon.com', 'MFN', 1772150400,"
            " 'Cancelled', 1, 0, 0, NULL, 'all_orders', 1);"
            "INSERT INTO messages VALUES ('m1', NULL, 'A1VC38T7YXB528', 1772150400, 1772323200,"
            " 0, 1);");
    }

    test::process_result status(std::vector<std::string> extra) {
        std::vector<std::string> args{"status", "--config", (dir / "shd.yaml").string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return test::run_binary(args);
    }

    test::temp_dir dir;
};

const nlohmann::json& find_row(const nlohmann::json& doc, const std::string& metric,
                               const std::string& marketplace, int window) {
    for (const auto& r : doc["metrics"]) {
        if (r["metric"] == metric && r["marketplace"] == marketplace &&
            r["window_days"] == window) {
            return r;
        }
    }
    throw std::runtime_error("no row " + metric + " " + marketplace);
}

TEST_F(status_cli, ListsInboxEntriesTheDaemonWouldNotRead) {
    // The inbox is where the config's folder says (default "inbox" is not
    // set here, so it is named).
    test::write_file(dir / "shd.yaml", test::read_file(dir / "shd.yaml") + "inbox: \"inbox\"\n");
    std::filesystem::create_directories(dir / "inbox");
    std::filesystem::create_symlink(dir / "db.sqlite", dir / "inbox" / "link\x1b[2J.txt");
    test::write_file(dir / "inbox" / "fine.txt", "x");

    const auto table = status({"--at", "2026-03-01T00:00:00Z"});
    ASSERT_EQ(table.exit_code, 0) << table.err;
    EXPECT_NE(table.out.find("Inbox: 1 entry not read"), std::string::npos) << table.out;
    EXPECT_NE(table.out.find("link\\x1b[2J.txt  is a symbolic link (not followed)"),
              std::string::npos)
        << table.out;
    EXPECT_EQ(table.out.find('\x1b'), std::string::npos);  // not a colour terminal

    const auto json = status({"--json", "--at", "2026-03-01T00:00:00Z"});
    ASSERT_EQ(json.exit_code, 0) << json.err;
    const auto doc = nlohmann::json::parse(json.out);
    EXPECT_EQ(doc["inbox_unreadable"]["count"], 1);
    EXPECT_EQ(doc["inbox_unreadable"]["files"][0]["name"], "link\\x1b[2J.txt");
    // Looking changed nothing: no archive/ made, the file still there.
    EXPECT_FALSE(std::filesystem::exists(dir / "inbox" / "archive"));
    EXPECT_TRUE(std::filesystem::exists(dir / "inbox" / "fine.txt"));
}

TEST_F(status_cli, JsonAsOfGivenTime) {
    const auto r = status({"--json", "--at", "2026-03-01T00:00:00Z"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["as_of"], "2026-03-01T00:00:00Z");
    EXPECT_EQ(doc["metrics"].size(), 18u);  // 2 marketplaces x 9 rows
    const auto& cr = find_row(doc, "cancellation_rate", "ATVPDKIKX0DER", 7);
    EXPECT_EQ(cr["numerator"], 1);
    EXPECT_EQ(cr["denominator"], 2);
    EXPECT_EQ(cr["rate"].get<double>(), 0.5);
    EXPECT_EQ(cr["status"], "breached");
    EXPECT_EQ(cr["low_volume"], false);  // min_orders 2 from the config
    EXPECT_EQ(cr["window_start"], "2026-02-22T00:00:00Z");
    const auto& rr = find_row(doc, "response_rate_24h", "A1VC38T7YXB528", 7);
    EXPECT_EQ(rr["numerator"], 0);
    EXPECT_EQ(rr["denominator"], 1);
    const auto& ldr = find_row(doc, "late_dispatch_rate", "ATVPDKIKX0DER", 10);
    EXPECT_TRUE(ldr["rate"].is_null());
    EXPECT_TRUE(ldr["headroom"].is_null());
    EXPECT_EQ(ldr["status"], "no_data");
    EXPECT_EQ(doc["upcoming"].size(), 2u);
    EXPECT_TRUE(doc["amazon"].empty());
}

TEST_F(status_cli, AtAcceptsOffsetsAndBareDates) {
    const auto offset = status({"--json", "--at", "2026-02-28T16:00:00-08:00"});
    ASSERT_EQ(offset.exit_code, 0) << offset.err;
    EXPECT_EQ(nlohmann::json::parse(offset.out)["as_of"], "2026-03-01T00:00:00Z");
    const auto date = status({"--json", "--at", "2026-03-01"});
    ASSERT_EQ(date.exit_code, 0) << date.err;
    EXPECT_EQ(date.out, offset.out);  // same instant, same output
}

TEST_F(status_cli, BadAtIsUsageError) {
    const auto r = status({"--json", "--at", "yesterday"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--at"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
}

TEST_F(status_cli, MissingDatabaseIsRuntimeFailure) {
    test::write_file(dir / "other.yaml", "database: \"nothing-here.sqlite\"\n");
    const auto r = test::run_binary(
        {"status", "--config", (dir / "other.yaml").string(), "--at", "2026-03-01"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "nothing-here.sqlite"));
}

TEST_F(status_cli, TableWithoutColourWhenPiped) {
    const auto r = status({"--at", "2026-03-01T00:00:00Z"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("Account health as of 2026-03-01T00:00:00Z"), std::string::npos);
    EXPECT_NE(r.out.find("US (ATVPDKIKX0DER)"), std::string::npos);
    EXPECT_NE(r.out.find("JP (A1VC38T7YXB528)"), std::string::npos);
    EXPECT_NE(r.out.find("Pre-fulfilment cancel rate (MFN)"), std::string::npos);
    EXPECT_NE(r.out.find("50.00%"), std::string::npos);
    EXPECT_EQ(r.out.find('\033'), std::string::npos);
}

TEST_F(status_cli, NeverWritesTheDatabase) {
    const auto before = test::read_file(dir / "db.sqlite");
    for (int i = 0; i < 2; ++i) {
        ASSERT_EQ(status({"--json", "--at", "2026-03-01"}).exit_code, 0);
        ASSERT_EQ(status({"--at", "2026-03-01"}).exit_code, 0);
    }
    EXPECT_EQ(test::read_file(dir / "db.sqlite"), before);
    SQLite::Database db((dir / "db.sqlite").string(), SQLite::OPEN_READONLY);
    EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM metric_results").getInt(), 0);
}

TEST_F(status_cli, SameDatabaseAndTimeGiveTheSameOutput) {
    const auto a = status({"--json", "--at", "2026-03-01"});
    const auto b = status({"--json", "--at", "2026-03-01"});
    ASSERT_EQ(a.exit_code, 0) << a.err;
    EXPECT_EQ(a.out, b.out);
}

}  // namespace
}  // namespace shd
