// All or nothing, with hand-built records: whatever goes wrong half-way (a
// parse error, a row the schema refuses, a parser exception, a busy
// database), nothing lands and the failure says whose fault it was.
#include <SQLiteCpp/Transaction.h>
#include <gtest/gtest.h>

#include <stdexcept>

#include "core/clock.hpp"
#include "ingest/import_test_support.hpp"
#include "ingest/importer.hpp"
#include "store/database.hpp"
#include "support/test_support.hpp"

namespace shd::ingest {
namespace {

using test::order_item;

class ImportAtomicityTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opened = store::database::open(dir_ / "db.sqlite", {.busy_timeout_ms = 50});
        ASSERT_TRUE(opened) << opened.error().text;
        db_.emplace(std::move(*opened));
        // Some state to keep: one order from a real earlier import.
        importer seed(*db_, clock_, "ATVPDKIKX0DER", emit({order_item("KEEP", "1")}));
        ASSERT_TRUE(seed.import_file(file("seed")));
        before_ = test::dump_tables(db_->handle());
    }

    // A parser that emits `records` (lines 2, 3, ...) and then returns `end`.
    static parse_function emit(std::vector<record> records,
                               std::optional<import_error> end = std::nullopt) {
        return [records = std::move(records), end](
                   const std::filesystem::path&, const parse_context&,
                   const record_sink& sink) -> result<parse_summary, import_error> {
            long line = 1;
            for (const auto& r : records)
                sink(r, ++line);
            if (end)
                return *end;
            return parse_summary{file_format::all_orders, static_cast<long>(records.size())};
        };
    }

    // Each file has distinct bytes, so none is "already imported".
    std::filesystem::path file(const std::string& name) {
        const auto p = dir_ / name;
        test::write_file(p, name);
        return p;
    }

    static std::vector<record> many_orders(int n) {
        std::vector<record> out;
        for (int i = 0; i < n; ++i)
            out.push_back(order_item("O" + std::to_string(i), "1"));
        return out;
    }

    test::temp_dir dir_;
    ManualClock clock_{test::at("2025-10-01T08:00:00Z")};
    std::optional<store::database> db_;
    std::string before_;
};

TEST_F(ImportAtomicityTest, AParseErrorAfterManyRecordsLandsNothing) {
    importer imp(*db_, clock_, "ATVPDKIKX0DER",
                 emit(many_orders(3000), import_error{"f", 3002, "purchase-date", "bad date"}));
    auto outcome = imp.import_file(file("f"));
    ASSERT_FALSE(outcome);
    EXPECT_EQ(outcome.error().kind, import_failure_kind::rejected);
    EXPECT_EQ(outcome.error().error.where_and_why(), "line 3002, field purchase-date: bad date");
    EXPECT_EQ(test::dump_tables(db_->handle()), before_);
}

TEST_F(ImportAtomicityTest, ARowTheSchemaRefusesRejectsTheFileAtThatLine) {
    auto records = many_orders(2500);
    auto bad = order_item("BAD", "1");
    bad.fulfillment_channel = "Elsewhere";
    records.push_back(bad);
    records.push_back(order_item("AFTER", "1"));
    importer imp(*db_, clock_, "ATVPDKIKX0DER", emit(records));
    auto outcome = imp.import_file(file("f"));
    ASSERT_FALSE(outcome);
    EXPECT_EQ(outcome.error().kind, import_failure_kind::rejected);
    EXPECT_EQ(outcome.error().error.line, 2502);
    EXPECT_NE(outcome.error().error.reason.find("CHECK constraint failed"), std::string::npos)
        << outcome.error().error.reason;
    EXPECT_EQ(test::dump_tables(db_->handle()), before_);
}

TEST_F(ImportAtomicityTest, AParserExceptionFailsTheImportWithoutCrashing) {
    const parse_function throwing =
        [](const std::filesystem::path&, const parse_context&,
           const record_sink& sink) -> result<parse_summary, import_error> {
        sink(order_item("X", "1"), 2);
        throw std::runtime_error("parser bug");
    };
    importer imp(*db_, clock_, "ATVPDKIKX0DER", throwing);
    auto outcome = imp.import_file(file("f"));
    ASSERT_FALSE(outcome);
    EXPECT_EQ(outcome.error().kind, import_failure_kind::failed);
    EXPECT_NE(outcome.error().error.reason.find("parser bug"), std::string::npos);
    EXPECT_EQ(test::dump_tables(db_->handle()), before_);
}

TEST_F(ImportAtomicityTest, ALockedDatabaseIsAFailureToRetryNotARejection) {
    auto other = store::database::open(dir_ / "db.sqlite");
    ASSERT_TRUE(other);
    SQLite::Transaction lock(other->handle(), SQLite::TransactionBehavior::IMMEDIATE);
    importer imp(*db_, clock_, "ATVPDKIKX0DER", emit(many_orders(10)));
    auto outcome = imp.import_file(file("f"));
    ASSERT_FALSE(outcome);
    EXPECT_EQ(outcome.error().kind, import_failure_kind::failed);
    EXPECT_NE(outcome.error().error.reason.find("database"), std::string::npos);
}

TEST_F(ImportAtomicityTest, LookupsSeeTheRowsWrittenEarlierInTheSameFile) {
    const parse_function parse =
        [](const std::filesystem::path&, const parse_context& ctx,
           const record_sink& sink) -> result<parse_summary, import_error> {
        auto jp = order_item("JP-1", "1");
        jp.marketplace_id = "A1VC38T7YXB528";
        sink(jp, 2);
        if (ctx.order_marketplace("JP-1") != std::optional<std::string>("A1VC38T7YXB528") ||
            ctx.order_marketplace("KEEP") != std::optional<std::string>("ATVPDKIKX0DER") ||
            ctx.order_marketplace("UNKNOWN").has_value()) {
            return import_error{"f", 0, "", "lookup saw the wrong rows"};
        }
        return parse_summary{file_format::all_orders, 1};
    };
    importer imp(*db_, clock_, "ATVPDKIKX0DER", parse);
    auto outcome = imp.import_file(file("f"));
    ASSERT_TRUE(outcome) << outcome.error().error.to_string();
    EXPECT_EQ(outcome->orders, 1);
}

TEST_F(ImportAtomicityTest, AfterAFailureTheNextFileImportsNormally) {
    importer failing(*db_, clock_, "ATVPDKIKX0DER",
                     emit(many_orders(100), import_error{"f", 0, "", "truncated"}));
    ASSERT_FALSE(failing.import_file(file("f")));
    importer good(*db_, clock_, "ATVPDKIKX0DER", emit(many_orders(100)));
    auto outcome = good.import_file(file("g"));
    ASSERT_TRUE(outcome) << outcome.error().error.to_string();
    EXPECT_EQ(outcome->orders, 100);
    EXPECT_EQ(test::count_rows(db_->handle(), "orders"), 101);
    EXPECT_EQ(test::count_rows(db_->handle(), "imports"), 2);
}

}  // namespace
}  // namespace shd::ingest
