// migrations/0003_feeds.sql on a database of schema 2 that already holds
// imports: each format becomes a feed with its last import and newest data,
// so an upgrade neither forgets the feeds nor calls them all stale at once.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <vector>

#include "store/migrations.hpp"
#include "support/test_support.hpp"

namespace shd::store {
namespace {

TEST(FeedsMigration, FillsFeedsFromTheImportsSoFar) {
    test::temp_dir dir;
    SQLite::Database raw((dir / "db.sqlite").string(),
                         SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    const auto all = bundled_migrations();
    std::vector<migration> up_to_2;
    for (const auto& m : all) {
        if (m.version <= 2)
            up_to_2.push_back(m);
    }
    ASSERT_EQ(up_to_2.size(), 2u);
    ASSERT_TRUE(migrate(raw, up_to_2));
    raw.exec(
        "INSERT INTO imports VALUES (1, 'o1', 's1', 'all_orders', 1000, 1, 1, 'imported');"
        "INSERT INTO imports VALUES (2, 'o2', 's2', 'all_orders', 5000, 1, 1, 'imported');"
        "INSERT INTO imports VALUES (3, 'sh', 's3', 'shipments', 3000, 2, 0, 'imported');"
        "INSERT INTO orders VALUES ('A', 'ATVPDKIKX0DER', 'Amazon.com', 'MFN', 100, 'Shipped', 0, "
        "0,"
        " 0, 150, 'all_orders', 1);"
        "INSERT INTO orders VALUES ('B', 'ATVPDKIKX0DER', 'Amazon.com', 'MFN', 400, 'Shipped', 0, "
        "0,"
        " 0, NULL, 'all_orders', 2);"
        "INSERT INTO shipments VALUES ('A', 200, 180, '1Z', 'UPS', NULL, 3);"
        "INSERT INTO shipments VALUES ('B', 500, NULL, NULL, NULL, NULL, 3);");
    ASSERT_TRUE(migrate(raw, all));
    SQLite::Statement q(raw,
                        "SELECT feed, last_import_at, last_import_id, newest_data_at, imports"
                        " FROM feeds ORDER BY feed");
    std::string got;
    while (q.executeStep()) {
        for (int i = 0; i < 5; ++i)
            got += (q.getColumn(i).isNull() ? std::string("NULL") : q.getColumn(i).getString()) +
                   (i < 4 ? "," : ";");
    }
    EXPECT_EQ(got, "all_orders,5000,2,400,2;shipments,3000,3,180,1;");
}

}  // namespace
}  // namespace shd::store
