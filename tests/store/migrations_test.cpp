#include "store/database.hpp"
#include "store/migrations.hpp"
#include "support/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

namespace shd::store {
namespace {

int count_rows(SQLite::Database& db, const std::string& table) {
    return db.execAndGet("SELECT COUNT(*) FROM " + table).getInt();
}

TEST(Migrations, FreshDatabaseGetsEveryMigration) {
    test::temp_dir dir;
    auto db = database::open(dir / "a.sqlite");
    ASSERT_TRUE(db) << db.error().text;
    const int newest = bundled_migrations().back().version;
    EXPECT_EQ(db->schema_version(), newest);
    EXPECT_EQ(count_rows(db->handle(), "schema_migrations"),
              static_cast<int>(bundled_migrations().size()));
    for (const char* table : {"imports", "orders", "order_items", "unshipped_orders", "shipments",
                              "defects", "messages", "account_health_snapshots",
                              "account_health_metrics", "metric_results"}) {
        EXPECT_TRUE(db->handle().tableExists(table)) << table;
    }
    EXPECT_EQ(db->handle().execAndGet("PRAGMA journal_mode").getString(), "wal");
    EXPECT_EQ(db->handle().execAndGet("PRAGMA foreign_keys").getInt(), 1);
}

TEST(Migrations, SecondOpenChangesNothing) {
    test::temp_dir dir;
    { ASSERT_TRUE(database::open(dir / "a.sqlite")); }
    SQLite::Database raw((dir / "a.sqlite").string(), SQLite::OPEN_READWRITE);
    auto again = migrate(raw, bundled_migrations());
    ASSERT_TRUE(again);
    EXPECT_EQ(again->applied, 0);
    EXPECT_EQ(again->from_version, again->to_version);
    EXPECT_EQ(count_rows(raw, "schema_migrations"), static_cast<int>(bundled_migrations().size()));
}

TEST(Migrations, AppliesOnlyPendingOnesInOrder) {
    SQLite::Database raw(":memory:", SQLite::OPEN_READWRITE);
    const migration first[] = {{1, "one", "CREATE TABLE t1(x);"}};
    const migration both[] = {{1, "one", "CREATE TABLE t1(x);"},
                              {2, "two", "CREATE TABLE t2(y); INSERT INTO t1 VALUES (1);"}};
    ASSERT_TRUE(migrate(raw, first));
    auto r = migrate(raw, both);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->from_version, 1);
    EXPECT_EQ(r->to_version, 2);
    EXPECT_EQ(r->applied, 1);
    EXPECT_EQ(count_rows(raw, "t1"), 1);
}

TEST(Migrations, FailedMigrationLeavesNoTrace) {
    SQLite::Database raw(":memory:", SQLite::OPEN_READWRITE);
    const migration bad[] = {{1, "one", "CREATE TABLE t1(x); INSERT INTO nowhere VALUES (1);"}};
    auto r = migrate(raw, bad);
    ASSERT_FALSE(r);
    EXPECT_FALSE(raw.tableExists("t1"));
    EXPECT_EQ(count_rows(raw, "schema_migrations"), 0);
}

TEST(Migrations, NewerDatabaseIsRefused) {
    test::temp_dir dir;
    { ASSERT_TRUE(database::open(dir / "a.sqlite")); }
    {
        SQLite::Database raw((dir / "a.sqlite").string(), SQLite::OPEN_READWRITE);
        raw.exec("INSERT INTO schema_migrations VALUES (9999, 'from_the_future', 0)");
    }
    auto db = database::open(dir / "a.sqlite");
    ASSERT_FALSE(db);
    EXPECT_NE(db.error().text.find("9999"), std::string::npos) << db.error().text;
    EXPECT_NE(db.error().text.find("newer"), std::string::npos) << db.error().text;
    auto ro = database::open(dir / "a.sqlite", {.read_only = true});
    ASSERT_FALSE(ro);
    EXPECT_NE(ro.error().text.find("newer"), std::string::npos);
}

TEST(Migrations, ForeignDatabaseIsRefused) {
    SQLite::Database raw(":memory:", SQLite::OPEN_READWRITE);
    raw.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at INTEGER)");
    raw.exec("INSERT INTO schema_migrations VALUES (1, 'something_else', 0)");
    auto r = migrate(raw, bundled_migrations());
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().text.find("something_else"), std::string::npos);
}

TEST(Migrations, ReadOnlyOpenOfMissingFileFails) {
    test::temp_dir dir;
    auto db = database::open(dir / "missing.sqlite", {.read_only = true});
    ASSERT_FALSE(db);
    EXPECT_FALSE(std::filesystem::exists(dir / "missing.sqlite"));
}

}  // namespace
}  // namespace shd::store
